"""Read throughput of ``rcakit.read_logs`` against polars reading the same file as raw lines.

Usage::

    .venv/bin/python benchmarks/bench_read.py            # ~1M lines per format
    .venv/bin/python benchmarks/bench_read.py --quick    # ~50k lines per format

For each format a file of realistic, mostly distinct lines is written under
``benchmarks/_work/read/`` (application logs from ``rcakit.simulate.generate_incident``;
the syslog file re-frames those messages as RFC 3164 lines). Each measurement runs in a
fresh subprocess, so its peak memory (``wait4`` max RSS, which sees polars' Rust
allocations) is its own; the time is taken inside the subprocess around the read only
(imports excluded), best of ``--repeat`` runs. The baseline, measured in the same run on the
same file, is ``pl.read_lines(path)``: polars splitting the file into a String column,
nothing parsed. ``read_logs`` is called with ``format="auto"`` (detection included), as a
user would.

Targets (issue #2): text formats within 3x of the raw-line read, JSON lines within 5x.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "_work" / "read"
RESULTS = HERE / "results" / "read.md"

# format -> (simulator format, kind for the target)
FORMATS = {
    "logback": ("logback", "text"),
    "python": ("python", "text"),
    "syslog": ("syslog3164", "text"),
    "logfmt": ("logfmt", "text"),
    "jsonl": ("jsonl", "json"),
}
TARGET = {"text": 3.0, "json": 5.0}

_CHILD = r"""
import sys, time, json
import polars as pl
import rcakit
path, what = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if what == "baseline":
    frame = pl.read_lines(path)
    n = frame.height
    fmt = "lines"
else:
    frame = rcakit.read_logs(path)
    n = int(frame["n_lines"].sum())
    fmt = ",".join(sorted(set(frame["format"].to_list())))
elapsed = time.perf_counter() - t0
# VmHWM: this process's own peak RSS since exec (ru_maxrss would also count the pages of
# the large benchmark parent it was forked from)
hwm_kib = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
extra = {"hwm_kib": hwm_kib}
if what != "baseline":
    extra |= {"records": frame.height, "parse_errors": int(frame["parse_error"].is_not_null().sum()),
             "null_ts": int(frame["timestamp"].null_count())}
