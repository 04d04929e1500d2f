"""``rcakit sql`` over the committed sample incident."""

import polars as pl
import pytest
from click.testing import CliRunner

from rcakit.cli import main

QUERY = "SELECT service, count(*) AS errors FROM logs WHERE severity_number >= 17 GROUP BY service ORDER BY errors DESC"


@pytest.fixture(scope="module")
def incident(sample_logs):
    return str(sample_logs / "checkout-incident")


def test_sql_counts_errors_per_service(incident, tmp_path):
    out = tmp_path / "errors.csv"
    result = CliRunner().invoke(main, ["sql", QUERY, incident, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    table = pl.read_csv(out)
    assert table.columns == ["service", "errors"]
    # the sample's root (payment) and its caller (checkout) log errors; counts are descending
    assert {"payment", "checkout"} <= set(table["service"])
    assert table["errors"].to_list() == sorted(table["errors"].to_list(), reverse=True)


def test_sql_prints_a_table(incident):
    result = CliRunner().invoke(main, ["sql", "SELECT count(*) AS n FROM logs", incident])
    assert result.exit_code == 0, result.output
    assert "n" in result.output


def test_sql_error_is_a_user_error(incident):
    result = CliRunner().invoke(main, ["sql", "SELECT nope FROM logs", incident])
    assert result.exit_code == 2
    assert "SQL error" in result.output
    assert "Traceback" not in result.output
