"""Small text formatters shared by the Markdown and HTML renderers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from rcakit.correlate import ChangeImpact, ChangeRef, Incident
from rcakit.correlate._root import (
    EXTERNAL_HOSTS,
    OUR_CERTIFICATE,
    OWN_CERTIFICATE,
    THEIR_CERTIFICATE,
    certificate_note,
)

__all__ = ["SERVICE_WIDE", "action_parts", "first_line", "fmt_duration", "fmt_time"]

#: What a service-wide anomaly (one without a template) counts, shown where a template goes.
SERVICE_WIDE = {
    "rate_spike": "(all records of the service)",
    "rate_drop": "(all records of the service)",
    "gone": "(all records of the service)",
    "error_ratio": "(the service's error records)",
}


def fmt_time(value: datetime | None, date: bool = False) -> str:  # also a jinja filter: positional flag
    """``HH:MM:SS``, or ``YYYY-MM-DD HH:MM:SS UTC`` with ``date``; an en dash for None."""
    if value is None:
        return "–"
    return value.strftime("%Y-%m-%d %H:%M:%S UTC" if date else "%H:%M:%S")


def fmt_duration(seconds: float) -> str:
    """A duration as people say it: ``40 s``, ``28 min``, ``3.5 h``."""
    m = round(seconds / 60)
    if m < 1:
        return f"{seconds:.0f} s"
    if m < 120:
        return f"{m} min"
    return f"{seconds / 3600:.1f} h"


def first_line(text: str | None, limit: int = 140) -> str:
    """First line of a template, cut to ``limit`` characters (for timelines)."""
    line = (text or "").splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"



#: a change of the cause's service this long after the incident's last anomalous window
#: may still be what ended it (the window ends on a minute boundary)
_UNDO_GRACE = timedelta(minutes=5)


def _undone_by(inc: Incident, changes: Sequence[ChangeImpact]) -> ChangeRef | None:
    """A later change of the cause's service that landed during the incident (or just after
    its last anomalous window): a rollback or a fix that may already have undone the cause."""
    cause = next((x.change for x in inc.suspects if x.change.id == inc.cause), None)
    if cause is None or cause.service is None:
        return None
    later = [
        c.change for c in changes
        if c.change.id != cause.id and c.change.service == cause.service and c.change.time > cause.time
        and inc.start <= c.change.time <= inc.end + _UNDO_GRACE
    ]
    return min(later, key=lambda c: c.time) if later else None


def action_parts(inc: Incident, changes: Sequence[ChangeImpact] = ()) -> list[tuple[str, bool]]:
    """The suggested action for an incident as ``(text, is_code)`` parts (each renderer
    formats the code parts its own way and escapes the rest). ``changes``: the report's
    change ratings, to tell when a later change of the cause's service (a rollback) may
    already have undone it."""
    root = inc.root_service or "the root service"
    if inc.cause is None and inc.traffic_surge:
        return [
            (f"traffic rose x{inc.traffic_ratio:.1f} at the onset: give ", False), (root, True),
            (" more capacity (scale out) or shed load, and find where the extra requests come from.", False),
        ]
    if inc.cause is None:
        outside = next(
            (e.text.removeprefix(EXTERNAL_HOSTS) for r in inc.roles if r.role == "root" for e in r.evidence
             if e.text.startswith(EXTERNAL_HOSTS)),
            None,
        )
        expired = certificate_note(inc.roles)
        if outside and expired == OUR_CERTIFICATE:
            host = outside.split(", ")[0]
            return [
                ("renew the client certificate ", False), (root, True), (" presents to ", False), (host, True),
                (" (it rejects it as expired: check the keystore's expiry warnings), then reload or restart ", False),
                (root, True), (" if it does not pick the new one up.", False),
            ]
        if outside and expired == THEIR_CERTIFICATE:
            host = outside.split(", ")[0]
            return [
                ("ask the owners of ", False), (host, True), (" to renew its expired certificate, then check that ", False),
                (root, True), (" trusts the new one.", False),
            ]
        if expired == OWN_CERTIFICATE:
            return [
                ("renew the TLS certificate of ", False), (root, True),
                (" (its callers reject it as expired), then reload or restart it if it does not pick the new one up.", False),
            ]
        if not outside and expired == THEIR_CERTIFICATE:
            return [
                ("find the server whose certificate the TLS calls of ", False), (root, True),
                (" reject as expired (its failures name no logged service), ask its owners to renew it, then check that ", False),
                (root, True), (" trusts the new one.", False),
            ]
        if outside:
            return [
                ("check the status of ", False), (outside, True), (", which the anomalies of ", False), (root, True),
                (" name (it is not in the logs), then the health of ", False), (root, True), (" and its other dependencies.", False),
            ]
        return [("check the health of ", False), (root, True), (" and its dependencies, traffic and scheduled jobs.", False)]
    undo = [("roll back or disable ", False), (inc.cause, True)]
    if inc.symptom == "warnings":
        return [
            ("nothing failed: check with the owners of ", False), (inc.cause, True),
            (" whether its new warnings are expected; roll it back if they are not.", False),
        ]
    # what should come back once the cause is undone
    confirm: list[tuple[str, bool]] = {
        "silence": [(root, True), (" logs again", False)],
        "latency": [("the durations are back to their baseline", False)],
        "rates": [("the volumes are back to their baseline", False)],
    }.get(inc.symptom, [("the errors stop", False)])
    done = _undone_by(inc, changes)
    if done is not None:
        return [
            (done.id, True),
            (
                f" ({done.kind} of the same service at {done.time:%H:%M}"
                f"{': ' + done.description if done.description else ''}) came during the incident: confirm it undid ",
                False,
            ),
            (inc.cause, True),
            (" and ", False),
            *confirm,
            ("; if not, roll back or disable ", False),
            (inc.cause, True),
            (".", False),
        ]
    return [*undo, (", then confirm ", False), *confirm, (".", False)]
