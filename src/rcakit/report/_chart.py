"""The timeline chart: error and volume rates per service, change markers, incidents shaded.

Rendered with matplotlib's SVG backend on a :class:`~matplotlib.figure.Figure` (no pyplot,
no global state, no display needed) to a static SVG string that is embedded inline in the
HTML report, so the page works offline and shows the chart in any browser.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

import matplotlib as mpl
import polars as pl
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

from rcakit.correlate import tmax, tmin

if TYPE_CHECKING:
    from rcakit.report._model import RcaReport

__all__ = ["timeline_svg"]

_MAX_SERVICES = 8


def timeline_svg(report: RcaReport, *, width: float = 10.0) -> str:
    """Return the timeline chart of ``report`` as an SVG document (``<svg ...>...</svg>``).

    The top panel shows error records per window for each service, the bottom panel all
    records per window; dashed vertical lines mark change events (red for a decided
    cause) and shaded spans the incidents. Returns ``""`` when there is nothing to plot.
    """
    series = report.series
    if series.height == 0:
        return ""
    top = (
        series.group_by("service")
        .agg(pl.col("n_errors").sum(), pl.col("n_events").sum())
        .sort(["n_errors", "n_events", "service"], descending=[True, True, False])
        .head(_MAX_SERVICES)["service"]
        .to_list()
    )
    causes = {i.cause for i in report.incidents if i.cause}
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "rcakit", "font.size": 8}):
        fig = Figure(figsize=(width, 4.6), dpi=100)
        FigureCanvasSVG(fig)
        ax_err, ax_vol = fig.subplots(2, 1, sharex=True, height_ratios=[3, 2])
        for svc in top:
            s = series.filter(pl.col("service") == svc).sort("window_start")
            x = s["window_start"].dt.replace_time_zone(None).to_list()
            ax_err.plot(x, s["n_errors"].to_list(), label=svc, linewidth=1.2)
            ax_vol.plot(x, s["n_events"].to_list(), label=svc, linewidth=1.0)
        for inc in report.incidents:
            for ax in (ax_err, ax_vol):
                ax.axvspan(
                    inc.start.replace(tzinfo=None), inc.end.replace(tzinfo=None),
                    color="#d62728", alpha=0.12, linewidth=0,
                )
        lo = tmin(series["window_start"])
        hi = tmax(series["window_start"])
        for ch in report.changes:
            c = ch.change
            if lo is None or hi is None or not (lo <= c.time <= hi):
                continue
            colour = "#d62728" if c.id in causes else "#555555"
            for ax in (ax_err, ax_vol):
                ax.axvline(c.time.replace(tzinfo=None), color=colour, linestyle="--", linewidth=1.0)
            label = f"{c.service or ''} {c.version or c.id}".strip()
            ax_err.annotate(
                label, xy=(c.time.replace(tzinfo=None), 1.0), xycoords=("data", "axes fraction"),
                rotation=90, va="top", ha="right", fontsize=7, color=colour,
            )
        ax_err.set_ylabel("errors / window")
        ax_vol.set_ylabel("records / window")
        ax_vol.set_xlabel(f"time (UTC), window {report.inputs.window}")
        ax_err.set_title("Errors and volume per service; dashed: changes; shaded: incidents")
        ax_err.legend(loc="upper left", fontsize=7, ncols=min(4, max(1, len(top))))
        for ax in (ax_err, ax_vol):
            ax.grid(alpha=0.3)
        fig.autofmt_xdate()
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "rcakit"})
    svg = buf.getvalue()
    # drop the XML prolog and DOCTYPE: the SVG is embedded inline in HTML
    svg = re.sub(r"^.*?(?=<svg)", "", svg, count=1, flags=re.S)
    return re.sub(r"<metadata>.*?</metadata>\s*", "", svg, count=1, flags=re.S)
