"""Log-parsing accuracy metrics, as defined by the Loghub / Loghub-2.0 evaluators.

All four compare, line by line, a predicted template (and group) with the ground truth:

GA (grouping accuracy)
    Fraction of lines whose predicted group contains exactly the lines of their truth group.
FGA (F1 of grouping accuracy)
    F1 of group precision (correct predicted groups / predicted groups) and recall
    (correct predicted groups / truth groups); a predicted group is correct when its lines
    are exactly one truth group.
PA (parsing accuracy)
    Fraction of lines whose predicted template text equals the truth after whitespace
    normalisation, with named tokens such as ``<NUM>`` mapped to ``<*>``.
FTA (F1 of template accuracy)
    F1 over templates: a predicted template is correct when its group is correct *and*
    its text equals the truth template (as for PA).

Truth groups are defined by the truth template text (Loghub-2.0 does the same; in Loghub-2k
Linux three event ids share one template).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import polars as pl

from rcakit.errors import InputError
from rcakit.templates._masks import TOKEN_RE

__all__ = ["ParsingScores", "evaluate_parsing", "normalize_template_expr"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsingScores:
    """The four parsing metrics for one log system (all in 0-1)."""

    ga: float
    fga: float
    pa: float
    fta: float
    n_lines: int
    n_truth_groups: int
    n_predicted_groups: int

    def as_dict(self) -> dict[str, float | int]:
        """The scores as a plain dict."""
        return asdict(self)


def normalize_template_expr(expr: pl.Expr) -> pl.Expr:
    """Template text for comparison: named tokens -> ``<*>``, whitespace runs -> one space."""
    return (
        expr.str.replace_all(TOKEN_RE, "<*>")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars(" ")
    )


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def evaluate_parsing(
    truth: Sequence[str] | pl.Series,
    predicted: Sequence[str] | pl.Series,
    *,
    groups: Sequence[str] | pl.Series | None = None,
) -> ParsingScores:
    """Score predicted templates against truth templates, line by line.

    Parameters
    ----------
    truth
        The truth template of each line (e.g. Loghub's ``EventTemplate``).
    predicted
        The predicted template text of each line.
    groups
        The predicted group of each line (e.g. ``template_id``); defaults to ``predicted``.

    Returns
    -------
    ParsingScores

    Examples
    --------
    >>> s = evaluate_parsing(["a <*>", "a <*>", "b"], ["a <NUM>", "a <NUM>", "b <NUM>"])
    >>> (s.ga, s.pa)
    (1.0, 0.6666666666666666)
    """
    frame = pl.DataFrame(
        {
            "truth": pl.Series(truth, dtype=pl.String),
            "pred": pl.Series(predicted, dtype=pl.String),
        }
    )
    frame = frame.with_columns(
        (pl.Series(groups, dtype=pl.String) if groups is not None else pl.col("pred")).alias("group")
    )
    if frame.height == 0:
        msg = "evaluate_parsing: no lines to score"
        raise InputError(msg)
    if frame.select(pl.any_horizontal(pl.all().is_null().any())).item():
        msg = "evaluate_parsing: truth, predicted and groups must not contain nulls"
        raise InputError(msg)
    frame = frame.with_columns(
        normalize_template_expr(pl.col("truth")).alias("truth"),
        normalize_template_expr(pl.col("pred")).alias("pred_norm"),
    )
    truth_size = frame.group_by("truth").len("truth_size")
    per_group = (
        frame.group_by("group")
        .agg(
            pl.len().alias("size"),
            pl.col("truth").n_unique().alias("n_truth"),
            pl.col("truth").first().alias("truth"),
            pl.col("pred_norm").n_unique().alias("n_pred_text"),
            pl.col("pred_norm").first().alias("pred_norm"),
        )
        .join(truth_size, on="truth", how="left")
        .with_columns(
            ((pl.col("n_truth") == 1) & (pl.col("size") == pl.col("truth_size"))).alias("correct")
        )
        .with_columns(
            (
                pl.col("correct") & (pl.col("n_pred_text") == 1) & (pl.col("pred_norm") == pl.col("truth"))
            ).alias("text_correct")
        )
    )
    n_lines = frame.height
    n_truth = truth_size.height
    n_pred = per_group.height
    n_correct = int(per_group.get_column("correct").sum())
    n_text_correct = int(per_group.get_column("text_correct").sum())
    ga = float(per_group.filter(pl.col("correct")).get_column("size").sum()) / n_lines
    pa = float((frame.get_column("pred_norm") == frame.get_column("truth")).sum()) / n_lines
    fga = _f1(n_correct / n_pred, n_correct / n_truth)
    fta = _f1(n_text_correct / n_pred, n_text_correct / n_truth)
    return ParsingScores(
        ga=ga,
        fga=fga,
        pa=pa,
        fta=fta,
        n_lines=n_lines,
        n_truth_groups=n_truth,
        n_predicted_groups=n_pred,
    )
