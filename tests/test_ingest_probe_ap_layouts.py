"""Findings of a blind probe (probe AP, second part): HTCondor's two-digit-year MM/dd/yy
stamps, ``kubectl get events`` tables, ``wevtutil qe /f:text`` blocks, log4net's XmlLayout
and SCCM's CMTrace lines."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from rcakit.ingest import read_logs


def _read(tmp_path, name: str, lines: list[str], **kw):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    kw.setdefault("year", 2024)
    frame = read_logs(path, **kw)
    assert frame["n_lines"].sum() == len(lines)
    assert frame["parse_error"].null_count() == len(frame)
    return frame


def _attrs(row: dict) -> dict:
    return json.loads(row["attributes"]) if row["attributes"] else {}


def test_two_digit_year_month_first_when_nearer(tmp_path):
    """``03/01/24 09:58:15`` reads yy/MM/dd (2003-01-24) and MM/dd/yy (2024-03-01): the order
    that puts the file's dates nearer to the year given (else now) wins; Spark's
    ``24/03/05`` (no month 24) and Loghub's ``17/06/09`` stay yy/MM/dd."""
    condor = [
        "03/01/24 09:58:15 Number of Active Workers 2",
        "03/01/24 09:58:16 Negotiating for owner: cms001@cluster.local",
        "03/02/24 00:00:01 slot1_7: Called deactivate_claim_forcibly()",
    ]
    for year in (2024, None):
        frame = _read(tmp_path, "condor.log", condor, year=year)
        assert frame["timestamp"].to_list()[0] == datetime(2024, 3, 1, 9, 58, 15, tzinfo=UTC)
        assert frame["timestamp"].to_list()[2] == datetime(2024, 3, 2, 0, 0, 1, tzinfo=UTC)
    spark = ["24/03/05 10:00:00 INFO TaskSetManager: Finished task 0.0", "24/03/05 10:00:01 WARN Foo: bar"]
    assert _read(tmp_path, "spark.log", spark)["timestamp"][0] == datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
    loghub = ["17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers"]
    assert _read(tmp_path, "spark2.log", loghub)["timestamp"][0] == datetime(2017, 6, 9, 20, 10, 40, tzinfo=UTC)
    # (a year given near the yy/MM/dd reading keeps it)
    assert _read(tmp_path, "condor.log", condor, year=2003)["timestamp"][0] == datetime(2003, 1, 24, 9, 58, 15, tzinfo=UTC)
