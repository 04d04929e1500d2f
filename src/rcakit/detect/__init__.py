"""Detect stage: find anomaly windows in templated logs.

Input: ``TEMPLATED_RECORDS`` (see :mod:`rcakit.schemas`). Output: :class:`DetectionResult`
with :class:`AnomalyWindow` records, the ``WINDOW_COUNTS`` count matrix and the scores.

* :func:`detect_anomalies` runs everything with zero configuration.
* :func:`count_windows` builds the window x service x template count matrix.
* Detectors (scikit-learn style, ``fit(baseline).score(study)``): :class:`NewTemplateDetector`,
  :class:`RateDetector`, :class:`ErrorRatioDetector`, :class:`ParameterShiftDetector`,
  :class:`MultivariateDetector`, :class:`SessionDetector` (with :func:`count_sessions`).

Every score is ``-log10 p`` under the baseline (6 = one in a million), except where a
custom scikit-learn model is passed.
"""

from __future__ import annotations

from rcakit.detect._counts import count_windows
from rcakit.detect._detect import DEFAULT_DETECTORS, detect_anomalies
from rcakit.detect._errors import ErrorRatioDetector
from rcakit.detect._multivariate import MultivariateDetector, PCAResidual
from rcakit.detect._new import NewTemplateDetector
from rcakit.detect._params import ParameterShiftDetector, extract_parameters
from rcakit.detect._rate import RateDetector
from rcakit.detect._results import AnomalyKind, AnomalyWindow, Contribution, DetectionResult
from rcakit.detect._sessions import SessionDetector, count_sessions
from rcakit.detect._stats import SCORES_SCHEMA

__all__ = [
    "DEFAULT_DETECTORS",
    "SCORES_SCHEMA",
    "AnomalyKind",
    "AnomalyWindow",
    "Contribution",
    "DetectionResult",
    "ErrorRatioDetector",
    "MultivariateDetector",
    "NewTemplateDetector",
    "PCAResidual",
    "ParameterShiftDetector",
    "RateDetector",
    "SessionDetector",
    "count_sessions",
    "count_windows",
    "detect_anomalies",
    "extract_parameters",
]
