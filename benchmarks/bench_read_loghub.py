"""Reader accuracy on Loghub-2k: does ``body`` equal the ground-truth ``Content``?

For each of the 12 systems in ``../shared/data/loghub-2k`` the raw log is read twice:
with the benchmark's ``log_format`` (issue #2's target: >= 99.5 % of lines per system) and
with no options at all (format detection only, the on-call path). Prints a table and writes
``benchmarks/results/read_loghub.md``.

    python benchmarks/bench_read_loghub.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from rcakit.ingest import read_logs

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("RCAKIT_SHARED_DATA", HERE.parent.parent / "shared" / "data")) / "loghub-2k"
TARGET = 0.995


def _share(log: Path, frame: pl.DataFrame) -> float:
    truth = pl.read_csv(f"{log}_structured.csv", infer_schema=False).select(
        pl.col("LineId").cast(pl.UInt32).alias("line_no"), "Content"
    )
    joined = truth.join(frame.select("line_no", "body"), on="line_no", how="left")
    return float((joined["body"] == joined["Content"]).fill_null(False).mean() or 0.0)


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).add_argument("--quick", action="store_true")
    if not (DATA / "settings.json").is_file():
        print(f"Loghub-2k not found at {DATA}; nothing measured", file=sys.stderr)
        return 0
    settings = json.loads((DATA / "settings.json").read_text())
    rows = []
    for system in sorted(k for k in settings if not k.startswith("_")):
        cfg = settings[system]
        log = DATA / cfg["log_file"]
        n_physical = len(log.read_bytes().splitlines())
        t0 = time.perf_counter()
        with_fmt = read_logs(log, log_format=cfg["log_format"], year=2024)
        t1 = time.perf_counter()
        auto = read_logs(log, year=2024)
        t2 = time.perf_counter()
        rows.append(
            {
                "system": system,
                "lines": n_physical,
                "accounted": int(with_fmt["n_lines"].sum()) == n_physical and int(auto["n_lines"].sum()) == n_physical,
                "log_format": _share(log, with_fmt),
                "no_ts_fmt": with_fmt["timestamp"].null_count(),
                "auto_format": auto["format"][0],
                "auto": _share(log, auto),
                "s_fmt": t1 - t0,
                "s_auto": t2 - t1,
            }
        )
    lines = [
        "## Read accuracy on Loghub-2k (`body` == ground-truth `Content`)",
        "",
        "Command: `python benchmarks/bench_read_loghub.py`  ",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs.",
        "",
        "Each raw log read with the benchmark's `log_format` (target: >= 99.5 % of lines per system),",
        "and with no options at all (format detection only).",
        "",
        "| system | lines | every line accounted for | body == Content, `log_format` | no timestamp | met | detected format | body == Content, no options |",
        "|---|---:|---|---:|---:|---|---|---:|",
    ]
    for r in rows:
        met = "yes" if r["log_format"] >= TARGET else "**no**"
        lines.append(
            f"| {r['system']} | {r['lines']:,} | {'yes' if r['accounted'] else '**no**'} | {r['log_format']:.2%} | {r['no_ts_fmt']} | {met} | {r['auto_format']} | {r['auto']:.2%} |"
        )
    n_met = sum(r["log_format"] >= TARGET for r in rows)
    lines += ["", f"With `log_format`: {n_met} of {len(rows)} systems at >= 99.5 % (target: all)."]
    n_auto = sum(r["auto"] >= 0.99 for r in rows)
    lines.append(f"With no options: {n_auto} of {len(rows)} systems at >= 99 % (no target; the others need `--log-format`).")
    text = "\n".join(lines) + "\n"
    print(text)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "read_loghub.md").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