print(json.dumps({"seconds": elapsed, "lines": n, "format": fmt, **extra}))
"""


def _measure(path: Path, what: str, repeat: int) -> tuple[dict, float, int]:
    best = float("inf")
    peak = 0
    result: dict = {}
    for _ in range(repeat):
        result, rss = _run_child_wait4(path, what)
        best = min(best, result["seconds"])
        peak = max(peak, result.get("hwm_kib", rss))
    return result, best, peak


def _run_child_wait4(path: Path, what: str) -> tuple[dict, int]:
    import json

    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(path), what],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        msg = f"measurement {what} on {path} failed:\n{err.decode(errors='replace')}"
        raise RuntimeError(msg)
    return json.loads(out), int(usage.ru_maxrss)


# ------------------------------------------------------------------------------ data


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


def _generate(fmt: str, target_lines: int) -> Path:
    """Write (or reuse) a file of about ``target_lines`` lines in ``fmt``."""
    import polars as pl

    from rcakit.simulate import generate_incident

    WORK.mkdir(parents=True, exist_ok=True)
    out = WORK / f"{fmt}_{target_lines}.log"
    if out.exists() and out.stat().st_size > 0:
        return out
    sim_fmt = FORMATS[fmt][0]
    source_fmt = "logback" if fmt == "syslog" else sim_fmt
    # app services write roughly 0.11 lines per (request/s x second) each; size the run
    hours = 6.0
    rate = max(1.0, target_lines / (hours * 3600) / 0.62)
    scen_dir = WORK / f"sim_{source_fmt}_{target_lines}"
    if not scen_dir.exists():  # generated aside and renamed: an interrupted run leaves no half data
        import shutil

        tmp_dir = scen_dir.with_name(scen_dir.name + ".tmp")
        shutil.rmtree(tmp_dir, ignore_errors=True)
        generate_incident(tmp_dir, seed=7, hours=hours, rate=rate, formats=source_fmt)
        tmp_dir.rename(scen_dir)
    files = sorted(p for p in scen_dir.iterdir() if p.suffix in (".log", ".jsonl", ".ndjson") and ".access" not in p.name)
    texts = []
    for p in files:
        head = p.open(encoding="utf-8").readline()
        if source_fmt == "logback" and not head[:4].isdigit():
            continue  # the database's syslog file
        if source_fmt == "jsonl" and not head.startswith("{"):
            continue
        if source_fmt == "logfmt" and "=" not in head.split(" ", 1)[0]:
            continue
        if source_fmt == "python" and not head[:4].isdigit():
            continue
        texts.append(p)
    lines = pl.concat([pl.read_lines(p) for p in texts]).get_column("line")
    if fmt == "syslog":
        # re-frame the logback records as RFC 3164 lines from several hosts and programs
        frame = lines.to_frame().with_columns(
            pl.col("line").str.extract(r"^(\S+ \S+)", 1).str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False).alias("t"),
            pl.col("line").str.extract(r" - (.*)$", 1).alias("msg"),
            pl.col("line").str.extract(r"^\S+ \S+ (\w+)", 1).alias("lvl"),
        ).filter(pl.col("t").is_not_null() & pl.col("msg").is_not_null())
        pri = pl.when(pl.col("lvl") == "ERROR").then(pl.lit("11")).when(pl.col("lvl") == "WARN").then(pl.lit("12")).otherwise(pl.lit("14"))
        idx = pl.int_range(pl.len())
        lines = frame.select(
            pl.format(
                "<{}>{} web-{} {}[{}]: {}",
                pri,
                pl.col("t").dt.strftime("%b %e %H:%M:%S"),
                (idx % 7).cast(pl.String),
                pl.lit("app"),
                (idx // 97 % 5000 + 100).cast(pl.String),
                pl.col("msg"),
            ).alias("line")
        ).get_column("line")
    lines = lines.head(target_lines)
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write("\n".join(lines.to_list()))
        fh.write("\n")
    tmp.replace(out)
    return out


# ------------------------------------------------------------------------------- main


def main() -> int:
    """Run the benchmark and write ``benchmarks/results/read.md``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="~50k lines per format, 1 repeat")
    parser.add_argument("--lines", type=int, default=None, help="lines per format (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=None, help="runs per measurement, best time kept (default 3)")
    args = parser.parse_args()
    n_lines = args.lines or (50_000 if args.quick else 1_000_000)
    repeat = args.repeat or (1 if args.quick else 3)
    command = "python benchmarks/bench_read.py" + (" --quick" if args.quick else "") + (f" --lines {args.lines}" if args.lines else "") + (f" --repeat {args.repeat}" if args.repeat else "")

    rows = []
    for fmt, (_sim, kind) in FORMATS.items():
        t0 = time.perf_counter()
        path = _generate(fmt, n_lines)
        size_mb = path.stat().st_size / 1e6
        physical = _count_lines(path)
        print(f"[{fmt}] {physical:,} lines, {size_mb:.0f} MB (prepared in {time.perf_counter() - t0:.0f}s)", flush=True)
        _base, base_s, base_rss = _measure(path, "baseline", repeat)
        ours, ours_s, ours_rss = _measure(path, "read_logs", repeat)
        if ours["lines"] != physical:
            msg = f"{path}: read_logs accounted for {ours['lines']} of {physical} lines"
            raise RuntimeError(msg)
        ratio = ours_s / base_s
        rows.append(
            {
                "format": fmt,
                "detected": ours["format"],
                "lines": physical,
                "mb": size_mb,
                "records": ours["records"],
                "parse_errors": ours["parse_errors"],
                "null_ts": ours["null_ts"],
                "base_s": base_s,
                "ours_s": ours_s,
                "ratio": ratio,
                "target": TARGET[kind],
                "met": ratio <= TARGET[kind],
                "lines_per_s": physical / ours_s,
                "base_rss": base_rss / 1024,
                "ours_rss": ours_rss / 1024,
            }
        )
        r = rows[-1]
        print(
            f"  raw lines {base_s:.3f}s  read_logs {ours_s:.3f}s  ratio {ratio:.2f}x (target {r['target']:.0f}x: "
            f"{'met' if r['met'] else 'MISSED'})  peak RSS {r['base_rss']:.0f} / {r['ours_rss']:.0f} MiB",
            flush=True,
        )

    header = (
        "| format | detected as | lines | MB | records | parse errors | no timestamp | raw-line read s | read_logs s "
        "| ratio | target | met | lines/s | peak RSS raw MiB | peak RSS read_logs MiB |"
    )
    sep = "|" + "---|" * 15
    body = [
        f"| {r['format']} | {r['detected']} | {r['lines']:,} | {r['mb']:.0f} | {r['records']:,} | {r['parse_errors']:,} "
        f"| {r['null_ts']:,} | {r['base_s']:.3f} | {r['ours_s']:.3f} | {r['ratio']:.2f}x | {r['target']:.0f}x "
        f"| {'yes' if r['met'] else '**no**'} | {r['lines_per_s']:,.0f} | {r['base_rss']:.0f} | {r['ours_rss']:.0f} |"
        for r in rows
    ]
    print()
    print(header)
    print(sep)
    print("\n".join(body))
    missed = [r for r in rows if not r["met"]]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    md = [
        "## Read throughput (`read_logs` vs raw-line read)",
        "",
        f"Command: `{command}`  ",
        f"Date: {now}  ",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs "
        "(shared with other jobs while measured: wall-clock figures are noisy, ratios are the figure to read)  ",
        f"Time: best of {repeat} run(s), each in a fresh process, read only (imports excluded). "
        "Baseline: `pl.read_lines(path)` on the same file in the same run. Peak RSS: VmHWM of "
        "the measuring process, read at its end (includes the interpreter and polars, ~100 MiB; "
        "`wait4`/`RUSAGE_CHILDREN` max RSS is not used because Linux keeps the pre-exec high-water "
        "mark of the forked benchmark process in it).",
        "",
        header,
        sep,
        *body,
        "",
        "Targets: text formats within 3x of the raw-line read, JSON lines within 5x.",
    ]
    if missed:
        md.append("")
        md.append(
            "Missed: "
            + "; ".join(f"{r['format']} at {r['ratio']:.2f}x (target {r['target']:.0f}x)" for r in missed)
            + ". See the notes below for why."
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    notes_marker = "<!-- notes -->"
    notes = ""
    if RESULTS.exists() and notes_marker in RESULTS.read_text():
        notes = RESULTS.read_text().split(notes_marker, 1)[1]
    RESULTS.write_text("\n".join(md) + "\n\n" + notes_marker + notes)
    print(f"\nwrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
