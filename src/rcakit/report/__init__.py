"""Root-cause analysis reports: :func:`analyze` and the typed :class:`RcaReport`.

Stage: last. In: log files or frames (+ change events). Out: :class:`RcaReport`, rendered
as JSON (the documented contract, schema in ``rcakit/data/report.schema.json``), Markdown
(ticket / wiki) or one self-contained HTML page with a timeline chart.

>>> import rcakit
>>> report = rcakit.analyze("sample_logs/checkout-incident")   # doctest: +SKIP
>>> report.write("incident.html")                              # doctest: +SKIP
"""

from __future__ import annotations

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
from rcakit.report._analyze import analyze, build_report, find_change_files, split_inputs
from rcakit.report._html import render_html
from rcakit.report._markdown import render_markdown
from rcakit.report._model import SCHEMA_VERSION, FileSummary, InputsSummary, RcaReport, load_schema
from rcakit.report._redact import redact
from rcakit.report._render import FORMATS, format_for, render

__all__ = [
    "FORMATS",
    "SCHEMA_VERSION",
    "AnomalyFinding",
    "ChangeImpact",
    "ChangeRef",
    "Evidence",
    "FileSummary",
    "Impact",
    "Incident",
    "InputsSummary",
    "RcaReport",
    "ServiceRole",
    "Suspect",
    "analyze",
    "build_report",
    "find_change_files",
    "format_for",
    "load_schema",
    "redact",
    "render",
    "render_html",
    "render_markdown",
    "split_inputs",
]
