"""``rcakit report`` on incident shapes the main generator does not make (issue #5 follow-up).

Each shape of :data:`rcakit.simulate._shapes.SHAPES` (a TrainTicket-style Spring Boot estate:
Kibana / Loki CSV exports or ``kubectl logs`` per pod, no access log, chaos faults, a short or
absent change list) is generated for several seeds under ``benchmarks/_work/shapes/`` (not
committed) and analysed through the CLI exactly as a user runs it::

    rcakit report LOGDIR [--deploys deploys.csv] -o report.json

The JSON report is scored against the truth the generator wrote (the CLI never sees it):
incident found (overlaps onset - 2 min .. end + 15 min), root service, cause (the guilty
change, or ``null`` when no change explains it), onset error, false alarms (incidents that do
not overlap the truth). Baseline measured on the same reports: the *loudest service* (most
anomalous events) for the root, the *latest change before the onset* for the cause.

Usage: ``python benchmarks/bench_report_shapes.py [--quick] [--seeds N] [--shape NAME] [--rates 1.0,0.4]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from _report_scoring import count_ok, score_report
from rcakit.simulate._shapes import SHAPES, generate_shape

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work" / "shapes"
RESULTS = HERE / "results"
RCAKIT = Path(sys.executable).parent / "rcakit"

#: How to read the figures (kept with the script so the results file is self-contained).
NOTES = """Notes. These shapes are in-sample: the correlate rules added for them (URL hosts as service
names; a blamed dependency that logs nothing or pauses is a root candidate; slowed bottom
services with one common normal-looking callee blame it; no "quiet before the onset"
mark-down within a 10-minute rollout; a shifted number must move its median >= 25 % or its
p95 2x to be a symptom; onset from the callers' first new error line when the root logs
nothing new) were written while looking at seeds 0-1 of these shapes, then checked on seed 2
and on the main generator (`bench_report.py --seeds 2 --none-days 2`: 10/10 root and cause,
0 false alarms, unchanged). Before those rules, the first `--quick` run got 3/5 roots and
4/5 causes, with one confident wrong cause (silent_dependency: the root was the caller
`ts-basic-service` and its harmless deploy minutes before was named the cause); at 0.4-0.5
requests/s the one-line change list's deploy lost the cause (its service was quiet for the
4 minutes before the onset), a killed pod lost the root to a service called less often
(`ts-config-service`, rate drop), and a `took 2ms -> 2ms, p95 3 -> 4` wobble was a false
alarm. It is a model (one generator, one estate): real TrainTicket / chaos logs will have
shapes this does not (several faults at once, sidecars, retries with backoff, log sampling).
Onset errors are the reported incident start minus the injected fault start; CPU stress
starts late (+24..+62 s at 0.4 requests/s) because the first slow records must pile up.
Wall-clock seconds are on a machine shared with other engineers' jobs.
Held-out check after the rules were fixed (seeds 3-4 at 0.7 requests/s, a rate not used
while writing them; run once, not in the table above): 10/10 root service and cause, onset
errors -43..+48 s, 1 false alarm: a low-severity (0.18) incident in `ts-assurance-service`
from a rare business warning (`[<*> not found][id: <*>]`, 1 % of its calls) that detection
reported as a `new` template with 6 events while 2 were in the span before it (a template
seen before is not new: detection's or template mining's side, not changed here).

