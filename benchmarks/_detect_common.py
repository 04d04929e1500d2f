"""Helpers shared by the ``bench_detect_*`` scripts: data location, metrics, Markdown output."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("RCAKIT_SHARED_DATA", REPO.parent / "shared" / "data"))
RESULTS = HERE / "results"


def shared_or_exit(sub: str) -> Path:
    """``../shared/data/<sub>``, or exit with a clear message when it is absent."""
    path = SHARED / sub
    if not path.exists():
        print(f"evaluation data not found at {path}: this benchmark needs ../shared/data beside the checkout")
        sys.exit(0)
    return path


def prf(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall, F1 of boolean arrays (0.0 when undefined)."""
    tp = float(np.sum(pred & truth))
    fp = float(np.sum(pred & ~truth))
    fn = float(np.sum(~pred & truth))
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def bootstrap_prf(pred: np.ndarray, truth: np.ndarray, *, n: int = 2000, seed: int = 0) -> dict[str, tuple[float, float]]:
    """95% percentile bootstrap intervals of P, R, F1 (resampling the evaluated units)."""
    rng = np.random.default_rng(seed)
    m = len(pred)
    samples = np.array([prf(pred[idx], truth[idx]) for idx in (rng.integers(0, m, m) for _ in range(n))])
    lo, hi = np.percentile(samples, [2.5, 97.5], axis=0)
    return {k: (float(lo[i]), float(hi[i])) for i, k in enumerate(("p", "r", "f1"))}


def machine() -> str:
    """One line of machine facts."""
    return (
        f"{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs "
        "(shared with other jobs while measured: wall-clock figures are noisy)"
    )


NOTES_MARKER = "<!-- notes -->"


def kept_notes(path: Path) -> str:
    """The hand-written notes of a results file (from :data:`NOTES_MARKER` on), or ``""``:
    a re-run rewrites the figures above the marker and keeps what was said below it."""
    if not path.exists():
        return ""
    text = path.read_text(encoding="utf-8")
    return NOTES_MARKER + text.split(NOTES_MARKER, 1)[1] if NOTES_MARKER in text else ""


def write_markdown(topic: str, title: str, command: str, body: list[str]) -> Path:
    """Write ``benchmarks/results/<topic>.md`` with the command, machine and date (notes
    below :data:`NOTES_MARKER` in the previous file are kept)."""
    RESULTS.mkdir(exist_ok=True)
    text = [
        f"## {title}",
        "",
        f"Command: `{command}`  ",
        f"Machine: {machine()}  ",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        *body,
    ]
    out = RESULTS / f"{topic}.md"
    notes = kept_notes(out)
    out.write_text("\n".join(text).rstrip() + "\n" + ("\n" + notes.rstrip() + "\n" if notes else ""), encoding="utf-8")
    return out
