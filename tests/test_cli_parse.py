"""``rcakit parse``: outputs by extension, --summary, and user errors without tracebacks."""

from __future__ import annotations

import gzip
import json

import polars as pl
from click.testing import CliRunner

from rcakit.cli import main
from rcakit.schemas import LOG_RECORDS

JAVA = (
    "2024-01-02 03:04:05,123 ERROR [main] com.shop.pay.RiskScorer - score failed\n"
    "java.lang.NullPointerException: null\n"
    "\tat com.shop.pay.RiskScorer.score(RiskScorer.java:42)\n"
    "2024-01-02 03:04:06,000 INFO [main] com.shop.pay.App - ok\n"
    "\x1b]0;owned\x07=== banner ===\n"
)
SYSLOG = "<34>Oct 11 22:14:15 mymachine su[123]: failed\n<13>Oct 11 22:14:16 mymachine cron[9]: ok\n"


def make_inputs(tmp_path):
    d = tmp_path / "exports"
    d.mkdir()
    (d / "payment.log").write_text(JAVA)
    (d / "messages.log.gz").write_bytes(gzip.compress(SYSLOG.encode()))
    return d


def invoke(*args):
    return CliRunner().invoke(main, ["parse", *map(str, args)])


def test_parse_writes_parquet_with_the_schema(tmp_path):
    d = make_inputs(tmp_path)
    out = tmp_path / "logs.parquet"
    result = invoke(d, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.exception is None
    frame = pl.read_parquet(out)
    assert frame.schema == LOG_RECORDS
    assert frame["n_lines"].sum() == 5 + 2
    assert set(frame["format"]) == {"text", "syslog"}


def test_parse_csv_and_ndjson_by_extension(tmp_path):
    d = make_inputs(tmp_path)
    csv = tmp_path / "logs.csv"
    nd = tmp_path / "logs.ndjson"
    assert invoke(d, "-o", csv).exit_code == 0
    assert invoke(d, "-o", nd).exit_code == 0
    back = pl.read_csv(csv)
    assert back.height == 5
    rows = [json.loads(line) for line in nd.read_text().splitlines()]
    assert len(rows) == 5
    assert rows[0]["source"].endswith("messages.log.gz")
    assert {r["service"] for r in rows} == {"su", "cron", "payment"}


def test_summary_counts_and_strips_escapes(tmp_path):
    d = make_inputs(tmp_path)
    result = invoke(d, "--summary")
    assert result.exit_code == 0, result.output
    assert result.exception is None
    out = result.output
    assert "payment.log" in out
    assert "messages.log.gz" in out
    assert "TOTAL" in out
    total = next(line for line in out.splitlines() if line.startswith("TOTAL"))
    assert total.split()[2:5] == ["5", "7", "1"]  # records, lines, parse errors
    assert "parse errors" in out
    assert "payment.log:5:" in out
    assert "\x1b" not in out
    assert "\x07" not in out


def test_log_format_and_tz_options(tmp_path):
    log = tmp_path / "hdfs.log"
    log.write_text("081109 203615 148 INFO dfs.DataNode$PacketResponder: Received block blk_1 of size 91\n")
    out = tmp_path / "h.ndjson"
    result = invoke(log, "--log-format", "<Date> <Time> <Pid> <Level> <Component>: <Content>", "--tz", "Europe/Berlin", "-o", out)
    assert result.exit_code == 0, result.output
    row = json.loads(out.read_text())
    assert row["body"] == "Received block blk_1 of size 91"
    assert row["timestamp"].startswith("2008-11-09T19:36:15")  # CET -> UTC
    assert json.loads(row["attributes"]) == {"Pid": "148", "Component": "dfs.DataNode$PacketResponder"}


def test_user_errors_exit_2_without_traceback(tmp_path):
    d = make_inputs(tmp_path)
    cases = [
        (tmp_path / "missing.log", "-o", tmp_path / "x.parquet"),
        (d, "-o", tmp_path / "x.txt"),
        (d, "--format", "yaml", "--summary"),
        (d, "--tz", "Mars/Olympus", "--summary"),
        (d, "--log-format", "no fields here", "--summary"),
        (d,),
        (str(tmp_path / "*.nothing"), "--summary"),
        (d, "-o", tmp_path / "no" / "such" / "dir" / "x.csv"),
    ]
    for args in cases:
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
        assert "Traceback" not in result.output
        assert "Error:" in result.output


def test_warnings_are_one_clean_line(tmp_path):
    log = tmp_path / "cut.log.gz"
    data = gzip.compress(("2024-01-02 03:04:05 INFO x - hello\n" * 2000).encode())
    log.write_bytes(data[: len(data) // 2])
    result = invoke(log, "--summary")
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output
    assert "truncated" in result.output


def test_help_names_every_format():
    from rcakit.ingest import FORMATS

    result = invoke("--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for name in FORMATS:
        assert name in text, name


def test_kubectl_timestamps_output_with_a_stack_trace(tmp_path):
    path = tmp_path / "payment.log"
    path.write_text(
        "".join(f"2024-01-02T03:04:0{i}.123456789Z {line}" for i, line in enumerate(JAVA.splitlines(keepends=True)[:4]))
    )
    out = tmp_path / "logs.ndjson"
    result = invoke(path, "--format", "kubectl", "--summary", "-o", out)
    assert result.exit_code == 0, result.output
    assert "kubectl" in result.output
    rows = pl.read_ndjson(out).to_dicts()
    assert [(r["severity_text"], r["n_lines"]) for r in rows] == [("ERROR", 3), ("INFO", 1)]
    assert rows[0]["body"] == (
        "score failed\njava.lang.NullPointerException: null\n\tat com.shop.pay.RiskScorer.score(RiskScorer.java:42)"
    )


def test_a_change_list_in_a_log_directory_is_left_out_with_a_note(tmp_path):
    d = make_inputs(tmp_path)
    (d / "deploys.csv").write_text("time,service,version\n2024-01-02T03:00:00Z,payment,1.2.0\n")
    for command, extra in (("parse", ["-o", tmp_path / "a.parquet"]), ("templates", ["-o", tmp_path / "t.csv"])):
        result = CliRunner().invoke(main, [command, str(d), *map(str, extra)])
        assert result.exit_code == 0, result.output
        assert "deploys.csv is a change list, not a log: left out" in result.output
    frame = pl.read_parquet(tmp_path / "a.parquet")
    assert "deploys.csv" not in set(frame["source"].str.split("/").list.last())
    assert frame["n_lines"].sum() == JAVA.count("\n") + SYSLOG.count("\n")
    # named on its own, it is read like any other file
    result = invoke(d / "deploys.csv", "-o", tmp_path / "b.parquet")
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(tmp_path / "b.parquet")["n_lines"].sum() == 2
    # a directory holding only a change list has nothing to read: a user error, no traceback
    only = tmp_path / "only"
    only.mkdir()
    (only / "changes.csv").write_text("time,service\n2024-01-02T03:00:00Z,payment\n")
    result = invoke(only, "-o", tmp_path / "c.parquet")
    assert result.exit_code == 2
    assert "no log files left" in result.output
    assert "Traceback" not in result.output


def test_cli_prints_rcakit_warnings_but_not_library_deprecations(capsys):
    # a deprecation notice of polars or drain3 is for rcakit's developers, not the user
    import warnings

    from rcakit.cli._app import user_errors
    from rcakit.errors import RcakitWarning

    with user_errors():
        warnings.warn("a.log: 3 invalid UTF-8 byte sequence(s) replaced", RcakitWarning, stacklevel=1)
        warnings.warn("`is_in` with a collection of the same datatype is deprecated", DeprecationWarning, stacklevel=1)
        warnings.warn("this will change in 2.0", FutureWarning, stacklevel=1)
    err = capsys.readouterr().err
    assert err == "warning: a.log: 3 invalid UTF-8 byte sequence(s) replaced\n"


def test_log_format_matching_no_line_warns_and_an_open_field_is_an_error(tmp_path):
    """A --log-format that matches no line of a file read every line as a parse error, with
    exit 0 and not a word (probe AL): a warning names the file, the pattern and the first
    line. A field left open ("<Level <Content>") is a user error, exit 2; a "[<Level]" is a
    regex character class, so only the warning can tell."""
    log = tmp_path / "app.log"
    log.write_text("2024-03-05 10:00:00.000 INFO [main] c.s.X - hello\n2024-03-05 10:00:01.000 WARN [main] c.s.X - slow\n")
    out = tmp_path / "x.parquet"
    result = invoke(log, "--log-format", "<Date> <Time> [<Level] <Content>", "-o", out)
    assert result.exit_code == 0, result.output
    assert result.output.count("warning:") == 1
    assert "app.log: log_format '<Date> <Time> [<Level] <Content>' matches none" in result.output
    assert "2024-03-05 10:00:00.000 INFO [main] c.s.X - hello" in result.output
    for pattern in ("<Date> <Time> <Level <Content>", "<Date> <Time> <Level> <Content"):
        result = invoke(log, "--log-format", pattern, "-o", out)
        assert result.exit_code == 2, result.output
        assert "has no closing '>'" in result.output
        assert "Traceback" not in result.output
    result = invoke(log, "--log-format", r"<Date> <Time> <Level> \[<Thread>\] <Content>", "-o", out)
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output


def test_csv_export_without_a_time_column_warns(tmp_path):
    """A CSV export without a time column reads with no timestamps: a warning says so once,
    naming the file and its columns."""
    path = tmp_path / "no-time.csv"
    path.write_text('host,level,message\nweb-00,info,"request 0 handled, status 200"\nweb-01,error,"request 1 failed"\n')
    result = invoke(path, "--summary")
    assert result.exit_code == 0, result.output
    assert result.output.count("warning:") == 1
    assert "no-time.csv: no timestamp column found (columns: host, level, message)" in result.output
    stamped = tmp_path / "stamped.csv"
    stamped.write_text("host,message\nweb-00,2024-03-05 10:00:00 INFO request 0 handled\n")
    assert "warning" not in invoke(stamped, "--summary").output
