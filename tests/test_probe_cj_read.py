"""Layouts probe CJ found read wrong: pgBackRest's and QuestDB's default heads left in the
body, with no level."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests._reading import attrs, read_lines


def read(path: Path, text: str) -> list[dict]:
    """``text`` written to ``path`` and read (:func:`tests._reading.read_lines`), as dicts."""
    return read_lines(path.parent, path.name, text.splitlines()).to_dicts()


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_pgbackrest_log(tmp_path):
    rows = read(
        tmp_path / "app-backup.log",
        "2024-06-11 02:00:01.112 P00   INFO: backup command begin 2.51: --exec-id=3120-8a7f2c1d --process-max=4 "
        "--stanza=app --type=full\n"
        "2024-06-11 02:00:02.640 P00   WARN: no prior backup exists, incr backup has been changed to full\n"
        "2024-06-11 02:00:03.017 P02 DETAIL: backup file /srv/pg/16/data/base/5/16384 (24MB, 12.50%) checksum "
        "0c4f1b7e8d2a9c3b5e6f7a8b9c0d1e2f3a4b5c6d\n"
        "2024-06-11 02:00:03.020 P104 DEBUG:     storage/posix/storageRead::storageReadPosixOpen: => true\n"
        "2024-06-11 02:00:03.870 P00  ERROR: [055]: unable to load info file '/srv/backup/backup/app/backup.info':\n"
        "                                    FileMissingError: unable to open missing file "
        "'/srv/backup/backup/app/backup.info' for read\n"
        "2024-06-11 02:00:04.002 P00   INFO: backup command end: aborted with exception [055]\n",
    )
    assert [(r["format"], r["timestamp"], r["severity_text"]) for r in rows] == [
        ("text", at(2024, 6, 11, 2, 0, 1, 112000), "INFO"),
        ("text", at(2024, 6, 11, 2, 0, 2, 640000), "WARN"),
        ("text", at(2024, 6, 11, 2, 0, 3, 17000), "DEBUG"),  # (DETAIL, below INFO)
        ("text", at(2024, 6, 11, 2, 0, 3, 20000), "DEBUG"),
        ("text", at(2024, 6, 11, 2, 0, 3, 870000), "ERROR"),
        ("text", at(2024, 6, 11, 2, 0, 4, 2000), "INFO"),
    ]
    assert rows[0]["body"] == "backup command begin 2.51: --exec-id=3120-8a7f2c1d --process-max=4 --stanza=app --type=full"
    assert rows[2]["body"] == (
        "backup file /srv/pg/16/data/base/5/16384 (24MB, 12.50%) checksum 0c4f1b7e8d2a9c3b5e6f7a8b9c0d1e2f3a4b5c6d"
    )
    assert rows[4]["body"].startswith("[055]: unable to load info file '/srv/backup/backup/app/backup.info':\n")
    assert rows[4]["n_lines"] == 2
    assert [attrs(r)["thread"] for r in rows] == ["P00", "P00", "P02", "P104", "P00", "P00"]


def test_pgbackrest_console_without_timestamps(tmp_path):
    rows = read(
        tmp_path / "stanza-create.out",
        "P00   INFO: stanza-create command begin 2.51: --exec-id=77-1f2e3d4c --stanza=app\n"
        "P00   WARN: option 'repo1-retention-full' is not set\n"
        "P00   INFO: stanza-create command end: completed successfully (412ms)\n",
    )
    assert [(r["timestamp"], r["severity_text"], attrs(r)["thread"]) for r in rows] == [
        (None, "INFO", "P00"),
        (None, "WARN", "P00"),
        (None, "INFO", "P00"),
    ]
    assert rows[1]["body"] == "option 'repo1-retention-full' is not set"


def test_questdb_log(tmp_path):
    rows = read(
        tmp_path / "stdout-2024-06-11T08-15-00.txt",
        "2024-06-11T08:15:02.004512Z A server-main QuestDB 8.0.1. Copyright (C) 2014-2024, all rights reserved.\n"
        "2024-06-11T08:15:02.118734Z I i.q.c.CairoEngine loaded [table=weather~12]\n"
        "2024-06-11T08:15:09.530211Z D i.q.c.h.HttpConnectionContext kicked [fd=48]\n"
        "2024-06-11T08:15:10.771245Z E i.q.c.l.t.LineTcpConnectionContext [52] could not parse measurement, "
        "NONE at 14\n"
        "2024-06-11T08:15:11.003145Z C i.q.c.w.ApplyWal2TableJob job failed, table suspended [table=weather~12]\n"
        "2024-06-11T08:15:12.450001Z I http-server disconnected [ip=10.1.4.20, fd=48, src=queue]\n",
    )
    assert [(r["format"], r["timestamp"], r["severity_text"]) for r in rows] == [
        ("text", at(2024, 6, 11, 8, 15, 2, 4512), "INFO"),  # (A: advisory, an info always written)
        ("text", at(2024, 6, 11, 8, 15, 2, 118734), "INFO"),
        ("text", at(2024, 6, 11, 8, 15, 9, 530211), "DEBUG"),
        ("text", at(2024, 6, 11, 8, 15, 10, 771245), "ERROR"),
        ("text", at(2024, 6, 11, 8, 15, 11, 3145), "FATAL"),  # (C: critical)
        ("text", at(2024, 6, 11, 8, 15, 12, 450001), "INFO"),
    ]
    assert [r["body"] for r in rows] == [
        "QuestDB 8.0.1. Copyright (C) 2014-2024, all rights reserved.",
        "loaded [table=weather~12]",
        "kicked [fd=48]",
        "[52] could not parse measurement, NONE at 14",
        "job failed, table suspended [table=weather~12]",
        "disconnected [ip=10.1.4.20, fd=48, src=queue]",
    ]
    assert [attrs(r)["logger"] for r in rows] == [
        "server-main",
        "i.q.c.CairoEngine",
        "i.q.c.h.HttpConnectionContext",
        "i.q.c.l.t.LineTcpConnectionContext",
        "i.q.c.w.ApplyWal2TableJob",
        "http-server",
    ]
    # the same stamp before a message starting with a word "I" or "A" (no logger after it)
    # is a message, whole
    plain = read(
        tmp_path / "worker.log",
        "2024-06-11T08:15:02.004512Z I finished warmup in 42ms\n"
        "2024-06-11T08:15:03.004512Z A replica joined the cluster\n"
        "2024-06-11T08:15:04.004512Z E.g. retry later\n",
    )
    assert [(r["severity_text"], r["body"], attrs(r).get("logger")) for r in plain] == [
        (None, "I finished warmup in 42ms", None),
        (None, "A replica joined the cluster", None),
        (None, "E.g. retry later", None),
    ]
