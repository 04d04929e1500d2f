"""Business impact of an incident (failed requests or error records) and its severity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import polars as pl

from rcakit.correlate._results import Impact
from rcakit.correlate._units import _squash


def _edge(access: pl.DataFrame, graph: Mapping[str, set[str]]) -> pl.DataFrame:
    """The requests of the services no other service calls (the edge: what users see).

    Behind the edge the same failed request is logged again by every service it passed
    (and once per retry): counting those too counts one failure several times.
    """
    logging = set(access.get_column("service").drop_nulls().unique().to_list())
    called = {t for caller, named in graph.items() for t in named if caller != t}
    edge = logging - called
    if not edge or edge == logging:
        return access
    return access.filter(pl.col("service").is_in(sorted(edge)))


def _endpoint_template(ep: pl.Expr) -> pl.Expr:
    """``GET /api/inventory/SKU-10129`` -> ``GET /api/inventory/{id}``: path segments that are
    numbers or hold two digits or more (ids, SKUs, UUIDs; ``/v1`` stays)."""
    seg = r"/(\d+|[^/\s]*\d[^/\s]*\d[^/\s]*)(/|\s|$)"
    return ep.str.replace_all(seg, "/{id}$2").str.replace_all(seg, "/{id}$2")


def _impact(
    span: pl.DataFrame,
    services: Sequence[str],
    start: datetime,
    end: datetime,
    graph: Mapping[str, set[str]] | None = None,
) -> Impact:
    access = _edge(span.filter(pl.col("status").is_not_null()), graph or {})
    if access.height:
        n_req = access.height
        failed = access.filter(pl.col("status") >= 500)
        ep = (
            failed.with_columns(ep=pl.coalesce(_endpoint_template(pl.col("endpoint")), pl.col("service")))
            .group_by("ep")
            .len()
            .sort("len", "ep", descending=[True, False])
            .head(8)
        )
        endpoints = tuple((str(r["ep"]), int(r["len"])) for r in ep.iter_rows(named=True))
        n_fail, unit = failed.height, "requests"
    else:
        scope = span.filter(pl.col("service").is_in(list(services))) if services else span
        n_req = scope.height
        failed = scope.filter(pl.col("is_error"))
        ep = failed.group_by("service").len().sort("len", "service", descending=[True, False]).head(8)
        endpoints = tuple((str(r["service"]), int(r["len"])) for r in ep.iter_rows(named=True))
        n_fail, unit = failed.height, "records"
    return Impact(
        n_requests=int(n_req),
        n_failed=int(n_fail),
        failed_share=float(n_fail / n_req) if n_req else 0.0,
        unit=unit,  # type: ignore[arg-type]
        endpoints=endpoints,
        n_errors=int(span["is_error"].sum()) if span.height else 0,
        duration_seconds=(end - start).total_seconds(),
    )


#: the highest severity labelled ``low``
LOW_CEILING = 0.199


def _severity(impact: Impact, n_services: int, detection_score: float) -> tuple[float, str]:
    s = (
        0.35 * min(1.0, impact.failed_share * 4)
        + 0.25 * _squash(impact.n_errors, 200.0)
        + 0.2 * min(1.0, impact.duration_seconds / 1800)
        + 0.1 * min(1.0, n_services / 3)
        + 0.1 * _squash(detection_score, 10.0)
    )
    s = round(min(1.0, s), 3)
    label = "critical" if s >= 0.7 else "high" if s >= 0.45 else "medium" if s >= 0.2 else "low"
    return s, label
