"""``rcakit templates``: the command-line contract (also how rcakit is evaluated)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from rcakit.cli import main

LINES = [
    "Failed password for root from 10.0.0.1 port 22 ssh2",
    "Failed password for admin from 10.0.0.7 port 2201 ssh2",
    "",
    "Accepted publickey for deploy from 192.168.1.5 port 50022 ssh2",
    "Connection closed by 10.0.0.9 [preauth]",
    "Failed password for oracle from 10.0.0.8 port 4022 ssh2",
    "\x1b]0;owned\x07Connection closed by 10.0.0.3 [preauth]",
    "Accepted publickey for ci from 192.168.1.6 port 50023 ssh2",
]


@pytest.fixture
def msgs(tmp_path: Path) -> Path:
    path = tmp_path / "msgs.txt"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    return path


def run(args: list[str]) -> object:
    result = CliRunner().invoke(main, args, catch_exceptions=True)
    return result


def test_raw_templates_and_assignments(msgs: Path, tmp_path: Path) -> None:
    out, assign = tmp_path / "t.csv", tmp_path / "out.csv"
    result = run(["templates", str(msgs), "--format", "raw", "--assignments", str(assign), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    table = pl.read_csv(out)
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
    rows = pl.read_csv(assign, schema_overrides={"template": pl.String})
    assert rows.columns == ["source", "line_no", "template_id", "template"]
    # one row per input line, in order, every one with a template id
    assert rows["line_no"].to_list() == list(range(1, len(LINES) + 1))
    assert rows["template_id"].null_count() == 0
    assert table["count"].sum() == len(LINES)
    failed = rows.filter(pl.col("line_no").is_in([1, 2, 6]))["template_id"]
    assert failed.n_unique() == 1
    closed = rows.filter(pl.col("line_no").is_in([5, 7]))
    assert closed["template_id"].n_unique() == 1
    assert "\x1b" not in out.read_text()
    assert "\x07" not in out.read_text()
    # the assignments use Loghub's <*> for every variable; templates.csv keeps named tokens
    named = dict(zip(table["template_id"], table["template"], strict=True))
    assert not rows["template"].str.contains(r"<[A-Z][A-Z0-9_]*>").any()
    for tid, text in zip(rows["template_id"], rows["template"], strict=True):
        assert re.sub(r"<[A-Z][A-Z0-9_]*>", "<*>", named[tid]) == text
    assert any(re.search(r"<[A-Z]+>", t) for t in table["template"])


def test_state_round_trip_keeps_ids(msgs: Path, tmp_path: Path) -> None:
    state = tmp_path / "miner.json"
    a1, a2 = tmp_path / "a1.csv", tmp_path / "a2.csv"
    first = run(["templates", str(msgs), "--format", "raw", "--save-state", str(state), "--assignments", str(a1), "-o", str(tmp_path / "t1.csv")])
    assert first.exit_code == 0, first.output
    assert json.loads(state.read_text())["format"] == "rcakit.template_miner"
    second = run(["templates", str(msgs), "--format", "raw", "--state", str(state), "--assignments", str(a2), "-o", str(tmp_path / "t2.csv")])
    assert second.exit_code == 0, second.output
    assert pl.read_csv(a1)["template_id"].to_list() == pl.read_csv(a2)["template_id"].to_list()


@pytest.mark.parametrize(
    "content",
    [b"not json at all", b'{"py/object": "os.system"}', b'{"format": "rcakit.template_miner", "schema_version": 7}'],
)
def test_bad_state_file_is_a_user_error(msgs: Path, tmp_path: Path, content: bytes) -> None:
    state = tmp_path / "bad.json"
    state.write_bytes(content)
    result = run(["templates", str(msgs), "--format", "raw", "--state", str(state), "-o", str(tmp_path / "t.csv")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "bad.json" in result.output


def test_missing_input_is_a_user_error(tmp_path: Path) -> None:
    result = run(["templates", str(tmp_path / "nope.log"), "-o", str(tmp_path / "t.csv")])
    assert result.exit_code == 2
    assert "nope.log" in result.output


def test_stdout_output(msgs: Path) -> None:
    result = run(["templates", str(msgs), "--format", "raw"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("template_id,template,count")


def test_warnings_are_one_plain_line_each(tmp_path: Path) -> None:
    # a reader warning (invalid UTF-8) reaches the user as "warning: ...", not as Python's
    # "file.py:90: RcakitWarning: ..." with a source line under it
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"caf\xe9 latte ordered 3\nhello \xff\xfe world 4\n")
    result = run(["templates", str(bad), "--format", "raw", "-o", str(tmp_path / "t.csv")])
    assert result.exit_code == 0, result.output
    assert "warning: " in result.stderr
    assert "invalid UTF-8" in result.stderr
    assert "RcakitWarning" not in result.stderr
