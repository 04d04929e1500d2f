"""Helpers shared by the per-format reader tests."""

from __future__ import annotations

import json

import polars as pl

from rcakit.ingest._base import RECORD_COLUMNS, LineFormat, ParseOptions
from rcakit.ingest._files import lines_frame

OPTS = ParseOptions(tz="UTC", year=2024)


def parse_lines(fmt: LineFormat, text: str, options: ParseOptions = OPTS) -> pl.DataFrame:
    """Parse ``text`` with a line format, checking the schema and that every line is accounted for."""
    out = fmt.parse(lines_frame(text).lazy(), options).collect()
    assert out.schema == RECORD_COLUMNS
    n_physical = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    assert out["n_lines"].sum() == n_physical
    return out


def attrs(row: dict) -> dict:
    """A record's attributes as a dict ({} when null)."""
    return json.loads(row["attributes"]) if row["attributes"] else {}
