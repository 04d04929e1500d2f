"""What an incident looks like from outside (``Incident.symptom``) and what to do about it."""

from __future__ import annotations

import json
import warnings

import pytest

import rcakit
from rcakit.errors import RcakitWarning
from rcakit.report import analyze


def _analyze(path, deploys=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        return analyze(path, deploys=deploys)


@pytest.mark.slow
def test_a_deploy_that_only_adds_warnings_is_a_low_incident(tmp_path):
    """A normal day; a deploy of one service makes it log a new deprecation warning for half
    its requests. Nothing fails and nothing slows down: the deploy is named, but as something
    to check, not an emergency to roll back."""
    sc = rcakit.generate_incident(tmp_path / "day", fault="none", seed=1, hours=3, formats="jsonl")
    log = next(s for s in sc.logs if s.role == "checkout")
    frame = rcakit.read_logs(log.path, columns=["timestamp"])
    t0 = frame["timestamp"].min() + (frame["timestamp"].max() - frame["timestamp"].min()) * 0.6
    out = []
    for i, (line, ts) in enumerate(zip(log.path.read_text().splitlines(keepends=True), frame["timestamp"], strict=True)):
        out.append(line)
        obj = json.loads(line)
        level_key = next(k for k in ("level", "log.level") if k in obj)
        if ts >= t0 and i % 2 == 0 and obj[level_key] == "info":
            obj[level_key] = "warn"
            obj["message" if "message" in obj else "msg"] = f"deprecated field customer_ref used by client app-{i % 7}"
            obj.pop("stack", None)
            out.append(json.dumps(obj) + "\n")
    log.path.write_text("".join(out))
    deploys = tmp_path / "day" / "deploys.csv"
    with deploys.open("a") as f:
        f.write(f"{t0:%Y-%m-%dT%H:%M:%SZ},{log.service},9.9.9,dep-benign,deploy,client field cleanup\n")

    report = _analyze(sc.out_dir, deploys=deploys)
    assert len(report.incidents) == 1
    inc = report.incidents[0]
    assert inc.symptom == "warnings"
    assert inc.root_service == log.service
    assert inc.cause == "dep-benign"
    assert inc.severity_label == "low"
    assert "logged new warnings" in inc.summary
    md = report.to_markdown()
    assert "whether its new warnings are expected" in md
    assert "the errors stop" not in md
    assert "whether its new warnings are expected" in report.to_html()
    assert json.loads(report.to_json())["incidents"][0]["symptom"] == "warnings"


@pytest.mark.slow
@pytest.mark.parametrize(("fault", "symptom", "confirm"), [
    ("new_error", "errors", "the errors stop"),
    ("latency", "latency", "the durations are back to their baseline"),
    ("hang", "silence", "logs again"),
])
def test_the_action_says_what_should_come_back(tmp_path, fault, symptom, confirm):
    sc = rcakit.generate_incident(tmp_path / fault, fault=fault, seed=3, hours=3)
    report = _analyze(sc.out_dir)
    inc = next(i for i in report.incidents if i.cause == sc.truth.cause_change_id)
    assert inc.symptom == symptom
    assert confirm in report.to_markdown()