Five shapes were added later (2026-11-29), each written before the analysis was run on it:
`kibana_packet_loss`, `kubectl_oom_restart`, `loki_pool_config` (first run, seeds 0-2 at 1
and 0.4 requests/s, on the code of that session's start plus its collapse fix): root 12/18,
cause 12/18. Packet loss lost the root 6/6 (its callers' failures name the seat service,
whose own lines look normal, so it was no candidate: the caller `ts-travel-service` was
named); the leak lost the cause 6/6 (the onset was dated from the first OutOfMemoryError,
8 min after the slow-down began, and the leaking deploy, 12-22 min before, was marked down
x0.1 for showing nothing in between). The rules written on those runs (a service two or more
callers fail calling is a candidate; a root that slowed down well before its first new line is
dated from the slow-down; the "nothing visible in between" mark-down halves per 15 min served
instead of a flat x0.1) give 18/18. Then `kubectl_disk_full` and `loki_traffic_surge` were
written and run once on that code: 12/12 root and cause, 0 false alarms. So the last two
are held out for root and cause; the first three are in-sample now. One thing changed after
the first full run of all ten (60/60): `kubectl_disk_full` was dated 582 s early (median),
from the debug lines its config change had added an hour before (folded into the incident as
a precursor); a template the root logged long before no longer dates the onset.
"""


def run_one(shape: str, seed: int, *, hours: float, rate: float) -> dict[str, object]:
    out = WORK / f"{shape}-{seed}"
    if out.exists():
        shutil.rmtree(out)
    sc = generate_shape(out, shape=shape, seed=seed, hours=hours, rate=rate)
    truth = sc.truth
    report = out / "report.json"
    cmd = [str(RCAKIT), "report", str(sc.log_dir)]
    if sc.deploys_path is not None:
        cmd += ["--deploys", str(sc.deploys_path)]
    cmd += ["-o", str(report)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    row: dict[str, object] = {"shape": shape, "seed": seed, "seconds": seconds, "exit": proc.returncode,
                              "truth_root": truth.root_service, "truth_cause": truth.cause_change_id}
    if proc.returncode != 0:
        row["error"] = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "?"
        return row
    doc = json.loads(report.read_text(encoding="utf-8"))
    row["records"] = doc["inputs"]["records"]
    row["incidents"] = len(doc["incidents"])
    row.update(score_report(doc, truth))
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 seed, 2 hours of logs")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--shape", action="append", choices=SHAPES)
    ap.add_argument("--rates", default="1.0,0.4", help="requests per second, comma-separated (each rate runs every shape and seed)")
    args = ap.parse_args()
    seeds = 1 if args.quick else args.seeds
    hours = 2.0 if args.quick else 3.0
    shapes = args.shape or list(SHAPES)
    rates = [float(x) for x in args.rates.split(",")]
    rows = []
    started = time.perf_counter()
    for rate in rates:
        for shape in shapes:
            for seed in range(seeds):
                r = run_one(shape, seed, hours=hours, rate=rate)
                r["rate"] = rate
                rows.append(r)
                print(json.dumps({k: v for k, v in r.items() if k != "cause_reason"}, default=str), flush=True)
    lines = [
        "# `rcakit report` on incident shapes the generator does not make",
        "",
        f"Command: `python benchmarks/bench_report_shapes.py {' '.join(sys.argv[1:])}`".rstrip(),
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Machine: {platform.platform()}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()} "
        "(shared with other engineers' jobs: wall-clock figures are noisy).",
        f"Each run: {hours:g} h of logs at {', '.join(f'{x:g}' for x in rates)} requests/s (every shape and seed "
        "at each rate), analysed by `rcakit report LOGDIR [--deploys deploys.csv] -o report.json`. "
        f"Total wall time {time.perf_counter() - started:.0f} s for {len(rows)} runs.",
        "",
        "| shape | runs | found | root ok | cause ok | baseline root (loudest) | baseline cause (latest change) | false alarms | median onset error (s) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for shape in shapes:
        rs = [r for r in rows if r["shape"] == shape]
        errs = sorted(float(r["onset_error_s"]) for r in rs if "onset_error_s" in r)  # type: ignore[arg-type]
        med = f"{errs[len(errs) // 2]:+.0f}" if errs else "-"
        lines.append(
            f"| {shape} | {len(rs)} | {count_ok(rs, 'found')} | {count_ok(rs, 'root_ok')} | {count_ok(rs, 'cause_ok')} | "
            f"{count_ok(rs, 'base_root_ok')} | {count_ok(rs, 'base_cause_ok')} | "
            f"{sum(int(r.get('false_alarms', 0)) for r in rs)} | {med} |"  # type: ignore[call-overload]
        )
    lines += ["", "Per run:", "", "| shape | rate | seed | exit | records | root (truth) | cause (truth) | onset error s | false alarms | s |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(
            f"| {r['shape']} | {r['rate']:g} | {r['seed']} | {r['exit']} | {r.get('records', '-')} | {r.get('root', '-')} ({r['truth_root']}) | "
            f"{r.get('cause', '-')} ({r['truth_cause']}) | {r.get('onset_error_s', '-')} | {r.get('false_alarms', '-')} | "
            f"{float(r['seconds']):.1f} |"  # type: ignore[arg-type]
        )
    text = "\n".join(lines) + "\n" + NOTES
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "report_shapes.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
