"""Template mining: API contract, stable ids, params, persistence and safety."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

import rcakit
from rcakit.errors import ConfigError, NotFittedError, SchemaError, StateFileError
from rcakit.schemas import LOG_RECORDS, TEMPLATED_RECORDS, check_schema
from rcakit.templates import (
    DEFAULT_MASKS,
    Mask,
    TemplateMiner,
    evaluate_parsing,
    mine_templates,
    summarize_templates,
    template_id_of,
)

TOKEN = re.compile(r"<(?:\*|[A-Z][A-Z0-9_]*)>")


def _lines(n_repeat: int = 5) -> list[str]:
    """Realistic, varied application lines (several services, values change per line)."""
    out = []
    users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]
    for i in range(n_repeat * 10):
        u = users[i % len(users)]
        out += [
            f"GET /api/v1/orders/{1000 + i} 200 in {3 + i % 17}ms",
            f"POST /api/v1/checkout status=500 took {120 + i}ms trace_id={i:032x}",
            f"Connection from 10.0.{i % 7}.{i % 250}:{40000 + i} accepted",
            f"User {u} logged in from 192.168.{i % 3}.{i % 200} session={i * 7919:08x}-aaaa-bbbb-cccc-{i:012x}",
            f"payment call failed status=503 retries={i % 4} order=ord_{i:06d}",
            f"Disk usage at {50 + i % 40}% on /var/lib/data{i % 3}/volume",
            f"cache miss for key user:{i} after {i % 9}.{i % 10}s",
            "Scheduler heartbeat ok",
            f"java.lang.NullPointerException at com.shop.RiskScorer.score(RiskScorer.java:{40 + i % 5})",
            f"Worker {i % 8} finished job {i} in {i % 60} seconds",
        ]
    return out


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    body = _lines()
    n = len(body)
    return pl.DataFrame(
        {
            "timestamp": pl.datetime_range(
                pl.datetime(2026, 1, 1, time_zone="UTC"),
                pl.datetime(2026, 1, 1, time_zone="UTC") + pl.duration(seconds=n - 1),
                "1s",
                eager=True,
            ).dt.cast_time_unit("us"),
            "service": [["api", "payment", "db"][i % 3] for i in range(n)],
            "severity_text": [["INFO", "ERROR", "WARN"][i % 3] for i in range(n)],
            "severity_number": pl.Series([[9, 17, 13][i % 3] for i in range(n)], dtype=pl.UInt8),
            "body": body,
            "line_no": pl.Series(range(1, n + 1), dtype=pl.UInt32),
        }
    )


def reconstruct(template: str, params: list[str]) -> str:
    pieces = TOKEN.split(template)
    assert len(pieces) == len(params) + 1
    out = [pieces[0]]
    for value, piece in zip(params, pieces[1:], strict=True):
        out += [value, piece]
    return "".join(out)


def norm(text: str) -> str:
    return " ".join(text.split())


# -- contract -------------------------------------------------------------------------------
def test_public_names() -> None:
    assert rcakit.mine_templates is mine_templates
    assert rcakit.TemplateMiner is TemplateMiner


def test_output_columns_order_and_passthrough(frame: pl.DataFrame) -> None:
    out = mine_templates(frame)
    assert out.height == frame.height
    assert out.columns == [*frame.columns, "template_id", "template", "params"]
    assert_frame_equal(out.select(frame.columns), frame)
    assert out.schema["params"] == pl.List(pl.String)
    assert out["template_id"].null_count() == 0
    assert out["template"].null_count() == 0


def test_log_records_become_templated_records() -> None:
    logs = pl.DataFrame(
        {name: pl.Series([None, None], dtype=dtype) for name, dtype in LOG_RECORDS.items()}
    ).with_columns(pl.Series("body", ["user 1 logged in", "user 2 logged in"]))
    out = mine_templates(logs)
    check_schema(out, TEMPLATED_RECORDS, stage="test")
    assert list(out.columns) == list(TEMPLATED_RECORDS)


def test_every_line_gets_a_template_including_empty_and_null() -> None:
    body = ["", "   ", None, "x", "\x1b[31mred\x1b[0m 5", "multi\nline\n  at Foo.bar(Foo.java:1)"]
    out = mine_templates(pl.DataFrame({"body": body}, schema={"body": pl.String}))
    assert out.height == len(body)
    assert out["template"].null_count() == 0
    assert out["template_id"].null_count() == 0
    assert out["template"][0] == out["template"][1] == out["template"][2] == ""


def test_similar_lines_share_a_template_and_distinct_events_do_not(frame: pl.DataFrame) -> None:
    out = mine_templates(frame)
    per_event = out.group_by(pl.col("body").str.slice(0, 12)).agg(pl.col("template").n_unique())
    # the ten event kinds of the generator give ten templates, one per kind
    assert out["template_id"].n_unique() == 10
    assert per_event["template"].max() == 1
    templates = set(out["template"])
    assert "GET <PATH> <NUM> in <DURATION>" in templates
    assert "Connection from <IP> accepted" in templates
    assert "Scheduler heartbeat ok" in templates


def test_fit_returns_self_and_keeps_params(frame: pl.DataFrame) -> None:
    miner = TemplateMiner(sim_th=0.6, depth=4)
    assert miner.fit(frame) is miner
    assert (miner.sim_th, miner.depth, miner.masks) == (0.6, 4, None)
    table = miner.templates_
    assert table["count"].sum() == frame.height
    assert table.columns == ["template_id", "template", "count", "n_variants", "previous_ids"]


def test_not_fitted() -> None:
    miner = TemplateMiner()
    with pytest.raises(NotFittedError, match="fit"):
        miner.transform(pl.DataFrame({"body": ["x"]}))
    with pytest.raises(NotFittedError):
        miner.save("nowhere.json")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"sim_th": 1.5}, "sim_th"), ({"depth": 2}, "depth"), ({"max_children": 1}, "max_children")],
)
def test_bad_settings(kwargs: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        TemplateMiner(**kwargs).fit(pl.DataFrame({"body": ["x"]}))


def test_bad_masks() -> None:
    with pytest.raises(ConfigError, match="look-around"):
        mine_templates(pl.DataFrame({"body": ["x"]}), extra_masks=[Mask(name="X", pattern="(?<=a)b")])
    with pytest.raises(ConfigError, match="upper-case"):
        mine_templates(pl.DataFrame({"body": ["x"]}), extra_masks=[Mask(name="x", pattern="a")])


def test_schema_errors() -> None:
    with pytest.raises(SchemaError, match="no 'body' column"):
        mine_templates(pl.DataFrame({"message": ["x"]}))
    with pytest.raises(SchemaError, match="must be String"):
        mine_templates(pl.DataFrame({"body": [1, 2]}))


# -- ids ------------------------------------------------------------------------------------
def test_ids_are_content_derived_and_stable_across_runs(frame: pl.DataFrame) -> None:
    a = mine_templates(frame)
    b = mine_templates(frame)
    assert_frame_equal(a, b)
    assert all(template_id_of(t) == i for t, i in zip(a["template"], a["template_id"], strict=True))


def test_ids_are_stable_across_processes(frame: pl.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "bodies.parquet"
    frame.select("body").write_parquet(path)
    code = (
        "import sys, polars as pl, rcakit;"
        f"out = rcakit.mine_templates(pl.read_parquet({str(path)!r}));"
        "sys.stdout.write('\\n'.join(out['template_id']))"
    )
    env_hash = {"PYTHONHASHSEED": "12345"}
    import os

    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env_hash},
    )
    assert result.stdout.split("\n") == mine_templates(frame)["template_id"].to_list()


def test_ids_do_not_depend_on_unrelated_lines(frame: pl.DataFrame) -> None:
    """The same event gets the same id whatever else is in the batch."""
    full = mine_templates(frame)
    half = mine_templates(frame.filter(pl.col("service") == "api"))
    joined = half.join(full.select("line_no", pl.col("template_id").alias("full_id")), on="line_no")
    same = (joined["template_id"] == joined["full_id"]).mean()
    assert same is not None
    assert same >= 0.9


# -- params ---------------------------------------------------------------------------------
def test_params_reconstruct_the_message(frame: pl.DataFrame) -> None:
    out = mine_templates(frame)
    for body, template, params in out.select("body", "template", "params").iter_rows():
        assert norm(reconstruct(template, params)) == norm(body)


def test_params_align_with_named_tokens() -> None:
    out = mine_templates(
        pl.DataFrame({"body": ["request took 250ms status=200", "request took 12ms status=404"]})
    )
    assert out["template"][0] == "request took <DURATION> status=<NUM>"
    assert out["params"].to_list() == [["250ms", "200"], ["12ms", "404"]]


@pytest.mark.parametrize(
    ("line", "token"),
    [
        ("peer 10.1.2.3:8080 down", "<IP>"),
        ("peer fe80::1ff:fe23:4567:890a down", "<IP>"),
        ("peer [::]:8080 down", "<IP>"),
        ("peer ::1 down", "<IP>"),
        ("peer 2001:db8:85a3:0:0:8a2e:370:7334 down", "<IP>"),
        ("id 123e4567-e89b-12d3-a456-426614174000 down", "<UUID>"),
        ("at 2024-01-31T12:00:00.123Z down", "<TS>"),
        ("at 2017-07-01_09:01:05.123 down", "<TS>"),
        ("mail bob.smith@example.com down", "<EMAIL>"),
        ("url https://example.com/a?b=1 down", "<URL>"),
        ("file /var/log/app/x.log down", "<PATH>"),
        ("host api-3.prod.example.com down", "<HOST>"),
        ("addr 0x7ffd1234 down", "<HEX>"),
        ("took 1.5s down", "<DURATION>"),
        ("used 512MB down", "<SIZE>"),
        ("sent 731kB down", "<SIZE>"),
        ("cid 01:2c:f0:f5:ba:5e:0d down", "<MAC>"),
        ("count 42 down", "<NUM>"),
    ],
)
def test_default_masks_name_their_tokens(line: str, token: str) -> None:
    template = mine_templates(pl.DataFrame({"body": [line]}))["template"][0]
    assert template.split(" ")[1] == token, template


def test_the_punctuation_after_a_url_is_the_sentences() -> None:
    out = mine_templates(pl.DataFrame({"body": [f"connected to http://10.0.0.{i}:8080/api, retrying in {i} s." for i in range(3)]}))
    assert out["template"][0] == "connected to <URL>, retrying in <NUM> s."
    assert out["params"][0][0] == "http://10.0.0.0:8080/api"


def test_cpp_scope_operator_is_not_an_ipv6_address() -> None:
    bodies = [
        "IOThunderboltSwitch<0>(0x0)::listenerCallback - HPD packet port = 11",
        "AppleThunderboltNHIType2::prePCIWake - power up",
    ]
    templates = mine_templates(pl.DataFrame({"body": bodies}))["template"].to_list()
    assert all("<IP>" not in t for t in templates), templates
    assert "::listenerCallback" in templates[0]


def test_named_masks_are_documented() -> None:
    doc = sys.modules["rcakit.templates._masks"].__doc__ or ""
    for name in {m.name for m in DEFAULT_MASKS}:
        assert f"<{name}>" in doc


# -- learning incrementally ---------------------------------------------------------------
def test_transform_without_learning_and_unknown_messages(frame: pl.DataFrame) -> None:
    miner = TemplateMiner().fit(frame)
    known = set(miner.templates_["template_id"])
    new = pl.DataFrame({"body": ["GET /api/v1/orders/77 200 in 9ms", "kernel panic: not syncing"]})
    out = miner.transform(new)
    assert out["template_id"][0] in known
    assert out["template_id"][1] not in known
    assert out["template"][1] == "kernel panic: not syncing"
    assert set(miner.templates_["template_id"]) == known  # transform learned nothing


def test_partial_fit_keeps_known_ids_and_traces_generalised_ones() -> None:
    first = pl.DataFrame({"body": ["cache warm for region eu", "cache warm for region eu"]})
    miner = TemplateMiner().fit(first)
    old_id = miner.transform(first)["template_id"][0]
    miner.partial_fit(pl.DataFrame({"body": ["job 5 done", "job 6 done"]}))
    assert miner.transform(first)["template_id"][0] == old_id  # untouched template kept its id
    regions = [f"cache warm for region {r}" for r in ["us", "ap", "sa", "af", "me", "cn"]]
    miner.partial_fit(pl.DataFrame({"body": regions}))
    new_id = miner.transform(first)["template_id"][0]
    assert new_id != old_id
    assert miner.resolve_id(old_id) == new_id
    row = miner.templates_.filter(pl.col("template_id") == new_id)
    assert old_id in row["previous_ids"][0]


def test_partial_fit_transform_equals_partial_fit_then_transform(frame: pl.DataFrame) -> None:
    one, two = TemplateMiner().fit(frame.head(300)), TemplateMiner().fit(frame.head(300))
    rest = frame.slice(300)
    expected = one.partial_fit(rest).transform(rest)
    assert_frame_equal(two.partial_fit_transform(rest), expected)
    assert_frame_equal(two.templates_, one.templates_)
    # not fitted yet: the same as fit_transform
    assert_frame_equal(TemplateMiner().partial_fit_transform(rest), TemplateMiner().fit_transform(rest))


# -- persistence ----------------------------------------------------------------------------
def test_save_load_round_trip_gives_identical_assignments(frame: pl.DataFrame, tmp_path: Path) -> None:
    miner = TemplateMiner().fit(frame.head(300))
    path = tmp_path / "miner.json"
    miner.save(path)
    loaded = TemplateMiner.load(path)
    assert_frame_equal(loaded.transform(frame), miner.transform(frame))
    assert_frame_equal(loaded.templates_, miner.templates_)
    document = json.loads(path.read_text())
    assert document["format"] == "rcakit.template_miner"
    assert document["schema_version"] == 1


def _state(tmp_path: Path) -> Path:
    path = tmp_path / "miner.json"
    TemplateMiner().fit(pl.DataFrame({"body": _lines(1)})).save(path)
    return path


def test_malicious_state_file_is_rejected_without_executing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = {
        "py/reduce": [{"py/function": "os.system"}, {"py/tuple": [f"touch {marker}"]}],
    }
    evil = tmp_path / "evil.json"
    evil.write_text(json.dumps(payload))
    with pytest.raises(StateFileError, match="jsonpickle"):
        TemplateMiner.load(evil)
    # the same payload hidden inside a well-formed rcakit document
    document = json.loads(_state(tmp_path).read_text())
    document["content"]["clusters"][0]["tokens"] = payload
    evil.write_text(json.dumps(document))
    with pytest.raises(StateFileError):
        TemplateMiner.load(evil)
    assert not marker.exists()


def test_real_drain3_snapshot_is_rejected(tmp_path: Path) -> None:
    from drain3 import TemplateMiner as Drain3Miner
    from drain3.memory_buffer_persistence import MemoryBufferPersistence
    from drain3.template_miner_config import TemplateMinerConfig

    config = TemplateMinerConfig()
    config.snapshot_compress_state = False
    persistence = MemoryBufferPersistence()
    drain3 = Drain3Miner(persistence_handler=persistence, config=config)
    drain3.add_log_message("user 1 logged in")
    path = tmp_path / "drain3.json"
    path.write_bytes(persistence.state)
    with pytest.raises(StateFileError, match="not a usable rcakit template state"):
        TemplateMiner.load(path)


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda d: d["content"]["clusters"][0]["tokens"].append("x"), "digest"),
        (lambda d: d.update(schema_version=99), "schema_version 99"),
        (lambda d: d.update(format="something.else"), "format"),
    ],
)
def test_tampered_or_foreign_state_files(tmp_path: Path, edit, match: str) -> None:
    path = _state(tmp_path)
    document = json.loads(path.read_text())
    edit(document)
    path.write_text(json.dumps(document))
    with pytest.raises(StateFileError, match=match):
        TemplateMiner.load(path)


def test_garbage_state_file(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(b"\x80\x04\x95 not json")
    with pytest.raises(StateFileError, match="not JSON"):
        TemplateMiner.load(path)


def test_a_drain3_ini_in_the_working_directory_is_ignored(
    frame: pl.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = mine_templates(frame)
    (tmp_path / "drain3.ini").write_text("[DRAIN]\nsim_th = 0.01\ndepth = 3\n[MASKING]\nmasking = [{}]\n")
    monkeypatch.chdir(tmp_path)
    assert_frame_equal(mine_templates(frame), expected)


# -- summary and metrics --------------------------------------------------------------------
def test_summarize_templates(frame: pl.DataFrame) -> None:
    table = summarize_templates(mine_templates(frame))
    assert table.columns == [
        "template_id",
        "template",
        "count",
        "first_seen",
        "last_seen",
        "services",
        "severity",
        "example",
    ]
    assert table["count"].sum() == frame.height
    assert (table["first_seen"] <= table["last_seen"]).all()
    heartbeat = table.filter(pl.col("template") == "Scheduler heartbeat ok").row(0, named=True)
    assert heartbeat["example"] == "Scheduler heartbeat ok"
    assert heartbeat["services"] == ["api", "db", "payment"]
    # the most severe level among the rows of a template
    assert set(table["severity"]) <= {"ERROR", "WARN", "INFO"}
    assert "ERROR" in set(table["severity"])


def test_evaluate_parsing_definitions() -> None:
    truth = ["a <*>", "a <*>", "b <*>", "b <*>", "c"]
    # group 1 correct with right text; b split in two; c correct text
    pred = ["a <NUM>", "a <NUM>", "b x", "b <NUM>", "c"]
    scores = evaluate_parsing(truth, pred)
    assert scores.ga == pytest.approx(3 / 5)
    assert scores.pa == pytest.approx(4 / 5)
    # predicted groups: 4, correct: 2 (a, c); truth groups: 3
    assert scores.fga == pytest.approx(2 * (2 / 4) * (2 / 3) / (2 / 4 + 2 / 3))
    assert scores.fta == pytest.approx(scores.fga)
    merged = evaluate_parsing(truth, ["<*>"] * 5)
    assert (merged.ga, merged.pa) == (0.0, 0.0)


# -- post-processing of Drain's clusters ----------------------------------------------------
USERS = ["root", "admin", "oracle", "test", "guest", "ubuntu"]


def test_events_differing_in_one_constant_word_are_split() -> None:
    body = [f"Failed password for {u} from 10.0.0.{i} port {2000 + i} ssh2" for i, u in enumerate(USERS * 2)]
    body += [f"Failed none for {u} from 10.0.1.{i} port {3000 + i} ssh2" for i, u in enumerate(USERS)]
    templates = set(mine_templates(pl.DataFrame({"body": body}))["template"])
    assert templates == {
        "Failed password for <*> from <IP> port <NUM> ssh2",
        "Failed none for <*> from <IP> port <NUM> ssh2",
    }


def test_a_variable_early_in_the_line_does_not_split_the_event() -> None:
    """Drain's prefix tree sends each user down its own branch; rcakit joins them again."""
    out = mine_templates(pl.DataFrame({"body": [f"User {u} logged in" for u in USERS]}))
    assert set(out["template"]) == {"User <*> logged in"}


