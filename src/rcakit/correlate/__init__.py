"""Correlate anomaly windows with change events: incidents, root service, suspects, cause.

Stage: after :func:`rcakit.detect_anomalies`, before the report.

In
    ``records``: templated log records (schema :data:`rcakit.schemas.TEMPLATED_RECORDS`),
    ``detection``: a :class:`rcakit.detect.DetectionResult`,
    ``changes``: change events (schema :data:`rcakit.schemas.CHANGES`).
Out
    :class:`Correlation`: incidents (with root service, ranked suspects and the decided
    ``cause``) and an impact rating for every change event in the analysed period.

How it decides (the same rules are explained to users in ``docs/report.md``):

1. **Incidents.** Anomaly windows closer than ``merge_gap`` are one incident.
2. **Root service.** Every service with anomalous templates is a candidate. Evidence for
   *root*: its anomaly starts first; other candidates' anomalous messages name it; in traces
   that cross services it is the first to log an error; it has anomalies of its own (new
   templates, parameter shifts) that do not name another service. Evidence for *victim*: its
   anomalous messages name another service ("payment call failed"), it errs after another
   service in shared traces. Error counts alone never decide (retries inflate callers).
3. **Suspects.** A change must land before the onset (one window of tolerance for the
   window grid). Each one is scored from general evidence: same service as the root (or a
   dependency the root names), templates first seen in its service after it, parameter
   shifts and error-ratio shifts in its service comparing the periods before and after it,
   the version in the records, and time proximity (a weak factor, because slow burns
   surface long after their deploy). A change after which the service was already
   deviating (the problem started earlier) is marked down.
4. **Cause.** The best suspect, when it is in the root service (or a dependency the root
   names) *and* its service changed behaviour after it; otherwise ``None``: "no change
   explains this" (a dependency outage, traffic, a cron job).
5. **Every change** in the period gets an ``impact_score`` in 0-1 from the same
   before/after comparison, whether or not it is near an incident.

The per-change comparisons are polars filters and aggregations over the records of one
service; there is no per-line Python loop.
"""

from __future__ import annotations

from rcakit.correlate._correlate import correlate_changes
from rcakit.correlate._records import ERROR_SEVERITY as ERROR_SEVERITY
from rcakit.correlate._records import WARN_SEVERITY as WARN_SEVERITY
from rcakit.correlate._records import prepare_records as prepare_records
from rcakit.correlate._results import (
    AnomalyFinding,
    ChangeImpact,
    ChangeRef,
    Correlation,
    Evidence,
    Impact,
    Incident,
    ServiceRole,
    Suspect,
)
from rcakit.correlate._results import EvidenceKind as EvidenceKind
from rcakit.correlate._results import Symptom as Symptom
from rcakit.correlate._services import _names as _names  # (tests)
from rcakit.correlate._services import dependency_graph, match_service, url_services
from rcakit.correlate._units import parse_duration
from rcakit.correlate._units import tmax as tmax
from rcakit.correlate._units import tmin as tmin

__all__ = [
    "AnomalyFinding",
    "ChangeImpact",
    "ChangeRef",
    "Correlation",
    "Evidence",
    "Impact",
    "Incident",
    "ServiceRole",
    "Suspect",
    "correlate_changes",
    "dependency_graph",
    "match_service",
    "parse_duration",
    "url_services",
]
