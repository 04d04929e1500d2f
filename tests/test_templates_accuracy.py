"""Regression floor for template-mining accuracy on Loghub-2k (zero configuration).

Reads ``../shared/data/loghub-2k`` through the ``shared_data`` fixture (skipped with a reason
where it is absent). The floors sit just below the figures measured by
``benchmarks/bench_templates_accuracy.py``, so a change that makes mining worse fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from rcakit.templates import evaluate_parsing, mine_templates

# measured (benchmarks/results/templates_accuracy.md) -> floor just below
FLOORS = {"ga": 0.970, "fga": 0.930, "pa": 0.915, "fta": 0.805}
MIN_SYSTEM_GA = 0.90


def _systems(shared_data: Path) -> list[str]:
    settings = json.loads((shared_data / "loghub-2k" / "settings.json").read_text())
    return sorted(name for name in settings if not name.startswith("_"))


@pytest.mark.shared
def test_loghub_2k_accuracy_floor(shared_data: Path) -> None:
    scores = {}
    for system in _systems(shared_data):
        path = shared_data / "loghub-2k" / system / f"{system}_2k.log_structured.csv"
        truth = pl.read_csv(path, infer_schema=False, columns=["Content", "EventTemplate"])
        frame = truth.select(pl.col("Content").fill_null("").alias("body"))
        out = mine_templates(frame, with_params=False)
        assert out.height == frame.height
        scores[system] = evaluate_parsing(
            truth["EventTemplate"], out["template"], groups=out["template_id"]
        )
    assert len(scores) >= 12
    averages = {k: sum(getattr(s, k) for s in scores.values()) / len(scores) for k in FLOORS}
    report = {k: round(v, 4) for k, v in averages.items()}
    for key, floor in FLOORS.items():
        assert averages[key] >= floor, f"average {key} fell below {floor}: {report}"
    worst = min(scores, key=lambda s: scores[s].ga)
    assert scores[worst].ga >= MIN_SYSTEM_GA, f"{worst} GA {scores[worst].ga:.3f}"


@pytest.mark.shared
def test_loghub_params_reconstruct_every_message(shared_data: Path) -> None:
    """On real logs of several systems, params put back into the template give the message."""
    import re

    token = re.compile(r"<(?:\*|[A-Z][A-Z0-9_]*)>")
    for system in ("Android", "Hadoop", "Linux", "Windows"):
        path = shared_data / "loghub-2k" / system / f"{system}_2k.log_structured.csv"
        frame = pl.read_csv(path, infer_schema=False, columns=["Content"]).select(
            pl.col("Content").fill_null("").alias("body")
        )
        out = mine_templates(frame)
        for body, template, params in out.select("body", "template", "params").iter_rows():
            pieces = token.split(template)
            assert len(pieces) == len(params) + 1, (system, template, params)
            rebuilt = pieces[0] + "".join(v + p for v, p in zip(params, pieces[1:], strict=True))
            assert " ".join(rebuilt.split()) == " ".join(body.split()), (system, body, template)
