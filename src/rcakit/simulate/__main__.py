"""``python -m rcakit.simulate OUT_DIR [--fault F] [--seed N] [--hours H] ...``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rcakit.errors import RcakitError
from rcakit.simulate import APP_FORMATS, EXTRA_APP_FORMATS, FAULT_KINDS, generate_incident


def main(argv: list[str] | None = None) -> int:
    """Write one scenario; print where the files went and the truth summary."""
    parser = argparse.ArgumentParser(
        prog="python -m rcakit.simulate",
        description="Write a seeded, simulated incident (logs + deploys.csv) into OUT_DIR.",
    )
    parser.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    parser.add_argument("--fault", choices=FAULT_KINDS, default="new_error")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hours", type=float, default=6.0)
    parser.add_argument("--rate", type=float, default=1.0, help="mean requests/second at the edge (default 1.0)")
    parser.add_argument("--root", default=None, help="role or service name of the root (default: from the seed)")
    parser.add_argument("--format", dest="fmt", choices=APP_FORMATS + EXTRA_APP_FORMATS, default=None, help="write every application service in this format")
    parser.add_argument("--truth", type=Path, default=None, help="write the truth JSON here (default: OUT_DIR.truth.json beside OUT_DIR)")
    args = parser.parse_args(argv)
    try:
        scenario = generate_incident(
            args.out_dir, fault=args.fault, seed=args.seed, hours=args.hours, rate=args.rate, root=args.root, formats=args.fmt
        )
    except RcakitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    truth_path = args.truth or args.out_dir.with_name(args.out_dir.name + ".truth.json")
    scenario.write_truth(truth_path)
    for log in scenario.logs:
        print(f"{log.path}  {log.format:<10} {log.n_lines:>9} lines")
    print(f"{scenario.deploys_path}")
    print(f"{truth_path}")
    print(scenario.truth.description)
    return 0


if __name__ == "__main__":
    sys.exit(main())
