"""The typed report: small frozen records, and their JSON form (``schema_version`` 1).

The JSON shape is described by ``rcakit/data/report.schema.json`` (JSON Schema 2020-12);
``docs/report.md`` explains it field by field. Bump :data:`SCHEMA_VERSION` whenever the
shape changes incompatibly.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import polars as pl

from rcakit.correlate import (
    AnomalyFinding,
    ChangeImpact,
    ChangeRef,
    Evidence,
    Impact,
    Incident,
    ServiceRole,
    Suspect,
)

__all__ = [
    "SCHEMA_VERSION",
    "FileSummary",
    "InputsSummary",
    "RcaReport",
    "load_schema",
]

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class FileSummary:
    """One input log file: how many records and lines it gave, and how many failed to parse."""

    path: str
    format: str | None
    records: int
    lines: int
    parse_errors: int


@dataclass(frozen=True, slots=True, kw_only=True)
class InputsSummary:
    """What the report was computed from."""

    files: tuple[FileSummary, ...]
    records: int
    lines: int
    parse_errors: int
    services: tuple[str, ...]
    period_start: datetime | None
    period_end: datetime | None
    baseline_start: datetime | None
    baseline_end: datetime | None
    window: str
    change_files: tuple[str, ...]
    n_changes: int
    #: ``(file, why)`` of change files that could not be read and were left out
    unread_change_files: tuple[tuple[str, str], ...] = ()


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def _evidence(ev: tuple[Evidence, ...]) -> list[dict[str, Any]]:
    return [{"kind": e.kind, "text": e.text, "weight": round(e.weight, 3)} for e in ev]


def _change(c: ChangeRef) -> dict[str, Any]:
    return {
        "id": c.id,
        "time": _iso(c.time),
        "service": c.service,
        "version": c.version,
        "kind": c.kind,
        "description": c.description,
    }


def _anomaly(a: AnomalyFinding) -> dict[str, Any]:
    return {
        "template": a.template,
        "template_id": a.template_id,
        "service": a.service,
        "kind": a.kind,
        "score": round(a.score, 3),
        "baseline": {"rate_per_window": round(a.baseline_rate, 4), "count": a.n_before},
        "observed": {"rate_per_window": round(a.observed_rate, 4), "count": a.n_during},
        "first_seen": _iso(a.first_seen),
        "onset": _iso(a.onset),
        "detail": a.detail,
        "names_services": list(a.names_services),
        "examples": list(a.examples),
    }


def _suspect(s: Suspect) -> dict[str, Any]:
    return {
        "change": _change(s.change),
        "score": round(s.score, 3),
        "lag_seconds": round(s.lag_seconds, 1),
        "evidence": _evidence(s.evidence),
    }


def _role(r: ServiceRole) -> dict[str, Any]:
    return {
        "service": r.service,
        "role": r.role,
        "onset": _iso(r.onset),
        "score": round(r.score, 3),
        "evidence": _evidence(r.evidence),
    }


def _impact(i: Impact) -> dict[str, Any]:
    return {
        "unit": i.unit,
        "total": i.n_requests,
        "failed": i.n_failed,
        "failed_share": round(i.failed_share, 4),
        "error_records": i.n_errors,
        "duration_seconds": round(i.duration_seconds, 1),
        "top_failures": [{"name": n, "failed": c} for n, c in i.endpoints],
    }


def incident_dict(i: Incident) -> dict[str, Any]:
    """JSON form of one incident."""
    return {
        "id": i.id,
        "start": _iso(i.start),
        "end": _iso(i.end),
        "severity": i.severity,
        "severity_label": i.severity_label,
        "services": list(i.services),
        "root_service": i.root_service,
        "service_roles": [_role(r) for r in i.roles],
        "anomalies": [_anomaly(a) for a in i.anomalies],
        "suspects": [_suspect(s) for s in i.suspects],
        "cause": i.cause,
        "cause_reason": i.cause_reason,
        "impact": _impact(i.impact),
        "summary": i.summary,
        "symptom": i.symptom,
        "traffic_ratio": i.traffic_ratio,
        "external_hosts": list(i.external_hosts),
    }


def change_dict(c: ChangeImpact) -> dict[str, Any]:
    """JSON form of one rated change."""
    return {
        **_change(c.change),
        "impact_score": round(c.impact_score, 3),
        "incident_id": c.incident_id,
        "evidence": _evidence(c.evidence),
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class RcaReport:
    """A root-cause analysis report: what broke, since when, why, and what changed.

    Build one with :func:`rcakit.analyze`. Render it with :meth:`to_json`,
    :meth:`to_markdown`, :meth:`to_html` or :meth:`write`; in Jupyter it renders itself.
    All log-derived text in it is already redacted (secrets, card numbers, e-mails).

    Attributes
    ----------
    schema_version
        Version of the JSON shape (see ``rcakit/data/report.schema.json``).
    generated_at
        When the report was made (UTC).
    inputs
        Files, record/line counts, parse errors, the analysed and baseline periods.
    incidents
        Most severe first; empty when nothing is anomalous.
    changes
        Every change event in the analysed period with its ``impact_score``.
    summary
        One paragraph for humans.
    series
        Per window and service: ``n_events``, ``n_errors`` (for the timeline chart; not in
        the JSON).
    """

    schema_version: int = SCHEMA_VERSION
    generated_at: datetime
    inputs: InputsSummary
    incidents: tuple[Incident, ...]
    changes: tuple[ChangeImpact, ...]
    summary: str
    series: pl.DataFrame = field(default_factory=pl.DataFrame, compare=False, repr=False)

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data (the documented contract)."""
        inp = self.inputs
        return {
            "schema_version": self.schema_version,
            "generated_at": _iso(self.generated_at),
            "summary": self.summary,
            "inputs": {
                "files": [
                    {
                        "path": f.path,
                        "format": f.format,
                        "records": f.records,
                        "lines": f.lines,
                        "parse_errors": f.parse_errors,
                    }
                    for f in inp.files
                ],
                "records": inp.records,
                "lines": inp.lines,
                "parse_errors": inp.parse_errors,
                "services": list(inp.services),
                "period": {"start": _iso(inp.period_start), "end": _iso(inp.period_end)},
                "baseline": {"start": _iso(inp.baseline_start), "end": _iso(inp.baseline_end)},
                "window": inp.window,
                "change_files": list(inp.change_files),
                "changes": inp.n_changes,
                "unread_change_files": [{"path": p, "error": why} for p, why in inp.unread_change_files],
            },
            "incidents": [incident_dict(i) for i in self.incidents],
            "changes": [change_dict(c) for c in self.changes],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as a JSON document."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    # ------------------------------------------------------------------ other renderings
    def to_markdown(self) -> str:
        """The report as Markdown (summary, timeline, root cause, L3 escalation, changes)."""
        from rcakit.report._markdown import render_markdown

        return render_markdown(self)

    def to_html(self) -> str:
        """The report as one self-contained HTML page with a timeline chart."""
        from rcakit.report._html import render_html

        return render_html(self)

    def write(self, path: str | Path, *, format: str | None = None) -> Path:
        """Write the report; the format is ``format`` or taken from the file extension.

        Parameters
        ----------
        path
            Output file (``.json``, ``.md``/``.markdown``, ``.html``/``.htm``).
        format
            ``"json"``, ``"markdown"`` or ``"html"``; overrides the extension.
        """
        from rcakit.report._render import render

        out = Path(path)
        out.write_text(render(self, format=format, path=out), encoding="utf-8")
        return out

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        from rcakit.report._html import render_html

        return render_html(self, fragment=True)

    def __repr__(self) -> str:
        causes = [i.cause for i in self.incidents]
        return (
            f"RcaReport(incidents={len(self.incidents)}, causes={causes}, "
            f"changes={len(self.changes)}, records={self.inputs.records})"
        )


def load_schema() -> dict[str, Any]:
    """The JSON Schema of the report (shipped as ``rcakit/data/report.schema.json``)."""
    text = resources.files("rcakit").joinpath("data/report.schema.json").read_text(encoding="utf-8")
    return dict(json.loads(text))
