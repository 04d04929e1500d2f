"""A change to the edge named by its role ("ingress") and failing answers at the edge only."""

from __future__ import annotations

import re
import warnings
from datetime import datetime, timedelta

import pytest

import rcakit
from rcakit.correlate import match_service
from rcakit.errors import RcakitWarning
from rcakit.report import analyze


def test_an_edge_change_named_by_its_role_matches_the_edge_service():
    services = ["frontend-nginx", "payment", "checkout"]
    assert match_service("ingress", services) == "frontend-nginx"
    assert match_service("api-gateway", ["edge-envoy", "orders"]) == "edge-envoy"
    # two candidates, or none: the name stays as given
    assert match_service("ingress", ["web-proxy", "edge-gateway", "orders"]) == "ingress"
    assert match_service("ingress", ["payment", "orders"]) == "ingress"
    # a name that matches by its stem still does
    assert match_service("payment-service", services) == "payment"


@pytest.mark.slow
def test_failing_answers_at_the_edge_after_an_ingress_change(tmp_path):
    sc = rcakit.generate_incident(tmp_path / "day", fault="none", seed=21, hours=4)
    edge = next(s for s in sc.logs if s.role == "edge")
    lines = edge.path.read_text(encoding="utf-8").splitlines()
    stamp = re.compile(r"\[(\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2})")
    first = datetime.strptime(stamp.search(lines[0]).group(1), "%d/%b/%Y:%H:%M:%S")
    t0 = first + timedelta(minutes=130)
    out = []
    for i, line in enumerate(lines):
        t = datetime.strptime(stamp.search(line).group(1), "%d/%b/%Y:%H:%M:%S")
        if t0 <= t < t0 + timedelta(minutes=20) and i % 3 == 0:  # a third of the answers fail
            line = re.sub(r'" 200 \d+ ', '" 502 157 ', line, count=1)
        out.append(line)
    edge.path.write_text("\n".join(out) + "\n", encoding="utf-8")
    change = (t0 - timedelta(seconds=150)).strftime("%Y-%m-%dT%H:%M:%SZ")
    with sc.deploys_path.open("a", encoding="utf-8") as f:
        f.write(f"{change},ingress,-,chg-9001,infra,rotate TLS certificates on ingress\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        report = analyze(sc.out_dir)
    assert len(report.incidents) == 1
    inc = report.incidents[0]
    assert inc.root_service == edge.service
    # no upstream fails: the edge's 5xx answers are its own, after the ingress change
    assert inc.cause == "chg-9001"
