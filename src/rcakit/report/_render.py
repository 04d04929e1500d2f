"""Choose a renderer from ``--format`` or the output file's extension."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rcakit.errors import ConfigError

if TYPE_CHECKING:
    from rcakit.report._model import RcaReport

__all__ = ["FORMATS", "format_for", "render"]

FORMATS = ("json", "markdown", "html")
_BY_SUFFIX = {".json": "json", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
_ALIASES = {"md": "markdown", "htm": "html", "markdown": "markdown", "json": "json", "html": "html"}


def format_for(*, format: str | None, path: Path | None) -> str:
    """Resolve the output format: explicit ``format`` first, then the extension, else Markdown."""
    if format is not None:
        fmt = _ALIASES.get(format.lower())
        if fmt is None:
            msg = f"unknown report format {format!r}; use one of {', '.join(FORMATS)}"
            raise ConfigError(msg)
        return fmt
    if path is not None:
        fmt = _BY_SUFFIX.get(path.suffix.lower())
        if fmt is None:
            msg = (
                f"{path}: cannot tell the report format from the extension {path.suffix!r}; "
                "use .json, .md or .html, or pass --format json|markdown|html"
            )
            raise ConfigError(msg)
        return fmt
    return "markdown"


def render(report: RcaReport, *, format: str | None = None, path: Path | None = None) -> str:
    """Render ``report`` as JSON, Markdown or HTML text."""
    fmt = format_for(format=format, path=path)
    if fmt == "json":
        return report.to_json() + "\n"
    if fmt == "html":
        return report.to_html()
    return report.to_markdown()
