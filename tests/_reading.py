"""Helpers shared by the reading tests written from blind probes' findings."""

from __future__ import annotations

import json

from rcakit import read_logs


def read_lines(tmp_path, name: str, lines: list[str], **kw):
    """``lines`` written to ``tmp_path / name`` and read (``year=2024``): every line kept,
    none a parse error."""
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    frame = read_logs(path, year=2024, **kw)
    assert frame["n_lines"].sum() == len(lines)
    assert frame["parse_error"].null_count() == len(frame)
    return frame


def attrs(row: dict) -> dict:
    """A record's attributes as a dict."""
    return json.loads(row["attributes"]) if row["attributes"] else {}
