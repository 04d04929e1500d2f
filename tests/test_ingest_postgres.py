"""PostgreSQL server logs and time zone abbreviations in text heads."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest

from rcakit.ingest import read_logs
from rcakit.ingest._text import TEXT
from rcakit.ingest._timeparse import AMBIGUOUS_ZONES, ZONE_ABBREVIATIONS, parse_timestamps

from ._ingest_helpers import OPTS, attrs, parse_lines

# log_line_prefix '%m [%p] ' (the packaged default), a deadlock with its DETAIL, HINT and
# STATEMENT lines, a DETAIL that wraps onto an indented line
DEFAULT_PREFIX = """\
2024-03-01 10:00:02.456 UTC [4243] ERROR:  deadlock detected
2024-03-01 10:00:02.456 UTC [4243] DETAIL:  Process 4243 waits for ShareLock on transaction 1234; blocked by process 4244.
	Process 4244 waits for ShareLock on transaction 1233; blocked by process 4243.
2024-03-01 10:00:02.456 UTC [4243] HINT:  See server log for query details.
2024-03-01 10:00:02.456 UTC [4243] STATEMENT:  UPDATE orders SET status = 'paid' WHERE id = 1
2024-03-01 10:00:03.000 UTC [4244] LOG:  duration: 1532.123 ms  statement: SELECT 1
2024-03-01 10:00:04.000 UTC [4245] FATAL:  terminating connection due to administrator command
"""

# AWS RDS / Aurora PostgreSQL: log_line_prefix '%t:%r:%u@%d:[%p]:'
RDS_PREFIX = """\
2024-03-01 10:00:05 UTC:10.0.0.1(5432):app@shop:[4247]:ERROR:  duplicate key value violates unique constraint "orders_pkey"
2024-03-01 10:00:05 UTC:10.0.0.1(5432):app@shop:[4247]:DETAIL:  Key (id)=(1) already exists.
2024-03-01 10:00:05 UTC:10.0.0.1(5432):app@shop:[4247]:STATEMENT:  INSERT INTO orders VALUES (1)
2024-03-01 10:00:06 UTC:[local]:postgres@postgres:[4250]:LOG:  checkpoint starting: time
2024-03-01 10:00:07 UTC::@:[4251]:WARNING:  there is no transaction in progress
"""


def test_default_prefix_detail_lines_belong_to_their_message():
    rows = parse_lines(TEXT, DEFAULT_PREFIX, OPTS).to_dicts()
    assert [(r["line_no"], r["n_lines"], r["severity_text"]) for r in rows] == [
        (1, 5, "ERROR"),
        (6, 1, "INFO"),
        (7, 1, "FATAL"),
    ]
    assert rows[0]["body"].splitlines() == [
        "deadlock detected",
        "DETAIL:  Process 4243 waits for ShareLock on transaction 1234; blocked by process 4244.",
        "\tProcess 4244 waits for ShareLock on transaction 1233; blocked by process 4243.",
        "HINT:  See server log for query details.",
        "STATEMENT:  UPDATE orders SET status = 'paid' WHERE id = 1",
    ]
    assert all(r["parse_error"] is None for r in rows)


def test_rds_prefix():
    rows = parse_lines(TEXT, RDS_PREFIX, OPTS).to_dicts()
    assert [(r["n_lines"], r["severity_text"]) for r in rows] == [(3, "ERROR"), (1, "INFO"), (1, "WARN")]
    assert rows[0]["timestamp"] == datetime(2024, 3, 1, 10, 0, 5, tzinfo=UTC)
    assert rows[0]["body"] == (
        'duplicate key value violates unique constraint "orders_pkey"\n'
        "DETAIL:  Key (id)=(1) already exists.\nSTATEMENT:  INSERT INTO orders VALUES (1)"
    )
    assert attrs(rows[0]) == {"pid": "4247", "mdc": "10.0.0.1(5432):app@shop"}
    assert rows[2]["body"] == "there is no transaction in progress"


def test_detail_words_inside_a_message_do_not_join():
    text = (
        "2024-03-01 10:00:02,000 ERROR [main] c.x.Y - failed\n"
        "2024-03-01 10:00:03,000 INFO [main] c.x.Y - user wrote DETAIL: one space, not a field\n"
    )
    rows = parse_lines(TEXT, text, OPTS).to_dicts()
    assert [r["n_lines"] for r in rows] == [1, 1]


def test_server_time_zone_abbreviations(tmp_path):
    path = tmp_path / "postgres.log"
    path.write_text(
        "2024-03-01 10:00:05.123 CET [4246] LOG:  checkpoint starting: time\n"
        "2024-07-01 10:00:06.000 CEST [4246] ERROR:  canceling statement due to statement timeout\n"
        "2024-03-01 10:00:07.000 CST [4246] LOG:  ambiguous zone: read in tz\n"
    )
    rows = read_logs(path, tz="America/Chicago").to_dicts()
    assert [r["timestamp"] for r in rows] == [
        datetime(2024, 3, 1, 9, 0, 5, 123000, tzinfo=UTC),
        datetime(2024, 7, 1, 8, 0, 6, tzinfo=UTC),
        datetime(2024, 3, 1, 16, 0, 7, tzinfo=UTC),
    ]
    assert [r["severity_text"] for r in rows] == ["INFO", "ERROR", "INFO"]
    assert rows[1]["body"] == "canceling statement due to statement timeout"


@pytest.mark.parametrize("name", sorted([*ZONE_ABBREVIATIONS, *AMBIGUOUS_ZONES]))
def test_every_abbreviation_parses(name):
    out = pl.DataFrame({"t": [f"2024-03-01 12:00:00 {name}"]}).select(parse_timestamps("t", tz="UTC"))["t"][0]
    offset = ZONE_ABBREVIATIONS.get(name, "+00:00")
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    expected = datetime(2024, 3, 1, 12, 0, tzinfo=UTC).timestamp() - sign * (hours * 3600 + minutes * 60)
    assert out.timestamp() == expected


def test_postgres_csvlog_without_a_header(tmp_path):
    p = tmp_path / "postgresql-2024-03-01.csv"
    p.write_text(
        '2024-03-01 09:58:00.123 CET,"app","orders",4100,"10.0.1.9:40000",65e19c00.1a2b,1,"authentication",'
        '2024-03-01 09:50:00 CET,6/0,0,FATAL,28P01,"password authentication failed for user ""app""",'
        '"Connection matched pg_hba.conf line 99",,,,,,,,,"orders-api","client backend",,0\n'
        '2024-03-01 09:58:03.523 CET,,,3000,,65e19a00.bb8,2,,2024-03-01 09:00:00 CET,,0,LOG,00000,'
        '"checkpoint complete: wrote 26 buffers",,,,,,,,,"checkpointer",,0\n'
        '2024-03-01 09:58:05.223 CET,"app","orders",4104,"10.0.1.5:51234",65e19c04.1a2b,3,"INSERT",'
        '2024-03-01 09:50:00 CET,5/1004,0,ERROR,23505,"duplicate key value violates unique constraint ""orders_pkey""",'
        '"Key (id)=(904) already exists.",,,,,"INSERT INTO orders (id, amount)\nVALUES (904, 12.50)",,,'
        '"orders-api","client backend",,0\n'
    )
    df = read_logs(p)
    assert df["n_lines"].to_list() == [1, 1, 2]
    assert df["parse_error"].null_count() == 3
    assert df["severity_text"].to_list() == ["FATAL", "INFO", "ERROR"]
    assert df["timestamp"][0] == datetime(2024, 3, 1, 8, 58, 0, 123000, tzinfo=UTC)
    assert df["service"].unique().to_list() == ["postgresql"]
    # the further fields follow the message as in the server's text log
    assert df["body"][2] == (
        'duplicate key value violates unique constraint "orders_pkey"\n'
        "DETAIL:  Key (id)=(904) already exists.\nSTATEMENT:  INSERT INTO orders (id, amount)\nVALUES (904, 12.50)"
    )
    a = attrs(df.row(2, named=True))
    assert (a["sql_state_code"], a["database_name"], a["application_name"]) == ("23505", "orders", "orders-api")



