"""A change to the edge named by its role ("ingress") and failing answers at the edge only."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta

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


def test_a_server_named_by_its_role_matches_the_one_service_of_a_product_playing_it():
    # a change list's "mqtt-broker", the logs' mosquitto (Flux's HelmRelease, a CMDB item)
    services = ["mosquitto", "telemetry-ingest", "influxdb"]
    assert match_service("mqtt-broker", services) == "mosquitto"
    assert match_service("cache", ["redis", "orders"]) == "redis"
    assert match_service("search-cluster-prod", ["opensearch-node1", "api"]) == "opensearch-node1"
    # two products playing it, or a name that is an application's: the name stays as given
    assert match_service("broker", ["kafka", "rabbitmq", "orders"]) == "broker"
    assert match_service("db", ["orders-postgres", "payments-mysql"]) == "db"
    assert match_service("cart-cache", ["redis", "orders"]) == "cart-cache"
    # (a name that matches by its stem still does)
    assert match_service("mqtt-bridge", ["mqtt-bridge-svc", "mosquitto"]) == "mqtt-bridge-svc"


def test_a_managed_datastore_named_with_the_estates_prefix_is_the_one_service_of_its_product():
    # a Terraform workspace "tix-elasticache" (AWS's managed Redis) of the logs' redis: a
    # word no service holds is the estate's prefix. Before: it wrote "no logs here".
    assert match_service("tix-elasticache", ["redis", "seat-hold", "checkout"]) == "redis"
    assert match_service("acme-redis-prod", ["redis", "orders"]) == "redis"
    # (a word a service holds is that application's datastore; a program beside the
    # datastore is not the datastore)
    assert match_service("orders-redis", ["redis", "orders"]) == "orders-redis"
    assert match_service("kafka-connect", ["kafka", "orders"]) == "kafka-connect"
    assert match_service("redis-exporter", ["redis", "orders"]) == "redis-exporter"


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


def _ingress_estate(root, slow_upstream: str, slow_from: datetime) -> None:
    """Three hours of an ingress-nginx controller in front of eta, orders and pricing (4, 6
    and 6 requests a minute), each service logging its requests without a time; from
    ``slow_from`` the requests to ``slow_upstream`` take six times as long (the ingress is
    the only one to time them). ``deploys.csv`` holds a deploy of it 30 s before and an
    unrelated deploy of pricing 40 minutes before."""
    import json
    import random

    rnd = random.Random(11)
    logs = root / "logs"
    logs.mkdir(parents=True)
    t0 = slow_from - timedelta(hours=2)
    ingress, own = [], {"eta": [], "orders": [], "pricing": []}
    paths = {"eta": "/api/v1/rides/{}/eta", "orders": "/api/v1/orders/{}", "pricing": "/api/v1/quote/{}"}
    base_ms = {"eta": 52, "orders": 20, "pricing": 35}
    for second in range(0, 3 * 3600, 2):
        t = t0 + timedelta(seconds=second + rnd.random())
        svc = rnd.choices(["eta", "orders", "pricing"], weights=[4, 6, 6])[0]
        if rnd.random() > 0.55:
            continue
        ms = base_ms[svc] * rnd.lognormvariate(0, 0.25) * (6 if svc == slow_upstream and t >= slow_from else 1)
        ride = "".join(rnd.choice("abcdefghijkmnpqrstuvwxyz0123456789") for _ in range(10))
        ingress.append(
            f'{t:%Y-%m-%dT%H:%M:%S.%f}000Z stdout F 10.0.{rnd.randint(0, 9)}.{rnd.randint(2, 250)} - - '
            f'[{t:%d/%b/%Y:%H:%M:%S} +0000] "GET {paths[svc].format(ride)} HTTP/2.0" 200 233 "-" "RideCo/7.14.0" '
            f"{rnd.randint(200, 900)} {ms / 1000:.3f} [prod-{svc}-8080] [] 10.244.7.{rnd.randint(2, 99)}:8080 233 "
            f"{ms / 1000 - 0.001:.3f} 200 {rnd.getrandbits(128):032x}"
        )
        own[svc].append(json.dumps({"level": "info", "ts": t.timestamp(), "msg": f"{svc} request served", "id": ride}))
    (logs / "ingress-nginx-controller-7d9c6b8f5-x2x9k.log").write_text("\n".join(ingress) + "\n")
    for svc, lines in own.items():
        (logs / f"{svc}-64469b5b48-25zj6.log").write_text("\n".join(lines) + "\n")
    deploys = [
        f"{slow_from - timedelta(minutes=40):%Y-%m-%dT%H:%M:%SZ},pricing,2.18.1,chg-1",
        f"{slow_from - timedelta(seconds=30):%Y-%m-%dT%H:%M:%SZ},{slow_upstream},1.10.0,chg-2",
    ]
    (root / "deploys.csv").write_text("time,service,version,id\n" + "\n".join(deploys) + "\n")


@pytest.mark.slow
def test_requests_through_the_ingress_slowed_towards_one_upstream_root_there(tmp_path):
    """eta's deploy makes its requests six times slower; eta logs no timings, the ingress
    controller's log is the only place the delay shows, for requests to ``prod-eta-8080``
    only (probe BE). The delay is in eta, and its deploy is the first suspect: the ingress
    had been the root, and eta's deploy "not related". (Named the cause only when eta's own
    logs change after it: here they do not, so the score stays below the threshold.)"""
    slow_from = datetime(2026, 3, 10, 16, 41)
    _ingress_estate(tmp_path, "eta", slow_from)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        report = analyze(tmp_path / "logs", deploys=tmp_path / "deploys.csv")
    assert len(report.incidents) == 1
    inc = report.incidents[0]
    assert inc.root_service == "eta"
    assert inc.suspects[0].change.id == "chg-2"
    root = next(r for r in inc.roles if r.service == "eta")
    assert any("requests to prod-eta-8080 slowed from" in e.text for e in root.evidence)


def test_a_proxy_slow_towards_every_upstream_names_none():
    """When every upstream slowed alike, the proxy (or its network) is slow itself: no
    upstream is named; nor is one when two slowed as much."""
    import polars as pl

    from rcakit.correlate._root import _slow_upstream

    onset = datetime(2026, 3, 10, 16, 41, tzinfo=UTC)

    def frame(factor: dict[str, float]) -> pl.DataFrame:
        rows = []
        for i in range(-300, 150):
            for up, ms in (("prod-eta-8080", 50.0), ("prod-orders-8080", 20.0), ("prod-pricing-8080", 35.0)):
                t = onset + timedelta(seconds=6 * i)
                slow = factor.get(up, 1.0) if i >= 0 else 1.0
                rows.append((t, f'{{"upstream":"{up}","response_time_ms":{ms * slow + i % 3}}}'))
        return pl.DataFrame(rows, schema={"timestamp": pl.Datetime("us", "UTC"), "attributes": pl.String}, orient="row")

    services = ["eta", "orders", "pricing", "ingress-nginx-controller"]
    found = _slow_upstream(frame({"prod-eta-8080": 6.0}), onset, services, exclude="ingress-nginx-controller")
    assert found is not None
    assert found[:2] == ("eta", "prod-eta-8080")
    everyone = {"prod-eta-8080": 4.0, "prod-orders-8080": 4.0, "prod-pricing-8080": 4.0}
    assert _slow_upstream(frame(everyone), onset, services, exclude="ingress-nginx-controller") is None
    two = {"prod-eta-8080": 5.0, "prod-orders-8080": 4.0}
    assert _slow_upstream(frame(two), onset, services, exclude="ingress-nginx-controller") is None