def test_variable_width_values_share_one_template() -> None:
    body = [f"card {4000 + i} declined by issuer" for i in range(5)]
    body += [f"card {4000 + i} {1000 + i} declined by issuer" for i in range(5)]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert set(out["template"]) == {"card <*> declined by issuer"}
    for template, params, line in out.select("template", "params", "body").iter_rows():
        assert norm(reconstruct(template, params)) == line


def test_numbers_with_units_and_keys_mask_cleanly() -> None:
    """A unit glued to a number stays (and the number is masked whole, decimals and signs
    too); a key after a duration stays; a namespace before '::' is not an IPv6 address."""
    cases = {
        "telemetry co2=2653ppm voc=1418ppb rssi=-64dBm": "telemetry co2=<NUM>ppm voc=<NUM>ppb rssi=<NUM>dBm",
        "reading acc=12.45m x=-3 y=<5": "reading acc=<NUM>m x=<NUM> y=<NUM>",
        "keepalive=63s duration=120s": "keepalive=<DURATION> duration=<DURATION>",
        "Cache miss for key customer::1752": "Cache miss for key customer::<NUM>",
        "blob 12ab and adj=0.0userId": "blob <HEX> and adj=<NUM>.0userId",
    }
    for body, template in cases.items():
        assert mine_templates(pl.DataFrame({"body": [body]}))["template"][0] == template


def test_key_values_lists_and_quoted_constants_group_like_events() -> None:
    """Short key=value messages with many values are one event; a list is one event
    whatever its length (items apart or in one token); a quoted single word is not masked,
    so quoted UPPER_CASE event names split like bare ones."""
    channels = ["coach", "news", "promo", "sport", "social", "billing", "system", "chat"]
    body = [f"post id={1000 + i} channel={channels[i % 8]}" for i in range(32)]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert set(out["template"]) == {"post id=<NUM> channel=<*>"}
    parts = [", ".join(f"orders-{(i + k) % 12}" for k in range(1 + i % 3)) for i in range(30)]
    body = [f"consumer group rebalanced: assigned partitions [{p}]" for p in parts]
    assert mine_templates(pl.DataFrame({"body": body}))["template"].n_unique() == 1
    body = [f"widget update ids=[{','.join(str(100 + k) for k in range(1 + i % 4))}]" for i in range(20)]
    assert mine_templates(pl.DataFrame({"body": body}))["template"].n_unique() == 1
    body = [f'"SyncLoop {op}" source="api" pods=["web-{i}"]' for i, op in enumerate(["ADD", "UPDATE", "DELETE"] * 10)]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert set(out["template"]) == {f'"SyncLoop {op}" source="api" pods=["web-<NUM>"]' for op in ("ADD", "UPDATE", "DELETE")}