USER_PREFIX = """\
2024-03-01 10:00:05.123 UTC [3655] ledger@bankdb ERROR:  could not extend file "base/16384/24633": No space left on device
2024-03-01 10:00:05.124 UTC [3655] ledger@bankdb STATEMENT:  INSERT INTO postings VALUES (1)
2024-03-01 10:00:06.000 UTC [120] LOG:  checkpoint starting: time
2024-03-01 10:00:07.000 UTC [3700] app@shop FATAL:  password authentication failed for user "app"
2024-03-01 10:00:08.000 UTC [3701] [unknown]@[unknown] LOG:  connection received: host=10.0.0.7 port=53862
"""


def test_user_and_database_prefix():
    """'%m [%p] %u@%d ' (the packaged default with user and database): the level is read
    and the user@database goes to attributes, not into the message."""
    rows = parse_lines(TEXT, USER_PREFIX, OPTS).to_dicts()
    assert [(r["line_no"], r["n_lines"], r["severity_text"]) for r in rows] == [
        (1, 2, "ERROR"), (3, 1, "INFO"), (4, 1, "FATAL"), (5, 1, "INFO")
    ]
    assert rows[0]["body"].splitlines() == [
        'could not extend file "base/16384/24633": No space left on device',
        "STATEMENT:  INSERT INTO postings VALUES (1)",
    ]
    assert attrs(rows[0]) == {"pid": "3655", "mdc": "ledger@bankdb"}
    assert rows[2]["body"] == 'password authentication failed for user "app"'
    # (before authentication Debian's default '%m [%p] %q%u@%d ' writes "[unknown]@[unknown]")
    assert rows[3]["body"] == "connection received: host=10.0.0.7 port=53862"
    assert attrs(rows[3]) == {"pid": "3701", "mdc": "[unknown]@[unknown]"}
