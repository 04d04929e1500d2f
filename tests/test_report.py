"""The report: JSON contract (validated against the shipped schema), Markdown, HTML, redaction."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import jsonschema
import polars as pl
import pytest

from rcakit.errors import ConfigError
from rcakit.report import SCHEMA_VERSION, RcaReport, build_report, format_for, load_schema, redact
from rcakit.report._markdown import code, fenced

from . import _scenarios as _sc

EVIL = "\x1b[31mpwn\x1b[0m <script>alert(1)</script> ``` | password=hunter2 user=ann@example.com card 4111-1111-1111-1111"


def _report(fault: str, *, evil: bool = False) -> RcaReport:
    records, _ = _sc.make_records(fault, seed=7)
    if evil:
        # attacker-controlled text inside the new error template's example lines
        tpl = "NullPointerException in RiskScorer.score order=<*>"
        records = records.with_columns(
            body=pl.when(pl.col("template") == tpl).then(pl.col("body") + " " + EVIL).otherwise(pl.col("body"))
        )
    return build_report(records, _sc.detection_for(records, fault), changes=_sc.make_changes(fault))


@pytest.fixture(scope="module")
def incident_report() -> RcaReport:
    return _report("new_error", evil=True)


@pytest.fixture(scope="module")
def quiet_report() -> RcaReport:
    return _report("none")


def test_json_matches_the_shipped_schema(incident_report, quiet_report):
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for rep in (incident_report, quiet_report):
        doc = json.loads(rep.to_json())
        jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)
        assert doc["schema_version"] == SCHEMA_VERSION == 1


def test_json_contract_fields(incident_report):
    doc = incident_report.to_dict()
    (inc,) = doc["incidents"]
    assert inc["root_service"] == "payment"
    assert inc["cause"] == "chg-pay"
    assert inc["suspects"][0]["change"] == {
        "id": "chg-pay", "time": "2024-05-01T14:03:00Z", "service": "payment",
        "version": "v2.3.1", "kind": "deploy", "description": "risk scorer",
    }
    scores = [s["score"] for s in inc["suspects"]]
    assert scores == sorted(scores, reverse=True)
    new = next(a for a in inc["anomalies"] if a["kind"] == "new")
    assert new["service"] == "payment"
    assert new["baseline"]["count"] == 0
    assert new["observed"]["count"] > 50
    assert new["first_seen"].startswith("2024-05-01T14:05")
    assert doc["inputs"]["records"] == sum(f["records"] for f in doc["inputs"]["files"])
    assert doc["inputs"]["lines"] == sum(f["lines"] for f in doc["inputs"]["files"])
    ids = [c["id"] for c in doc["changes"]]
    assert set(ids) == {"chg-chk", "chg-pay", "chg-inv"}
    by_id = {c["id"]: c for c in doc["changes"]}
    assert by_id["chg-pay"]["impact_score"] > by_id["chg-inv"]["impact_score"]
    assert by_id["chg-pay"]["incident_id"] == inc["id"]


def test_quiet_day_has_no_incident(quiet_report):
    doc = quiet_report.to_dict()
    assert doc["incidents"] == []
    assert "No anomaly" in doc["summary"]
    assert all(c["incident_id"] is None for c in doc["changes"])


def test_example_lines_are_redacted_everywhere(incident_report):
    for text in (incident_report.to_json(), incident_report.to_markdown(), incident_report.to_html()):
        assert "hunter2" not in text
        assert "ann@example.com" not in text
        assert "4111-1111-1111-1111" not in text
        assert "\x1b" not in text
    assert "[CARD]" in incident_report.to_json()


def test_html_escapes_log_text(incident_report):
    html = incident_report.to_html()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # nothing is loaded from the network: no scripts, stylesheets or remote references
    assert not re.search(r"<script|<link|<iframe|@import", html, flags=re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, flags=re.I)
    assert "<svg" in html


def test_markdown_order_and_code_spans(incident_report):
    md = incident_report.to_markdown()
    heads = list(re.findall(r"^## (.+)$", md, flags=re.M))
    assert heads == ["Summary", "Timeline", "Root cause and evidence", "L3 escalation", "Changes in the period", "Inputs"]
    # attacker text appears only inside fenced blocks or code spans
    fence = None
    seen = 0
    for line in md.splitlines():
        m = re.match(r"^(`{3,})", line)
        if m and (fence is None or m.group(1) == fence):
            fence = None if fence else m.group(1)
            continue
        if "<script>" in line:
            seen += 1
            if fence is None:
                outside = re.sub(r"(`+).*?\1", "", line)
                assert "<script>" not in outside, line
    assert seen >= 1
    assert "v2.3.1" in md.split("## L3 escalation")[1]  # version for the developer


def test_code_span_and_fence_survive_backticks():
    assert code("a ``b`` c") == "```a ``b`` c```"
    assert code("x|y\nz") == "`x¦y ⏎ z`"
    block = fenced("```\nrm -rf /\n```")
    assert block.startswith("````text\n")
    assert block.endswith("\n````")


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Authorization: Bearer abcdefghijklmnop1234", "abcdefghijklmnop1234"),
        ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV", "SflKxwRJSMeKKF2QT4"),
        ("aws AKIAIOSFODNN7EXAMPLE used", "AKIAIOSFODNN7EXAMPLE"),
        ('{"password": "s3cr3t!", "user": "bob"}', "s3cr3t!"),
        ("GET /login?user=bob&api_key=zz9plural", "zz9plural"),
        ("db url postgres://app:pa55word@db:5432/shop", "pa55word"),
        ("mail from jane.doe+x@corp.example.org", "jane.doe"),
        ("paid with 5500 0000 0000 0004", "5500 0000 0000 0004"),
        ("token ghp_abcdefghijklmnopqrstuvwxyz0123456789", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
        ("auth token 8f3a9c2b77d1e0aa4 expired", "8f3a9c2b77d1e0aa4"),
    ],
)
def test_redact_secrets(text, secret):
    out = redact(text)
    assert secret not in out
    assert "REDACTED" in out or "[EMAIL]" in out or "[CARD]" in out


def test_redact_keeps_ordinary_numbers():
    text = "order 123456789012345 took 15 ms; trace 1714572180000000; status=500"
    assert redact(text) == text
    # "token" followed by a word is prose, not a credential
    for prose in ("Token introspection failed for client web", "token validated, session renewed"):
        assert redact(prose) == prose
    # an id and the status beside it whose 13 digits pass the Luhn check are not a card
    # number: cards are written whole or in groups of 4 (Amex 4-6-5) with one separator
    claim = "POST /api/claims/CLM-2026-413466 502"
    assert redact(claim) == claim
    for card in ("4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "3782 822463 10005"):
        assert redact(f"paid with {card} ok") == "paid with [CARD] ok", card


def test_format_from_extension_or_option(tmp_path, incident_report):
    assert format_for(format=None, path=Path("x.HTML")) == "html"
    assert format_for(format="md", path=Path("x.json")) == "markdown"
    assert format_for(format=None, path=None) == "markdown"
    with pytest.raises(ConfigError, match=r"\.txt"):
        format_for(format=None, path=Path("x.txt"))
    out = incident_report.write(tmp_path / "r.json")
    assert json.loads(out.read_text())["incidents"][0]["cause"] == "chg-pay"
    md = incident_report.write(tmp_path / "r.md")
    assert md.read_text().startswith("# Root-cause analysis")


def test_jupyter_reprs(incident_report):
    assert incident_report._repr_markdown_().startswith("# Root-cause analysis")
    frag = incident_report._repr_html_()
    assert frag.lstrip().startswith("<div")
    assert "<html" not in frag
    assert "causes=['chg-pay']" in repr(incident_report)


def test_report_is_frozen(incident_report):
    with pytest.raises(AttributeError):
        incident_report.summary = "x"  # type: ignore[misc]


def test_chart_series_covers_every_window(incident_report):
    s = incident_report.series
    assert set(s["service"]) == {"payment", "checkout", "inventory"}
    per = s.group_by("service").agg(pl.col("window_start").diff().drop_nulls().unique())
    for steps in per["window_start"]:
        assert list(steps) == [timedelta(minutes=1)]


def test_suggested_action_tells_of_a_rollback_during_the_incident():
    from datetime import UTC, datetime, timedelta
    from types import SimpleNamespace

    from rcakit.correlate import ChangeImpact, ChangeRef
    from rcakit.report._format import action_parts

    t0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    cause = ChangeRef(id="chg-1", time=t0 - timedelta(minutes=1), service="payment", version="v2", kind="deploy")
    back = ChangeRef(id="chg-2", time=t0 + timedelta(minutes=14), service="payment", version="v1", kind="deploy",
                     description="rollback payment to v1")
    other = ChangeRef(id="chg-3", time=t0 + timedelta(minutes=5), service="search", version="v9", kind="deploy")

    inc = SimpleNamespace(
        suspects=(SimpleNamespace(change=cause),), cause="chg-1", root_service="payment", symptom="errors",
        traffic_surge=False, start=t0, end=t0 + timedelta(minutes=12),
    )

    def text(changes):
        return "".join(t for t, _ in action_parts(inc, [ChangeImpact(change=c, impact_score=0.0, incident_id=None, evidence=()) for c in changes]))

    assert text([cause, other]) == "roll back or disable chg-1, then confirm the errors stop."
    assert text([cause, other, back]).startswith(
        "chg-2 (deploy of the same service at 12:14: rollback payment to v1) came during the incident: confirm it undid chg-1"
    )
    # a change of the service long after the incident is not its rollback
    late = ChangeRef(id="chg-4", time=t0 + timedelta(hours=2), service="payment", version="v3", kind="deploy")
    assert text([cause, late]).startswith("roll back or disable chg-1")


def test_a_services_own_anomaly_counts_its_records(tmp_path):
    """A service-level anomaly (its error share, its volume) counts the service's records,
    its error records for an error share, not 0 beside a rate of many a window (blind
    probe BK)."""
    import warnings

    import rcakit
    from rcakit.errors import RcakitWarning

    sc = rcakit.generate_incident(tmp_path / "s", fault="new_error", seed=3, hours=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        report = rcakit.analyze(sc.out_dir, deploys=sc.out_dir / "deploys.csv")
    own = [a for i in report.incidents for a in i.anomalies if a.template_id is None and a.kind == "error_ratio"]
    assert own, [a.kind for i in report.incidents for a in i.anomalies]
    assert all(a.n_during > 0 for a in own), [(a.service, a.observed_rate, a.n_during) for a in own]
