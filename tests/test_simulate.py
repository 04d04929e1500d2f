"""The seeded incident generator: determinism, truth, formats, and the committed sample.

The files are read back here with small, strict per-format parsers (independent of
``rcakit.read_logs``) so a format that drifts from what it claims fails this test.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import statistics
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

import rcakit
from rcakit.errors import ConfigError
from rcakit.simulate import (
    APP_FORMATS,
    FAULT_KINDS,
    Scenario,
    Truth,
    generate_incident,
    generate_suite,
    read_truth,
)
from rcakit.simulate.__main__ import main as simulate_main

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_logs"
# The documented command that wrote sample_logs/ (see sample_logs/README.md).
SAMPLE_ARGS = ["--fault", "new_error", "--seed", "0", "--hours", "6", "--rate", "0.2", "--root", "payment"]

# --------------------------------------------------------------------------------------
# strict readers, one per format: (time, level or None, text of the whole record)

NGINX = re.compile(
    r'^(?P<ip>\d{1,3}(?:\.\d{1,3}){3}) - - \[(?P<t>\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2}) \+0000\] '
    r'"(?P<method>GET|POST) (?P<path>/\S*) HTTP/1\.1" (?P<status>\d{3}) (?P<bytes>\d+) "(?P<ref>[^"]*)" "(?P<ua>[^"]*)" (?P<rt>\d+\.\d{3})$'
)
TEXT_HEAD = re.compile(r"^(?P<t>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[.,]\d{3}) (?P<level>[A-Z]+) +\[")
LOGFMT = re.compile(r'^ts=(?P<t>\S+) level=(?P<level>[a-z]+) service=\S+ caller=\S+(?: trace_id=[0-9a-f]{32})? msg="(?:[^"\\]|\\.)*"(?: took_ms=\d+)?$')
SYSLOG5424 = re.compile(r"^<(?P<pri>\d{1,3})>1 (?P<t>\S+) \S+ \S+ \d+ - - \[\d+-1\] (?P<level>LOG|WARNING|ERROR|FATAL|PANIC):  .+$")
SYSLOG3164 = re.compile(r"^<(?P<pri>\d{1,3})>(?P<t>[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}) \S+ [\w-]+\[\d+\]: \[\d+-1\] (?P<level>LOG|WARNING|ERROR|FATAL|PANIC):  .+$")
CRI = re.compile(r"^(?P<t>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z) (?P<stream>stdout|stderr) F (?P<text>.*)$")
CONTINUATION = re.compile(r"^(\tat |java\.|Traceback |  File |    |[A-Za-z.]+(Error|Exception): )")
MS = timedelta(milliseconds=1)  # the formats print milliseconds, the truth has microseconds
POD = re.compile(r"^(?P<workload>[a-z-]+)-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}$")


def _iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def read_records(path: Path, fmt: str) -> list[tuple[datetime, str | None, str]]:
    """Parse every record of a generated file; fail on any line that is not the format."""
    out: list[tuple[datetime, str | None, str]] = []
    if fmt == "kibana_csv":
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            assert reader.fieldnames == ["@timestamp", "kubernetes.namespace_name", "kubernetes.pod_name", "kubernetes.container_name", "stream", "message"]
            for row in reader:
                runtime = json.loads(row["message"])
                assert set(runtime) == {"log", "stream", "time"}
                assert runtime["log"].endswith("\n")
                assert POD.match(row["kubernetes.pod_name"]).group("workload") == row["kubernetes.container_name"]
                head = TEXT_HEAD.match(runtime["log"])
                assert head, runtime["log"]
                out.append((_iso(row["@timestamp"]), head.group("level"), runtime["log"]))
        return out
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "", f"{path} must end with a newline"
    for no, line in enumerate(lines[:-1], 1):
        where = f"{path.name}:{no}: {line[:120]!r}"
        if fmt == "nginx":
            m = NGINX.match(line)
            assert m, where
            out.append((datetime.strptime(m.group("t"), "%d/%b/%Y:%H:%M:%S").replace(tzinfo=UTC), None, line))
        elif fmt == "jsonl":
            obj = json.loads(line)
            t = obj.get("ts") or obj.get("@timestamp") or obj.get("timestamp")
            level = obj.get("level") or obj.get("log.level") or obj.get("severity")
            msg = obj.get("msg") or obj.get("message")
            assert all((t, level, msg, obj.get("service") or obj.get("service.name"))), where
            out.append((_iso(t), level.upper(), line))
        elif fmt in ("logback", "python"):
            m = TEXT_HEAD.match(line)
            if m:
                t = datetime.strptime(m.group("t").replace(",", "."), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
                out.append((t, m.group("level"), line))
            else:
                assert out, where
                assert CONTINUATION.match(line), where
                t, level, text = out[-1]
                out[-1] = (t, level, text + "\n" + line)
        elif fmt == "logfmt":
            m = LOGFMT.match(line)
            assert m, where
            out.append((_iso(m.group("t")), m.group("level").upper(), line))
        elif fmt == "syslog5424":
            m = SYSLOG5424.match(line)
            assert m, where
            out.append((_iso(m.group("t")), m.group("level"), line))
        elif fmt == "syslog3164":
            m = SYSLOG3164.match(line)
            assert m, where
            year = out[-1][0].year if out else 2025
            t = datetime.strptime(f"{year} {m.group('t')}", "%Y %b %d %H:%M:%S").replace(tzinfo=UTC)
            out.append((t, m.group("level"), line))
        elif fmt in ("cri", "docker"):
            if fmt == "cri":
                m = CRI.match(line)
                assert m, where
                stamp, text = m.group("t"), m.group("text")
            else:
                obj = json.loads(line)
                assert set(obj) == {"log", "stream", "time"}, where
                assert obj["log"].endswith("\n"), where
                stamp, text = obj["time"], obj["log"][:-1]
            head = TEXT_HEAD.match(text)
            if head:
                out.append((_iso(stamp[:26] + "Z"), head.group("level"), text))
            else:  # the runtime split a traceback: one entry per line
                assert out, where
                assert CONTINUATION.match(text), where
                out[-1] = (out[-1][0], out[-1][1], out[-1][2] + "\n" + text)
        else:
            pytest.fail(f"no reader for {fmt}")
    return out


def is_error(level: str | None) -> bool:
    return level in ("ERROR", "FATAL", "PANIC")


def _digest(directory: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(directory.iterdir()):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


_CACHE: dict[tuple[str, int], tuple[Scenario, dict[str, list[tuple[datetime, str | None, str]]]]] = {}


@pytest.fixture(scope="module")
def scenario_of(tmp_path_factory):
    """Generate (once per module) and parse a 3-hour scenario for a fault and seed."""

    def make(fault: str, seed: int, **kwargs: object):
        key = (fault, seed, tuple(sorted(kwargs.items())))
        if key not in _CACHE:
            out = tmp_path_factory.mktemp(f"{fault}-{seed}")
            sc = generate_incident(out, fault=fault, seed=seed, hours=3, rate=0.4, **kwargs)
            records = {log.service: read_records(log.path, log.format) for log in sc.logs}
            _CACHE[key] = (sc, records)
        return _CACHE[key]

    return make


def _changes(sc: Scenario) -> dict[str, dict[str, str]]:
    with sc.deploys_path.open(newline="", encoding="utf-8") as fh:
        return {row["id"]: row for row in csv.DictReader(fh)}


# --------------------------------------------------------------------------------------


def test_public_names():
    assert set(FAULT_KINDS) >= {"new_error", "latency", "slow_leak", "config_change", "dependency_outage", "none"}
    assert rcakit.generate_incident is generate_incident


def test_same_seed_same_bytes(tmp_path):
    a = generate_incident(tmp_path / "a", fault="slow_leak", seed=11, hours=3, rate=0.4)
    b = generate_incident(tmp_path / "b", fault="slow_leak", seed=11, hours=3, rate=0.4)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert a.truth == b.truth
    assert a.truth.to_json() == b.truth.to_json()
    generate_incident(tmp_path / "c", fault="slow_leak", seed=12, hours=3, rate=0.4)
    assert _digest(tmp_path / "c") != _digest(tmp_path / "a")


def test_bad_arguments_raise_config_error(tmp_path):
    with pytest.raises(ConfigError, match="unknown fault"):
        generate_incident(tmp_path, fault="meteor")
    with pytest.raises(ConfigError, match="rate"):
        generate_incident(tmp_path, rate=0)
    with pytest.raises(ConfigError, match="too short"):
        generate_incident(tmp_path, fault="slow_leak", hours=1)
    with pytest.raises(ConfigError, match="cannot be written"):
        generate_incident(tmp_path, formats={"payment": "nginx"})
    with pytest.raises(ConfigError, match="unknown service"):
        generate_incident(tmp_path, root="mainframe")


@pytest.mark.parametrize("seed", [0, 4])
def test_every_file_is_the_format_it_claims(scenario_of, seed):
    sc, records = scenario_of("new_error", seed)
    assert {log.format for log in sc.logs} >= {"nginx", "jsonl", "logback", "logfmt", "kibana_csv", "python", "syslog5424"}
    assert set(sc.files) | {sc.deploys_path} == set(sc.out_dir.iterdir())
    for log in sc.logs:
        recs = records[log.service]
        physical = sum(r[2].count("\n") + 1 for r in recs) if log.format != "kibana_csv" else len(recs)
        assert physical == log.n_lines, log.path
        times = [r[0] for r in recs]
        assert sc.truth.log_start <= min(times)
        assert max(times) < sc.truth.log_end
        # files are in time order (a Kibana export is newest first); multi-line records only where the format has them
        assert times == sorted(times, reverse=log.format == "kibana_csv"), log.path
        if log.format in ("logback", "python"):
            assert any("\n" in r[2] for r in recs), f"{log.path}: expected some stack traces"


def test_container_runtime_and_bsd_syslog_formats(tmp_path):
    sc = generate_incident(
        tmp_path, fault="new_error", seed=6, hours=2, rate=0.5, root="payment",
        formats={"payment": "cri", "checkout": "docker", "db": "syslog3164"},
    )
    formats = {log.role: log.format for log in sc.logs}
    assert (formats["payment"], formats["checkout"], formats["db"]) == ("cri", "docker", "syslog3164")
    for log in sc.logs:
        recs = read_records(log.path, log.format)
        assert sum(r[2].count("\n") + 1 for r in recs) == log.n_lines or log.format == "kibana_csv"
        if log.role == "payment":  # Python tracebacks, one runtime entry per line
            assert any(r[2].startswith(tuple("0123456789")) and "Traceback" in r[2] for r in recs)
            assert any(sc.truth.signature in r[2] for r in recs)


def test_services_share_trace_ids(scenario_of):
    _sc, records = scenario_of("new_error", 0)
    ids = {svc: set(re.findall(r"[0-9a-f]{32}", "\n".join(r[2] for r in recs))) for svc, recs in records.items()}
    assert len(ids["checkout"] & ids["payment"]) > 50
    assert len(ids["checkout"] & ids["inventory"]) > 50


@pytest.mark.parametrize(("fault", "seed"), [(f, s) for f in FAULT_KINDS for s in (1, 2)])
def test_truth_matches_the_logs(scenario_of, fault, seed):
    sc, records = scenario_of(fault, seed)
    truth = sc.truth
    changes = _changes(sc)
    assert truth.fault == fault
    assert truth.seed == seed
    kinds = {row["kind"] for row in changes.values()}
    assert kinds <= {"deploy", "config", "feature_flag", "infra"}
    assert sum(row["kind"] == "deploy" for row in changes.values()) >= 2, "every scenario has ordinary deploys"
    times = [_iso(row["time"]) for row in changes.values()]
    assert times == sorted(times)
    edge = next(log for log in sc.logs if log.role == "edge")
    statuses = [int(NGINX.match(r[2]).group("status")) for r in records[edge.service]]
    if fault == "none":
        assert truth.onset is None
        assert truth.root_service is None
        assert truth.cause_change_id is None
        assert truth.affected_services == ()
        assert not any(s >= 500 for s in statuses), "a quiet day has no 5xx"
        for svc, recs in records.items():
            bad = [r[2] for r in recs if re.search(r"call failed|query failed|unavailable|FATAL|PANIC", r[2])]
            assert not bad, f"{svc}: {bad[:2]}"
        return
    onset, end, root = truth.onset, truth.end, truth.root_service
    assert truth.log_start + timedelta(hours=1) < onset < end < truth.log_end
    assert root in truth.affected_services
    assert edge.service in truth.affected_services or fault in ("latency", "slow_leak")
    # the cause precedes the onset, on the root; decoys land minutes before the onset elsewhere
    if fault == "dependency_outage":
        assert truth.cause_change_id is None
        assert all(_iso(row["time"]) < onset - timedelta(minutes=10) or _iso(row["time"]) > onset for row in changes.values() if row["service"] == root)
    else:
        cause = changes[truth.cause_change_id]
        assert cause["service"] == root
        assert _iso(cause["time"]) < onset
        assert cause["kind"] == ("config" if fault == "config_change" else "deploy")
        lead = onset - _iso(cause["time"])
        assert lead >= timedelta(minutes=30) if fault == "slow_leak" else lead < timedelta(minutes=10)
    assert truth.decoy_change_ids
    for decoy in truth.decoy_change_ids:
        row = changes[decoy]
        assert row["service"] != root
        assert onset - timedelta(minutes=20) < _iso(row["time"]) < onset
    # the signature appears only in the root's logs and only while the fault acts
    root_recs = records[root]
    if truth.signature is not None:
        hits = [t for t, _lvl, text in root_recs if truth.signature in text]
        assert len(hits) >= 5
        assert all(onset - MS <= t <= end + timedelta(minutes=2) for t in hits)
        for svc, recs in records.items():
            if svc != root:  # a database client quotes the server's error, naming it
                quoted = [r[2] for r in recs if truth.signature in r[2]]
                assert all(fault == "dependency_outage" and root in text for text in quoted), svc
    in_window = [r for r in root_recs if onset <= r[0] < end]
    before = [r for r in root_recs if onset - (end - onset) <= r[0] < onset]
    if fault == "latency":
        assert truth.signature is None
        assert truth.latency_factor > 3
        took = lambda rs: [int(m) for r in rs for m in re.findall(r"took[ _=](?:ms=)?(\d+)ms", r[2])]  # noqa: E731
        assert statistics.median(took(in_window)) > 2.5 * statistics.median(took(before))
        assert sum(is_error(r[1]) for r in in_window) <= sum(is_error(r[1]) for r in before) + 3
        return
    if fault == "hang":
        # the hung root writes nothing but the restart lines of the rollback; its callers
        # time out (504) and say so, naming it
        assert truth.signature is None
        assert len(before) > 50
        assert all("SIGTERM" in r[2] or "start" in r[2] for r in in_window), in_window[:3]
        assert any(s >= 500 for s in statuses)
        callers = [c for c in truth.affected_services if c not in (root, edge.service)]
        assert any("status=504" in r[2] for c in callers for r in records[c])
    else:
        # errors in the root
        assert sum(is_error(r[1]) for r in in_window) > 3 * max(1, sum(is_error(r[1]) for r in before))
    # callers that log failures naming the root
    for caller in truth.affected_services:
        if caller in (root, edge.service):
            continue
        named = [r for r in records[caller] if root in r[2] and is_error(r[1])]
        assert named, f"{caller} never names {root}"
        assert all(onset - MS <= r[0] <= end + timedelta(minutes=2) for r in named)
    assert truth.failed_requests > 0 or fault == "slow_leak"
    if fault == "slow_leak":
        pool = [t for t, _l, text in root_recs if "connection pool usage high" in text]
        leak_start = truth.leak_start
        assert leak_start is not None
        assert all(leak_start <= t < end for t in pool)
        early = sum(leak_start <= t < leak_start + timedelta(minutes=15) for t in pool)
        late = sum(onset - timedelta(minutes=15) <= t < onset for t in pool)
        assert late > 2 * max(early, 1), (early, late)


def test_retries_make_the_caller_log_more_errors_than_the_root(scenario_of):
    sc, records = scenario_of("new_error", 0, root="payment")
    truth = sc.truth
    assert truth.root_service == "payment"
    assert "checkout" in truth.affected_services

    def errors(svc: str) -> list[str]:
        return [r[2] for r in records[svc] if truth.onset <= r[0] < truth.end and is_error(r[1])]

    assert len(errors("checkout")) > len(errors("payment")) > 0
    assert any("payment call failed status=500 after 3 retries" in text for text in errors("checkout"))
    root_traces = {m for text in errors("payment") for m in re.findall(r"trace_id=([0-9a-f]{32})", text)}
    caller_traces = {json.loads(text)["trace_id"] for text in errors("checkout") if '"trace_id"' in text}
    assert root_traces
    assert root_traces <= caller_traces


def test_dependency_outage_has_no_cause_and_every_db_client_errors(scenario_of):
    sc, records = scenario_of("dependency_outage", 3)
    truth = sc.truth
    db = next(log for log in sc.logs if log.role == "db")
    assert truth.root_service == db.service
    assert truth.cause_change_id is None
    fatal = [t for t, lvl, _ in records[db.service] if lvl in ("FATAL", "PANIC")]
    assert fatal
    assert all(truth.onset - timedelta(seconds=5) <= t < truth.end for t in fatal)
    for log in sc.logs:
        if log.role in ("edge", "db"):
            continue
        assert any(db.service in r[2] and truth.onset <= r[0] < truth.end for r in records[log.service]), log.service


def test_seed_varies_the_estate(tmp_path):
    roots, layouts, names = set(), set(), set()
    for seed in range(1, 7):
        sc = generate_incident(tmp_path / str(seed), fault="new_error", seed=seed, hours=1.5, rate=0.1)
        roots.add(next(log.role for log in sc.logs if log.service == sc.truth.root_service))
        layouts.add(tuple(log.format for log in sc.logs))
        names.add(tuple(log.service for log in sc.logs))
        assert sc.truth.log_start.tzinfo is not None
    assert len(roots) >= 3
    assert len(layouts) >= 3
    assert len(names) >= 3


def test_formats_override_and_start(tmp_path):
    start = datetime(2024, 5, 14, 8, 0, tzinfo=UTC)
    sc = generate_incident(tmp_path, fault="none", seed=2, hours=1, rate=0.2, formats="logfmt", start=start)
    assert {log.format for log in sc.logs if log.role not in ("edge", "db")} == {"logfmt"}
    assert sc.truth.log_start == start
    assert sc.truth.log_end == start + timedelta(hours=1)
    for log in sc.logs:
        read_records(log.path, log.format)
    sc = generate_incident(tmp_path / "b", fault="none", seed=2, hours=0.5, rate=0.2, formats={"payment": "python"})
    assert next(log.format for log in sc.logs if log.role == "payment") == "python"
    assert set(APP_FORMATS) <= {"jsonl", "logback", "logfmt", "python", "kibana_csv"}


def test_foreign_files_in_the_output_directory_are_kept_and_reported(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.warns(rcakit.RcakitWarning, match="notes.txt"):
        generate_incident(tmp_path, fault="none", seed=1, hours=0.5, rate=0.1)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_suite_writes_every_fault_and_seed(tmp_path):
    suite = generate_suite(tmp_path, faults=("none", "new_error"), seeds=[3, 4], hours=1.5, rate=0.1)
    assert [(sc.truth.fault, sc.truth.seed) for sc in suite] == [("none", 3), ("none", 4), ("new_error", 3), ("new_error", 4)]
    for sc in suite:
        truth = json.loads((tmp_path / f"{sc.truth.fault}-{sc.truth.seed}.truth.json").read_text())
        assert truth == sc.truth.to_dict()
        assert sc.out_dir == tmp_path / f"{sc.truth.fault}-{sc.truth.seed}"


def test_lines_are_mostly_distinct(tmp_path):
    sc = generate_incident(tmp_path, fault="none", seed=5, hours=2, rate=2.0)
    lines = [line for log in sc.logs for line in log.path.read_text(encoding="utf-8").splitlines()]
    assert len(lines) > 10_000
    assert len(set(lines)) / len(lines) > 0.97


def test_deploys_csv_reads_as_changes(scenario_of):
    sc, _ = scenario_of("config_change", 1)
    changes = rcakit.read_changes(sc.deploys_path)
    with sc.deploys_path.open(encoding="utf-8") as fh:
        assert fh.readline().strip() == "time,service,version,id,kind,description"
    assert changes.height == len(_changes(sc))
    assert changes["id"].n_unique() == changes.height
    assert sc.truth.cause_change_id in changes["id"].to_list()
    assert changes.filter(pl.col("id") == sc.truth.cause_change_id)["kind"].item() == "config"


def test_truth_json_round_trips(scenario_of, tmp_path):
    sc, _ = scenario_of("slow_leak", 2)
    data = json.loads(sc.truth.to_json())
    assert data["schema_version"] == 1
    assert data["fault"] == "slow_leak"
    assert _iso(data["onset"]) == sc.truth.onset
    assert _iso(data["leak_start"]) == sc.truth.leak_start
    assert data["cause_change_id"] == sc.truth.cause_change_id
    written = sc.write_truth(tmp_path / "t.json")
    assert json.loads(written.read_text()) == data
    assert read_truth(written) == sc.truth
    assert read_truth(SAMPLE / "checkout-incident.truth.json").cause_change_id == "chg-6267"
    with pytest.raises(rcakit.InputError, match="schema_version"):
        Truth.from_dict({**data, "schema_version": 99})
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(rcakit.InputError, match=r"bad\.json"):
        read_truth(tmp_path / "bad.json")


def test_command_line(tmp_path, capsys):
    code = simulate_main([str(tmp_path / "inc"), "--fault", "none", "--seed", "3", "--hours", "1", "--rate", "0.1"])
    assert code == 0
    assert (tmp_path / "inc" / "deploys.csv").is_file()
    assert (tmp_path / "inc.truth.json").is_file()
    assert "No incident" in capsys.readouterr().out
    assert simulate_main([str(tmp_path / "bad"), "--fault", "slow_leak", "--hours", "1"]) == 2
    assert "too short" in capsys.readouterr().err


def test_committed_sample_equals_a_fresh_generation(tmp_path):
    """sample_logs/ is exactly what the documented command writes (so it never drifts)."""
    committed = SAMPLE / "checkout-incident"
    assert committed.is_dir(), "sample_logs/checkout-incident is missing"
    out = tmp_path / "checkout-incident"
    assert simulate_main([str(out), *SAMPLE_ARGS]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in committed.iterdir())
    for p in out.iterdir():
        assert p.read_bytes() == (committed / p.name).read_bytes(), f"{p.name} drifted: regenerate with the command in sample_logs/README.md"
    assert (tmp_path / "checkout-incident.truth.json").read_text() == (SAMPLE / "checkout-incident.truth.json").read_text()
    assert sum(p.stat().st_size for p in committed.iterdir()) < 5_000_000
