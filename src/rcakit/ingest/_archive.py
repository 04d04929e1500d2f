"""Archives of log files (``logs.zip``, ``export.tar.gz``): unpacked, safely, for the process.

A support engineer is often handed a zip or a tarball of log files. Each archive is unpacked
once per process into a private temporary folder (removed when the process exits), with
the standard library's own guards: ``zipfile`` drops absolute paths and ``..`` from member
names, ``tarfile`` extracts with the ``"data"`` filter (no links out of the folder, no device
files, no absolute paths). An archive that would unpack to more than
:data:`MAX_RATIO` times its own size (a zip bomb) is refused. Records keep the member's name
as their ``source``: ``logs.zip!/payment/app.log`` (:func:`display_name`).

7z and RAR archives need tools outside the standard library: they are refused with the
command that unpacks them.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tarfile
import tempfile
import threading
import zipfile
from collections.abc import Iterable
from pathlib import Path

from rcakit.errors import InputError

__all__ = ["MAX_RATIO", "archive_kind", "display_name", "unpack_inputs", "unpacked"]

#: an archive may unpack to at most this many times its size (text logs compress 10-30x)
MAX_RATIO = 200

_ZIP = (".zip",)
_TAR = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
_OTHER = (".7z", ".rar")
_GZIP, _BZIP2, _XZ = b"\x1f\x8b", b"BZh", b"\xfd7zXZ"

_lock = threading.Lock()
_root: Path | None = None
_unpacked: dict[tuple[str, int, int], Path] = {}
_display: dict[str, str] = {}


def archive_kind(path: str) -> str | None:
    """``"zip"``, ``"tar"`` or ``"other"`` (7z, RAR) when ``path`` is an archive (by its name
    and its magic bytes), else ``None``."""
    low = path.lower()
    if not low.endswith(_ZIP + _TAR + _OTHER):
        return None
    try:
        with Path(path).open("rb") as fh:
            magic = fh.read(262)
    except OSError:
        return None  # reading it reports the problem
    if low.endswith(_ZIP) and magic.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if low.endswith(_TAR) and (magic[257:262] == b"ustar" or magic.startswith((_GZIP, _BZIP2, _XZ))):
        return "tar"
    if low.endswith(_OTHER) and magic.startswith((b"7z\xbc\xaf", b"Rar!")):
        return "other"
    return None


def display_name(path: str) -> str:
    """The name a file unpacked from an archive is shown by (``logs.zip!/payment/app.log``);
    other paths unchanged."""
    return _display.get(path, path)


def unpacked(path: str) -> Path:
    """The folder ``path`` (an archive) is unpacked into, unpacking it on first use.

    When the archive holds one folder only (``zip -r incident.zip incident/``), that folder.

    Raises
    ------
    InputError
        For 7z/RAR archives (with the command that unpacks them), corrupt archives, and
        archives that would unpack to more than :data:`MAX_RATIO` times their size.
    """
    kind = archive_kind(path)
    shown = display_name(path)  # an archive inside an archive is named by its member name
    if kind is None:
        msg = f"{shown}: not a zip or tar archive"
        raise InputError(msg)
    if kind == "other":
        folder = Path(path).stem
        msg = f"{shown}: a 7z/RAR archive, which rcakit cannot unpack: unpack it first (7z x '{path}' -o{folder}) and pass the folder"
        raise InputError(msg)
    stat = Path(path).stat()
    key = (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)
    with _lock:
        if key not in _unpacked:
            dest = Path(tempfile.mkdtemp(prefix=f"{len(_unpacked)}-", dir=_temp_root())) / Path(path).name
            dest.mkdir()
            try:
                _extract(path, kind, dest, limit=max(stat.st_size, 1 << 20) * MAX_RATIO, shown=shown)
            except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
                msg = f"{shown}: cannot unpack the archive ({exc})"
                raise InputError(msg) from exc
            for f in dest.rglob("*"):
                if f.is_file():
                    _display[str(f)] = f"{shown}!/{f.relative_to(dest).as_posix()}"
            # (macOS adds a __MACOSX folder of resource forks to the zips it makes)
            entries = [e for e in dest.iterdir() if not e.name.startswith(".") and e.name != "__MACOSX"]
            _unpacked[key] = entries[0] if len(entries) == 1 and entries[0].is_dir() else dest
        return _unpacked[key]


def unpack_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """The inputs with every zip/tar archive replaced by the folder it unpacks to (so that a
    change list inside it is found like one in a folder)."""
    out = []
    for p in paths:
        text = os.fspath(p)
        out.append(str(unpacked(text)) if Path(text).is_file() and archive_kind(text) in {"zip", "tar"} else text)
    return out


def _extract(path: str, kind: str, dest: Path, *, limit: int, shown: str) -> None:
    too_big = f"{shown}: the archive unpacks to more than {MAX_RATIO} times its size; unpack it yourself if it is really logs"
    if kind == "zip":
        with zipfile.ZipFile(path) as z:
            if sum(i.file_size for i in z.infolist()) > limit:
                raise InputError(too_big)
            z.extractall(dest)  # member names lose any absolute prefix and ".." parts
        return
    if not hasattr(tarfile, "data_filter"):  # Python < 3.11.4: no safe extraction filter
        msg = f"{shown}: this Python cannot unpack tar archives safely; unpack it first (tar -xf) and pass the folder"
        raise InputError(msg)
    with tarfile.open(path, "r:*") as t:
        members = t.getmembers()
        if sum(m.size for m in members if m.isfile()) > limit:
            raise InputError(too_big)
        t.extractall(dest, members=members, filter="data")


def _temp_root() -> Path:
    global _root  # one private folder per process, removed at exit
    if _root is None:
        _root = Path(tempfile.mkdtemp(prefix="rcakit-archives-"))
        atexit.register(shutil.rmtree, _root, ignore_errors=True)
    return _root
