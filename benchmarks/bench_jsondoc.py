"""Read time of JSON document exports (format ``json``) against the same records as JSON lines.

Usage::

    .venv/bin/python benchmarks/bench_jsondoc.py            # 100k records per shape
    .venv/bin/python benchmarks/bench_jsondoc.py --quick    # 10k records per shape

The same seeded, realistic ECS-style records (nested ``log.level``, ``service.name``,
``http.*``; a third of the messages are raw app lines with a logback head, as filebeat ships
them) are written under ``benchmarks/_work/jsondoc/`` as JSON lines (the baseline), a
pretty-printed array, a compact one-line array, an Elasticsearch search response (one line,
as ``curl`` saves it), CloudWatch ``filter-log-events`` output (pretty, messages as text)
and a Loki query response (one line). Each file is read with ``rcakit.read_logs`` (format
detection included) in this process, best of ``--repeat``; the ratio is against the JSON-lines
read of the same records measured in the same run.

No target was set for this format (issue #2 asks for JSON lines within 5x of a raw-line read).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / "_work" / "jsondoc"
RESULTS = HERE / "results" / "jsondoc.md"

sys.path.insert(0, str(REPO / "src"))


def make_records(n: int, *, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    start = datetime(2025, 3, 4, 7, 0, tzinfo=UTC)
    services = ["checkout", "payment", "catalog", "cart", "search"]
    out = []
    for i in range(n):
        ts = start + timedelta(milliseconds=i * 37 + rng.randint(0, 30))
        svc = rng.choice(services)
        level = rng.choices(["info", "warn", "error", "debug"], weights=[80, 10, 5, 5])[0]
        if i % 3 == 0:
            head = ts.strftime("%Y-%m-%d %H:%M:%S,") + f"{ts.microsecond // 1000:03d}"
            trace = f"{rng.getrandbits(128):032x}"
            message = f"{head} {level.upper()} [{svc}.api] [trace_id={trace}] - served request id={rng.randint(1, 10**6)} in {rng.randint(1, 900)}ms"
            rec = {"@timestamp": ts.isoformat().replace("+00:00", "Z"), "message": message,
                   "kubernetes": {"pod": {"name": f"{svc}-7d4b9c8f6d-x{i % 7}q4z"}}, "host": {"name": f"node-{i % 5}"}}
        else:
            rec = {"@timestamp": ts.isoformat().replace("+00:00", "Z"), "log": {"level": level},
                   "message": f"{svc} call to /api/{rng.choice(['pay', 'cart', 'items'])}/{rng.randint(1, 10**5)} status={rng.choice([200, 200, 201, 404, 500])}",
                   "service": {"name": svc}, "http": {"request": {"method": rng.choice(["GET", "POST"])}, "response": {"status_code": 200}},
                   "user": {"id": f"u-{rng.randint(1, 5000)}"}}
        out.append(rec)
    return out


def write_files(records: list[dict]) -> dict[str, Path]:
    WORK.mkdir(parents=True, exist_ok=True)
    base = datetime(2025, 3, 4, 7, 0, tzinfo=UTC)
    files = {
        "jsonl (baseline)": ("records.jsonl", "\n".join(json.dumps(r) for r in records) + "\n"),
        "array, pretty": ("array-pretty.json", json.dumps(records, indent=2) + "\n"),
        "array, one line": ("array-compact.json", json.dumps(records)),
        "Elasticsearch response, one line": (
            "es-response.json",
            json.dumps({"took": 12, "timed_out": False, "hits": {"total": {"value": len(records)},
                        "hits": [{"_index": "logs", "_id": str(i), "_score": None, "_source": r} for i, r in enumerate(records)]}}),
        ),
        "CloudWatch events, pretty": (
            "cloudwatch.json",
            json.dumps({"events": [{"logStreamName": "ecs/app/1", "timestamp": int((base + timedelta(milliseconds=37 * i)).timestamp() * 1000),
                                    "message": r["message"], "ingestionTime": 0, "eventId": str(i)} for i, r in enumerate(records)]}, indent=4),
        ),
        "Loki response, one line": (
            "loki.json",
            json.dumps({"status": "success", "data": {"resultType": "streams", "result": [
                {"stream": {"service_name": "app", "level": "info"},
                 "values": [[str(int((base + timedelta(milliseconds=37 * i)).timestamp() * 1e9)), r["message"]] for i, r in enumerate(records)]}]}}),
        ),
    }
    paths = {}
    for label, (name, text) in files.items():
        path = WORK / name
        path.write_text(text, encoding="utf-8")
        paths[label] = path
    return paths


def measure(path: Path, repeat: int) -> tuple[float, int, str, int]:
    import rcakit

    best = float("inf")
    frame = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        frame = rcakit.read_logs(path)
        best = min(best, time.perf_counter() - t0)
    assert frame is not None
    fmt = ",".join(sorted(set(frame["format"].to_list())))
    return best, frame.height, fmt, int(frame["parse_error"].is_not_null().sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k records instead of 100k")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n = 10_000 if args.quick else 100_000
    paths = write_files(make_records(n))
    rows = []
    baseline = None
    for label, path in paths.items():
        seconds, height, fmt, errors = measure(path, args.repeat)
        baseline = baseline or seconds
        rows.append((label, f"{path.stat().st_size / 1e6:.1f}", height, fmt, errors, f"{seconds:.3f}", f"{seconds / baseline:.2f}"))
    header = ("shape", "MB", "records", "format", "parse errors", "seconds (best)", "x jsonl")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)))
    cmd = "python benchmarks/bench_jsondoc.py" + (" --quick" if args.quick else "") + f" --repeat {args.repeat}"
    md = [
        "# JSON document exports: read time against JSON lines",
        "",
        f"Command: `{cmd}`  ",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC  ",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        "shared with other jobs (loaded: wall-clock figures are noisy, compare the ratios).",
        "",
        f"{n} records per file, `rcakit.read_logs(path)` with format detection, in-process, best of {args.repeat}. "
        "Baseline: the same records as JSON lines, same run.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *["| " + " | ".join(str(v) for v in r) + " |" for r in rows],
        "",
        "No target was set for this format. Where the time goes: the document is decoded by "
        "Python's C JSON decoder (once to validate and find the shape, then again along the path "
        "to the record list to learn where each record starts); records that are spans of the file "
        "(arrays, CloudWatch events) go to the JSON-lines reader as they are, while Elasticsearch "
        "`_source` objects and Loki values are re-encoded one by one with `json`, a per-record "
        "Python step (the only one).",
    ]
    RESULTS.write_text("\n".join(md) + "\n", encoding="utf-8")
    print(f"\nwritten to {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
