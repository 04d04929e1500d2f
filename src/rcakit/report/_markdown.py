"""Markdown rendering: a ticket / wiki page.

Order: a plain-language summary for business stakeholders, the timeline, the root cause with
its evidence, the L3 escalation (templates, examples, counts, first seen, versions), every
change in the period, and the inputs. Log-derived text only appears inside code spans or
fenced blocks (with fences longer than any backtick run inside), so it cannot inject
Markdown or HTML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rcakit.correlate import ChangeImpact, Evidence, Incident

if TYPE_CHECKING:
    from rcakit.report._model import RcaReport

from rcakit.report._format import SERVICE_WIDE, action_parts
from rcakit.report._format import first_line as _short
from rcakit.report._format import fmt_duration as _dur
from rcakit.report._format import fmt_time as _t

__all__ = ["code", "fenced", "render_markdown"]


def code(text: str | None) -> str:
    """An inline code span that survives backticks and newlines in ``text``."""
    if text is None:
        return "–"
    t = text.replace("\r", " ").replace("\n", " ⏎ ").replace("|", "¦")
    runs = [len(m) for m in re.findall(r"`+", t)]
    ticks = "`" * (max(runs, default=0) + 1)
    pad = " " if t.startswith("`") or t.endswith("`") or not t.strip() else ""
    return f"{ticks}{pad}{t}{pad}{ticks}"


def fenced(text: str, *, lang: str = "text") -> str:
    """A fenced block longer than any backtick run in ``text``."""
    runs = [len(m) for m in re.findall(r"`{3,}", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


def plain(text: str | None) -> str:
    """Free text outside code: escape Markdown/HTML control characters."""
    if not text:
        return ""
    return re.sub(r"([\\`*_{}\[\]<>|#])", r"\\\1", text.replace("\n", " "))











def _business(inc: Incident, changes: Sequence[ChangeImpact] = ()) -> list[str]:
    im = inc.impact
    lines = [f"### {inc.id}: {plain(inc.root_service or 'unknown service')} ({inc.severity_label})", ""]
    lines.append(plain(inc.summary))
    lines.append("")
    lines.append(f"- **When:** {_t(inc.start, date=True)} to {_t(inc.end)}, {_dur(im.duration_seconds)}")
    if im.n_requests:
        lines.append(
            f"- **Impact:** {im.n_failed:,} of {im.n_requests:,} {im.unit} failed "
            f"({im.failed_share:.1%}); {im.n_errors:,} error log records"
        )
    if im.endpoints:
        eps = ", ".join(f"{code(n)} ({c:,})" for n, c in im.endpoints[:5])
        lines.append(f"- **Most affected:** {eps}")
    lines.append(f"- **Services involved:** {', '.join(code(s) for s in inc.services) or '–'}")
    lines.append(f"- **Root service:** {code(inc.root_service)}")
    if inc.cause:
        s = next(x for x in inc.suspects if x.change.id == inc.cause)
        c = s.change
        lines.append(
            f"- **Likely cause:** {c.kind} {code(c.id)} of {code(c.service)} "
            f"{code(c.version) if c.version else ''} at {_t(c.time)} (confidence {s.score:.2f})"
        )
    else:
        lines.append("- **Likely cause:** no change explains this incident.")
    action = "".join(code(text) if is_code else plain(text) for text, is_code in action_parts(inc, changes))
    lines.append(f"- **Suggested action:** {action}")
    lines.append("")
    return lines


def _timeline(report: RcaReport, inc: Incident) -> list[str]:
    events: list[tuple[datetime, str]] = []
    for ch in report.changes:
        c = ch.change
        if inc.start.timestamp() - 6 * 3600 <= c.time.timestamp() <= inc.end.timestamp():
            mark = " **(cause)**" if c.id == inc.cause else ""
            events.append((c.time, f"{c.kind} {code(c.id)} of {code(c.service)} {code(c.version) if c.version else ''}{mark}"))
    events.extend(
        (r.onset, f"{code(r.service)} becomes anomalous ({r.role})")
        for r in inc.roles
        if r.onset is not None
    )
    events.extend(
        (a.first_seen, f"first {code(_short(a.template))} in {code(a.service)}")
        for a in inc.anomalies[:8]
        if a.first_seen is not None and a.kind == "new"
    )
    events.append((inc.start, "**incident starts**"))
    events.append((inc.end, "**incident ends** (end of the last anomalous window)"))
    events.sort(key=lambda e: e[0])
    out = ["| time (UTC) | event |", "|---|---|"]
    out += [f"| {_t(t, date=False)} | {text} |" for t, text in events]
    return [*out, ""]


def _evidence_lines(ev: tuple[Evidence, ...]) -> list[str]:
    out = []
    for e in ev:
        sign = "+" if e.weight > 0 else "−" if e.weight < 0 else "·"
        out.append(f"  - {sign} {plain(e.text)}")
    return out


def _root_cause(inc: Incident) -> list[str]:
    lines = [f"### {inc.id}", ""]
    lines.append(f"**Root service: {code(inc.root_service)}.** Why:")
    root = next((r for r in inc.roles if r.role == "root"), None)
    if root:
        lines += _evidence_lines(root.evidence)
    others = [r for r in inc.roles if r.role != "root"]
    if others:
        lines.append("")
        lines.append("Other services:")
        for r in others:
            lines.append(f"- {code(r.service)}: {r.role}")
            lines += _evidence_lines(r.evidence)
    lines.append("")
    if inc.cause:
        lines.append(f"**Cause: {code(inc.cause)}.** {plain(inc.cause_reason)}")
    else:
        lines.append(f"**Cause: none found.** {plain(inc.cause_reason)}")
    lines.append("")
    if inc.suspects:
        lines.append("Suspects, best first:")
        lines.append("")
        lines.append("| # | change | service | version | time | score |")
        lines.append("|---|---|---|---|---|---|")
        for n, s in enumerate(inc.suspects[:10], start=1):
            c = s.change
            lines.append(
                f"| {n} | {code(c.id)} ({plain(c.kind)}) | {code(c.service)} | {code(c.version)} | {_t(c.time)} | {s.score:.2f} |"
            )
        lines.append("")
        for s in inc.suspects[:5]:
            lines.append(f"- {code(s.change.id)}:")
            lines += _evidence_lines(s.evidence)
    lines.append("")
    return lines


def _versions(report: RcaReport, service: str | None, at: datetime) -> str | None:
    last = None
    for ch in report.changes:
        if ch.change.service == service and ch.change.time <= at and ch.change.version:
            last = ch.change.version
    return last


def _escalation(report: RcaReport, inc: Incident) -> list[str]:
    lines = [f"### {inc.id}", ""]
    if not inc.anomalies:
        lines.append("No template-level anomalies.")
        return lines
    for n, a in enumerate(inc.anomalies[:12], start=1):
        ver = _versions(report, a.service, inc.start)
        lines.append(f"**{n}. {plain(a.kind)} in {code(a.service)}** (score {a.score:.1f})")
        lines.append("")
        lines.append(fenced(a.template or SERVICE_WIDE.get(a.kind, "(no template)")))
        lines.append("")
        if a.template_id:
            lines.append(
                f"- count before / during: {a.n_before:,} / {a.n_during:,} "
                f"(rate per window {a.baseline_rate:.2f} → {a.observed_rate:.2f})"
            )
            lines.append(f"- first seen: {_t(a.first_seen, date=True)}; onset {_t(a.onset)}")
        else:  # a service-wide series: its rates are the figures
            lines.append(f"- rate per window: {a.baseline_rate:.2f} before → {a.observed_rate:.2f} during")
            lines.append(f"- onset {_t(a.onset)}")
        if ver:
            lines.append(f"- version of {code(a.service)} at the time: {code(ver)}")
        if a.template_id:
            lines.append(f"- template id: {code(a.template_id)}")
        if a.detail:
            lines.append(f"- detail: {code(a.detail)}")
        if a.names_services:
            lines.append(f"- names: {', '.join(code(s) for s in a.names_services)}")
        if a.examples:
            lines.append("- examples:")
            lines.append("")
            lines.append(fenced("\n".join(a.examples[:3])))
        lines.append("")
    return lines


def render_markdown(report: RcaReport) -> str:
    """Render the report as Markdown."""
    inp = report.inputs
    out = ["# Root-cause analysis", ""]
    out.append(
        f"Generated {_t(report.generated_at, date=True)} by rcakit from {inp.records:,} records "
        f"of {len(inp.files)} file(s), {_t(inp.period_start, date=True)} to "
        f"{_t(inp.period_end, date=True)}."
    )
    out.append("")
    out.append("## Summary")
    out.append("")
    out.append(plain(report.summary))
    out.append("")
    for inc in report.incidents:
        out += _business(inc, report.changes)
    if report.incidents:
        out.append("## Timeline")
        out.append("")
        for inc in report.incidents:
            if len(report.incidents) > 1:
                out += [f"### {inc.id}", ""]
            out += _timeline(report, inc)
        out.append("## Root cause and evidence")
        out.append("")
        for inc in report.incidents:
            out += _root_cause(inc)
        out.append("## L3 escalation")
        out.append("")
        out.append("Templates, counts before/during, first-seen times, versions and example lines (redacted).")
        out.append("")
        for inc in report.incidents:
            out += _escalation(report, inc)
    out.append("## Changes in the period")
    out.append("")
    if report.changes:
        out.append("| time (UTC) | change | kind | service | version | impact | evidence |")
        out.append("|---|---|---|---|---|---|---|")
        for ch in report.changes:
            c = ch.change
            ev = "; ".join(plain(e.text) for e in ch.evidence[:3])
            out.append(
                f"| {_t(c.time, date=True)} | {code(c.id)} | {plain(c.kind)} | {code(c.service)} | "
                f"{code(c.version)} | {ch.impact_score:.2f} | {ev} |"
            )
    else:
        out.append("No change events were given (pass `--deploys FILE`).")
    out.append("")
    out.append("## Inputs")
    out.append("")
    out.append(
        f"{inp.records:,} records from {inp.lines:,} lines, {inp.parse_errors:,} lines not "
        f"parsed; window {code(inp.window)}; baseline {_t(inp.baseline_start, date=True)} to "
        f"{_t(inp.baseline_end, date=True)}; {inp.n_changes} change(s) from "
        f"{', '.join(code(p) for p in inp.change_files) or 'no change file'}."
    )
    if inp.unread_change_files:
        out.append("")
        out.append("**Change files not read** (their changes are not considered):")
        out.append("")
        out.extend(f"- {code(path)}: {why}" for path, why in inp.unread_change_files)
    out.append("")
    out.append("| file | format | records | lines | parse errors |")
    out.append("|---|---|---|---|---|")
    for f in inp.files:
        out.append(f"| {code(f.path)} | {code(f.format)} | {f.records:,} | {f.lines:,} | {f.parse_errors:,} |")
    out.append("")
    return "\n".join(out)
