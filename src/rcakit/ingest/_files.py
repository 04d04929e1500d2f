"""Finding input files and turning each into a frame of physical lines.

``expand_sources`` resolves what the user handed over (a file, a list, a glob or a
directory) into a sorted list of files; ``read_text`` decodes one file (gzip transparently,
invalid UTF-8 replaced, a truncated ``.gz`` kept up to where it breaks with a
:class:`~rcakit.errors.RcakitWarning`); ``lines_frame`` splits the text into the
``line_no``/``line`` frame every line format parses.

Line accounting follows ``wc -l`` plus a final unterminated line: a physical line ends at
``\\n``; a trailing ``\\r`` (CRLF) is removed; text after the last ``\\n`` is one more line; an
empty file has no lines.
"""

from __future__ import annotations

import glob
import os
import re
import warnings
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from rcakit._text import ESCAPE_SEQUENCES
from rcakit.errors import InputError, RcakitWarning
from rcakit.ingest._archive import archive_kind, display_name, unpacked

__all__ = ["DecodedFile", "expand_sources", "lines_buffer", "lines_frame", "physical_line_count", "read_text", "walk_files"]

_GZIP_MAGIC = b"\x1f\x8b"
#: Terminal escape sequences (colours, cursor moves, window titles) that a log written for a
#: terminal carries: CSI ``ESC [ ... final``, OSC ``ESC ] ... BEL|ESC \``, and two-byte
#: escapes. Removed on reading: they are not text, and they hide stamps and levels.
_TERMINAL_ESCAPES = re.compile(ESCAPE_SEQUENCES.encode())
_GLOB_CHARS = frozenset("*?[")


_HEAD_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class DecodedFile:
    """The content of one input file as valid UTF-8 bytes, and what happened reading it."""

    path: str
    data: bytes  # valid UTF-8 (invalid sequences already replaced), no BOM
    n_replaced: int  # U+FFFD characters introduced by invalid UTF-8
    truncated: bool  # a compressed stream ended early

    @property
    def text(self) -> str:
        """The whole content as a str (for file formats that parse the text at once)."""
        return self.data.decode("utf-8")

    @property
    def head(self) -> str:
        """The first ~256 KiB as text, for format detection."""
        return self.data[:_HEAD_BYTES].decode("utf-8", errors="ignore")


def _is_hidden(path: Path, root: Path) -> bool:
    rel = path.relative_to(root)
    return any(part.startswith(".") for part in rel.parts)


#: the first bytes of the reports rcakit writes (JSON, Markdown, HTML)
_REPORT_HEADS = {
    ".json": re.compile(rb'^\{\s*"schema_version":\s*\d+,\s*"generated_at":'),
    ".md": re.compile(rb"^# Root-cause analysis\s+Generated [^\n]* by rcakit from "),
    ".html": re.compile(rb'<div class="rcakit-report">'),
}


def _is_report(path: Path) -> bool:
    """Whether ``path`` is a report an earlier ``rcakit report -o`` wrote into the folder."""
    head = _REPORT_HEADS.get(path.suffix.lower())
    if head is None:
        return False
    try:
        with path.open("rb") as fh:
            return bool(head.search(fh.read(4096)))
    except OSError:
        return False


def walk_files(directory: Path) -> list[Path]:
    """The files below ``directory``, hidden files and directories skipped, in path order.

    rcakit's own reports (``rcakit report logs/ -o logs/rca.json`` run twice) are skipped
    with a warning: they are not logs.
    """
    files = [
        p
        for p in directory.rglob("*")
        if p.is_file() and not _is_hidden(p, directory)
    ]
    reports = sorted((p for p in files if _is_report(p)), key=lambda p: p.as_posix())
    if reports:
        warnings.warn(
            f"{directory}: skipped {', '.join(p.name for p in reports[:3])}{' ...' if len(reports) > 3 else ''}: "
            "rcakit report(s) written by an earlier run, not logs",
            RcakitWarning,
            stacklevel=3,
        )
        files = [p for p in files if p not in reports]
    return sorted(files, key=lambda p: p.as_posix())


