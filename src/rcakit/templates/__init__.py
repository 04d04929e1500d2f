"""Template mining: turn log bodies into a few hundred stable, countable templates.

In: any polars frame with a String ``body`` column (normally ``LOG_RECORDS`` from
:func:`rcakit.read_logs`). Out: the same frame plus ``template_id``, ``template`` and
``params`` (``TEMPLATED_RECORDS``).

>>> import polars as pl, rcakit
>>> out = rcakit.mine_templates(pl.DataFrame({"body": ["user 7 logged in", "user 9 logged in"]}))
>>> out["template"].to_list()
['user <NUM> logged in', 'user <NUM> logged in']

The public names:

:class:`TemplateMiner`
    scikit-learn-style estimator (``fit``/``transform``/``fit_transform``/``partial_fit``,
    ``save``/``load`` as versioned JSON).
:func:`mine_templates`
    the zero-configuration one-call version.
:func:`summarize_templates`
    one row per template (count, first/last seen, services, severity, example).
:data:`DEFAULT_MASKS`, :class:`Mask`
    the named masking set applied before Drain.
:func:`evaluate_parsing`, :class:`ParsingScores`
    GA / FGA / PA / FTA against ground truth.
"""

from __future__ import annotations

from rcakit.templates._masks import DEFAULT_MASKS, Mask, masks_from_patterns
from rcakit.templates._metrics import ParsingScores, evaluate_parsing
from rcakit.templates._miner import (
    TemplateMiner,
    mine_templates,
    summarize_templates,
    template_id_of,
)

__all__ = [
    "DEFAULT_MASKS",
    "Mask",
    "ParsingScores",
    "TemplateMiner",
    "evaluate_parsing",
    "masks_from_patterns",
    "mine_templates",
    "summarize_templates",
    "template_id_of",
]
