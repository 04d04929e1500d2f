"""Per-file format detection over the registry, with a ``raw`` fallback.

Each format's ``sniff(sample)`` scores the share (0..1) of a sample of the file's non-empty
lines it recognises. The best score wins if it reaches :data:`MIN_SHARE`; ties go to the
format listed first in the registry (more specific formats are listed first). Otherwise
the file is read as ``raw`` (one record per line), which never loses anything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rcakit.ingest._base import FileFormat, LineFormat
from rcakit.ingest._multiline import CONTINUATION, RUNTIME_CRASH_HEAD

__all__ = ["MIN_SHARE", "SAMPLE_LINES", "detect_text_format", "sample_lines"]

#: Lines looked at to decide a file's format.
SAMPLE_LINES = 50
#: Minimal share of recognised sample lines for a format to be chosen over ``raw``.
MIN_SHARE = 0.5
#: Further windows of :data:`SAMPLE_LINES` lines looked at when the top of a file is no
#: format (a start-up banner and a configuration dump before the first log line).
BANNER_WINDOWS = 4
#: How far (characters) a second look for record heads reaches when the top of a file is
#: all continuation lines (a file cut inside a long stack trace).
HEAD_SCAN_CHARS = 2_000_000
_CONTINUATION = re.compile(CONTINUATION)


def sample_lines(text: str, *, n: int = SAMPLE_LINES) -> list[str]:
    """Up to ``n`` non-empty lines from the top of ``text`` (CR stripped)."""
    out: list[str] = []
    start = 0
    length = len(text)
    while start < length and len(out) < n:
        end = text.find("\n", start)
        if end < 0:
            end = length
        line = text[start:end].rstrip("\r")
        if line.strip():
            out.append(line)
        start = end + 1
    return out


def head_lines(text: str, *, n: int = SAMPLE_LINES, limit: int = HEAD_SCAN_CHARS) -> list[str]:
    """Up to ``n`` non-empty lines from the top of ``text`` that do not look like the
    continuation of a record (stack frames, indented lines), within ``limit`` characters."""
    out: list[str] = []
    for line in sample_lines(text[:limit], n=10**9):
        if not _CONTINUATION.match(line):
            out.append(line)
            if len(out) >= n:
                break
    return out


def detect_text_format(
    text: str, *, formats: Mapping[str, LineFormat | FileFormat], path: str = ""
) -> str:
    """Name of the registry format that recognises most of the sample, else ``"raw"``.

    When no format recognises enough of the sample, the formats are scored again on its
    lines that do not look like continuations (stack frames, indented lines): a short file
    whose records are followed by a long crash report is still that format. A file whose
    top is all continuation lines (cut inside a long stack trace) gets that second look at
    the record heads further down. A file whose top is still no format (a long start-up
    banner, a configuration dump) is scored again on the next windows of
    :data:`SAMPLE_LINES` lines, up to :data:`BANNER_WINDOWS` of them: a banner does not
    decide the format of the log under it.
    """
    sample = sample_lines(text)
    if not sample:
        return "raw"
    best = _best(sample, formats)
    if best == "raw":
        heads = [s for s in sample if not _CONTINUATION.match(s)]
        if len(heads) < len(sample) // 5:
            # (the top is all continuation lines: look further down)
            heads = head_lines(text)
        if heads and len(heads) < len(sample):
            # continuation lines do not count against a format: a short file whose records
            # are followed by a long stack trace or crash report (five JSON records, then
            # the runtime's dump as the process died)
            best = _best(heads, formats)
        if best == "raw":
            best = _best_without_crash(sample, formats)
    if best == "raw" and len(sample) >= SAMPLE_LINES:
        best = _below_banner(text, formats)
    if best == "raw" and "text" in formats:
        from rcakit.ingest._text import common_indent

        indent = common_indent(sample)
        if indent and _best([s[len(indent) :] for s in sample], {"text": formats["text"]}) == "text":
            # every line indented alike ("nomad agent" output): the text format strips it
            best = "text"
    return best


#: The first line of a runtime's last words (Go's panic, Rust's, Python's traceback, the JVM's
#: uncaught exception): what follows up to the file's next record is the crash report.
_CRASH_START = re.compile(RUNTIME_CRASH_HEAD)


def _best_without_crash(sample: list[str], formats: Mapping[str, LineFormat | FileFormat]) -> str:
    """The format of the sample without its crash reports, else raw.

    A crash report (see :data:`_CRASH_START`) runs to the next line that starts as the
    file's first line does (a Go goroutine dump's frames are not continuation lines, and
    may outnumber the few records above them: ``kubectl logs --previous``); the records
    around it decide the format, as the parsers join the report into one record."""
    if not sample or _CRASH_START.match(sample[0]) or not any(_CRASH_START.match(s) for s in sample):
        return "raw"
    first = sample[0][:1]
    kept: list[str] = []
    inside = False
    for line in sample:
        if _CRASH_START.match(line):
            inside = True
        elif inside and line[:1] == first:
            inside = False
        if not inside and not _CONTINUATION.match(line):
            kept.append(line)
    return _best(kept, formats) if kept else "raw"


def _below_banner(text: str, formats: Mapping[str, LineFormat | FileFormat]) -> str:
    """The format of the first window of lines below the top sample that has one, else raw."""
    lines = sample_lines(text[:HEAD_SCAN_CHARS], n=SAMPLE_LINES * (BANNER_WINDOWS + 1))
    for start in range(SAMPLE_LINES, len(lines), SAMPLE_LINES):
        window = lines[start : start + SAMPLE_LINES]
        best = _best(window, formats)
        if best == "raw":
            heads = [s for s in window if not _CONTINUATION.match(s)]
            if heads and len(heads) < len(window):
                best = _best(heads, formats)
        if best != "raw":
            return best
    return "raw"


def _best(sample: list[str], formats: Mapping[str, LineFormat | FileFormat]) -> str:
    best, best_score = "raw", 0.0
    for name, fmt in formats.items():
        if name in ("raw", "pattern"):
            continue
        try:
            score = float(fmt.sniff(sample))
        except Exception:  # a faulty sniffer must not stop reading
            score = 0.0
        if score > best_score + 1e-9:
            best, best_score = name, score
    return best if best_score >= MIN_SHARE else "raw"
