"""Record fields that say a call failed whatever the record's level.

A gRPC server logs a failed call as ``{"level": "warn", "message": "finished unary call",
"grpc_code": "Internal"}``; a request logger writes ``status=503`` at INFO. Detection counts
such records as errors, and correlation marks them ``is_error``, from the same keys.
"""

from __future__ import annotations

import polars as pl

__all__ = ["GRPC_FAILED", "AttributeReader", "failed_call", "neighbour_time"]

#: gRPC status codes of a failed call on the server's side (names as logged, lower-cased
#: without '_', and their numbers): Unknown, DeadlineExceeded, Internal, Unavailable, DataLoss
GRPC_FAILED = frozenset({"unknown", "deadlineexceeded", "internal", "unavailable", "dataloss", "2", "4", "13", "14", "15"})

# (JSON loggers' spellings: pino-http's res.statusCode, OpenTelemetry's and ECS's)
_STATUS_KEYS = (
    "status", "statusCode", "status_code", "res.statusCode", "http.status_code", "http.response.status_code",
    # W3C extended logs (IIS, CloudFront) and AWS load balancers, as their readers keep them
    "sc-status", "elb_status_code",
)
_GRPC_KEYS = ("grpc_code", "grpc.code", "grpc_status", "grpc.status_code", "rpc.grpc.status_code")


class AttributeReader:
    """Expressions reading one key of the flat JSON ``attributes`` of ``frame``.

    A key that no record carries costs one literal scan of the column and gives a null
    literal; a regex on the flat object is ~8x faster than ``json_path_match`` per key.
    """

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame
        self._has = "attributes" in frame.columns
        self._present: dict[str, bool] = {}

    def __call__(self, key: str) -> pl.Expr:
        if key not in self._present:
            self._present[key] = self._has and bool(
                self._frame.select(pl.col("attributes").str.contains(f'"{key}"', literal=True).any()).item()
            )
        if not self._present[key]:
            return pl.lit(None, dtype=pl.String)
        return pl.col("attributes").str.extract(r'"' + key + r'"\s*:\s*"?([^",}]*)', 1)

    def http_status(self) -> pl.Expr:
        """The HTTP status code (Int32, null when the record has none)."""
        return pl.coalesce(*(self(k) for k in _STATUS_KEYS)).str.extract(r"^(\d{3})", 1).cast(pl.Int32, strict=False)

    def grpc_failed(self) -> pl.Expr:
        """Whether the record carries a gRPC server error (``Internal``, ``Unavailable``, ...)."""
        grpc = pl.coalesce(*(self(k) for k in _GRPC_KEYS))
        return grpc.str.to_lowercase().str.replace_all("_", "").is_in(list(GRPC_FAILED)).fill_null(False)


def failed_call(frame: pl.DataFrame) -> pl.Expr:
    """Boolean expression: the record's fields say its call failed (HTTP >= 500, gRPC error)."""
    read = AttributeReader(frame)
    return (read.http_status().fill_null(0) >= 500) | read.grpc_failed()


def neighbour_time(schema: pl.Schema) -> pl.Expr:
    """``timestamp`` with a record that has none (a continuation, a runtime's stderr line
    inside a JSON log: ``FATAL ERROR: Reached heap limit``) given where it sits in its file:
    the previous record's time (input order), else the next one's."""
    fill = pl.col("timestamp").forward_fill().backward_fill()
    return fill.over("source") if "source" in schema else fill
