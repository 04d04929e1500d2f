"""Layouts probe CJ found read wrong: pgBackRest's default head left in the body, with no
level."""

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
