"""The 12 Loghub-2k systems: reading each raw log with its ``log_format`` gives ``body`` equal
to the ground-truth ``Content`` on at least 99.5 % of lines, every line accounted for."""

from __future__ import annotations

import json

import polars as pl
import pytest

from rcakit.ingest import read_logs
from rcakit.schemas import LOG_RECORDS

SYSTEMS = [
    "Android", "Apache", "BGL", "HDFS", "HPC", "Hadoop",
    "Linux", "OpenSSH", "Proxifier", "Spark", "Windows", "Zookeeper",
]


@pytest.fixture(scope="module")
def settings(shared_data):
    return json.loads((shared_data / "loghub-2k" / "settings.json").read_text())


@pytest.mark.shared
@pytest.mark.parametrize("system", SYSTEMS)
def test_body_equals_ground_truth_content(shared_data, settings, system):
    cfg = settings[system]
    log = shared_data / "loghub-2k" / cfg["log_file"]
    frame = read_logs(log, log_format=cfg["log_format"], year=2024)
    assert frame.schema == LOG_RECORDS
    n_physical = len(log.read_bytes().splitlines())
    assert frame["n_lines"].sum() == n_physical
    truth = pl.read_csv(f"{log}_structured.csv", infer_schema=False).select(
        pl.col("LineId").cast(pl.UInt32).alias("line_no"), "Content"
    )
    joined = truth.join(frame.select("line_no", "body"), on="line_no", how="left")
    share = (joined["body"] == joined["Content"]).fill_null(False).mean()
    assert share >= 0.995, f"{system}: body == Content on {share:.4%} of lines"
    # every system has a date/time field: nearly every record gets a timestamp
    assert frame["timestamp"].null_count() <= 0.005 * frame.height


@pytest.mark.shared
def test_levels_and_components_are_parsed(shared_data, settings):
    cfg = settings["Hadoop"]
    frame = read_logs(shared_data / "loghub-2k" / cfg["log_file"], log_format=cfg["log_format"])
    assert set(frame["severity_text"].drop_nulls().unique()) <= {"INFO", "WARN", "ERROR", "FATAL", "DEBUG"}
    assert frame["severity_text"].null_count() == 0
    component = frame["attributes"].str.json_path_match("$.Component")
    assert component.null_count() == 0
    assert frame["service"].unique().to_list() == ["Hadoop_2k"]


#: Systems whose layout the ``text``/``syslog`` formats recognise without any pattern.
AUTO = ["Android", "Apache", "HDFS", "Hadoop", "Linux", "OpenSSH", "Spark", "Zookeeper"]


@pytest.mark.shared
@pytest.mark.parametrize("system", AUTO)
def test_auto_detection_without_a_pattern(shared_data, settings, system):
    """The on-call path: no options at all, still the right message, time and level."""
    cfg = settings[system]
    log = shared_data / "loghub-2k" / cfg["log_file"]
    frame = read_logs(log, year=2024)
    assert frame["format"][0] in {"text", "syslog"}
    assert frame["n_lines"].sum() == len(log.read_bytes().splitlines())
    truth = pl.read_csv(f"{log}_structured.csv", infer_schema=False).select(
        pl.col("LineId").cast(pl.UInt32).alias("line_no"), "Content"
    )
    joined = truth.join(frame.select("line_no", "body"), on="line_no", how="left")
    share = (joined["body"] == joined["Content"]).fill_null(False).mean()
    assert share >= 0.99, f"{system}: body == Content on {share:.4%} of lines"
    assert frame["timestamp"].null_count() == 0