def test_erlang_pids_escaped_quotes_and_hosts_before_their_address_mask_whole() -> None:
    cases = {
        "Supervisor {<0.849.0>,rabbit_channel_sup} started": "Supervisor {<NUM>,rabbit_channel_sup} started",
        'range request="key:\\"/registry/pods/x\\" limit:500 " took 12ms': 'range request="<STR>" took <DURATION>',
        "connect from mail.example.com[10.1.2.3]": "connect from <HOST>[<IP>]",
    }
    for body, template in cases.items():
        assert mine_templates(pl.DataFrame({"body": [body]}))["template"][0] == template


def test_an_interface_glued_to_its_address_is_the_addresss() -> None:
    # Cisco ASA names each address by its interface ("dmz:172.139.43.85/20218"): before,
    # the interface stayed, and every pair of interfaces was an event of its own (116
    # templates for 13 events in probe BQ)
    body = [
        f"Teardown TCP connection {n} for {a}:10.1.{n % 250}.7/{40000 + n} to {b}:192.0.2.{n % 200}/443 duration 0:00:{n % 60:02d} bytes {n * 7} TCP FINs"
        for n, (a, b) in enumerate([("dmz", "inside"), ("outside", "inside"), ("inside", "outside"), ("dmz", "outside")] * 5)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"].n_unique() == 1, sorted(set(out["template"]))
    assert "dmz" not in out["template"][0]
    assert "<IP>" in out["template"][0]


def test_a_message_keys_quoted_value_is_text_not_a_variable() -> None:
    """logfmt's msg="...", structlog's event="...", a JSON fragment's "message":"...": the
    quoted value is the event's text (other quoted values are variables, and the masks still
    mask what is inside the text). Before, every containerd line was one template."""
    body = [
        f'time="2024-05-01T10:00:{i:02d}Z" level=info msg="{verb} for \\"a{i:039x}\\" returns successfully"'
        for i, verb in enumerate(["StartContainer", "Daemon has completed initialization"] * 10)
    ] + ['event="payment failed after 3 retries" reason="card declined"', '{"message":"disk full on /data/x"}']
    out = mine_templates(pl.DataFrame({"body": body}))
    templates = set(out["template"])
    assert 'time="<STR>" level=info msg="StartContainer for \\"<HEX>\\" returns successfully"' in templates
    assert 'time="<STR>" level=info msg="Daemon has completed initialization for \\"<HEX>\\" returns successfully"' in templates
    assert 'event="payment failed after <NUM> retries" reason="<STR>"' in templates
    assert '{"message":"disk full on <PATH>"}' in templates
    # the mark that keeps the quoted-value masks off the text never reaches a template
    assert not any("\x02" in t for t in templates)


def test_a_line_alone_joins_the_event_whose_token_varies_in_part() -> None:
    """"[conn8055653]" of a line whose namespace no other line has stays literal in its own
    cluster; the others showed "[<*>]" varying: the lone line belongs to that event."""
    spaces = ["shop.orders", "crm.carts", "shop.users", "app.audit", "crm.events"]
    body = [f"COMMAND [conn{1000 + 7 * i}] CMD: drop {spaces[i % 5]}" for i in range(30)]
    body += ["COMMAND [conn8055653] CMD: drop app.orders", "COMMAND [conn74104098] CMD: drop app.carts"]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"].n_unique() == 1
    assert out["template"][0] == "COMMAND [<*>] CMD: drop <*>"


def test_names_numbered_with_a_dash_are_variables_however_few() -> None:
    """A client or partition name with a number (consumer-1-<uuid>, user-events-3) is a
    variable even when a log shows only two or three of them."""
    body = [
        f"Member {kind}-{i}-{i:08x}-e0f5 in group g{i % 5}-cg has left, removing it from the group"
        for i, kind in enumerate(["consumer", "producer"] * 10)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template"].n_unique() == 1, set(out["template"])


def test_short_messages_with_a_varying_value_are_one_event() -> None:
    """A 2-3 token message never reaches Drain's similarity with one token differing: a
    value with a variable part there is still a variable (a plain word names the event)."""
    peers = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]
    body = [f"PJSIP/{p}-{i:08x} is ringing" for i, p in enumerate(peers * 3)]
    assert mine_templates(pl.DataFrame({"body": body}))["template"].n_unique() == 1
    body = [f"connect from {h}[10.0.{i}.{i}]" for i, h in enumerate(["unknown", "mx.example.com"] * 6)]
    assert mine_templates(pl.DataFrame({"body": body}))["template"].n_unique() == 1
    commands = ["boot", "wait", "halt", "risBoot", "clusterAddMember", "bootGenvmunix"]
    body = [f"{c} (command {100 + i})" for i, c in enumerate(commands * 4)]
    assert mine_templates(pl.DataFrame({"body": body}))["template"].n_unique() == len(commands)


def test_short_messages_differing_in_many_names_are_one_event() -> None:
    """Short messages that differ in one token only, where they take many names made of
    parts (an agent pod's name, a systemd unit), are one event; a handful of plain words
    there, or key=value values with different keys, name events."""
    rng = np.random.default_rng(3)
    suffix = ["".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz0123456789"), 5)) for _ in range(40)]
    body = [f"Disconnected computer jenkins-agent-{s}" for s in suffix]
    body += [f"{u}: Deactivated successfully." for u in ["docker.service", "nginx.service", "cron.service", "snapd.service", "run-user-1000.mount", "session-4.scope"] * 3]
    body += [f"getRecentTasks: num={i},flags=0x{i:x}" for i in range(5)] + [f"getRecentTasks: topActivity=ComponentInfo{{com.app{i}/.Main}}" for i in range(5)]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"][:40].n_unique() == 1
    assert out["template_id"][40:58].n_unique() == 1
    assert out["template_id"][58:].n_unique() == 2


def test_many_words_in_brackets_are_one_argument_and_another_key_another_event() -> None:
    """``loaded module [percolator]`` / ``[reindex]`` / ...: a word in brackets, taking many
    values, is an argument (a bare word there would name the event). Two short messages
    whose differing token has another key are two events (``<qid>: client=<host>[<ip>]`` /
    ``<qid>: message-id=<...>``), and the client's values, a host or ``unknown``, stay one."""
    modules = ["percolator", "reindex", "rank-eval", "legacy-geo", "parent-join", "mapper-extras", "aggs-matrix-stats"]
    body = [f"loaded module [{m}]" for m in modules * 2]
    rng = np.random.default_rng(7)
    qids = ["".join(rng.choice(list("0123456789ABCDEF"), 11)) for _ in range(36)]
    body += [f"{q}: client={'unknown' if i % 3 else f'mail{i}.example.net'}[10.0.{i}.7]" for i, q in enumerate(qids[:18])]
    body += [f"{q}: message-id=<{q.lower()}@mx.example.net>" for q in qids[18:]]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"][:14].n_unique() == 1, set(out["template"][:14])
    assert out["template"][0] == "loaded module [<*>]"
    assert out["template_id"][14:32].n_unique() == 1, set(out["template"][14:32])
    assert out["template_id"][32:].n_unique() == 1
    assert out["template_id"][14] != out["template_id"][32]


def test_values_of_one_key_stay_one_event_whatever_their_shape() -> None:
    """url=<path> and url=<path>?index=<n> are the same key's values (a query string, a
    handler's pattern): not words that name events. A message key's quoted text is."""
    body = [
        f"agent.http: Request finished: method=GET url=/v1/kv/app{i}{q} from=10.0.0.{i}:5{i:03d} latency={i * 7}us"
        for i, q in enumerate(["", "?index=17", "?index=42&passing=1&wait=30s"] * 12)
    ]
    body += [f'component="scrape manager" target=http://10.0.0.{i}:9100/metrics msg="{w} failed" err="x{i}"' for i, w in enumerate(["Scrape", "Append"] * 10)]
    # words that replace one another in one key's value name events
    body += [
        f'"SyncLoop (PLEG): event for pod" pod="web/api-{i:04x}" event={{"ID":"{i:032x}","Type":"{t}","Data":"{i:064x}"}}'
        for i, t in enumerate(["ContainerStarted", "ContainerDied"] * 10)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"][:36].n_unique() == 1, set(out["template"][:36])
    assert out["template_id"][36:56].n_unique() == 2, set(out["template"][36:56])
    assert out["template_id"][56:].n_unique() == 2, set(out["template"][56:])


def test_a_quoted_phrase_in_prose_is_one_value() -> None:
    """A network's or a connection's name with blanks, an error text in quotes: one value
    (not words that change the event's length); a quoted single word, and klog's quoted
    message at the start of the line, stay text."""
    names = ["iPhone de Marie", "FRITZ!Box 7590 XY", "frontend VPN", "guest", "Wired connection 1", "office"]
    body = [f"device (wlan0): Activation: starting connection '{n}' ({i:08x}-abcd)" for i, n in enumerate(names * 4)]
    body += [f'Connected to wireless network "{n}"' for n in names * 2]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"][:24].n_unique() == 1, set(out["template"][:24])
    assert out["template_id"][24:].n_unique() == 1, set(out["template"][24:])
    assert out["template"][0] == "device (wlan0): Activation: starting connection '<*>' (<*>-abcd)"


def test_events_of_a_mixed_cluster_split_level_by_level() -> None:
    """Words that name the events are found in the part of a cluster where they are the
    only values (scrub / deep-scrub among the 'ok' rows), not only cluster-wide; a user
    name with two values in a part and many in the cluster stays a variable."""
    body = [f"log_channel(cluster) log [DBG] : {i % 9}.{i:x} {w} ok" for i, w in enumerate(["scrub", "deep-scrub"] * 20)]
    body += [f"log_channel(cluster) log [DBG] : {i % 9}.{i:x} scrub starts" for i in range(20)]
    body += [f"log_channel(cluster) log [INF] : osd.{i} [v2:10.0.0.{i}:6800/{i}] boot" for i in range(10)]
    templates = set(mine_templates(pl.DataFrame({"body": body}))["template"])
    assert {t.split(" ")[-2:][0] for t in templates if t.endswith(" ok")} == {"scrub", "deep-scrub"}, templates
    users = [f"user{k}" for k in range(8)]
    body = [f"session {'opened' if i % 4 else 'closed'} for user {users[i % 8] if i % 4 else users[(i // 4) % 2]} by (uid={i})" for i in range(64)]
    templates = set(mine_templates(pl.DataFrame({"body": body}))["template"])
    assert templates == {"session opened for user <*> by (uid=<NUM>)", "session closed for user <*> by (uid=<NUM>)"}, templates


def test_a_variable_of_several_words_is_one_value_whatever_its_length() -> None:
    """A Flink task's name (``Sink: Print to Std. Out``, ``Source: Custom Source -> Map``)
    between the same words before and after, in more than three ways of two or more
    lengths: one event. Two events that share their first and last words (``logged in`` /
    ``failed to log in``) stay two."""
    tasks = ["Sink: Print to Std. Out", "Source: Custom Source -> Map", "Flat Map -> Timestamps/Watermarks",
             "KeyedProcess -> Sink: JdbcSink", "Window(TumblingEventTimeWindows(60000), EventTimeTrigger)"]
    ids = [hashlib.md5(str(i).encode()).hexdigest() for i in range(60)]
    body = [f"Received task {t} ({i % 4 + 1}/4)#0 ({ids[i]}), deploy into slot with allocation id {ids[i + 30]}."
            for i, t in enumerate(tasks * 6)]
    body += [f"User u{i} logged in from 10.0.0.{i}" for i in range(6)]
    body += [f"User u{i} failed to log in from 10.0.0.{i}" for i in range(6)]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"][:30].n_unique() == 1, set(out["template"][:30])
    assert out["template"][0] == "Received task <*> (<NUM>/<NUM>)#<NUM> (<HEX>), deploy into slot with allocation id <HEX>."
    assert out["params"][0][0] == "Sink: Print to Std. Out"
    assert out["template_id"][30:].n_unique() == 2, set(out["template"][30:])


def test_a_name_that_starts_a_short_message_is_a_variable_when_another_of_its_values_has_digits() -> None:
    """``Kiwi2011 moved wrongly!``, ``Steve moved wrongly!``: Drain sends the names with
    digits down its wildcard branch (``<*> moved wrongly!``) and each plain name down its
    own. Another cluster holding a variable in their place, and more than three plain
    names, make them one event. Three verbs before the same words stay three events."""
    players = ["Steve", "DragonSlayer", "Alex", "MineLisa", "Builder_Bob", "Kiwi2011", "xX_Creeper_Xx", "notch_fan99"]
    body = [f"{players[i % 8]} moved wrongly!" for i in range(40)]
    body += [f"{['Starting', 'Stopping', 'Reloading'][i % 3]} service nginx" for i in range(12)]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert set(out["template"][:40]) == {"<*> moved wrongly!"}
    assert out["params"][0].to_list() == ["Steve"]
    assert out["template_id"][40:].n_unique() == 3


def test_runs_of_words_that_begin_with_a_few_plain_words_are_events() -> None:
    """FreeRADIUS: ``Login OK: [user]``, ``Login incorrect (<reason>): [user]`` and ``Invalid
    user (<reason>): [user]`` between the same words, in more than three ways of several
    lengths, are still three events: their runs begin with two words only."""
    reasons = ["No Auth-Type found: rejecting the user via Post-Auth-Type = Reject", "mschap: MS-CHAP2-Response is incorrect",
               "eap_peap: The users session was previously rejected", "rlm_pap: Cleartext-Password is required"]
    body = []
    for i in range(40):
        what = ["Login OK:", f"Login incorrect ({reasons[i % 3]}):", f"Invalid user ({reasons[2 + i % 2]}):"][i % 3]
        body.append(f"({100000 + i}) {what} [user{i % 7}@corp.example.net] (from client ap-{i % 5} port {i} cli 2B-C6-F3-8F-E0-{i:02X})")
    out = mine_templates(pl.DataFrame({"body": body})).with_columns(kind=pl.Series([i % 3 for i in range(40)]))
    per_kind = out.group_by("kind").agg(pl.col("template_id").unique())
    ids = [set(v) for v in per_kind["template_id"].to_list()]
    assert all(not (a & b) for i, a in enumerate(ids) for b in ids[i + 1 :]), set(out["template"])


def test_a_reason_of_several_words_that_ends_the_message_after_a_colon_is_one_value() -> None:
    """``<player> lost connection: Timed out`` / ``...: You are not whitelisted on this
    server!``: a reason after a word ending in a colon, in more than three ways of two or more
    lengths, is one event's variable. Reasons of one length only, or fewer of them, and
    events whose words before the colon differ, stay apart."""
    reasons = ["Timed out", "Disconnected by the server", "Kicked for spamming", "You are not whitelisted on this server!",
               "Internal Exception: java.io.IOException: Connection reset by peer"]
    body = [f"client {1000 + i} lost connection: {reasons[i % 5]}" for i in range(40)]
    body += [f"client {1000 + i} rejected login: {['bad password', 'unknown user'][i % 2]}" for i in range(10)]
    body += [f"client {1000 + i} logged in from 10.0.0.{i}" for i in range(10)]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"][:40].n_unique() == 1, set(out["template"][:40])
    assert out["template"][0] == "client <NUM> lost connection: <*>"
    assert out["params"][3].to_list() == ["1003", "You are not whitelisted on this server!"]
    assert out["template_id"][40:50].n_unique() == 2, set(out["template"][40:50])
    assert not set(out["template_id"][:40]) & set(out["template_id"][40:])


def test_a_bracketed_variable_written_as_a_few_words_for_want_of_a_value_is_the_same_event() -> None:
    """Kea writes a client id it did not get as ``cid=[no info]``: the same event as
    ``cid=[01:2c:f0:f5:ba:5e:0d]`` (a run of hex octets is one value), one token longer."""
    rng = np.random.default_rng(7)

    def octets(n: int) -> str:
        return ":".join(f"{rng.integers(256):02x}" for _ in range(n))

    body = [
        f"DHCP4_SUBNET_SELECTED [hwtype=1 {octets(6)}], cid=[{octets(7) if i % 3 else 'no info'}], "
        f"tid=0x{rng.integers(16**8):08x}: the subnet with ID {i % 7} was selected for client assignments"
        for i in range(30)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert set(out["template"]) == {
        "DHCP4_SUBNET_SELECTED [hwtype=<NUM> <MAC>], cid=[<*>], tid=<HEX>: the subnet with ID <NUM> was selected "
        "for client assignments"
    }
    assert out["params"][0][2] == "no info"
    assert out["params"][1][2] == body[1].split("cid=[")[1].split("]")[0]
    # a value with spaces in the same brackets: Zabbix's host "printer 3rd floor"
    hosts = ["web-01", "db-primary", "printer 3rd floor", "fw-edge-2", "Zabbix server"]
    body = [f'cannot send list of active checks to "10.0.0.{i}": host [{hosts[i % 5]}] not found' for i in range(20)]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert set(out["template"]) == {'cannot send list of active checks to "<IP>": host [<*>] not found'}
    assert out["params"][2].to_list() == ["10.0.0.2", "printer 3rd floor"]


def test_marks_that_replace_one_another_name_events() -> None:
    """Exim's delivery lines differ only in their flag: ``=>`` (delivered), ``->`` (another
    recipient of the same delivery), ``**`` (bounced): three events, not a variable."""
    rng = np.random.default_rng(5)
    body = [
        f"1r{rng.integers(16**5):05X}-000{i % 10}-AB {['=>', '->', '**'][i % 3]} user{i}@example.com "
        f"R=dnslookup T=remote_smtp H=mx{i}.example.com [10.0.0.{i}]"
        for i in range(30)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert [len(set(out["template_id"][k::3])) for k in range(3)] == [1, 1, 1]
    assert out["template_id"][:3].n_unique() == 3, set(out["template"])


def test_boolean_values_are_variables() -> None:
    out = mine_templates(pl.DataFrame({"body": ["cache enabled=true", "cache enabled=false"]}))
    assert set(out["template"]) == {"cache enabled=<BOOL>"}
    assert out["params"].to_list() == [["true"], ["false"]]


def test_terminal_escapes_do_not_reach_templates_or_split_events() -> None:
    body = ["\x1b]0;owned\x07Connection closed by 10.0.0.3", "Connection closed by 10.0.0.9"]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template"].to_list() == ["Connection closed by <IP>"] * 2
    assert out["params"].to_list() == [["10.0.0.3"], ["10.0.0.9"]]


def test_masking_blocks_of_messages_equals_one_message_at_a_time(sample_logs: Path) -> None:
    """The default masks run over newline-joined blocks of messages (fewer regex calls);
    every message must come out as if masked alone, also where a quote or a number at a
    message's edge could reach into the next one."""
    from rcakit.templates._masks import Mask, line_safe
    from rcakit.templates._miner import _mask_bodies, _masked_expr, _normalised_expr

    from .conftest import SHARED_DATA

    parts = [rcakit.read_logs(sample_logs / "checkout-incident").select("body")]
    if (SHARED_DATA / "loghub-2k").is_dir():  # more shapes where the evaluation data is present
        files = sorted((SHARED_DATA / "loghub-2k").glob("*/*_2k.log_structured.csv"))
        parts.extend(pl.read_csv(f, infer_schema=False).select(pl.col("Content").alias("body")) for f in files)
    edges = [
        'q="unclosed', 'next" 5', "t='x", "y' 7", "x=-3", "<5", "a--5", "", "   ", "a\nb 5",
        "tab\there 3", "\x1b[31mred\x1b[0m 4", "end 5 ", "-<NUM>", "x=>=5", "Foo.java:42", ":", '"',
    ]
    bodies = pl.concat([*parts, pl.DataFrame({"body": edges * 3})]).unique(maintain_order=True)
    assert bodies.height > 4_000
    assert line_safe(DEFAULT_MASKS)
    one_by_one = bodies.select(_masked_expr(DEFAULT_MASKS)).to_series()
    assert _mask_bodies(bodies, DEFAULT_MASKS).to_list() == one_by_one.to_list()
    # the same without the safety net (a block whose message count changes is masked again
    # one message at a time): one block of every message, the rewritten patterns only
    normalised = bodies.select(_normalised_expr()).to_series()
    block = pl.DataFrame({"body": ["\n".join(normalised.to_list())]})
    blockwise = block.select(_masked_expr(DEFAULT_MASKS, per_line=True)).to_series().str.split("\n").explode()
    assert blockwise.to_list() == one_by_one.to_list()
    # other masks are not known to be line-safe: they run one message at a time
    assert not line_safe((*DEFAULT_MASKS, Mask(name="ANY", pattern=r"x[^y]*y")))


def test_gated_masking_equals_every_mask_on_every_value() -> None:
    """``mask_values`` runs a group of masks only on the values one of them matches; the
    result must equal every mask applied to every value, where matches are rare (groups
    gated), everywhere (groups run on all values) and mixed."""
    from rcakit.templates._masks import apply_masks, mask_values

    rare = [f"user logged in from the web console step {chr(97 + i % 26)}" for i in range(600)]
    rare[17] = "peer 10.0.0.7:8080 reset, mac 00:1a:2b:3c:4d:5e at 2024-01-02T03:04:05Z"
    rare[301] = "GET https://x.example.com/a?b=1 from ops@example.com id 123e4567-e89b-12d3-a456-426614174000"
    rare[450] = 'q="two words" took 12ms size 10MB v1.2.3 flag=true x=-3 msg="kept as text 7"'
    dense = [f"req {i} from 10.0.{i % 256}.{i % 7} took {i % 97}ms path /a/b/{i}" for i in range(600)]
    for values in (rare, dense, rare + dense, [*rare[:5], None, ""]):
        series = pl.Series("v", values, dtype=pl.String)
        expected = series.to_frame().select(apply_masks(pl.col("v"), DEFAULT_MASKS)).to_series()
        assert mask_values(series, DEFAULT_MASKS).to_list() == expected.to_list()


def test_a_plain_word_and_a_masked_value_starting_messages_are_two_events() -> None:
    """unbound's query log (``<client IP> <name> A IN``) and its ``resolving <name> A IN``:
    Drain's tree sends each name down its own branch; joining the branches again must not
    read the verb as one more value of the address."""
    names = ["cdn.example.com.", "mail.github.com.", "api.example.org.", "www.google.com.", "static.example.net."]
    body = [f"10.0.{i % 7}.{i} {names[i % 5]} A IN" for i in range(40)]
    body += [f"resolving {names[i % 5]} A IN" for i in range(20)]
    out = mine_templates(pl.DataFrame({"body": body}))
    # (a fully qualified name with its root dot is a host name)
    assert set(out["template"][:40]) == {"<IP> <HOST> A IN"}, set(out["template"])
    assert set(out["template"][40:]) == {"resolving <HOST> A IN"}


def test_a_key_with_no_value_names_its_event() -> None:
    """slapd's ``RESULT oid= err=0`` (an extended operation's result) beside ``RESULT tag=97
    err=0``: another key in the same place is another event, with or without a value."""
    body = [f"conn={1000 + i} op={i % 9} RESULT tag={[97, 101, 103][i % 3]} err={i % 2} text=" for i in range(40)]
    body += [f"conn={2000 + i} op={i % 9} RESULT oid= err=0 text=" for i in range(4)]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"][:40].n_unique() == 1, set(out["template"])
    assert out["template"][40] == "conn=<NUM> op=<NUM> RESULT oid= err=<NUM> text="
    assert out["template_id"][0] != out["template_id"][40]


def test_a_cluster_of_wildcards_does_not_take_in_other_events_of_its_length() -> None:
    """smartd: ``state read from <path>`` / ``state written to <path>`` make a cluster with
    two wildcards; ``starting scheduled Long Self-Test.`` and ``8 Offline uncorrectable
    sectors`` have as many tokens and agree with it only where it holds wildcards: four
    events, not one ``Device: <*> [SAT], <*> <*> <*> <*>``."""
    disks = ["sda", "sdb", "sdc", "sdd", "nvme0"]
    models = ["ST4000VN008-2DR166-ZDH1", "WDC_WD40EFRX-68N32N0-WCC7K", "Samsung_SSD_870-S5Y1NG0R"]
    events = [
        lambda i: f"state read from /var/lib/smartmontools/smartd.{models[i % 3]}{i}.ata.state",
        lambda i: f"state written to /var/lib/smartmontools/smartd.{models[i % 3]}{i}.ata.state",
        lambda i: f"starting scheduled {['Long', 'Short'][i % 2]} Self-Test.",
        lambda i: f"{i % 9 + 1} Offline uncorrectable sectors",
    ]
    body = [f"Device: /dev/{disks[i % 5]} [SAT], {events[i % 4](i)}" for i in range(80)]
    out = mine_templates(pl.DataFrame({"body": body})).with_columns(kind=pl.Series([i % 4 for i in range(80)]))
    per_kind = out.group_by("kind").agg(pl.col("template_id").unique())
    ids = [set(v) for v in per_kind["template_id"].to_list()]
    assert all(not (a & b) for i, a in enumerate(ids) for b in ids[i + 1 :]), set(out["template"])


def test_a_single_quoted_message_key_holds_the_event_text() -> None:
    """auditd's user-space records carry their text in ``msg='op=PAM:accounting ... res=success'``;
    before, that whole text was one quoted value and fifteen record types were one template.
    The record type opening the line (``type=USER_ACCT`` / ``type=SERVICE_START``, an
    UPPER_CASE constant of the same key) is another event, as drain3's tree keeps it."""
    head = "msg=audit(1709969166.{i:03d}:{n}): pid={p} uid=0 auid=0 ses={s} subj=system_u:system_r:crond_t:s0"
    kinds = {
        "USER_ACCT": "op=PAM:accounting grantors=pam_unix,pam_localuser acct=\"{u}\" exe=\"/usr/sbin/crond\" hostname=? addr=? terminal=cron res=success",
        "CRED_DISP": "op=PAM:setcred grantors=pam_env,pam_unix acct=\"{u}\" exe=\"/usr/sbin/crond\" hostname=? addr=? terminal=cron res=success",
        "USER_AUTH": "op=PAM:authentication grantors=? acct=\"{u}\" exe=\"/usr/sbin/sshd\" hostname=10.0.0.{i} addr=10.0.0.{i} terminal=ssh res=failed",
    }
    users = ["root", "svc_backup", "alice", "deploy", "postgres"]
    body, kind_of = [], []
    for i in range(60):
        kind = list(kinds)[i % 3]
        text = kinds[kind].format(u=users[i % 5], i=i)
        body.append(f"type={kind} " + head.format(i=i, n=450000 + i, p=61000 + i, s=i % 30) + f" msg='{text}'")
        kind_of.append(kind)
    out = mine_templates(pl.DataFrame({"body": body})).with_columns(kind=pl.Series(kind_of))
    per_kind = out.group_by("kind").agg(pl.col("template_id").n_unique().alias("n"), pl.col("template_id").first())
    assert per_kind["n"].to_list() == [1, 1, 1], set(out["template"])
    assert per_kind["template_id"].n_unique() == 3, set(out["template"])
    assert any("op=PAM:authentication" in t and "res=failed" in t for t in out["template"])


def test_plus_phone_numbers_numbered_instances_and_words_before_a_double_colon_mask_cleanly() -> None:
    """``sip:+4930...@host`` is the same kind of address as ``sip:8740@host`` (the "+" of a
    phone number stayed outside the mask and split Kamailio's INVITE); Fluent Bit's instance
    names ``tail.0`` / ``systemd.1`` are numbered names, not event names; the ``e::1`` of
    D-Bus's ``system-bus-name::1.42`` is no IPv6 address."""
    body = [
        f"INVITE sip:{callee}@pbx.example.net from sip:{caller}@sip.acme.io call-id {i:08x}@10.0.0.{i}"
        for i, (callee, caller) in enumerate(zip(["+49303392543", "8740", "+4471234567", "2201"] * 5, ["bob", "alice"] * 10, strict=True))
    ]
    assert mine_templates(pl.DataFrame({"body": body}))["template"].n_unique() == 1
    inputs = ["tail.0", "systemd.1", "emitter.0", "tail.1"]
    body = [
        f"[ warn] [engine] failed to flush chunk '1-{1700000000 + i}.{i * 7919 % 1000}.flb', retry in {i % 9 + 1} seconds: "
        f"task_id={i % 5}, input={inputs[i % 4]} > output=es.0 (out_id=0)"
        for i in range(40)
    ]
    assert mine_templates(pl.DataFrame({"body": body}))["template"].n_unique() == 1
    out = mine_templates(pl.DataFrame({"body": ["for system-bus-name::1.4021 [systemctl restart nginx]"]}))
    assert "system-bus-name::" in out["template"][0], out["template"][0]
    assert mine_templates(pl.DataFrame({"body": ["peer fe80::1 and 2001:db8::2:1 up"]}))["template"][0] == "peer <IP> and <IP> up"


def test_labels_opening_messages_of_different_shapes_are_two_events() -> None:
    """``pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)`` and
    ``pam_unix(sudo:session): session opened for user root(uid=0) by heidi(uid=1085)``: the
    label (no digit in it) differs and so does the rest, two events (before, one template
    held every PAM service's sessions whatever their shape). Where the label is all that
    differs it is a variable: keepalived's ``VRRP_Script(<*>) failed``."""
    body = [f"pam_unix(cron:session): session opened for user root(uid=0) by (uid=0) #{i}" for i in range(30)]
    users = ["heidi", "carol", "bob", "trent", "walter", "judy"]
    body += [f"pam_unix(sudo:session): session opened for user root(uid=0) by {u}(uid={1000 + i})" for i, u in enumerate(users * 3)]
    body = [b.rsplit(" #", 1)[0] for b in body]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"][:30].n_unique() == 1, set(out["template"])
    assert out["template_id"][30:].n_unique() == 1, set(out["template"])
    assert out["template_id"][0] != out["template_id"][30], set(out["template"])
    scripts = ["chk_haproxy", "chk_nginx", "check_apiserver"]
    body = [f"VRRP_Script({scripts[i % 3]}) failed (exited with status {i % 4 + 1})" for i in range(30)]
    assert mine_templates(pl.DataFrame({"body": body}))["template"].n_unique() == 1


def test_a_command_line_ending_the_message_after_its_key_is_one_value() -> None:
    """sudo's ``alice : TTY=pts/1 ; PWD=/root ; USER=root ; COMMAND=/usr/bin/kubectl get pods -A``:
    the command's arguments run to the end of the line in any number of words (before, one
    template per command)."""
    commands = [
        "/usr/bin/apt-get update", "/usr/bin/systemctl restart nginx", "/usr/bin/journalctl -u kubelet --since today",
        "/usr/bin/tail -f /var/log/syslog", "/usr/bin/docker ps -a", "/bin/bash", "/usr/bin/kubectl get pods -A",
    ]
    users = ["alice", "deploy", "jenkins", "bob", "carol", "oscar"]
    body = [
        f"{users[i % 6]} : TTY=pts/{i % 5} ; PWD=/home/{users[i % 6]} ; USER=root ; COMMAND={commands[i % 7]}"
        for i in range(84)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template"].n_unique() == 1, set(out["template"])


def test_the_one_word_of_messages_that_are_otherwise_values_names_their_event() -> None:
    """ntpd's peer and system events, ``10.0.0.1 963a 8a sys_peer`` / ``... 84 reachable`` /
    ``0.0.0.0 c615 05 clock_sync``: masking leaves one word, and it is the event however
    many events share the shape (not a four-wildcard template of all of them)."""
    events = ["reachable", "sys_peer", "unreachable", "clock_sync", "freq_mode", "restart"]
    body = [f"10.{i % 7}.{i % 5}.{i % 3 + 1} {0x9000 + i * 37:04x} {0x80 + i % 6:02x} {events[i % 6]}" for i in range(60)]
    out = mine_templates(pl.DataFrame({"body": body})).with_columns(event=pl.Series([i % 6 for i in range(60)]))
    assert out["template_id"].n_unique() == 6, set(out["template"])
    assert out.group_by("event").agg(pl.col("template_id").n_unique())["template_id"].max() == 1
    # more words than an event list holds are a variable's values (user names): one event
    users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar"]
    body = [f"10.0.0.{i} {0x9000 + i:04x} {0x80 + i % 6:02x} {users[i % 12]}" for i in range(48)]
    assert mine_templates(pl.DataFrame({"body": body}))["template_id"].n_unique() == 1


def test_a_quoted_phrase_with_a_blank_before_its_closing_quote_is_one_value() -> None:
    """Junos echoes a command line as typed, with a blank before the closing quote:
    ``UI_CMDLINE_READ_LINE: User 'admin', command 'show bgp summary '``: one event."""
    commands = ["show bgp summary ", "configure private ", "show interfaces terse ", "commit check ", "show route 10.0.0.0/8 exact "]
    body = [f"UI_CMDLINE_READ_LINE: User '{['admin', 'noc'][i % 2]}', command '{commands[i % 5]}'" for i in range(40)]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"].n_unique() == 1, set(out["template"])


def test_a_reason_in_brackets_with_words_after_it_is_one_value() -> None:
    """Argo CD's ``Refreshing app status (<reason>), level (1)``: a reason of several words
    in brackets between the same words before and after, in more than three ways of two or
    more lengths, is one value (the words after it are no opening bracket or quote)."""
    reasons = ["normal refresh requested", "controller refresh requested", "spec.source differs",
               "comparison expired, requesting refresh. reconciledAt: 2024-03-05 10:00:00 UTC, expiry: 3m0s",
               "comparison expired. reconciledAt: never"]
    body = [f'msg="Refreshing app status ({reasons[i % 5]}), level ({i % 3})" application=argocd/app-{i}' for i in range(50)]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"].n_unique() == 1, set(out["template"])


def test_cache_keys_made_of_colon_parts_are_one_variable_of_a_short_message() -> None:
    """memcached ``-vv``: ``<28 get feed:home:alice``, ``<28 get geo:countries``... (a key's
    parts joined by colons, as by dots or dashes, make a name): more than three such keys
    after the same words are one event, with the keys that hold digits."""
    keys = ["cfg.flags", "feed:home:alice", "page:/index.html", "geo:countries", "homepage:hero", "tpl:footer"]
    body = [f"<{20 + i % 9} get {keys[i % 6]}" for i in range(60)] + [f"<{20 + i % 9} get cart_{i * 13}" for i in range(20)]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"].n_unique() == 1, set(out["template"])


def test_keys_that_replace_one_another_name_events() -> None:
    """OpenVPN's ``peer info: IV_VER=2.6.8`` / ``IV_PLAT=win`` / ``IV_PROTO=6``: the key is
    the event, its value the variable, however many values each key takes (probe AK)."""
    values = {
        "IV_VER": ["2.6.8", "2.5.9", "3.git::d3f8b18b", "2.6.0"],
        "IV_PLAT": ["win", "linux", "mac", "ios", "android"],
        "IV_PROTO": ["6", "990", "2974", "30"],
        "IV_GUI_VER": ["OpenVPN_GUI_11", "net.openvpn.connect.android_3.3.4", "Tunnelblick_4.0.1"],
    }
    body = [
        f"10.8.{i % 9}.{i % 200}:{40000 + i} peer info: {key}={vals[i % len(vals)]}"
        for i in range(160)
        for key, vals in [list(values.items())[i % 4]]
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    by_key = {key: set(out.filter(pl.Series(body).str.contains(f" {key}="))["template"]) for key in values}
    assert all(len(t) == 1 for t in by_key.values()), by_key
    assert len(set().union(*by_key.values())) == 4, by_key
    assert by_key["IV_PLAT"] == {"<IP> peer info: IV_PLAT=<*>"}


def test_an_outcome_keys_few_words_name_events() -> None:
    """Keycloak's ``error=user_not_found`` / ``error=invalid_user_credentials``: a few plain
    words after a key naming an outcome are as many failures, not one variable; the user
    name beside them stays a variable."""
    errors = ["invalid_user_credentials", "user_not_found", "user_temporarily_disabled", "expired_code"]
    users = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan"]
    body = [
        f"type=LOGIN_ERROR, realmId=shop, clientId=web, userId=null, ipAddress=10.1.{i % 50}.{i % 250}, "
        f"error={errors[i % 4]}, auth_method=openid-connect, username={users[i % 9]}"
        for i in range(200)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"].n_unique() == 4, set(out["template"])
    assert "error=user_not_found, auth_method=openid-connect, username=<*>" in out["template"][1]


def test_a_number_with_thousands_separators_is_one_number() -> None:
    """Cassandra's ``Compacted ... in 22,719ms`` and ``in 719ms``: one template, and the
    duration's value is read whole."""
    body = [
        f"Compacted (task id: x, compaction history id: y) {n} sstables to [/data/nb-{i}-big,] "
        f"to level=0. {size} to {size}. in {ms}ms. Row Throughput = ~{rows}/s."
        for i, (n, size, ms, rows) in enumerate(
            [(4, "12.3MiB", "22,719", "1,234"), (2, "1.2MiB", "719", "512"), (3, "4.5MiB", "1,003,120", "12,345")] * 20
        )
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"].n_unique() == 1, set(out["template"])
    template = out["template"][0]
    assert "in <DURATION>." in template, template
    params = out["params"][2].to_list()
    assert "1,003,120ms" in params, params


def test_a_fully_qualified_name_and_newer_top_level_domains_are_hosts() -> None:
    """DNS servers log names with their root dot (``api.github.com.``); ``.xyz`` and
    ``.cloud`` are top-level domains too."""
    body = ["checking host status.hooli.xyz now", "checking host api.vendor.cloud now"]
    body += [f"resolving name {n} quickly" for n in ("api.github.com.", "orders.default.svc.cluster.local.")]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert set(out["template"]) == {"checking host <HOST> now", "resolving name <HOST> quickly"}


def test_upper_case_event_names_joined_by_dashes_split_like_underscored_ones() -> None:
    """hostapd's control events (``AP-STA-CONNECTED``, ``EAPOL-4WAY-HS-COMPLETED``) after an
    interface name are events, as ``SERVICE_START`` is (probe AO: six events had been one
    ``<*>: <*> <MAC>``); a ticket's number (``INC-1234``) stays a variable."""
    rng = np.random.default_rng(3)
    counts = {"AP-STA-CONNECTED": 200, "EAPOL-4WAY-HS-COMPLETED": 80, "AP-STA-DISCONNECTED": 70,
              "AP-STA-POSSIBLE-PSK-MISMATCH": 30, "CTRL-EVENT-EAP-STARTED": 20, "CTRL-EVENT-EAP-SUCCESS": 15}
    events = [e for e, n in counts.items() for _ in range(n)]
    rng.shuffle(events)
    ifaces = ["wlan0", "wlan1", "phy0-ap0", "wlan0-1", "wlan1-1"]
    body = [
        f"{ifaces[rng.integers(0, 5)]}: {e} " + ":".join(f"{b:02x}" for b in rng.integers(0, 256, 6))
        for e in events
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out.group_by("template").agg(pl.col("body").str.split(" ").list.get(1).n_unique().alias("n"))["n"].max() == 1
    assert out["template"].n_unique() >= 6
    body = [f"ticket INC-{1000 + 7 * i} assigned to team {t}" for i, t in zip(range(24), ["ops", "dba", "net"] * 8, strict=True)]
    assert mine_templates(pl.DataFrame({"body": body}))["template"].n_unique() <= 3


def test_generated_ids_of_mixed_letters_and_digits_are_one_variable() -> None:
    """sendmail's queue ids (``48beD0t1020463:``) opening a short message: two of them in
    ``<qid>: <qid>: DSN: User unknown`` had made every line its own event (probe AO: 20
    groups for one event); a name with a digit in it (``IPv4``, ``eth0``) stays a word."""
    rng = np.random.default_rng(5)
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

    def qid() -> str:
        return f"{rng.integers(30, 50)}{''.join(rng.choice(list(chars), 5))}{rng.integers(0, 10)}{rng.integers(10**5, 10**6)}"

    body = [f"{qid()}: {qid()}: DSN: User unknown" for _ in range(20)]
    body += [f"{qid()}: clone {qid()}, owner=alice@example.com" for _ in range(12)]
    body += ["link eth0 up", "link eth1 up", "interface IPv4Address set", "interface IPv6Address set"]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template"].head(32).n_unique() == 2
    assert out["template"].tail(4).n_unique() >= 2


def test_upper_case_constants_instead_of_a_value_are_events() -> None:
    """A resolver's answers: ``reply <HOST> is <IP>``, and instead of the address a
    failure, ``NXDOMAIN`` or ``NODATA-IPv6`` (probe AO: dnsmasq's failures were one event
    with its answers); a word that varies in place of a value stays a variable."""
    rng = np.random.default_rng(11)
    hosts = ["api.example.com", "cdn.vendor.net", "mail.corp.org", "s3.wikipedia.de"]
    body = []
    for _ in range(120):
        h = hosts[rng.integers(0, 4)]
        answer = rng.choice(["ip", "ip", "ip", "NXDOMAIN", "NODATA-IPv6"])
        body.append(f"reply {h} is " + (".".join(str(b) for b in rng.integers(1, 255, 4)) if answer == "ip" else str(answer)))
    out = mine_templates(pl.DataFrame({"body": body}))
    assert set(out["template"]) == {"reply <HOST> is <IP>", "reply <HOST> is NXDOMAIN", "reply <HOST> is NODATA-IPv6"}


def test_the_query_string_of_a_request_line_is_a_variable_its_path_is_not() -> None:
    """InfluxDB's access lines in its own log: ``"POST /write?db=..."`` and ``"POST
    /query?db=..."`` are two endpoints (probe AO: one event, the whole token a variable)."""
    rng = np.random.default_rng(2)
    body = []
    for i in range(80):
        path = "/write" if rng.random() < 0.8 else "/query"
        query = "&".join(f"{k}={v}" for k, v in (("db", rng.choice(["telegraf", "k8s"])), ("precision", rng.choice(["ns", "s"])))[: 1 + i % 2])
        body.append(f'[httpd] 10.0.0.{i % 9 + 1} - - [01/Mar/2024:07:58:{i % 60:02d} +0000] "POST {path}?{query} HTTP/1.1" 204 0 "-" "Telegraf" {1000 + i}')
    out = mine_templates(pl.DataFrame({"body": body}))
    templates = set(out["template"])
    assert len(templates) == 2
    assert all("?<QUERY> HTTP/" in t for t in templates)


def test_a_constant_with_its_argument_in_parentheses_names_the_event_not_the_argument() -> None:
    """dnsmasq's ``DHCPREQUEST(br-lan)``: the interface in parentheses varies, the upper-case
    name is the event (probe AO: split by interface, and the VLAN interfaces' events of three
    kinds, ``DHCPACK(eth0.10)`` / ``DHCPOFFER(eth0.20)``, were one event)."""
    rng = np.random.default_rng(4)
    ifaces = ["br-lan", "br-guest", "wlan0", "eth0.10", "eth0.20"]
    events = ["DHCPREQUEST", "DHCPOFFER", "DHCPACK"]
    body = [
        f"{events[rng.integers(0, 3)]}({ifaces[rng.integers(0, 5)]}) 192.168.1.{rng.integers(2, 250)} "
        + ":".join(f"{b:02x}" for b in rng.integers(0, 256, 6))
        for _ in range(150)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert set(out["template"]) == {f"{e}(<*>) <IP> <MAC>" for e in events}


def test_labels_before_a_value_name_their_events_a_slot_opening_the_line_does_not() -> None:
    """sssd's request data, one line per label (``command: <*>``, ``user: <*>``): the labels
    are events, as keys are (probe AR: one event of four); HTCondor's ``slot1_4:`` opening a
    line is a slot's name, a variable."""
    rng = np.random.default_rng(8)
    labels = {"command:": ["sshd", "sudo", "login"], "user:": ["alice", "bob", "carol", "dave"],
              "service:": ["sshd", "sudo"], "rhost:": ["10.0.0.5", "gw.example.com", "(null)"]}
    body = []
    for _ in range(120):
        label = list(labels)[rng.integers(0, 4)]
        body.append(f"[pam_print_data] (0x0100): {label} {labels[label][rng.integers(0, len(labels[label]))]}")
    slots = [f"slot1_{i}:" for i in range(1, 7)]
    body += [f"{slots[rng.integers(0, 6)]} Request accepted." for _ in range(40)]
    out = mine_templates(pl.DataFrame({"body": body}))
    top = out.head(120).group_by("template").agg(pl.col("body").str.split(" ").list.get(2).n_unique().alias("n"))
    assert top.height == 4
    assert top["n"].max() == 1
    assert out.tail(40)["template"].n_unique() == 1


def test_a_ruby_hash_arrow_before_a_number_stays() -> None:
    """Logstash prints Ruby hashes, ``{:status=>503, :code=>12}``: the ``>`` is the arrow's,
    not a comparison taken into the number (probe AR: ``{:status=<NUM>,``)."""
    body = ["Retrying failed action {:status=>503, :code=>12}", "Retrying failed action {:status=>429, :code=>7}",
            "x=-3 y=<5 pid=<0.849.0>"]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template"][0] == "Retrying failed action {:status=><NUM>, :code=><NUM>}"
    assert out["template"][2] == "x=<NUM> y=<NUM> pid=<NUM>"


def test_generated_client_ids_are_one_variable_beside_a_few_plain_names() -> None:
    """Mosquitto's ``Client <id> disconnected.``: paho's generated ids (``paho8573932979470``),
    node-red's and uuid-like ones are one variable, even beside a few plain client names
    that stay apart (probe AU: every paho id was a one-line template of its own)."""
    rng = np.random.default_rng(5)
    body = []
    for _ in range(200):
        kind = rng.integers(0, 5)
        client = {
            0: f"paho{rng.integers(10**12, 10**13)}",
            1: f"node-red-{rng.integers(1, 9)}",
            2: f"tasmota_{rng.integers(0, 16**6):06X}",
            3: "homeassistant",
            4: "zigbee2mqtt",
        }[int(kind)]
        body.append(f"Client {client} disconnected.")
    out = mine_templates(pl.DataFrame({"body": body}))
    paho = out.filter(pl.col("body").str.starts_with("Client paho"))
    assert paho["template"].unique().to_list() == ["Client <*> disconnected."]
    assert out.filter(pl.col("body").str.contains("node-red|tasmota"))["template"].unique().to_list() == ["Client <*> disconnected."]


def test_a_quoted_request_with_escaped_quotes_is_one_value() -> None:
    """etcd prints its request with Go's %q: ``"key:\\"/registry/pods/x\\" range_end:\\"...\\"
    count_only:true "``: one quoted value, not paths whose backslashes split the quotes
    (probe AU: two events by the request's shape)."""
    rng = np.random.default_rng(3)
    body = []
    for i in range(60):
        key = f'key:\\"/registry/{rng.choice(["pods", "leases", "configmaps"])}/default/app-{i}\\"'
        request = key + (f' range_end:\\"/registry/pods/default/app-{i}0\\" count_only:true' if i % 2 else "") + " "
        body.append(f'read-only range request "{request}" with result "range_response_count:{i} size:{100 + i}" took too long ({300 + i}.5ms) to execute')
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template"].unique().to_list() == [
        'read-only range request "<STR>" with result "<STR>" took too long (<DURATION>) to execute'
    ]


def test_a_template_keeps_the_structure_its_values_share() -> None:
    """Where values differ inside one token of brackets and commas, the template keeps the
    keys and marks they share: containerd's ``&PodSandboxMetadata{Name:<*>,Uid:<UUID>,
    Namespace:<*>,Attempt:<NUM>,}``, Asterisk's ``<*>("PJSIP/<NUM>-<HEX>",`` (probe AU: the
    keys in the middle and the call's bracket were lost)."""
    rng = np.random.default_rng(8)
    body = []
    for i in range(40):
        pod = rng.choice(["coredns-5d78c9869d-f1496", "api-server-47052", "kube-proxy-3ee3c"])
        ns = rng.choice(["default", "monitoring", "kube-system"])
        body.append(
            f"RunPodSandbox for &PodSandboxMetadata{{Name:{pod},Uid:{uuid.UUID(int=int(rng.integers(1, 2**62)))},"
            f"Namespace:{ns},Attempt:{i % 4},}}"
        )
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template"].unique().to_list() == [
        "RunPodSandbox for &PodSandboxMetadata{Name:<*>,Uid:<UUID>,Namespace:<*>,Attempt:<NUM>,}"
    ]
    assert (out["params"].list.len() > 0).all()


def test_a_few_camel_case_calls_opening_the_message_are_events() -> None:
    """containerd's CRI calls, ``StartContainer for "<id>" returns successfully`` and
    ``StopContainer ...``, are events of their own, as drain3's tree keeps them (probe AU:
    one event ``<*> for ... returns successfully``)."""
    rng = np.random.default_rng(4)
    calls = ["StartContainer", "StopContainer", "RemoveContainer", "StopPodSandbox"]
    body = [f'{calls[int(rng.integers(0, 4))]} for "{rng.bytes(32).hex()}" returns successfully' for _ in range(120)]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert set(out["template"]) == {f'{c} for "<HEX>" returns successfully' for c in calls}


def test_an_upper_case_identifier_with_digits_beside_masked_ones_is_the_same_variable() -> None:
    """Postfix's ``... with cipher <cipher>``: OpenSSL's ``ECDHE-RSA-AES128-GCM-SHA256``
    beside TLS 1.3's ``TLS_AES_256_GCM_SHA384`` (an ``<ID>``) is one more cipher, not an
    event of its own (probe AZ: 800 lines never one group); a resolver's ``NXDOMAIN``
    beside its answers' addresses still is."""
    rng = np.random.default_rng(3)
    ciphers = ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"]
    body = [
        f"Anonymous TLS connection established from mx{i}.example.org[10.1.{i % 250}.{i % 7 + 1}]: "
        f"TLSv1.{2 + i % 2} with cipher {ciphers[rng.integers(0, 3)]} (256/256 bits)"
        for i in range(120)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template"].n_unique() == 1
    answers = [f"reply host{i}.example.com is 10.0.{i % 200}.{i % 9 + 1}" for i in range(60)]
    answers += [f"reply host{i}.example.com is NXDOMAIN" for i in range(20)]
    out = mine_templates(pl.DataFrame({"body": answers}))
    assert out["template"].n_unique() == 2


def test_a_word_closing_its_clause_before_a_constant_is_no_label() -> None:
    """Pacemaker's ``... after failed <op>: rc=<n> ...``: the operation (start, stop,
    monitor, promote, demote) is a variable, though each value ends in a colon as a
    label does; a label is followed by its value, which varies (probe AZ: 10 groups)."""
    rng = np.random.default_rng(4)
    ops = ["start", "stop", "monitor", "promote", "demote"]
    body = [
        f"Updating failcount for {['vip-db', 'pgsql-ha', 'ping-gw', 'fs-data', 'nfs-share', 'fence-node1', 'www', 'redis'][rng.integers(0, 8)]} "
        f"on pcmk-{['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'][rng.integers(0, 6)]} "
        f"after failed {ops[rng.integers(0, 5)]}: rc={rng.integers(0, 8)} (update=value++, time={rng.integers(10**6, 10**8)})"
        for _ in range(100)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template"].unique().to_list() == [
        "Updating failcount for <*> on pcmk-<*> after failed <*>: rc=<NUM> (update=value++, time=<NUM>)"
    ]


def test_a_duration_of_several_units_and_a_command_line_are_one_value() -> None:
    """systemd's ``Consumed 37min 30.623s CPU time`` beside ``Consumed 884ms CPU time`` is one
    event, and so is sudo's ``COMMAND=`` with any number of arguments, and cron's ``CMD
    (...)`` (probe BB: sudo 94-135 groups for 21 events, systemd's durations split)."""
    rng = np.random.default_rng(5)
    durations = ["884ms", "37min 30.623s", "58.138s", "1min 2.5s", "2h 3min", "1d 2h 5min 1.001s", "12.001s"]
    units = ["backup-db", "certbot", "logrotate", "apt-daily", "fstrim", "man-db", "e2scrub"]
    body = [f"{units[rng.integers(0, 7)]}.service: Consumed {durations[rng.integers(0, 7)]} CPU time." for _ in range(80)]
    commands = ["/usr/bin/systemctl restart nginx", "/bin/bash", "/usr/bin/journalctl -u docker --since today", "/usr/bin/apt-get update", "/bin/ps -a"]
    users = ["alice", "bob", "deploy", "jdoe", "mwilson"]
    body += [
        f"{users[rng.integers(0, 5)]} : TTY=pts/{rng.integers(0, 9)} ; PWD=/home/{users[rng.integers(0, 5)]} ; USER=root ; "
        f"COMMAND={commands[rng.integers(0, 5)]}"
        for _ in range(80)
    ]
    jobs = ["run-parts /etc/cron.hourly", "/usr/lib/php/sessionclean", "test -x /usr/sbin/anacron || ( cd / && run-parts --report /etc/cron.daily )"]
    body += [f"({users[rng.integers(0, 5)]}) CMD ({jobs[rng.integers(0, 3)]})" for _ in range(60)]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert sorted(out["template"].unique().to_list()) == [
        "(<*>) CMD (<CMD>)",
        "<*> : TTY=pts/<NUM> ; PWD=<PATH> ; USER=root ; COMMAND=<CMD>",
        "<*>: Consumed <DURATION> CPU time.",
    ]
    for template, params, line in out.select("template", "params", "body").iter_rows():
        assert norm(reconstruct(template, params)) == line


def test_user_agents_escaped_quotes_and_entity_names_keep_one_event_each() -> None:
    """Three ways one event became many (a blind probe of twelve systems): a quoted user agent
    of any number of words (Caddy's, Varnish's request lines) is one value; the path mask
    stops before the backslash escaping a quote (``Stat(\\"/a/b\\")`` keeps ``\\"``); a
    connector's dashed name and a task's Java class are entities however few a log shows
    (Kafka Connect's ``Connector orders-cdc config updated``). Dashed names that share their
    first part stay events (Hadoop's ``The job-conf file`` / ``The job-jar file``)."""
    agents = [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        "curl/8.4.0",
        "kube-probe/1.29",
        "Go-http-client/1.1",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) Mobile/15E148",
    ]
    body = [
        f'10.0.0.{i} - - "GET /api/v1/items/{i} HTTP/1.1" 200 {100 + i} "-" "{agents[i % 5]}"' for i in range(40)
    ]
    assert mine_templates(pl.DataFrame({"body": body}))["template"].n_unique() == 1
    body = [f'filesystem: Path not found: Stat(\\"/var/lib/registry/docker/{i}/data\\") in driver' for i in range(12)]
    template = mine_templates(pl.DataFrame({"body": body}))["template"][0]
    assert '\\"' in template.split("Stat(", 1)[1], template
    connectors = ["orders-cdc", "pg-users-source", "s3-archive-sink"]
    classes = ["io.debezium.connector.mysql.MySqlConnectorTask", "io.confluent.connect.s3.S3SinkTask"]
    body = [f"Connector {connectors[i % 3]} config updated (generation {i})" for i in range(30)]
    body += [f"Instantiated task {connectors[i % 3]}-{i % 4} with version 2.{i % 3} of type {classes[i % 2]}" for i in range(30)]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"][:30].n_unique() == 1, set(out["template"])
    assert out["template_id"][30:].n_unique() == 1, set(out["template"])
    body = [f"The job-{kind} file on the remote FS is hdfs://nn:9000/staging/job_{i}/job.{kind[:3]}" for i, kind in enumerate(["conf", "jar"] * 10)]
    assert mine_templates(pl.DataFrame({"body": body}))["template"].n_unique() == 2


def test_a_quoted_variable_keeps_the_backslash_escaping_its_closing_quote() -> None:
    """kubelet quotes names inside its quoted message as ``volume \\"data\\"``: the
    template keeps both escapes, ``volume \\"<*>\\"`` (a blind probe lost the closing one
    to the variable's consensus of ``data\\`` and ``kube-api-access-x\\``), and the value
    extracted is the name alone."""
    volumes = ["data", "kube-api-access-qbmb7", "config-volume", "tls-certs"]
    body = [
        f'"MountVolume.SetUp succeeded for volume \\"{volumes[i % 4]}\\" (UniqueName: '
        f'\\"kubernetes.io/secret/{uuid.UUID(int=i)}-{volumes[i % 4]}\\") pod \\"web-{i}\\"" pod="default/web-{i}"'
        for i in range(24)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"].n_unique() == 1, set(out["template"])
    template = out["template"][0]
    assert 'volume \\"<*>\\" (UniqueName: \\"' in template, template
    assert "data" in out["params"][0].to_list(), out["params"][0]


def test_an_error_keys_quoted_text_is_the_events_text() -> None:
    """klog's ``err="..."`` and a probe's ``output="..."`` hold the error's own text: a crash
    loop and an image pull failure are two events, not one ``err="<*>"`` (their pods,
    durations and addresses still masked)."""
    pods = [f"shop/api-{i:05x}-{i % 7}x9kq" for i in range(40)]
    body = [
        f'"Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"api\\" with CrashLoopBackOff: '
        f'\\"back-off {10 * (1 + i % 5)}s restarting failed container=api pod={p}\\"" pod="{p}"'
        for i, p in enumerate(pods[:20])
    ]
    body += [
        f'"Error syncing pod, skipping" err="failed to \\"StartContainer\\" for \\"api\\" with ImagePullBackOff: '
        f'\\"Back-off pulling image \\\\\\"registry.example.com/api:v2.{i}.1\\\\\\"\\"" pod="{p}"'
        for i, p in enumerate(pods[20:])
    ]
    body += [
        f'"Probe failed" probeType="Readiness" pod="{p}" output="Get \\"http://10.0.{i}.7:8080/ready\\": dial tcp 10.0.{i}.7:8080: connect: connection refused"'
        for i, p in enumerate(pods[:10])
    ]
    body += [
        f'"Probe failed" probeType="Readiness" pod="{p}" output="Get \\"http://10.0.{i}.7:8080/ready\\": context deadline exceeded"'
        for i, p in enumerate(pods[10:20])
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    ids = out["template_id"]
    seen = set(out["template"])
    assert ids[:20].n_unique() == 1, seen
    assert ids[20:40].n_unique() == 1, seen
    assert ids[0] != ids[20], seen
    assert "CrashLoopBackOff" in out["template"][0]
    assert "ImagePullBackOff" in out["template"][20]
    assert ids[40:50].n_unique() == 1, seen
    assert ids[50:].n_unique() == 1, seen
    assert ids[40] != ids[50], seen
    assert "connection refused" in out["template"][40]


def test_a_host_name_inside_escaped_quotes_is_one_host() -> None:
    """klog escapes the quotes of a name inside its quoted message: the node's name before
    ``\\"`` is a <HOST>, as between plain quotes (not ``ip-<NUM>-<NUM>-...``)."""
    body = [
        f'"Volume detached for volume \\"data\\" on node \\"ip-10-0-{i % 9}-{i}.eu-west-1.compute.internal\\" DevicePath \\"\\""'
        for i in range(30)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template"].unique().to_list() == ['"Volume detached for volume \\"data\\" on node \\"<HOST>\\" DevicePath \\"\\""']


def test_a_message_ending_in_a_colon_is_another_event() -> None:
    """Blind probe BM: RabbitMQ's routine close, "closing AMQP connection <0.9.0> (a -> b,
    vhost: '/', user: 'bob')", and its abrupt close, the same words ending "'bob'):" before
    the reason on the next line, were one template "... user: '<*>')<*>": the WARN drops hid
    among the INFO closes. The closing colon says more follows: another event."""
    users = ["alice", "bob", "carol", "svc_orders", "svc_billing"]
    body = [
        f"closing AMQP connection <0.{900 + i}.0> (10.0.0.{i % 250}:{40000 + i} -> 10.0.1.5:5672, "
        f"vhost: '/', user: '{users[i % 5]}')" + (":" if i % 3 == 0 else "")
        for i in range(300)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    abrupt = pl.Series(body).str.ends_with(":")
    assert out.filter(abrupt)["template_id"].n_unique() == 1
    assert out.filter(~abrupt)["template_id"].n_unique() == 1
    assert set(out.filter(abrupt)["template_id"]).isdisjoint(out.filter(~abrupt)["template_id"])
    assert out.filter(~abrupt)["template"][0].endswith("user: '<*>')")


def test_a_signal_and_its_reason_in_brackets_name_the_event() -> None:
    """Blind probe BM: OpenVPN's "SIGUSR1[soft,ping-restart] received" (a client timed out)
    and "SIGUSR1[soft,tls-error] received" (its handshake failed) were one template,
    "SIGUSR1[soft,<*>]": words in brackets and commas, no variable in any, name the event
    as plain words do."""
    body = [
        (f"client{i % 9}/10.{i % 7}.{i % 50}.{i % 200}:{40000 + i} SIGUSR1[soft,ping-restart] received, client-instance restarting"
         if i % 2 else f"10.{i % 7}.{i % 50}.{i % 200}:{40000 + i} SIGUSR1[soft,tls-error] received, client-instance restarting")
        for i in range(120)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"].n_unique() == 2
    assert out.filter(pl.Series(body).str.contains("tls-error"))["template"].unique().to_list() == [
        "<IP> SIGUSR1[soft,tls-error] received, client-instance restarting"
    ]


def test_the_method_of_a_request_line_inside_a_message_is_data() -> None:
    """Blind probe BM: Apache's "AH00126: Invalid URI in request GET /x HTTP/1.1" made one
    template per HTTP method (the few-upper-case-words rule). In a request line, method,
    path and protocol, the method is the request's data; an access log's "GET <PATH> <NUM>"
    (no protocol after the path) keeps it as the event's word."""
    methods = ["GET", "POST", "HEAD", "PUT"]
    body = [
        f"[client 10.0.0.{i}:{5000 + i}] AH00126: Invalid URI in request {methods[i % 4]} /x{i}/../etc HTTP/1.1"
        for i in range(40)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template"].unique().to_list() == ["[client <IP>] AH00126: Invalid URI in request <*> <PATH> HTTP/<NUM>"]
    access = [f"{methods[i % 2]} /api/orders/{i} {200 + (i % 3)}" for i in range(40)]
    assert mine_templates(pl.DataFrame({"body": access}))["template_id"].n_unique() == 2


def test_what_a_program_wrote_to_stderr_is_the_events_text() -> None:
    """Blind probe BM: nginx quotes what PHP-FPM wrote to stderr, "FastCGI sent in stderr:
    "PHP message: PHP Fatal error: ..." while reading response header ...". The quoted text
    was one <STR> (a PHP fatal error, a warning and a notice one template: the fatal hidden
    among the warnings) or cut at its inner quote. Like a message key's quoted value, it is
    the event's text."""
    kinds = [
        'PHP message: PHP Warning:  Undefined array key "id" in /var/www/app/index.php on line 42',
        "PHP message: PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in /var/www/app/db.php:17",
        "PHP message: PHP Notice:  Undefined variable: user in /var/www/app/view.php on line 9",
    ]
    body = [
        f'*{1000 + i} FastCGI sent in stderr: "{kinds[i % 3]}" while reading response header from upstream, '
        f'client: 10.0.0.{i % 200}, server: shop.example.com, request: "GET /p/{i} HTTP/1.1", '
        f'upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "shop.example.com"'
        for i in range(90)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"].n_unique() == 3
    fatal = out.filter(pl.Series(body).str.contains("Fatal error"))["template"].unique().to_list()
    assert len(fatal) == 1
    assert "PHP Fatal error: Uncaught PDOException" in fatal[0]


def test_a_signed_event_name_opening_a_message_is_the_event() -> None:
    """Blind probe BO: Redis Sentinel opens each line with its event, "+sdown master mymaster
    10.0.0.7 6379", "-sdown ...", "+odown ...", "+failover-state-select-slave ...": more than
    the few words a position may hold, they were one "<*> master mymaster <IP> <NUM>", a
    failover not to be told from a replica's flap."""
    events = ["+sdown", "-sdown", "+odown", "-odown", "+try-failover", "+failover-state-select-slave",
              "+failover-end", "+switch-master", "+reboot", "+convert-to-slave"]
    body = [f"{events[i % len(events)]} master mymaster 10.0.0.{i % 9} 6379" for i in range(300)]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"].n_unique() == len(events)
    assert out.filter(pl.Series(body).str.starts_with("+sdown"))["template"].unique().to_list() == [
        "+sdown master mymaster <IP> <NUM>"
    ]


def test_a_result_code_glued_to_its_status_names_the_outcome() -> None:
    """Blind probe BO: Squid's access log holds a dozen and more cache result codes, each
    glued to the status, TCP_MISS/200, TCP_DENIED/403, TCP_TUNNEL/200: more than the few
    words a position may hold, so denials were one template with cache hits."""
    codes = ["TCP_MISS", "TCP_HIT", "TCP_MEM_HIT", "TCP_DENIED", "TCP_REFRESH_UNMODIFIED", "TCP_REFRESH_MODIFIED",
             "TCP_MISS_ABORTED", "TCP_NEGATIVE_HIT", "TCP_INM_HIT", "TCP_CLIENT_REFRESH_MISS"]
    body = [
        f"{100 + i} 10.0.{i % 7}.{i % 200} {codes[i % len(codes)]}/{403 if codes[i % len(codes)] == 'TCP_DENIED' else 200} "
        f"{3000 + i} GET http://example.com/p/{i} - HIER_NONE/- text/html"
        for i in range(400)
    ]
    out = mine_templates(pl.DataFrame({"body": body}))
    assert out["template_id"].n_unique() == len(codes)
    denied = out.filter(pl.Series(body).str.contains("TCP_DENIED"))["template"].unique().to_list()
    assert denied == ["<NUM> <IP> TCP_DENIED/<NUM> <NUM> GET <URL> - HIER_NONE/- text/html"]
