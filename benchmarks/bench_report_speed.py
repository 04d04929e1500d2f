"""End-to-end speed of the main job: ``rcakit report`` on ~1.4M lines, stage by stage.

Usage::

    .venv/bin/python benchmarks/bench_report_speed.py            # 6 h at rate 20, ~1.4M lines
    .venv/bin/python benchmarks/bench_report_speed.py --quick    # 1 h at rate 12, ~100k lines

Data: :func:`rcakit.generate_incident` (``fault="new_error"``, seed 7: seven services in seven
formats and a ``deploys.csv`` with the bad deploy and decoys), written once under
``benchmarks/_work/`` (git-ignored). Measured in one run, each command as its own process
(interpreter start-up and imports included), best of ``--repeat``:

* **polars raw read**: every log file read as raw lines (the floor, in this process);
* ``rcakit parse DIR -o x.parquet``: reading and parsing only;
* ``rcakit templates DIR -o t.csv``: reading + template mining;
* ``rcakit report DIR -o r.json``: the whole job (read, mine, detect, correlate, report).

The differences between the rows are what each stage adds. Peak RSS is that process's own
(read by a small wrapper process, so earlier commands do not count).

Writes ``benchmarks/results/report_speed.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _speed_common import WORK, incident_data, raw_read

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "report_speed.md"
RCAKIT = Path(sys.executable).with_name("rcakit")

# runs one command and prints its own peak RSS (KiB) and CPU seconds as JSON on stderr's last line
_WRAPPER = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
    "wall = time.perf_counter() - t\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "sys.stderr.write(r.stderr)\n"
    "sys.stderr.write(json.dumps({'rc': r.returncode, 'wall': wall, 'cpu': u.ru_utime + u.ru_stime, 'rss_kib': u.ru_maxrss}) + '\\n')\n"
)


def run(args: list[str]) -> dict[str, float]:
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, str(RCAKIT), *args], capture_output=True, text=True, check=False)
    lines = proc.stderr.strip().splitlines()
    stats = json.loads(lines[-1])
    if stats["rc"] != 0:
        raise SystemExit(f"rcakit {' '.join(args)} failed:\n" + "\n".join(lines[:-1]))
    stats["stderr"] = "\n".join(lines[:-1])
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 h at rate 12 (~100k lines) instead of 6 h at rate 20")
    parser.add_argument("--repeat", type=int, default=2, help="runs per command; the fastest counts (default 2)")
    args = parser.parse_args()
    hours, rate = (1.0, 12.0) if args.quick else (6.0, 20.0)
    directory, files = incident_data("report_speed", hours=hours, rate=rate, deploys=True)
    n_bytes = sum(p.stat().st_size for p in files)
    out = WORK / "report_speed_out"
    out.mkdir(parents=True, exist_ok=True)
    load_start = os.getloadavg()[0]

    raw = min((raw_read(files)[:2] for _ in range(args.repeat)), key=lambda r: r[0])
    commands = {
        "rcakit parse": ["parse", str(directory), "-o", str(out / "x.parquet")],
        "rcakit templates": ["templates", str(directory), "-o", str(out / "t.csv")],
        "rcakit report": ["report", str(directory), "-o", str(out / "r.json")],
    }
    results = {}
    for name, cmd in commands.items():
        results[name] = min((run(cmd) for _ in range(args.repeat)), key=lambda r: r["wall"])
    load_end = os.getloadavg()[0]
    report = json.loads((out / "r.json").read_text())
    truth_path = directory.with_suffix(".truth.json")
    truth = json.loads(truth_path.read_text()) if truth_path.exists() else None

    n_lines = raw[1]
    rows = [
        "| command | seconds | lines/s | CPU s | peak RSS MiB | x raw read |",
        "|---|---:|---:|---:|---:|---:|",
        f"| polars raw read (all files, no parsing; in-process) | {raw[0]:.2f} | {n_lines / raw[0]:,.0f} | – | – | 1.0x |",
    ]
    for name, r in results.items():
        rows.append(
            f"| `{name}` (whole process) | {r['wall']:.2f} | {n_lines / r['wall']:,.0f} | {r['cpu']:.1f} | "
            f"{r['rss_kib'] / 1024:,.0f} | {r['wall'] / raw[0]:.0f}x |"
        )
    incidents = report.get("incidents", [])
    first = incidents[0] if incidents else {}
    lines = [
        "## Report: end-to-end speed of the main job",
        "",
        f"Command: `.venv/bin/python benchmarks/bench_report_speed.py{' --quick' if args.quick else ''} --repeat {args.repeat}`  ",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {platform.platform()}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs; 1-minute load average {load_start:.1f} at the start, {load_end:.1f} at the end "
        "(the machine is shared: wall-clock figures are noisy).",
        "",
        f"Data: `rcakit.generate_incident(fault='new_error', seed=7, hours={hours:g}, rate={rate:g})`: "
        f"{len(files)} log files in 7 formats, {n_lines:,} lines, {n_bytes / 1e6:,.0f} MB, plus `deploys.csv`. "
        "Each command runs as its own process (start-up and imports included), fastest of "
        f"{args.repeat}.",
        "",
        *rows,
        "",
        f"- the report found {len(incidents)} incident(s); the first: root `{first.get('root_service')}`, "
        f"cause `{first.get('cause')}`"
        + (f" (truth: root `{truth.get('root_service')}`, cause `{truth.get('cause_change_id')}`)" if truth else ""),
        "- what each stage adds: templates - parse = mining; report - templates = detection, "
        "correlation and writing (the report also extracts template parameters, which `templates` skips).",
        "",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
