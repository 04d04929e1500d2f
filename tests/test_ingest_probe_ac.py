"""Layouts, stamps and level words blind probes (AC, AB) found read wrongly: each test holds
lines as the product writes them."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
from click.testing import CliRunner

from rcakit.cli import main
from rcakit.ingest import read_logs


def _read_one(tmp_path, name: str, text: str, **kwargs) -> pl.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = read_logs(path, year=2024, **kwargs)
    assert out["n_lines"].sum() == text.count("\n") + (0 if text.endswith("\n") else 1)
    return out


def test_long_start_up_banner_does_not_decide_the_format(tmp_path):
    """A Spring Boot banner and a 60-line configuration dump before the first log line: the
    lines below it decide the format (through the CLI too)."""
    banner = (
        "  .   ____          _            __ _ _\n"
        " /\\\\ / ___'_ __ _ _(_)_ __  __ _ \\ \\ \\ \\\n"
        "( ( )\\___ | '_ | '_| | '_ \\/ _` | \\ \\ \\ \\\n"
        " =========|_|==============|___/=/_/_/_/\n"
        " :: Spring Boot ::                (v3.2.4)\n"
        "Effective configuration:\n"
        + "".join(f"  inventory.warehouse.{i}.capacity = {1000 + i}\n" for i in range(60))
        + "-----------------------------------------\n"
    )
    lines = (
        "2024-03-01T08:15:02.010Z  INFO 1 --- [stock] [           main] c.a.s.StockApplication : Started in 4.1 s\n"
        "2024-03-01T08:15:09.200Z ERROR 1 --- [stock] [nio-8080-exec-4] c.a.s.ReserveService   : reservation failed\n"
        "java.lang.IllegalStateException: shelf 12 locked\n"
        "\tat com.acme.stock.ReserveService.reserve(ReserveService.java:71)\n"
        "2024-03-01T08:15:10.000Z  WARN 1 --- [stock] [nio-8080-exec-4] c.a.s.ReserveService   : retry 1/3\n"
    )
    out = _read_one(tmp_path, "stock.log", banner + lines)
    real = out.filter(pl.col("timestamp").is_not_null())
    assert real["severity_text"].to_list() == ["INFO", "ERROR", "WARN"]
    assert real["body"][1] == (
        "reservation failed\njava.lang.IllegalStateException: shelf 12 locked\n"
        "\tat com.acme.stock.ReserveService.reserve(ReserveService.java:71)"
    )
    assert real["timestamp"][0] == datetime(2024, 3, 1, 8, 15, 2, 10000, tzinfo=UTC)
    res = CliRunner().invoke(main, ["parse", str(tmp_path / "stock.log"), "-o", str(tmp_path / "stock.parquet")])
    assert res.exit_code == 0, res.output
    cli = pl.read_parquet(tmp_path / "stock.parquet")
    assert cli.filter(pl.col("severity_text") == "ERROR")["n_lines"].to_list() == [3]
