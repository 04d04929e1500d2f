"""Sparse logs: a low-traffic estate where a new failure repeats, but not within a minute."""

from __future__ import annotations

import warnings

import pytest

import rcakit
from rcakit.errors import RcakitWarning


@pytest.mark.slow
def test_a_new_error_that_repeats_every_few_minutes_is_an_incident(tmp_path):
    # 0.15 requests/s at the edge: the deploy breaks order placement, whose new error is
    # logged 7 times in 28 min (3 within the first 4 min), never 5 times in one minute
    sc = rcakit.generate_incident(tmp_path / "sparse", fault="new_error", seed=41, hours=4, rate=0.15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RcakitWarning)
        report = rcakit.analyze(sc.out_dir)
    truth = sc.truth
    assert len(report.incidents) == 1
    inc = report.incidents[0]
    assert (inc.root_service, inc.cause) == (truth.root_service, truth.cause_change_id)
    assert abs((inc.start - truth.onset).total_seconds()) < 60