def expand_sources(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[str]:
    """Resolve a file, a glob, a directory or a list of them into a sorted list of files.

    Directories are walked recursively (hidden files and directories skipped), globs are
    expanded (``**`` allowed); the order is sorted within each item and items keep the
    order given. A file named twice is read once.

    Raises
    ------
    InputError
        When an item does not exist, a glob matches nothing, nothing is left to read, or an
        item is an archive that cannot be unpacked (7z, RAR, corrupt, a zip bomb: the
        message says what to do; such an archive found in a directory or by a glob is
        skipped with a warning instead). Zip and tar archives (also compressed) are
        unpacked (:mod:`rcakit.ingest._archive`) and stand for the files they hold.
    """
    items: list[str | os.PathLike[str]]
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    if not items:
        msg = "no input given: pass a file, a list of files, a glob or a directory"
        raise InputError(msg)
    out: list[str] = []
    seen: set[str] = set()
    for item in items:
        text = os.fspath(item)
        path = Path(text)
        if path.is_dir():
            found = [str(p) for p in walk_files(path)]
        elif path.is_file():
            found = [text]
        elif _GLOB_CHARS & set(text):
            found = []
            for match in sorted(glob.glob(text, recursive=True)):  # noqa: PTH207 - absolute patterns too
                m = Path(match)
                found.extend([str(p) for p in walk_files(m)] if m.is_dir() else [match])
            if not found:
                msg = f"{text}: the pattern matches no file; check the path and the quoting of '*'"
                raise InputError(msg)
        else:
            msg = f"{text}: no such file or directory"
            raise InputError(msg)
        for f in _unpack_archives(found, named=text):
            if f not in seen:
                seen.add(f)
                out.append(f)
    if not out:
        msg = f"{', '.join(os.fspath(i) for i in items)}: no files to read (directories are empty or only hold hidden files)"
        raise InputError(msg)
    return out


def _unpack_archives(files: list[str], *, named: str, depth: int = 0) -> list[str]:
    """``files`` with each zip/tar archive replaced by the files it holds (nested archives
    too, two levels deep); a 7z/RAR archive is an error when it was named on its own, else
    skipped with a warning."""
    out: list[str] = []
    for f in files:
        kind = archive_kind(f)
        if kind is None:
            out.append(f)
            continue
        try:
            if depth >= 2:
                msg = f"{display_name(f)}: an archive inside an archive inside an archive: unpack it yourself"
                raise InputError(msg)
            folder = unpacked(f)
        except InputError as exc:
            if f == named:  # named on its own: nothing else to read
                raise
            warnings.warn(f"skipped {exc}", RcakitWarning, stacklevel=3)
            continue
        out.extend(_unpack_archives([str(p) for p in walk_files(folder)], named=named, depth=depth + 1))
    return out


def _gunzip(data: bytes, path: str) -> tuple[bytes, bool]:
    """Decompress (possibly multi-member) gzip data; keep what is readable if it is cut short."""
    chunks: list[bytes] = []
    rest = data
    truncated = False
    while rest:
        d = zlib.decompressobj(wbits=31)
        try:
            chunks.append(d.decompress(rest))
            chunks.append(d.flush())
        except zlib.error as exc:
            warnings.warn(
                f"{path}: corrupt gzip data ({exc}); read the {sum(map(len, chunks))} bytes before it",
                RcakitWarning,
                stacklevel=4,
            )
            return b"".join(chunks), True
        if not d.eof:
            truncated = True
            break
        rest = d.unused_data
        if rest and not rest.startswith(_GZIP_MAGIC):
            break  # trailing garbage after the last member (gzip(1) ignores it too)
    if truncated:
        warnings.warn(
            f"{path}: the gzip file is truncated (the compressed stream ends early); "
            f"read the {sum(map(len, chunks))} bytes that could be decompressed, the rest is missing",
            RcakitWarning,
            stacklevel=4,
        )
    return b"".join(chunks), truncated


def _bomless_utf16(data: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``data`` has no byte-order mark but is plainly
    UTF-16 text: in its first 4096 bytes, nearly every other byte is NUL (the high byte of
    an ASCII character) and the bytes between them are not; else None."""
    head = data[:4096]
    if len(head) < 32 or b"\x00" not in head[:64]:
        return None
    head = head[: len(head) // 2 * 2]
    half = len(head) // 2
    for encoding, high, low in (("utf-16-le", head[1::2], head[0::2]), ("utf-16-be", head[0::2], head[1::2])):
        if high.count(0) >= 0.95 * half and low.count(0) <= 0.05 * half:
            return encoding
    return None


def utf16_text(data: bytes) -> str | None:
    """``data`` decoded as UTF-16 when it is UTF-16 text: a byte-order mark, valid code
    units, and mostly ASCII characters in its first 4096 (a log's stamps, levels and
    punctuation are; random bytes after ``FF FE`` are not)."""
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = _bomless_utf16(data)
        return None if encoding is None else data.decode(encoding, errors="replace")
    try:
        text = data.decode("utf-16")
    except UnicodeDecodeError:
        return None
    head = text[:4096]
    return text if 2 * sum(c < "\x80" for c in head) >= len(head) else None


def read_text(path: str, *, name: str | None = None) -> DecodedFile:
    """Read one file as text: gzip by magic bytes, UTF-8 (BOM dropped), invalid bytes replaced.

    UTF-16 with a byte-order mark (PowerShell's and .NET's default output) is decoded;
    terminal escape sequences (ANSI colours) are removed.

    Raises
    ------
    InputError
        When the file cannot be opened (missing, a directory, no permission).
    """
    shown = name or path  # the name messages use (a file unpacked from an archive)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        msg = f"{shown}: cannot read the file ({exc.strerror or exc})"
        raise InputError(msg) from exc
    truncated = False
    if data.startswith(_GZIP_MAGIC):
        data, truncated = _gunzip(data, shown)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif not data.startswith((b"\xff\xfe", b"\xfe\xff")) and (encoding := _bomless_utf16(data)) is not None:
        warnings.warn(
            f"{shown}: the file looks like {encoding.upper()} without a byte-order mark "
            "(a NUL byte beside every character); decoded as such",
            RcakitWarning,
            stacklevel=2,
        )
        data = data.decode(encoding, errors="replace").encode("utf-8")
    elif (utf16 := utf16_text(data)) is not None:
        data = utf16.encode("utf-8")
    if b"\x1b" in data:
        last_line = not data.endswith(b"\n")
        data = _TERMINAL_ESCAPES.sub(b"", data)
        if last_line and (not data or data.endswith(b"\n")):
            # a last line that held only escapes is still a line (empty), not gone
            data += b"\n"
    n_replaced = 0
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            before = data.count("\ufffd".encode())
            text = data.decode("utf-8", errors="replace")
            n_replaced = text.count("\ufffd") - before
            data = text.encode("utf-8")
            warnings.warn(
                f"{shown}: {n_replaced} invalid UTF-8 byte sequence(s) replaced by U+FFFD",
                RcakitWarning,
                stacklevel=2,
            )
    return DecodedFile(path=path, data=data, n_replaced=n_replaced, truncated=truncated)


def physical_line_count(content: str | bytes) -> int:
    """Number of physical lines: newlines, plus one for a final unterminated line."""
    if not content:
        return 0
    if isinstance(content, str):
        return content.count("\n") + (0 if content.endswith("\n") else 1)
    return content.count(b"\n") + (0 if content.endswith(b"\n") else 1)


def lines_frame(content: str | bytes) -> pl.DataFrame:
    """Split content into ``line_no`` (UInt32, 1-based) and ``line`` (String, no ``\r\n``).

    ``content`` must be valid UTF-8 when given as bytes (as :func:`read_text` returns it).
    """
    if not content:
        return pl.DataFrame(schema={"line_no": pl.UInt32, "line": pl.String})
    data = content.encode("utf-8") if isinstance(content, str) else content
    # polars splits at "\n" and drops a "\r" before it, and the final newline, exactly the
    # physical-line rule above
    frame = pl.read_lines(data, name="line")
    frame = frame.with_row_index("line_no", offset=1).with_columns(pl.col("line_no").cast(pl.UInt32))
    return _aligned_chunks(frame)


#: Rows per chunk of a lines frame (see :func:`_aligned_chunks`).
_CHUNK_ROWS = 125_000


def _aligned_chunks(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` in a few chunks of equal row ranges in every column.

    ``read_lines`` returns the text in hundreds of small chunks and the row index in one:
    polars then evaluates an eager ``select``/``with_columns`` on the frame on one thread
    (measured: a capture regex over 1M lines 5.2 s), while columns cut at the same rows let
    it work on the chunks side by side (2.5 s). One copy of the text buys that.
    """
    n = frame.height
    k = max(1, min(4 * pl.thread_pool_size(), n // _CHUNK_ROWS))
    if k == 1:
        return frame.rechunk()
    step = -(-n // k)
    frame = frame.rechunk()
    return pl.concat([frame.slice(i * step, step) for i in range(k)], rechunk=False)


def lines_buffer(texts: pl.Series) -> memoryview:
    """``texts`` as one buffer of newline-terminated UTF-8 lines (a null is an empty line),
    for polars' CSV and NDJSON readers. Written by polars' CSV writer with no quoting (each
    text as it is): no Python string of the whole in between, and no pyarrow import."""
    import io

    buffer = io.BytesIO()
    texts.to_frame("t").write_csv(buffer, include_header=False, quote_style="never", line_terminator="\n")
    return buffer.getbuffer()
