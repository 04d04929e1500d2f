"""The records correlation returns: incidents, roles, suspects, change ratings, evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

EvidenceKind = Literal[
    "timing",
    "service",
    "new_template",
    "parameter_shift",
    "error_ratio",
    "volume",
    "version",
    "pre_existing",
    "dependency",
    "trace",
    "onset",
    "own_anomaly",
    "rollout",
    "restart",
    "memory",
    "undone",
    "no_change",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """One reason for (positive ``weight``) or against (negative) a conclusion."""

    kind: EvidenceKind
    text: str
    weight: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeRef:
    """A change event as the report shows it."""

    id: str
    time: datetime
    service: str | None
    version: str | None
    kind: str
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Suspect:
    """A change that may have caused an incident, with its score (0-1) and the evidence."""

    change: ChangeRef
    score: float
    lag_seconds: float  # onset - change time
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class AnomalyFinding:
    """An anomalous template/service inside an incident (from detection, with counts)."""

    kind: str
    service: str | None
    template_id: str | None
    template: str | None
    score: float
    baseline_rate: float
    observed_rate: float
    first_seen: datetime | None
    onset: datetime
    examples: tuple[str, ...]
    detail: str
    n_before: int  # events of this template/service in the same span before the incident
    n_during: int  # events inside the incident
    names_services: tuple[str, ...] = ()  # other services its text names (a dependency)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceRole:
    """How a service takes part in an incident: ``root``, ``victim`` or ``affected``."""

    service: str
    role: Literal["root", "victim", "affected"]
    onset: datetime | None
    score: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Impact:
    """Business impact in the incident span."""

    n_requests: int  # access-log requests (or records, when there is no access log)
    n_failed: int  # status >= 500, or error records
    failed_share: float
    unit: Literal["requests", "records"]
    endpoints: tuple[tuple[str, int], ...]  # (endpoint or service, failures), most first
    n_errors: int  # error records (severity >= ERROR) in the span
    duration_seconds: float


#: from this :attr:`Incident.traffic_ratio` on, traffic rose at the onset (a surge)
TRAFFIC_SURGE = 1.5

Symptom = Literal["errors", "silence", "latency", "warnings", "rates"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Incident:
    """A group of anomaly windows judged to be one problem."""

    id: str
    start: datetime
    end: datetime
    severity: float
    severity_label: str
    services: tuple[str, ...]
    root_service: str | None
    roles: tuple[ServiceRole, ...]
    anomalies: tuple[AnomalyFinding, ...]
    suspects: tuple[Suspect, ...]
    cause: str | None
    cause_reason: str
    impact: Impact
    summary: str
    detection_score: float
    #: what the incident looks like from outside, the first that applies: ``"silence"`` (the
    #: root stopped logging), ``"errors"`` (new or more error records, failed requests),
    #: ``"latency"`` (a number such as a duration moved; not a count of things, devices
    #: pending or rows read: that is ``"rates"``), ``"warnings"`` (new or more
    #: warnings, nothing failed: severity at most ``low``), ``"rates"`` (volumes moved)
    symptom: Symptom = "errors"
    #: how much more (or less) the estate logged from the onset: the median over services
    #: with enough records of their volume in the incident's first half hour over the half
    #: hour before (1.0: traffic as before; a surge of requests shows as 2-3x everywhere)
    traffic_ratio: float = 1.0
    #: hosts outside the logs that the root's failures name, most named first (a provider's
    #: API, a vendor system: ``api.sendgrid.com``, ``lis-api.labnet.local``): what to check
    #: when no change explains the incident
    external_hosts: tuple[str, ...] = ()

    @property
    def traffic_surge(self) -> bool:
        """Whether traffic rose at the onset (``traffic_ratio`` >= :data:`TRAFFIC_SURGE`)."""
        return self.traffic_ratio >= TRAFFIC_SURGE


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeImpact:
    """Rating of one change event in the analysed period (incident or not)."""

    change: ChangeRef
    impact_score: float
    incident_id: str | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Correlation:
    """What :func:`correlate_changes` returns."""

    incidents: tuple[Incident, ...]  # most severe first
    changes: tuple[ChangeImpact, ...]  # by time
    period_start: datetime | None
    period_end: datetime | None
    services: tuple[str, ...] = field(default=())
