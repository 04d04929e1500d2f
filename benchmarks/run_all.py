"""Run every benchmark script and assemble ``benchmarks/RESULTS.md``.

Usage::

    python benchmarks/run_all.py            # full runs (minutes)
    python benchmarks/run_all.py --quick    # small runs, for a smoke check

Each ``benchmarks/bench_*.py`` prints its table and writes the same table as Markdown to
``benchmarks/results/<topic>.md``; this script runs them one after another (never in
parallel: they time themselves) and concatenates the Markdown files under a common header.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
ORDER = ("read", "formats", "jsondoc", "simulate", "templates", "detect", "report")  # pipeline order; others follow by name


def _sort_key(path: Path) -> tuple[int, str]:
    topic = path.stem.removeprefix("bench_")
    for i, prefix in enumerate(ORDER):
        if topic.startswith(prefix):
            return (i, topic)
    return (len(ORDER), topic)


def assemble() -> Path:
    """Concatenate ``benchmarks/results/*.md`` into ``benchmarks/RESULTS.md``."""
    parts = [
        "# rcakit benchmark results",
        "",
        "Assembled by `python benchmarks/run_all.py` (`make bench`) from `benchmarks/results/*.md`;",
        "each section names the command that produced it, the machine and the date. Figures are",
        "as measured, never rounded up; a target that was missed says so with the reason.",
        "",
    ]
    for md in sorted(RESULTS.glob("*.md"), key=_sort_key):
        parts.append(md.read_text(encoding="utf-8").rstrip())
        parts.append("")
    out = HERE / "RESULTS.md"
    out.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small runs for a smoke check")
    parser.add_argument("--only", default=None, help="run only benchmarks whose name contains this")
    parser.add_argument("--assemble-only", action="store_true", help="only rebuild RESULTS.md from results/*.md")
    args = parser.parse_args()
    if args.assemble_only:
        print(f"wrote {assemble()}")
        return 0
    scripts = sorted(HERE.glob("bench_*.py"), key=_sort_key)
    if args.only:
        scripts = [s for s in scripts if args.only in s.name]
    print(f"# {len(scripts)} benchmark scripts on {platform.node()} ({platform.machine()}), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    failed = []
    for script in scripts:
        cmd = [sys.executable, str(script)] + (["--quick"] if args.quick else [])
        print(f"\n$ {' '.join(cmd)}", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call(cmd)
        print(f"({script.name}: exit {rc}, {time.perf_counter() - t0:.0f} s)", flush=True)
        if rc != 0:
            failed.append(script.name)
    out = assemble()
    print(f"\nwrote {out}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
