"""A gRPC callee that logs its failed calls at WARN (``"grpc_code": "Internal"`` in the
usual "finished unary call" record) and a caller whose errors quote the RPC client's
exception (``io.grpc.StatusRuntimeException: INTERNAL``) without naming the callee: the
callee is the root and its deploy the cause, although only the caller logs ERROR."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

import rcakit
from rcakit.correlate._services import reports_dependency_failure

from ._estates import analyze_quietly, write_deploys

T0 = datetime(2024, 5, 7, 17, 50, tzinfo=UTC)


def _estate(tmp_path, *, minutes=150, fault_from=110, seed=3):
    rng = np.random.default_rng(seed)
    api, quote, geo = [], [], []
    for s in range(minutes * 60):
        if rng.random() > 0.7:
            continue
        t = T0 + timedelta(seconds=s, milliseconds=int(rng.integers(0, 900)))
        rid = f"{rng.integers(0, 2**63):016x}"
        failing = s >= fault_from * 60 and rng.random() < 0.3
        took = round(float(rng.gamma(4.0, 2.0)), 2)
        stamp = t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
        code, level = ("Internal", "warn") if failing else ("OK", "info")
        rec = {"level": level, "method": "/geo.v1.Geo/ETA", "grpc_code": code, "duration_ms": took, "request_id": rid,
               "time": t.strftime("%Y-%m-%dT%H:%M:%SZ"), "message": "finished unary call"}
        if failing:
            rec["error"] = "h3: cell index out of range for resolution 9"
        geo.append(json.dumps(rec))
        if failing:
            quote.append(f"{stamp} ERROR [quote-worker-{s % 4}] c.r.p.QuoteService - ETA lookup failed, quote aborted: "
                         "io.grpc.StatusRuntimeException: INTERNAL: h3: cell index out of range for resolution 9")
            api.append(json.dumps({"level": "error", "ts": t.isoformat(), "msg": "quote request failed: quote returned 500",
                                   "path": "/v1/rides/quote", "status": 502}))
        else:
            quote.append(f"{stamp} INFO [quote-worker-{s % 4}] c.r.p.QuoteService - quote {rid} priced in {int(took * 3)} ms")
            api.append(json.dumps({"level": "info", "ts": t.isoformat(), "msg": "request completed", "path": "/v1/rides/quote",
                                   "status": 200}))
    for name, lines in (("api", api), ("quote", quote), ("geo-service", geo)):
        (tmp_path / f"{name}.log").write_text("\n".join(lines) + "\n")
    write_deploys(
        tmp_path,
        (T0 + timedelta(minutes=30), "api", "2.0.1", "chg-1", "deploy", "api 2.0.1"),
        (T0 + timedelta(minutes=fault_from - 1), "geo-service", "1.9.0", "chg-2", "deploy", "geo 1.9.0"),
    )
    return tmp_path


def test_a_callee_failing_only_at_warn_with_a_grpc_code_is_the_root(tmp_path):
    path = _estate(tmp_path)
    report = analyze_quietly(path)
    assert len(report.incidents) == 1
    inc = report.incidents[0]
    assert (inc.root_service, inc.cause) == ("geo-service", "chg-2")
    quote = next(r for r in inc.roles if r.service == "quote")
    assert any("without naming it" in e.text and e.weight < 0 for e in quote.evidence)


def test_a_failed_call_in_the_records_fields_counts_as_an_error_in_the_count_matrix():
    """Detection counts the WARN record with ``grpc_code: Internal`` and the INFO request
    log with ``status: 503`` as errors, as correlation's ``is_error`` does."""
    t0 = datetime(2024, 5, 7, 19, 43, tzinfo=UTC)
    attrs = ['{"grpc_code": "OK"}', '{"grpc_code": "Internal"}', '{"status": 503}', '{"status": 404}', None, None]
    frame = pl.DataFrame(
        {
            "timestamp": [t0 + timedelta(seconds=i) for i in range(6)],
            "service": "geo-service",
            "template_id": "t1",
            "severity_number": [9, 13, 9, 13, 17, 9],
            "attributes": attrs,
        }
    ).with_columns(pl.col("timestamp").dt.cast_time_unit("us"), pl.col("severity_number").cast(pl.UInt8))
    counts = rcakit.count_windows(frame, window="1m")
    assert counts.select("n_events", "n_warnings", "n_errors").row(0) == (6, 4, 3)


@pytest.mark.parametrize(
    "text",
    [
        "ETA lookup failed, quote aborted: io.grpc.StatusRuntimeException: INTERNAL: h3: cell index out of range",
        "GetRoute failed: rpc error: code = Unavailable desc = connection error",
        'Grpc.Core.RpcException: Status(StatusCode="Internal", Detail="Exception was thrown by handler.")',
        "<_InactiveRpcError of RPC that terminated with: status = StatusCode.UNAVAILABLE details = \"failed to connect\">",
        "org.springframework.web.client.HttpServerErrorException$ServiceUnavailable: 503 Service Unavailable",
        "feign.FeignException$InternalServerError: [500 Internal Server Error] during [GET]",
    ],
)
def test_an_rpc_clients_exception_for_a_failed_call_reports_a_dependency(text):
    assert reports_dependency_failure(text)


@pytest.mark.parametrize(
    "text",
    [
        "io.grpc.StatusRuntimeException: INVALID_ARGUMENT: lat out of range",  # the caller's own request
        "rpc error: code = NotFound desc = driver 42 not found",
        "NullPointerException: Cannot invoke \"String.length()\" because \"s\" is null",
    ],
)
def test_a_refused_request_or_an_own_exception_does_not_report_a_dependency(text):
    assert not reports_dependency_failure(text)
