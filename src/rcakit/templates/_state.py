"""Saving and loading a fitted :class:`~rcakit.templates.TemplateMiner` as plain JSON.

The file is data only: settings, masks (as regex strings), Drain clusters (id, tokens,
size), the distinct masked messages seen with their cluster, and the id
history. Loading parses JSON and validates every field; nothing is imported, constructed
by name or executed (unlike drain3's jsonpickle snapshots). A SHA-256 digest over the
content catches truncated or hand-edited files; it is an integrity check, not a signature.

Layout (``schema_version`` 1)::

    {"format": "rcakit.template_miner", "schema_version": 1, "rcakit_version": "...",
     "sha256": "<hex of the canonical JSON of 'content'>",
     "content": {"settings": {...}, "masks": [{"name", "pattern"}], "clusters": [...],
                 "seen": [[masked_message, cluster_id, n_records], ...], "id_history": {old: new},
                 "n_records": int}}
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rcakit.errors import ConfigError, StateFileError
from rcakit.templates._drain import ClusterState, DrainModel
from rcakit.templates._masks import Mask, check_masks

if TYPE_CHECKING:
    from rcakit.templates._miner import TemplateMiner

__all__ = ["FORMAT", "SCHEMA_VERSION", "load_state", "save_state"]

FORMAT = "rcakit.template_miner"
SCHEMA_VERSION = 1
_MAX_BYTES = 1 << 30


def _digest(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def save_state(miner: TemplateMiner, path: Path) -> None:
    """Write ``miner`` to ``path`` (see the module docstring for the layout)."""
    from rcakit import __version__

    clusters = miner._model.clusters()
    content = {
        "settings": {
            "sim_th": float(miner.sim_th),
            "depth": int(miner.depth),
            "max_children": int(miner.max_children),
            "merge": bool(miner.merge),
        },
        "masks": [{"name": m.name, "pattern": m.pattern} for m in miner.masks_],
        "clusters": [
            {
                "id": c.cluster_id,
                "tokens": list(c.tokens),
                "size": c.size,
            }
            for c in clusters
        ],
        "seen": [
            [message, cid, int(miner._counts.get(message, 0))]
            for message, cid in miner._seen.items()
        ],
        "id_history": dict(sorted(miner.id_history_.items())),
        "n_records": int(miner.n_records_),
    }
    document = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "rcakit_version": __version__,
        "sha256": _digest(content),
        "content": content,
    }
    text = json.dumps(document, ensure_ascii=False, indent=1)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _fail(path: Path, what: str) -> StateFileError:
    return StateFileError(
        f"{path}: not a usable rcakit template state file: {what}. "
        "Re-create it with `rcakit templates ... --save-state FILE` or TemplateMiner.save()."
    )


def _expect(value: Any, kind: type | tuple[type, ...], path: Path, where: str) -> Any:
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise _fail(path, f"{where} must be a number, got a boolean")
    if not isinstance(value, kind):
        raise _fail(path, f"{where} has the wrong type ({type(value).__name__})")
    return value


def load_state(cls: type[TemplateMiner], path: Path) -> TemplateMiner:
    """Read and validate a state file written by :func:`save_state`."""
    size = path.stat().st_size
    if size > _MAX_BYTES:
        raise _fail(path, f"file is {size} bytes, larger than the 1 GiB limit")
    raw = path.read_bytes()
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(path, f"it is not JSON ({exc})") from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        hint = ""
        if isinstance(document, dict) and any("py/" in str(k) for k in document):
            hint = " (this looks like a drain3/jsonpickle snapshot, which rcakit never loads)"
        raise _fail(path, f"missing \"format\": \"{FORMAT}\"{hint}")
    version = document.get("schema_version")
    if version != SCHEMA_VERSION:
        raise _fail(
            path,
            f"schema_version {version!r} is not supported (this rcakit reads version "
            f"{SCHEMA_VERSION})",
        )
    content = _expect(document.get("content"), dict, path, "content")
    if document.get("sha256") != _digest(content):
        raise _fail(path, "its sha256 digest does not match its content (edited or truncated)")

    settings = _expect(content.get("settings"), dict, path, "content.settings")
    sim_th = _expect(settings.get("sim_th"), (int, float), path, "settings.sim_th")
    depth = _expect(settings.get("depth"), int, path, "settings.depth")
    max_children = _expect(settings.get("max_children"), int, path, "settings.max_children")
    merge = _expect(settings.get("merge"), bool, path, "settings.merge")

    masks = []
    for i, item in enumerate(_expect(content.get("masks"), list, path, "content.masks")):
        item = _expect(item, dict, path, f"masks[{i}]")
        name = _expect(item.get("name"), str, path, f"masks[{i}].name")
        pattern = _expect(item.get("pattern"), str, path, f"masks[{i}].pattern")
        masks.append(Mask(name=name, pattern=pattern))
    try:
        checked = check_masks(masks)
    except ConfigError as exc:
        raise _fail(path, str(exc)) from exc

    clusters: list[ClusterState] = []
    ids: set[int] = set()
    for i, item in enumerate(_expect(content.get("clusters"), list, path, "content.clusters")):
        item = _expect(item, dict, path, f"clusters[{i}]")
        cid = _expect(item.get("id"), int, path, f"clusters[{i}].id")
        tokens = _expect(item.get("tokens"), list, path, f"clusters[{i}].tokens")
        if not all(isinstance(t, str) and t and not t.isspace() for t in tokens):
            raise _fail(path, f"clusters[{i}].tokens must be non-blank strings")
        size = _expect(item.get("size"), int, path, f"clusters[{i}].size")
        if cid in ids or cid < 1 or size < 0:
            raise _fail(path, f"clusters[{i}] has a duplicate or negative id/size")
        ids.add(cid)
        clusters.append(ClusterState(cid, tuple(tokens), size))

    seen: dict[str, int] = {}
    counts: dict[str, int] = defaultdict(int)
    for i, item in enumerate(_expect(content.get("seen"), list, path, "content.seen")):
        if not (
            isinstance(item, list)
            and len(item) == 3
            and isinstance(item[0], str)
            and type(item[1]) is int
            and item[1] in ids
            and type(item[2]) is int
            and item[2] >= 0
        ):
            raise _fail(path, f"seen[{i}] must be [message, known cluster id, record count]")
        seen[item[0]] = item[1]
        counts[item[0]] = item[2]

    history = _expect(content.get("id_history"), dict, path, "content.id_history")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in history.items()):
        raise _fail(path, "id_history must map strings to strings")
    n_records = _expect(content.get("n_records"), int, path, "content.n_records")

    try:
        miner = cls(
            masks=checked, sim_th=float(sim_th), depth=depth, max_children=max_children, merge=merge
        )
        _, _ = miner._settings()
    except ConfigError as exc:
        raise _fail(path, str(exc)) from exc
    miner.masks_ = checked
    miner._model = DrainModel.from_clusters(
        clusters, sim_th=float(sim_th), depth=depth, max_children=max_children
    )
    miner._seen = seen
    miner._counts = counts
    miner.id_history_ = dict(history)
    miner.n_records_ = n_records
    miner._publish({})
    return miner
