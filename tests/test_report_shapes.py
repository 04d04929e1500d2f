"""``rcakit report`` on incident shapes the main generator does not make (TrainTicket-style).

The shapes come from :mod:`rcakit.simulate._shapes`: Spring Boot services in one Kibana CSV
export or in ``kubectl logs`` files per pod, no access log, chaos faults, short or absent
change lists. The truth is what the generator wrote; the analysis never sees it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import polars as pl
import pytest
from click.testing import CliRunner

from rcakit.cli import main
from rcakit.correlate import url_services
from rcakit.simulate._shapes import SHAPES, generate_shape


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _report(tmp_path, shape: str, seed: int = 0, *, hours: float = 1.5, rate: float = 0.5) -> tuple[dict, object]:
    sc = generate_shape(tmp_path / shape, shape=shape, seed=seed, hours=hours, rate=rate)
    out = tmp_path / f"{shape}.json"
    args = ["report", str(sc.log_dir)]
    if sc.deploys_path is not None:
        args += ["--deploys", str(sc.deploys_path)]
    res = CliRunner().invoke(main, [*args, "-o", str(out)])
    assert res.exit_code == 0, res.output
    return json.loads(out.read_text(encoding="utf-8")), sc.truth


def _incident(doc: dict, truth) -> dict:
    hits = [i for i in doc["incidents"] if _t(i["start"]) <= truth.end and _t(i["end"]) >= truth.onset]
    assert hits, f"no incident overlaps the truth {truth.onset}..{truth.end}: {[i['start'] for i in doc['incidents']]}"
    return max(hits, key=lambda i: i["severity"])


def test_url_services_keeps_cluster_hosts_only():
    bodies = [
        'I/O error on GET request for "http://ts-price-service:16579/api/v1/price": Read timed out',
        "calling http://payment.shop.svc.cluster.local/charge",
        "GET https://shop.example.com/cart 200",
        "POST http://10.0.3.7:8080/x failed",
        "probe http://localhost:8080/health ok",
        "see https://github.com/org/repo",
    ]
    frame = pl.DataFrame({"body": bodies * 5})
    assert url_services(frame) == ["payment", "ts-price-service"]
    assert url_services(pl.DataFrame({"body": bodies[:1] * 4})) == []  # below min_count


def test_generator_is_deterministic_and_writes_what_it_says(tmp_path):
    a = generate_shape(tmp_path / "a", shape="kubectl_pod_kill", seed=4, hours=0.5, rate=0.3)
    b = generate_shape(tmp_path / "b", shape="kubectl_pod_kill", seed=4, hours=0.5, rate=0.3)
    files_a = sorted(p.name for p in a.log_dir.iterdir())
    assert files_a == sorted(p.name for p in b.log_dir.iterdir())
    assert all((a.log_dir / f).read_bytes() == (b.log_dir / f).read_bytes() for f in files_a)
    # a killed pod: the old pod's file and a new pod's file for the same workload
    assert sum(f.startswith("ts-order-service-") for f in files_a) == 2
    assert a.deploys_path is None
    assert a.truth.cause_change_id is None
    with pytest.raises(ValueError, match="unknown"):
        generate_shape(tmp_path / "c", shape="meteor", seed=0)
    assert set(SHAPES) >= {"kibana_exception", "silent_dependency"}


def test_silent_dependency_is_root_and_the_callers_deploy_is_not_the_cause(tmp_path):
    doc, truth = _report(tmp_path, "silent_dependency")
    inc = _incident(doc, truth)
    assert inc["root_service"] == "ts-price-service"  # it has no logs; its caller names it
    assert inc["cause"] is None  # the basic-service deploy minutes before explains nothing
    assert "ts-price-service" not in doc["inputs"]["services"]
    # nothing lost: every line of the export is in the frame
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in (tmp_path / "silent_dependency" / "logs").iterdir())
    assert doc["inputs"]["lines"] == lines


def test_network_delay_without_errors_blames_the_common_callee(tmp_path):
    doc, truth = _report(tmp_path, "kubectl_network_delay")
    inc = _incident(doc, truth)
    assert inc["root_service"] == "ts-station-service"
    assert inc["cause"] is None
    assert doc["inputs"]["changes"] == 0
    assert "no change events were given" in inc["cause_reason"]
    assert abs((_t(inc["start"]) - truth.onset).total_seconds()) <= 120
    assert len(doc["incidents"]) == 1  # no false alarm


def test_exception_with_a_one_line_change_list(tmp_path):
    doc, truth = _report(tmp_path, "kibana_exception")
    inc = _incident(doc, truth)
    assert inc["root_service"] == "ts-route-service"  # not the louder callers up the chain
    assert inc["cause"] == truth.cause_change_id


def test_packet_loss_blames_the_service_its_callers_fail_to_reach(tmp_path):
    # (3 h: the seat deploy an hour before the onset is inside the logs; in a shorter export
    # it predates them and cannot be ruled out)
    doc, truth = _report(tmp_path, "kibana_packet_loss", hours=3, rate=0.3)
    inc = _incident(doc, truth)
    # its own lines look normal: two callers failing on it is the evidence
    assert inc["root_service"] == "ts-seat-service"
    role = next(r for r in inc["service_roles"] if r["service"] == "ts-seat-service")
    assert any("fail calling it" in e["text"] for e in role["evidence"])
    # its deploy an hour before, with nothing visible since, is not the cause
    assert inc["cause"] is None
    assert inc["suspects"][0]["change"]["id"] == "seat-3.1.0"


def test_a_leak_is_dated_from_the_slow_down_and_blamed_on_the_deploy_before_it(tmp_path):
    doc, truth = _report(tmp_path, "kubectl_oom_restart")
    inc = _incident(doc, truth)
    assert inc["root_service"] == "ts-travel-service"
    # the latency climb starts minutes before the first OutOfMemoryError
    assert abs((_t(inc["start"]) - truth.onset).total_seconds()) <= 120
    # the leaking deploy, not the later harmless one of another service
    assert inc["cause"] == truth.cause_change_id


def test_a_config_change_is_the_cause_not_the_deploy_after_it(tmp_path):
    doc, truth = _report(tmp_path, "loki_pool_config")
    inc = _incident(doc, truth)
    assert inc["root_service"] == "ts-order-service"
    assert inc["cause"] == truth.cause_change_id
    assert any(s["change"]["kind"] == "config" for s in inc["suspects"][:1])


def test_a_traffic_surge_is_named_and_no_change_is_blamed(tmp_path):
    doc, truth = _report(tmp_path, "loki_traffic_surge")
    inc = _incident(doc, truth)
    assert inc["root_service"] == "ts-seat-service"  # the saturated pool rejects requests
    assert inc["cause"] is None  # the deploy of a service it calls minutes before is not it
    assert inc["traffic_ratio"] >= 2.0  # three times the requests
    assert "Traffic rose at the onset" in inc["summary"]


def test_a_feature_flag_that_served_quietly_minutes_before_a_traffic_surge_is_not_blamed(tmp_path):
    # a flag of the root turned on 7 min before traffic triples: a flag switches at once (no
    # pods restarting), so 7 quiet minutes clear it, as a deploy's would after its rollout
    sc = generate_shape(tmp_path / "surge", shape="loki_traffic_surge", seed=0, hours=1.5, rate=0.5)
    assert sc.deploys_path is not None
    flipped = sc.truth.onset - timedelta(minutes=7)
    lines = sc.deploys_path.read_text(encoding="utf-8").splitlines()
    lines = [f"{lines[0]},kind", *(f"{line},deploy" for line in lines[1:])]
    lines.append(f"{flipped:%Y-%m-%dT%H:%M:%SZ},{sc.truth.root_service},,FF-1,feature_flag")
    sc.deploys_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "r.json"
    res = CliRunner().invoke(main, ["report", str(sc.log_dir), "--deploys", str(sc.deploys_path), "-o", str(out)])
    assert res.exit_code == 0, res.output
    inc = _incident(json.loads(out.read_text(encoding="utf-8")), sc.truth)
    assert inc["root_service"] == sc.truth.root_service
    assert inc["cause"] is None, inc["cause_reason"]
    assert "FF-1 (7 min before it) served quietly" in inc["cause_reason"]


def test_a_slow_fill_after_a_visible_config_change_is_blamed_on_it(tmp_path):
    doc, truth = _report(tmp_path, "kubectl_disk_full", hours=3, rate=0.3)
    inc = _incident(doc, truth)
    assert inc["root_service"] == "ts-food-service"
    assert inc["cause"] == truth.cause_change_id  # about an hour before, not the deploy minutes before
    # dated from the first "No space left" line, not from the debug lines the change added
    assert abs((_t(inc["start"]) - truth.onset).total_seconds()) <= 120
    # a local failure: traffic as before, and the summary does not talk about it
    assert 0.6 <= inc["traffic_ratio"] < 1.5
    assert "Traffic rose" not in inc["summary"]
