"""HTML rendering: one self-contained page (inline CSS and SVG, no scripts, no network).

The page is a Jinja2 template (``rcakit/data/report.html.j2``) rendered with autoescaping
on, so log text cannot inject markup; the only unescaped value is the chart SVG that
matplotlib drew from numbers and service names (and matplotlib escapes text in SVG).
"""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from rcakit.correlate import Incident, Suspect
from rcakit.report._chart import timeline_svg

if TYPE_CHECKING:
    from rcakit.report._model import RcaReport

from rcakit.report._format import SERVICE_WIDE, action_parts
from rcakit.report._format import first_line as _short
from rcakit.report._format import fmt_duration as _dur
from rcakit.report._format import fmt_time as _t

__all__ = ["render_html"]











def _load_template() -> jinja2.Template:
    text = resources.files("rcakit").joinpath("data/report.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["t"] = _t
    env.filters["dur"] = _dur
    env.filters["sign"] = lambda w: "+" if w > 0 else "−" if w < 0 else "·"
    env.filters["cls"] = lambda w: "pos" if w > 0 else "neg" if w < 0 else "neu"
    return env.from_string(text)


def render_html(report: RcaReport, *, fragment: bool = False) -> str:
    """Render the report as a self-contained HTML page (or a ``<div>`` for Jupyter)."""

    def cause_of(inc: Incident) -> Suspect:
        return next(s for s in inc.suspects if s.change.id == inc.cause)

    def version_of(service: str | None, at: datetime) -> str | None:
        last = None
        for ch in report.changes:
            if ch.change.service == service and ch.change.time <= at and ch.change.version:
                last = ch.change.version
        return last

    def timeline(inc: Incident) -> list[tuple[datetime, str, bool]]:
        events: list[tuple[datetime, str, bool]] = []
        for ch in report.changes:
            c = ch.change
            if inc.start.timestamp() - 6 * 3600 <= c.time.timestamp() <= inc.end.timestamp():
                mark = " (cause)" if c.id == inc.cause else ""
                events.append((c.time, f"{c.kind} {c.id} of {c.service or '-'} {c.version or ''}{mark}", c.id == inc.cause))
        events.extend((r.onset, f"{r.service} becomes anomalous ({r.role})", r.role == "root") for r in inc.roles if r.onset)
        events.extend(
            (a.first_seen, f"first '{_short(a.template)}' in {a.service}", False)
            for a in inc.anomalies[:8]
            if a.first_seen is not None and a.kind == "new"
        )
        events.append((inc.start, "incident starts", True))
        events.append((inc.end, "incident ends (end of the last anomalous window)", True))
        return sorted(events, key=lambda e: e[0])

    title = ", ".join(
        f"{i.root_service or 'unknown'} ({i.cause or 'no change'})" for i in report.incidents[:3]
    ) or "no incident"
    ctx: dict[str, Any] = {
        "report": report,
        "title": title,
        "fragment": fragment,
        "chart": Markup(timeline_svg(report)),  # drawn by rcakit, not log text
        "cause_of": cause_of,
        "action_parts": action_parts,
        "version_of": version_of,
        "timeline": timeline,
        "service_wide": SERVICE_WIDE,
    }
    return _load_template().render(**ctx)
