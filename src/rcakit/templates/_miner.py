"""Template mining: ``LOG_RECORDS`` (any frame with a ``body``) -> ``TEMPLATED_RECORDS``.

The pipeline, all in polars except the Drain step and the per-cluster post-processing
(both run over distinct masked messages, never over records):

1. deduplicate the bodies; for each distinct body strip terminal escapes, normalise
   whitespace and apply the named masks (:data:`rcakit.templates.DEFAULT_MASKS`) as
   ``str.replace_all`` expressions;
2. deduplicate the masked messages (a million records are typically a few thousand
   distinct masked messages) and feed each distinct one to Drain once, in first-seen
   order, with every named token written as one token (``<V>``);
3. post-process Drain's clusters, which fixes its known grouping weaknesses:
   recompute each template from its member messages (:func:`_consensus_token`), join
   similar clusters of equal length that the prefix tree kept apart
   (:func:`_merge_clusters`), split clusters on positions holding a few constant words
   (:func:`_split_positions`), and merge templates that differ only in how many variable
   tokens stand in a row (:func:`_merge_templates`);
4. derive each template's id from its text (a hash), so ids are the same in every run and
   every process;
5. join back to the records on the body; ``params`` are recovered by matching each
   record's body against its template with one vectorised regex per template.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any, Self

import polars as pl

from rcakit._text import strip_terminal_escapes_expr
from rcakit.errors import ConfigError, NotFittedError, SchemaError
from rcakit.templates._drain import PARAM, ClusterState, DrainModel
from rcakit.templates._masks import (
    DEFAULT_MASKS,
    TOKEN_RE,
    Mask,
    apply_masks,
    check_masks,
    line_safe,
    mask_values,
)

__all__ = ["TemplateMiner", "mine_templates", "summarize_templates", "template_id_of"]

_TOKEN_RE = re.compile(TOKEN_RE)
_ADJACENT = r"<([A-Z][A-Z0-9_]*)>(?:<[A-Z][A-Z0-9_]*>)+"
_ONLY_TOKENS_RE = re.compile(rf"(?:{TOKEN_RE})+")
_OUT_COLUMNS = ("template_id", "template", "params")
_MASKED = "__rcakit_masked"
_ROW = "__rcakit_row"
_DRAIN = "__rcakit_drain"
# Drain sees every named token as this one token: an <IP> and a <HOST> in the same place
# are the same kind of thing for grouping; the names come back in the published template.
_DRAIN_VAR = "<V>"
# At most this many distinct constant words at one position split a Drain cluster.
_MAX_SPLIT_VALUES = 3
# Above this many clusters of one length, skip the all-pairs merge (quadratic).
_MAX_PAIRWISE = 1000
# Below this many rows per slice, masking runs in one piece.
_ROWS_PER_SLICE = 50_000


def template_id_of(template: str) -> str:
    """The stable id of a template: 16 hex digits of its BLAKE2b hash.

    The same template text gives the same id in every run, process and machine.

    Examples
    --------
    >>> template_id_of("user <*> logged in")
    'c93942870281d043'
    """
    return hashlib.blake2b(template.encode("utf-8"), digest_size=8).hexdigest()


def _clean_body() -> pl.Expr:
    return strip_terminal_escapes_expr(pl.col("body").fill_null("")).alias("body")


def _normalised_expr() -> pl.Expr:
    """The body without terminal escapes, whitespace runs -> one space (never a newline)."""
    # terminal control sequences are not part of the message (and must not reach a template)
    body = _clean_body()
    # only runs that are not already a single space are rewritten (most lines have none)
    return body.str.replace_all(r"[^\S ]\s*|\s{2,}", " ").str.strip_chars()


def _masked_expr(masks: Sequence[Mask], *, per_line: bool = False) -> pl.Expr:
    """The message Drain sees: whitespace runs -> one space, masks applied.

    With ``per_line`` the input column ``body`` holds normalised messages joined by newlines.
    """
    normalised = pl.col("body") if per_line else _normalised_expr()
    return _join_adjacent(apply_masks(normalised, masks, per_line=per_line))


def _join_adjacent(masked: pl.Expr) -> pl.Expr:
    """Two variables with nothing between them are one value (``<PATH><HEX>`` -> ``<PATH>``)."""
    return masked.str.replace_all(_ADJACENT, "<$1>")


_MESSAGES_PER_BLOCK = 500


def _mask_bodies(bodies: pl.DataFrame, masks: Sequence[Mask]) -> pl.Series:
    """The masked message of each row of ``bodies`` (column ``body``), in row order.

    Line-safe masks (the default set) run over blocks of messages joined by newlines: one
    regex call per block instead of one per message, about a third less work, same result.
    """
    if not line_safe(masks) or bodies.height < 2 * _MESSAGES_PER_BLOCK:
        return _mask_in_parallel(bodies, _masked_expr(masks))
    normalised = _mask_in_parallel(bodies, _normalised_expr().alias("body"))
    blocks = (
        normalised.to_frame("body")
        .with_row_index("_i")
        .group_by(pl.col("_i") // _MESSAGES_PER_BLOCK, maintain_order=True)
        .agg(pl.col("body").str.join("\n"))
    )
    gated = _gated_in_parallel(blocks.get_column("body"), masks)
    joined = gated.to_frame("body").lazy().select(_join_adjacent(pl.col("body"))).collect()
    masked = joined.get_column("body").str.split("\n").explode()
    if masked.len() != bodies.height:  # not expected: a message held a newline after all
        return _mask_in_parallel(bodies, _masked_expr(masks))
    return masked


#: blocks of messages per slice below which masking them in one go is cheaper
_BLOCKS_PER_SLICE = 200


def _gated_in_parallel(blocks: pl.Series, masks: Sequence[Mask]) -> pl.Series:
    """:func:`mask_values` over slices of ``blocks`` side by side, in block order.

    A string expression over one column runs on one thread; the gates and masks of each
    slice are polars calls that release the GIL, so threads run the slices concurrently.
    Exact: every message is masked on its own whichever slice holds it.
    """
    k = max(1, min(pl.thread_pool_size(), len(blocks) // _BLOCKS_PER_SLICE))
    if k == 1:
        return mask_values(blocks, masks, per_line=True)
    step = -(-len(blocks) // k)
    with ThreadPoolExecutor(max_workers=k) as pool:
        parts = list(pool.map(lambda i: mask_values(blocks.slice(i * step, step), masks, per_line=True), range(k)))
    return pl.concat(parts)


def _distinct_rows(values: pl.Series) -> tuple[pl.Series, pl.Series, pl.Series]:
    """The distinct values of a String series in first-seen order, as (the row where each
    first occurs, how many rows have it, and for every row the index of its value).

    Rows are grouped by a 64-bit hash of their text, several times cheaper than grouping
    (and later joining) the text itself; the grouping is then checked (every row equal to
    the first row of its group) and redone on the text in the astronomically rare case of a
    hash collision. Exact either way.
    """
    for key in (values.hash(), values):
        keyed = pl.DataFrame({"k": key}).with_row_index("r")
        groups = (
            keyed.lazy()
            .group_by("k", maintain_order=True)
            .agg(pl.col("r").first(), pl.len().alias("n"))
            .with_row_index("g")
            .collect()
        )
        rows = keyed.join(groups.select("k", "g"), on="k", how="left", maintain_order="left").get_column("g")
        first = groups.get_column("r")
        if key is values or (values.gather(first.gather(rows)) == values).all():
            break
    return first, groups.get_column("n").cast(pl.UInt32), rows


def _mask_in_parallel(frame: pl.DataFrame, expr: pl.Expr) -> pl.Series:
    """Evaluate ``expr`` over slices of ``frame`` concurrently (one slice per polars thread).

    A string expression runs on one thread per column; slicing the rows lets polars run
    the slices side by side. Row order is kept.
    """
    n = frame.height
    k = max(1, min(pl.thread_pool_size(), n // _ROWS_PER_SLICE))
    if k == 1:
        return frame.select(expr).to_series()
    step = -(-n // k)
    parts = [frame.lazy().slice(i * step, step).select(expr) for i in range(k)]
    return pl.concat(parts, parallel=True).collect().to_series()


@lru_cache(maxsize=1 << 16)  # a few thousand distinct tokens come back again and again
def _generic(token: str) -> str:
    """A token with every named token replaced by ``<*>``."""
    return _TOKEN_RE.sub(PARAM, token)


# a list item: an opening bracket, the item, a closing bracket (and the punctuation after
# it: ``[<*>],`` before the message goes on) or the comma before the next
_ITEM_RE = re.compile(r"([\[({]?)(.*?)((?:[\])}][,;:.]?|,)?)")
# a list inside one token: ids=[<*>,<*>,<*>]
_INNER_LIST_RE = re.compile(r"<\*>(?:[,;|]<\*>)+")


def _merge_key(tokens: Sequence[str]) -> tuple[str, ...]:
    """Tokens with named tokens generalised and runs of variable tokens collapsed: ``<*>
    <*>``, and a list of items with a variable, as long as it is (``[orders-<*>,
    orders-<*>]`` and ``[orders-<*>]``; ``<*>, <*>, <*>`` and ``<*>``)."""
    out: list[list[str]] = []  # [opening, item, closing]
    for token in tokens:
        generic = PARAM if _ONLY_TOKENS_RE.fullmatch(token) else _INNER_LIST_RE.sub(PARAM, _generic(token))
        m = _ITEM_RE.fullmatch(generic)
        opening, item, closing = m.groups() if m else ("", generic, "")
        # the next item of a list (after a comma, or a bare variable after one): the list
        # now ends where this item does
        if not opening and PARAM in item and out and out[-1][1] == item and (
            out[-1][2] == "," or (item == PARAM and not out[-1][2])
        ):
            out[-1][2] = closing
            continue
        out.append([opening, item, closing])
    return tuple("".join(part) for part in out)


_DELIMS = "=:,;()[]{}/@#|'\"-"


def _consensus_token(values: Sequence[str]) -> str:
    """One template token for a position where members differ.

    Keeps what all values share: the same token with named variables (``<IP>``), or a
    common prefix/suffix that ends at a delimiter (``rhost=<IP>`` and ``rhost=<HOST>`` give
    ``rhost=<*>``); otherwise ``<*>``.
    """
    values = list(dict.fromkeys(values))  # what follows depends only on the distinct values
    if len(values) == 1:
        return values[0]
    generic = {_generic(v) for v in values}
    if len(generic) == 1:
        return generic.pop()
    # (values of one structure, brackets, quotes and commas at the same places, keep what
    # each part shares: containerd's &PodSandboxMetadata{Name:<*>,Uid:<UUID>,Namespace:<*>,
    # Attempt:<NUM>,}, Asterisk's <*>("PJSIP/<NUM>-<HEX>", not only the ends of the whole)
    parts = [_STRUCTURE_RE.split(v) for v in values]
    if len(parts[0]) > 3 and all(len(p) == len(parts[0]) for p in parts) and all(
        len(set(column)) == 1 for column in zip(*parts, strict=True) if _STRUCTURE_RE.fullmatch(column[0])
    ):
        return "".join(
            column[0] if _STRUCTURE_RE.fullmatch(column[0]) else _ends_consensus(list(dict.fromkeys(column)))
            for column in zip(*parts, strict=True)
        )
    return _ends_consensus(values)


# the marks that give a token its structure (split on, kept)
_STRUCTURE_RE = re.compile(r"""([{}()\[\],;"'])""")


def _ends_consensus(values: Sequence[str]) -> str:
    """What distinct ``values`` share at their ends: a common prefix and suffix that end at
    a delimiter around ``<*>`` (the same value: itself)."""
    if len(values) == 1:
        return values[0]
    generic = {_generic(v) for v in values}
    if len(generic) == 1:
        return generic.pop()
    prefix = _common_prefix(values)
    prefix = prefix[: max((prefix.rfind(d) for d in _DELIMS), default=-1) + 1]
    if prefix.count("<") != prefix.count(">"):
        prefix = prefix[: prefix.rfind("<")]
    rest = [v[len(prefix) :] for v in values]
    suffix = _common_prefix([v[::-1] for v in rest])[::-1]
    # (a backslash ending every value escapes the quote after it: kubelet's volume \"<*>\")
    escape = "\\" if suffix.endswith("\\") and all(len(v) > 1 for v in rest) else ""
    suffix = suffix[min((i for i, ch in enumerate(suffix) if ch in _DELIMS), default=len(suffix)) :]
    if escape and not suffix:
        suffix = escape
    if suffix.count("<") != suffix.count(">"):
        suffix = suffix[suffix.find(">") + 1 :]
    return prefix + PARAM + suffix


def _common_prefix(values: Sequence[str]) -> str:
    # the prefix all values share is the one the lexicographically first and last share
    return os.path.commonprefix([min(values), max(values)])  # noqa: RUF071 - strings, not paths


# A token that reads like a constant word (a keyword, a protocol, a state name), as opposed
# to an id: letters first, no named variable inside.
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9_.'\-]*[:;,.]?")

Group = tuple[int, tuple[str, ...]]
_LETTERS_RE = re.compile(r"[A-Za-z]{2,}")
# UPPER_CASE words are enum constants (states, event types): more of them may split a cluster
# (also in quotes: klog's "SyncLoop ADD"; and joined by dashes, hostapd's control events
# AP-STA-CONNECTED, EAPOL-4WAY-HS-COMPLETED, each part after a dash with a letter: not a
# ticket's INC-1234)
_ENUM_RE = re.compile(r"""["']?[A-Z][A-Z0-9]*(?:_[A-Z0-9]+|-(?:[0-9]|<\*>)*[A-Z][A-Z0-9]*)*["']?[:;,.]?""")
_MAX_ENUM_VALUES = 8
# a CamelCase name of two words or more: StartContainer, RunPodSandbox, ImageCreate
_CAMEL_RE = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+[:;,.]?")
# an event name with a sign before it, opening a message (Redis Sentinel's +sdown, -odown,
# +failover-state-select-slave)
_SIGNED_EVENT_RE = re.compile(r"[+\-][a-z][a-z]*(?:-[a-z]+)*")
#: how many event names of such a shape (signed, a result code) a position may hold
_MAX_NAMED_EVENTS = 40
# an upper-case result code of words joined by underscores, glued to a status after a slash
_RESULT_CODE_RE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+/<\*>|NONE/<\*>")
# a token of marks only (an arrow, a flag): "=>", "<=", "->", "**", "=="
_MARK_RE = re.compile(r"[=\-<>*+!~|&%#]{1,3}")
# the key of a key=value token (channel=news)
_KEY_RE = re.compile(r"[A-Za-z_][\w.\-]*=")


def _split_positions(rows: Sequence[Sequence[str]], *, max_values: int) -> tuple[int, ...]:
    """Positions where a cluster mixes a few constant words (drain3 merges such events).

    Drain joins ``Failed password for ...`` and ``Failed none for ...`` because they differ in
    one token. A position whose values are all plain words and take at most ``max_values``
    distinct values is treated as part of the event, and the cluster is split by it.
    Positions with many values (user names, host names) stay variables.
    """
    if max_values < 2 or len(rows) < 2:
        return ()
    out = []
    raw = [set(column) for column in zip(*rows, strict=True)]
    columns = [{_generic(v) for v in column} for column in raw]
    # positions that hold no letters beyond their variables (an address, a hex status word)
    bare = [not any(_LETTERS_RE.search(v.replace(PARAM, " ")) for v in values) for values in columns]
    for i, values in enumerate(columns):
        if len(values) < 2 or _one_key(values):
            continue
        if (
            i + 2 < len(columns) and all(_HTTP_METHOD_RE.fullmatch(v) for v in values)
            and all(v.startswith("HTTP/") for v in columns[i + 2])
        ):
            # (a request line inside a message, "Invalid URI in request GET /x HTTP/1.1":
            # its method is the request's data, as its path is; an access log's "GET <PATH>
            # <NUM>" keeps its method as the event's word)
            continue
        if _generated_ids(raw[i]):
            continue
        few_words = (
            len(values) <= max_values and all(_constant_like(v) for v in values) and not _entity_names(values)
        )
        # (the one word of messages that are otherwise values names their event, however
        # many events share the shape: ntpd's "<IP> 963a 8a sys_peer", "... 84 reachable",
        # "0.0.0.0 c615 05 clock_sync")
        few_words = few_words or (
            len(values) <= _MAX_ENUM_VALUES
            and all(_WORD_RE.fullmatch(v) for v in values)
            and all(bare[j] for j in range(len(columns)) if j != i)
        )
        few_enums = len(values) <= _MAX_ENUM_VALUES and all(
            _ENUM_RE.fullmatch(v) or _outcome(v) for v in values
        )
        # (a message opened by one of a few CamelCase names is that call's or that type's
        # event, as drain3's tree keeps them: containerd's "StartContainer for <*> returns
        # successfully" / "StopContainer ..." / "RemoveContainer ...")
        few_enums = few_enums or (
            i == 0 and len(values) <= _MAX_ENUM_VALUES and all(_CAMEL_RE.fullmatch(v) for v in values)
        )
        # (a message opened by a signed event name is that event's, however many a log has:
        # Redis Sentinel's "+sdown master ...", "-sdown ...", "+odown ...", "+switch-master ...")
        few_enums = few_enums or (i == 0 and len(values) <= _MAX_NAMED_EVENTS and all(_SIGNED_EVENT_RE.fullmatch(v) for v in values))
        # (a result code glued to its status: Squid's TCP_MISS/<NUM>, TCP_DENIED/<NUM>,
        # TCP_TUNNEL/<NUM>, a dozen and more of them, each its own outcome)
        few_enums = few_enums or (len(values) <= _MAX_NAMED_EVENTS and all(_RESULT_CODE_RE.fullmatch(v) for v in values))
        # (words in a structure of brackets and commas, no variable in any: OpenVPN's
        # "SIGUSR1[soft,ping-restart]" / "SIGUSR1[soft,tls-error]", a signal and its reason)
        few_words = few_words or (len(values) <= max_values and all(_worded_structure(v) for v in values))
        # (arrows and other marks are never a variable's data: Exim's "=>" / "->" / "**")
        few_marks = len(values) <= max_values and all(_MARK_RE.fullmatch(v) and v != PARAM for v in values)
        # (labels before a value name its event as keys do: sssd's "command: <*>" /
        # "user: <*>" / "rhost: <*>", one line each of a request's data)
        # (words of letters after the message's first token: "slot1_4:" opening HTCondor's
        # lines names a slot, a variable)
        # (a label is followed by its value, which varies; a word with a colon before a
        # constant is a variable's value closing its clause: Pacemaker's "after failed
        # start: rc=<*>" / "... failed monitor: rc=<*>")
        few_labels = (
            0 < i < len(columns) - 1 and len(values) <= _MAX_ENUM_VALUES
            and all(_LABEL_COLON_RE.fullmatch(v) for v in values)
            and (len(columns[i + 1]) > 1 or columns[i + 1] == {PARAM})
        )
        if few_words or few_enums or few_marks or few_labels or _value_or_constants(raw[i]):
            out.append(i)
        elif _few_keys(values):
            out.append(-1 - i)  # split by the key alone (see _split_part)
        elif i == len(columns) - 1 and len({v.endswith(":") for v in raw[i]}) == 2:
            # a message whose last word ends in a colon says more follows (a reason on the
            # line below): another event than the one that ends there, whatever its value
            # (RabbitMQ's "closing AMQP connection ... user: 'bob')" and its abrupt close,
            # "... user: 'bob'):" then "client unexpectedly closed TCP connection")
            out.append(_TAIL_SPLIT + i)
    return tuple(out)


#: a split position by the token's closing colon alone, stored as the index plus this (see
#: :func:`_split_part`)
_TAIL_SPLIT = 1 << 20


_HTTP_METHOD_RE = re.compile(r"GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH|CONNECT|TRACE|PROPFIND")


def _worded_structure(value: str) -> bool:
    """Words only, two or more, in a structure of brackets holding a list (a comma):
    ``SIGUSR1[soft,ping-restart]``, flags, no variable inside (a name in brackets,
    ``VRRP_Script(chk_nginx)``, is one; so are a DNS answer's flags, ``qr,aa,rd``)."""
    words = [p for p in _STRUCTURE_RE.split(value) if p and not _STRUCTURE_RE.fullmatch(p)]
    return (
        len(words) > 1 and "," in value.rstrip(",") and ("[" in value or "(" in value)
        and PARAM not in value and "<" not in value
        and all(_WORD_RE.fullmatch(w) for w in words)
    )


def _value_or_constants(values: set[str]) -> bool:
    """A value of a kind the masks name, or instead one of a few upper-case constants: a
    resolver's ``reply <HOST> is <IP>`` / ``... is NXDOMAIN`` / ``... is NODATA-IPv6``,
    an answer and its failures. The constants are events of their own, as drain3's own
    clusters keep an address apart from a word it never saw varying."""
    typed = {v for v in values if _TOKEN_RE.fullmatch(v)}
    constants = values - typed
    # (beside identifiers of words and numbers, an upper-case one with digits is another
    # of them: a TLS cipher, TLS_AES_256_GCM_SHA384 -> <ID>, or ECDHE-RSA-AES128-GCM-SHA256)
    if typed == {"<ID>"} and any(_DIGIT_RE.search(v) for v in constants):
        return False
    return (
        bool(typed) and 0 < len(constants) <= _MAX_ENUM_VALUES
        and all(_CONSTANT_RE.fullmatch(v) for v in constants)
    )


_DIGIT_RE = re.compile(r"\d")


# a label: a word ending in a colon
_LABEL_COLON_RE = re.compile(r"[A-Za-z][A-Za-z_\-]*:")
# an upper-case constant, with parts joined by dashes or underscores (NXDOMAIN,
# NODATA-IPv6, SERVFAIL, REFUSED, NOT_FOUND)
_CONSTANT_RE = re.compile(r"[A-Z][A-Z0-9]{2,}(?:[-_][A-Za-z0-9]+)*[:;,.]?")


def _index(position: int) -> int:
    """The token index of a split position (a key-only position is stored as ``-1 - i``, a
    closing-colon one as ``_TAIL_SPLIT + i``)."""
    if position >= _TAIL_SPLIT:
        return position - _TAIL_SPLIT
    return position if position >= 0 else -1 - position


def _split_part(tokens: Sequence[str], position: int) -> str:
    """What a split position contributes to a group's key: the token's generic form, or, at
    a key-only position, its key (``IV_PLAT=`` of ``IV_PLAT=win``), at a closing-colon one
    the colon or nothing."""
    token = tokens[_index(position)]
    if position >= _TAIL_SPLIT:
        return ":" if token.endswith(":") else ""
    if position < 0 and (key := _KEY_RE.match(token)) is not None:
        return key.group()
    return _generic(token)


def _few_keys(values: set[str]) -> bool:
    """Every value a ``key=value`` pair, of two to :data:`_MAX_ENUM_VALUES` keys (a message
    key's quoted text aside): the key names the event, its value varies. OpenVPN's ``peer
    info: IV_VER=2.6.8`` / ``IV_PLAT=win`` / ``IV_PROTO=6`` are three events, however many
    values each key takes."""
    keys = set()
    for v in values:
        key = _KEY_RE.match(v)
        if key is None or (_MESSAGE_KEY_RE.fullmatch(key.group()) and v[key.end() : key.end() + 1] in "\"'"):
            return False
        keys.add(key.group())
    return 2 <= len(keys) <= _MAX_ENUM_VALUES


# keys whose plain-word value is an outcome (error=user_not_found, result=denied): a few such
# values name as many events, as UPPER_CASE enum words do (not status= or state=: an order's
# status=paid / status=shipped is the entity's, one event; nor reason=: a payment declined
# for do_not_honor or card_expired is one event, and a rare reason would read as a new one)
_OUTCOME_RE = re.compile(
    r"(?i)(?:[\w.\-]*[._\-])?(?:error|err|result|outcome|action|cause)="
    r"[\"']?[A-Za-z]+(?:[_\-][A-Za-z]+)*[\"']?[:;,.]?"
)


def _outcome(value: str) -> bool:
    """``error=user_not_found``: a plain word after a key that names an outcome."""
    return _OUTCOME_RE.fullmatch(value) is not None


def _one_key(values: set[str]) -> bool:
    """Every value the same key's, each one's words within the next's (``url=<*>``,
    ``url=<*>?index=<*>``, ``url=<*>?index=<*>&wait=<*>``): what follows a key varies, and
    may have optional parts (a query string, a handler's pattern). Words that replace one
    another name events (``event={"Type":"ContainerStarted"}`` / ``...ContainerDied``)."""
    first = next(iter(values))
    if not all(_same_key(first, v) for v in values):
        return False
    words = sorted((set(_LETTERS_RE.findall(v.replace(PARAM, " "))) for v in values), key=len)
    return all(a <= b for a, b in itertools.pairwise(words))


def _few_values(column: Sequence[str], max_values: int) -> bool:
    """At most ``max_values`` distinct values (UPPER_CASE enum words: a few more), not
    :func:`_generated_ids`."""
    values = {_generic(v) for v in set(column)}
    if _generated_ids(values):
        return False
    return len(values) <= max_values or (
        len(values) <= _MAX_ENUM_VALUES and all(_ENUM_RE.fullmatch(v) or _outcome(v) for v in values)
    )


# an upper-case word of letters and digits (Syncthing's short device ids, X5FZYAB, KFPVPCA)
_UPPER_ALNUM_RE = re.compile(r"([A-Z0-9]{6,})[:;,.]?")
# ... with a digit between letters (X5FZYAB; not SHA256, AES128: a digit ending a name)
_INNER_DIGIT_RE = re.compile(r"[A-Z]\d+[A-Z]")


def _generated_ids(values: Iterable[str]) -> bool:
    """Upper-case words of letters and digits, all of one length (six or more), two of them
    at least with a digit between letters: generated ids (Syncthing's short device ids
    ``X5FZYAB``, ``D7RHHSA``, ``KFPVPCA``), a variable however few a log shows, not constants
    (``RUNNING`` / ``STOPPED``, ``SHA256`` / ``SHA384``)."""
    lengths = set()
    inner = 0
    for v in values:
        m = _UPPER_ALNUM_RE.fullmatch(v)
        if m is None:
            return False
        lengths.add(len(m.group(1)))
        inner += _INNER_DIGIT_RE.search(v) is not None
    return len(lengths) == 1 and inner >= 2


def _constant_like(value: str) -> bool:
    """A plain word, or a token whose text around its variables has letters (``LOGIN(uid=<*>)``)
    -- but not a name numbered with a dash (``consumer-<*>-<*>``, ``user-events-<*>``: a
    client's or a partition's name, however few of them a log shows). A message key's quoted
    text is read as text (``msg="Scrape`` of ``msg="Scrape failed"``)."""
    key = _KEY_RE.match(value)
    if key is not None and _MESSAGE_KEY_RE.fullmatch(key.group()) and value[key.end() : key.end() + 1] in "\"'":
        value = value[key.end() + 1 :].rstrip("\"'") or value
    # (a key with no value, slapd's ``RESULT oid= err=0`` beside ``RESULT tag=<*> err=0``,
    # names the event as a word would)
    if _DOTTED_NAME_RE.fullmatch(value):
        return False
    if _WORD_RE.fullmatch(value) or _KEY_RE.fullmatch(value):
        return True
    return (
        PARAM in value and _LETTERS_RE.search(value.replace(PARAM, "")) is not None
        and not _NUMBERED_RE.search(value) and not _PATH_PARAM_RE.search(value)
    )


def _entity_names(values: Iterable[str]) -> bool:
    """Whether ``values`` are names of entities joined by dashes, however few a log shows: the
    connectors, queues or services of "Connector orders-cdc config updated" / "... pg-users-source
    ..." (one event). Names that share their first part are kinds of one thing, each its own
    event: Hadoop's "The job-conf file ..." / "The job-jar file ..."."""
    firsts = set()
    for v in values:
        if not _DASHED_NAME_RE.fullmatch(v):
            return False
        firsts.add(v.split("-", 1)[0].lower())
    return len(firsts) > 1


# a name of words joined by dashes: orders-cdc, pg-users-source, checkout-service
_DASHED_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+[:;,.]?")

# a name of three dotted parts or more, a package's or a module's: a class a plugin
# instantiates (io.debezium.connector.mysql.MySqlConnectorTask), a Python module
# (salt.loaded.int.module.cmdmod); never a word that names an event, however few a log shows
_DOTTED_NAME_RE = re.compile(r"[a-z][a-z0-9_]*(?:\.[A-Za-z_$][\w$]*){2,}[:;,.]?")

# a name made of parts: a digit, a named token, or a delimiter between two of its parts
# (jenkins-agent-h9ltv, nginx.service:, session-<*>.scope:, a cache key feed:home:alice)
_NAME_RE = re.compile(r"\d|<[A-Z*]+>|[A-Za-z0-9][._\-/@:][A-Za-z0-9]")

# a word in brackets or quotes, an argument: loaded module [percolator], domain 'CORP'
_ENCLOSED_RE = re.compile(r"""(?:\[[^\]\s]+\]|\([^)\s]+\)|'[^'\s]+'|"[^"\s]+")[:;,.]?""")

# a name numbered with a dash or a dot: consumer-<*>, es-data-<*>, Fluent Bit's tail.<*>
_NUMBERED_RE = re.compile(r"[A-Za-z][-.]" + re.escape(PARAM))
# ... or a path whose last parts vary: FreeSWITCH's channel sofia/internal/<*>@<*> (and
# sofia/external/<*>@<*>: one event, whichever profile the call came through)
_PATH_PARAM_RE = re.compile(r"[A-Za-z]/[^/\s]*" + re.escape(PARAM))


def _similar(a: Sequence[str], b: Sequence[str], sim_th: float) -> bool:
    """Share of positions that agree: equal, equal once named tokens are generalised, a
    ``<*>`` (a position already known to vary) on either side, or the same key with
    another value (``channel=news`` / ``channel=sport``: what follows a key varies)."""
    if a and a[0] != b[0] and (
        _typed_vs_word(a[0], b[0]) or _typed_vs_word(b[0], a[0]) or _record_types(a[0], b[0])
    ):
        return False
    agree = [
        x in (y, PARAM) or y == PARAM or _generic(x) == _generic(y) or _same_key(x, y) or _fits(x, y) or _fits(y, x)
        or _random_ids(x, y) or _same_call(x, y)
        for x, y in zip(a, b, strict=True)
    ]
    if not agree[0] and not all(agree[1:]) and _label(a[0]) and _label(b[0]):
        return False
    same = sum(agree)
    # (a wildcard agrees with anything; where the threshold is reached only thanks to
    # wildcards, two clusters that also differ in two words or more are other events: else
    # a cluster holding several wildcards takes in every message of its length)
    wild = sum(ok and (x == PARAM or y == PARAM) and x != y for x, y, ok in zip(a, b, agree, strict=True))
    if same >= sim_th * len(a) and (same - wild >= sim_th * len(a) or len(a) - same <= 1):
        return True
    # a short message (2-3 tokens never reach the threshold with one token differing) whose
    # only difference is a value with a variable part: "PJSIP/alice-<HEX> is ringing",
    # "connect from unknown[<IP>]" / "<HOST>[<IP>]" (a plain word there names the event:
    # "boot (command <*>)" / "wait (command <*>)", and so does another key there:
    # "<HEX>: client=<HOST>[<IP>]" / "<HEX>: message-id=<<EMAIL>>")
    if len(a) >= 2 and same == len(a) - 1:
        x, y = next((x, y) for x, y, ok in zip(a, b, agree, strict=True) if not ok)
        kx, ky = _KEY_RE.match(x), _KEY_RE.match(y)
        other_key = kx is not None and ky is not None and kx.group() != ky.group()
        # (nor two constants' calls: dnsmasq's "DHCPACK(eth0.<NUM>)" / "DHCPOFFER(eth0.<NUM>)")
        cx, cy = _CALL_RE.fullmatch(x), _CALL_RE.fullmatch(y)
        other_call = cx is not None and cy is not None and cx.group(1) != cy.group(1)
        return _TOKEN_RE.search(x) is not None and _TOKEN_RE.search(y) is not None and not other_key and not other_call
    return False


def _typed_vs_word(x: str, y: str) -> bool:
    """``x`` a masked value of a kind no word is (``<IP>``, ``<NUM>``), ``y`` a plain word: at
    the start of a message they are two events (unbound's ``<IP> <domain> A IN`` query log and
    ``resolving <domain> A IN``), as drain3's own tree keeps them (it never joins messages
    whose first tokens differ, unless one holds a digit). A name (``<ID>``, ``<HOST>``) may
    stand where plain names do (``notch_fan99 joined the game`` / ``Steve joined ...``)."""
    return _VALUE_KIND_RE.fullmatch(x) is not None and _WORD_RE.fullmatch(y) is not None


def _record_types(x: str, y: str) -> bool:
    """``type=USER_ACCT`` / ``type=SERVICE_START`` opening two messages: the same key whose
    values are UPPER_CASE constants names the record's type (auditd, Windows' event
    exports), two events, as drain3's tree keeps them (it never joins messages whose first
    tokens differ, unless one holds a digit): not the same key with another value."""
    kx, ky = _KEY_RE.match(x), _KEY_RE.match(y)
    return (
        kx is not None and ky is not None and kx.group() == ky.group()
        and _ENUM_RE.fullmatch(x[kx.end() :]) is not None and _ENUM_RE.fullmatch(y[ky.end() :]) is not None
    )


def _label(token: str) -> bool:
    """A message's first token that labels its source, with no digit or value in it:
    ``pam_unix(cron:session):``, ``VRRP_Script(chk_nginx)``, ``kernel:``. Two such labels
    that differ, on messages that differ elsewhere too, are two events (drain3's tree never
    joins them): ``pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)``
    / ``pam_unix(sudo:session): ... by heidi(uid=1085)``. Where the label is all that
    differs it may be a variable (the script's name of ``VRRP_Script(<*>) failed``)."""
    return _LABEL_RE.fullmatch(token) is not None


_LABEL_RE = re.compile(r"[^\d<>\s]*[(\[{:][^\d<>\s]*")

# the masked values that are never written as a plain word
_VALUE_KIND_RE = re.compile(r"<(?:IP|MAC|TIME|TS|UUID|NUM|HEX|SIZE|DURATION|VERSION|URL|EMAIL|PATH)>")


def _fits(value: str, pattern: str) -> bool:
    """Whether ``value`` is one of the values of a token known to vary in part: ``[conn8055653]``
    of ``[<*>]`` (a cluster of one line keeps its literal token; the others showed the part
    that varies)."""
    return PARAM in pattern and pattern != PARAM and PARAM not in value and _wildcard(pattern).fullmatch(value) is not None


@functools.lru_cache(maxsize=4096)
def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile(".+".join(re.escape(part) for part in pattern.split(PARAM)))


# an identifier of letters and digits (and its punctuation after it)
_ALNUM_ID_RE = re.compile(r"([A-Za-z0-9]{8,})([:,;.]?)")
# where one character class ends and another starts: digit, upper-case, lower-case letter
_CLASS_CHANGE_RE = re.compile(r"(?<=\d)(?=[A-Za-z])|(?<=[A-Za-z])(?=\d)|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[a-z])")


def _random_ids(x: str, y: str) -> bool:
    """Two generated identifiers of mixed letters and digits: sendmail's queue ids
    (``48beD0t1020463:`` / ``3RwxL2R6071996:``), base62 request ids. No mask names them
    (a word with a digit in it, ``IPv4``, ``ssh2``, is a name), but two of them, one per
    message at the same place, are one variable: a digit and, between its characters,
    four changes of class at least (digit, upper-case, lower-case letter), which a word
    or a name of one or two parts never has."""
    mx, my = _ALNUM_ID_RE.fullmatch(x), _ALNUM_ID_RE.fullmatch(y)
    return (
        mx is not None and my is not None and mx.group(2) == my.group(2)
        and _id_like(mx.group(1)) and _id_like(my.group(1))
    )


def _id_like(token: str) -> bool:
    return any(c.isdigit() for c in token) and len(_CLASS_CHANGE_RE.findall(token)) >= 4


# an upper-case constant with its argument in parentheses: DHCPREQUEST(br-lan)
_CALL_RE = re.compile(r"([A-Z][A-Z0-9_]{2,})\(([^()\s]*)\)([:;,.]?)")


def _same_call(x: str, y: str) -> bool:
    """``DHCPREQUEST(br-lan)`` / ``DHCPREQUEST(wlan0)``: the same upper-case constant on
    another argument (dnsmasq's events name the interface they were seen on), as
    :func:`_same_key` is the same key with another value."""
    cx, cy = _CALL_RE.fullmatch(x), _CALL_RE.fullmatch(y)
    return cx is not None and cy is not None and cx.group(1) == cy.group(1) and cx.group(3) == cy.group(3)


def _same_key(x: str, y: str) -> bool:
    """``channel=news`` / ``channel=sport``: the same key (not a message key, whose quoted
    value is the event's text: ``msg="Scrape failed"`` / ``msg="Append failed"``)."""
    kx, ky = _KEY_RE.match(x), _KEY_RE.match(y)
    return (
        kx is not None and ky is not None and kx.group() == ky.group()
        and not (_MESSAGE_KEY_RE.fullmatch(kx.group()) and x[kx.end() : kx.end() + 1] in "\"'")
    )


# the key of a message (its quoted value is text: msg="Scrape failed")
_MESSAGE_KEY_RE = re.compile(r"(?i)(?:msg|message|event)=")


def _merge_clusters(
    clusters: Sequence[ClusterState], templates: dict[int, tuple[str, ...]], *, sim_th: float, max_values: int
) -> dict[int, int]:
    """Union clusters of equal length whose templates are similar (cluster id -> root id).

    Drain only compares a message with the clusters under the same prefix-tree leaf, which
    is reached through the message's first tokens; a variable without digits there (a user
    name, ``User alice logged in``) sends every value down its own branch. Comparing the
    templates of all clusters of the same length afterwards joins them again. Clusters that
    differ in one position only, where they take many values (more than ``max_values``, the
    bound under which :func:`_split_positions` reads plain words as the event's) that are all
    names made of parts (``jenkins-agent-h9ltv``, ``nginx.service:``, ``node-<*>``) or words in
    brackets or quotes (``loaded module [percolator]``: an argument), are one
    event with a variable there, however short: ``Disconnected computer jenkins-agent-h9ltv``
    (one token in three differing never reaches Drain's threshold). Plain words there name
    the event (``boot (command <*>)``, ``halt (command <*>)``), as do the keys of ``key=value``
    values (``num=<*>,flags=<*>`` / ``topActivity=<*>``), and the rest must hold a word
    (single words are not one event). Plain words there are one variable too when another
    cluster of the same words holds a variable in their place and the words are more than
    ``max_values`` (``<*> drowned``, ``Steve drowned``, ``DragonSlayer drowned``, ...: player
    names, some with digits). Where a few plain words stand among more than ``max_values``
    names there, the names are one variable and the words stay apart (MQTT's generated
    ``Client paho8573932979470 disconnected.`` beside ``Client homeassistant disconnected.``).
    """
    parent = {c.cluster_id: c.cluster_id for c in clusters}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    by_length: dict[int, list[int]] = defaultdict(list)
    for cluster in clusters:
        by_length[len(cluster.tokens)].append(cluster.cluster_id)
    for ids in by_length.values():
        if len(ids) < 2 or len(ids) > _MAX_PAIRWISE:
            continue
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if find(a) != find(b) and _similar(templates[a], templates[b], sim_th):
                    ra, rb = find(a), find(b)
                    parent[max(ra, rb)] = min(ra, rb)
    for length, ids in by_length.items():
        if len(ids) <= max_values:
            continue
        generic = {cid: tuple(_generic(t) for t in templates[cid]) for cid in ids}
        for i in range(length):
            rest: dict[tuple[str, ...], list[int]] = defaultdict(list)
            for cid in ids:
                rest[generic[cid][:i] + generic[cid][i + 1 :]].append(cid)
            for key, everyone in rest.items():
                # (names there among a few plain words: the names are one variable, the words
                # may be events, MQTT's "Client paho8573932979470 disconnected." / "Client
                # node-red-8 ..." beside "Client homeassistant disconnected.")
                named = [c for c in everyone if _NAME_RE.search(generic[c][i]) or _ENCLOSED_RE.fullmatch(generic[c][i])]
                members = next((m for m in (everyone, named) if _one_variable([generic[c][i] for c in m], key, max_values)), [])
                if members:
                    roots = {find(c) for c in members}
                    top = min(roots)
                    for r in roots:
                        parent[r] = top
    return {cid: find(cid) for cid in parent}


def _one_variable(values: Sequence[str], key: Sequence[str], max_values: int) -> bool:
    """Whether clusters differing only at one position, where they hold ``values`` (the rest
    ``key``), are one event with a variable there (see :func:`_merge_clusters`)."""
    words = {v for v in values if v != PARAM}
    return (
        len(values) > max_values
        and any(_WORD_RE.fullmatch(t) for t in key)
        and (
            all(_NAME_RE.search(v) or _ENCLOSED_RE.fullmatch(v) for v in values)
            # (a cluster holds a variable there, the others many plain words: Drain
            # sent names with digits down its wildcard branch, "Kiwi2011 drowned",
            # and each plain one down its own, "Steve drowned")
            or (PARAM in values and len(words) > max_values and all(_WORD_RE.fullmatch(v) for v in words))
        )
        and len({m.group() if (m := _KEY_RE.match(v)) else "" for v in values}) == 1
        and not _few_values(values, max_values)
    )


def _consensus(rows: Sequence[Sequence[str]]) -> tuple[str, ...]:
    return tuple(_consensus_token(column) for column in zip(*rows, strict=True))


def _group_templates(
    clusters: Sequence[ClusterState], members: dict[int, list[str]], *, sim_th: float, max_values: int
) -> tuple[
    dict[int, int],
    dict[Group, tuple[int, ...]],
    dict[Group, tuple[str, ...]],
    dict[int, tuple[str, ...]],
]:
    """Templates of the final groups, recomputed from their distinct member messages.

    Returns the root of each Drain cluster (after :func:`_merge_clusters`), the split
    positions of each group split further (:func:`_split_group`), each ``(root, split key)``
    group's template tokens, and each root's template before splitting (used for a message with a
    constant word not seen in fitting).
    """
    rows_of: dict[int, list[list[str]]] = {}
    consensus: dict[int, tuple[str, ...]] = {}
    for cluster in clusters:
        rows = [t.split(" ") for t in members.get(cluster.cluster_id, [])]
        rows = [r for r in rows if len(r) == len(cluster.tokens)]
        rows_of[cluster.cluster_id] = rows
        consensus[cluster.cluster_id] = (
            _consensus(rows) if rows else tuple(t.replace(_DRAIN_VAR, PARAM) for t in cluster.tokens)
        )
    roots = _merge_clusters(clusters, consensus, sim_th=sim_th, max_values=max_values)
    by_root: dict[int, list[list[str]]] = defaultdict(list)
    for cid, root in roots.items():
        by_root[root].extend(rows_of[cid])
    splits: dict[Group, tuple[int, ...]] = {}
    out: dict[Group, tuple[str, ...]] = {}
    whole: dict[int, tuple[str, ...]] = {}
    for root in set(roots.values()):
        rows = by_root[root]
        if not rows:
            out[(root, ())] = whole[root] = consensus[root]
            continue
        whole[root] = _consensus(rows)
        _split_group((root, ()), rows, splits, out, max_values=max_values)
    return roots, splits, out, whole


#: levels of splitting within a cluster (see _split_group)
_MAX_SPLIT_DEPTH = 4


def _split_group(
    group: Group,
    rows: Sequence[Sequence[str]],
    splits: dict[Group, tuple[int, ...]],
    out: dict[Group, tuple[str, ...]],
    *,
    max_values: int,
    depth: int = 0,
    allowed: frozenset[int] | None = None,
) -> None:
    """Split ``rows`` by their constant-word positions, then each part again by its own.

    A position is a constant word only if it is one in every row of the group; in a cluster
    holding several events (``<*> scrub ok``, ``<*> deep-scrub ok``, ``osd.<*> [v2:<*>] boot``)
    the events' words are found level by level: first ``ok``/``boot``, then, among the
    ``ok`` rows, ``scrub``/``deep-scrub``. ``splits`` gets the positions used at each group
    that is split further, ``out`` each final group's template.
    """
    positions = _split_positions(rows, max_values=max_values) if depth < _MAX_SPLIT_DEPTH else ()
    if allowed is not None:
        positions = tuple(p for p in positions if _index(p) in allowed)
    if not positions:
        out[group] = _consensus(rows)
        return
    splits[group] = positions
    by_key: dict[tuple[str, ...], list[Sequence[str]]] = defaultdict(list)
    for row in rows:
        by_key[tuple(_split_part(row, p) for p in positions)].append(row)
    # a part splits again only where this group had few values too: a user name that takes
    # 2 values among the "session opened" rows but many in the cluster is a variable
    few = frozenset(i for i, column in enumerate(zip(*rows, strict=True)) if _few_values(column, max_values))
    root, key = group
    for sub, sub_rows in by_key.items():
        _split_group(
            (root, key + sub), sub_rows, splits, out, max_values=max_values, depth=depth + 1, allowed=few
        )


def _merge_templates(templates: dict[Group, tuple[str, ...]], *, max_values: int = _MAX_SPLIT_VALUES) -> dict[Group, str]:
    """Map each group to its published template text (merging variable-width twins, and
    templates around a variable of several words, see :func:`_merge_widths`)."""
    groups: dict[tuple[str, ...], list[tuple[Group, tuple[str, ...]]]] = defaultdict(list)
    for group, tokens in templates.items():
        groups[_merge_key(tokens)].append((group, tokens))
    for placeholder, (key, i, width, token) in _placeholder_twins(list(groups)).items():
        # (the placeholder's words become the variable's token: one template, one value)
        groups[key].extend(
            (group, (*tokens[:i], token, *tokens[i + width :]) if len(tokens) == len(placeholder) else tokens)
            for group, tokens in groups.pop(placeholder)
        )
    texts: dict[tuple[str, ...], str] = {}
    for key, members in groups.items():
        if len(members) == 1:
            texts[key] = " ".join(members[0][1])
        elif len({len(t) for _, t in members}) == 1:
            texts[key] = " ".join(
                _consensus_token(column) for column in zip(*(t for _, t in members), strict=True)
            )
        else:
            texts[key] = " ".join(key)
    wide = _merge_widths(list(groups), max_values=max_values)
    joined: dict[tuple[int, int, str], list[tuple[str, ...]]] = defaultdict(list)
    for key, merge in wide.items():
        joined[merge].append(key)
    for (n_before, n_after, _), keys in joined.items():
        # the words around the variable as the joined templates hold them (<NUM>, not <*>)
        # (a key with a run of variables collapsed counts its tokens differently: itself)
        rows = [tokens if len(tokens) == len(key) else key for key in keys for _, tokens in groups[key]]
        before = [_consensus_token(column) for column in zip(*(r[:n_before] for r in rows), strict=True)]
        after = [_consensus_token(column) for column in zip(*(r[len(r) - n_after :] for r in rows), strict=True)]
        text = " ".join((*before, PARAM, *after))
        for key in keys:
            texts[key] = text
    return {group: texts[key] for key, members in groups.items() for group, _ in members}


#: the most words a value in brackets or quotes holds in a message where its event's other
#: messages hold one variable (``[Only Murders in the Building]`` for ``[<*>]``)
_MAX_PLACEHOLDER_WORDS = 6
# a token that is one variable in brackets or quotes: cid=[<*>], '<*>', [<*>:<*>]
_ENCLOSED_VAR_RE = re.compile(r"""(.*?[\[({"'`])<\*>(?:[:.,/\-]<\*>)*([\])}"'`][:;,.]?)""")


def _placeholder_twins(
    keys: Sequence[tuple[str, ...]],
) -> dict[tuple[str, ...], tuple[tuple[str, ...], int, int, str]]:
    """Templates whose variable in brackets or quotes holds, in some messages, a few words:
    a placeholder for want of a value (Kea's ``cid=[no info]`` for ``cid=[<*>]``) or a value
    with spaces (Zabbix's host ``[printer 3rd floor]`` for ``host [<*>] not found``, ``item
    "Zabbix server:agent.ping"``): the words' key -> the variable's key. Drain never compares
    messages of different lengths, so each such value makes a twin of its event.
    Returns, for each placeholder's key, the variable's key, where the placeholder's words
    start and how many they are, and the token that stands for both (``cid=[<*>],``)."""
    slots: dict[tuple[tuple[str, ...], tuple[str, ...]], list[tuple[str, str, tuple[str, ...]]]] = defaultdict(list)
    for key in keys:
        for i, token in enumerate(key):
            m = _ENCLOSED_VAR_RE.fullmatch(token)
            if m is not None:
                slots[(key[:i], key[i + 1 :])].append((m.group(1), m.group(2), key))
    if not slots:
        return {}
    out: dict[tuple[str, ...], tuple[tuple[str, ...], int, int, str]] = {}
    for key in keys:
        for i in range(len(key) - 1):
            for width in range(2, _MAX_PLACEHOLDER_WORDS + 1):
                run = " ".join(key[i : i + width])
                for opening, closing, twin in slots.get((key[:i], key[i + width :]), ()):
                    if run.startswith(opening) and run.endswith(closing) and len(run) > len(opening) + len(closing):
                        out.setdefault(key, (twin, i, width, opening + PARAM + closing))
    return out


#: anchors (tokens before and after the variable) at least this long join templates
_MIN_ANCHOR = 3
# a word of prose: letters, a dash or an apostrophe inside ("timed", "not-authorized"), no
# digit nor a field's dotted padding (BGL's "program interrupt: trap instruction.........0")
_PROSE_RE = re.compile(r"[A-Za-z][A-Za-z'\-]*[,.]?")
# what sets a value of several words off from the words after it: an opening bracket or
# quote ("task Sink: Print to Std. Out (1/4)#0", "query SELECT ... (stage: Complete)"), or
# quotes around the value itself; "Server web1 is DOWN, reason: ... 2 active and ..." runs
# on in prose: its words are the events'
_OPENS_RE = re.compile(r"[(\[{\"'`]")
# (backticks quote too: Odoo's cron jobs "Job `Mail: Email Queue Manager` done.", MySQL's
# identifiers)
_QUOTED_RE = re.compile(r"""(["'`]).*\1[:;,.]?""")
# ... or brackets around it, words after them: Argo CD's "Refreshing app status (<reason>),
# level (1)" (one that ends the message may be the event's words: cron's "(CRON) INFO
# (Shutting down)" / "(CRON) INFO (Running @reboot jobs)")
_BRACKETED_RE = re.compile(r"\((?:[^()]|\([^()]*\))*\)[:;,.]?")


#: words after which a message names what it is about ("Scanning disk for <name>")
_NAMING_PREPOSITIONS = frozenset({"for", "of", "to", "from", "on", "in", "with", "by", "at", "about", "into"})
#: how a name begins: a capital, a digit, a bracket or quote, or a variable
_NAME_START_RE = re.compile(r"""[A-Z0-9\[("'<]""")


def _merge_widths(keys: Sequence[tuple[str, ...]], *, max_values: int) -> dict[tuple[str, ...], tuple[int, int, str]]:
    """Templates that differ only in a run of words of varying length between the same
    words before and after, in more than ``max_values`` ways: one event whose variable
    spans several words (a Flink task ``Sink: Print to Std. Out``, a SQL statement, a
    user agent). Drain never compares messages of different lengths, so each value of
    such a variable is a template of its own. Returns, for each key joined, the number of
    tokens before and after the variable and the joined template of the keys
    (``Received task <*> (<*>/<*>)#<*> ...``); a key not joined is absent.

    The words around the variable must hold at least :data:`_MIN_ANCHOR` tokens, two of
    them words, the runs at least two lengths (runs of one length are the same-length
    merge's, which reads a few plain words as the event's), and the value must be set off
    from what follows: by an opening bracket or quote after it, or by quotes around it
    (prose running on, ``Server web1 is DOWN, reason: ... 2 active and 0 backup servers
    left``, is the events' own words); ``key=value`` pairs in the runs name events, and a
    word must come before the run (a run that starts the message's words is its event).
    A run that ends the message counts too when a phrase of two words or more ending in a
    colon comes before it (``<player> lost connection: Timed out``) and the runs begin with
    more than ``max_values`` different words, or a preposition (``Scanning disk for The Last
    of Us``) and the runs are capitalised names beginning in more than ``max_values`` ways.
    """
    by_end: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    for key in keys:
        if len(key) >= 2:
            by_end[tuple(_generic(t) for t in key[-2:])].append(key)
    candidates: dict[tuple[tuple[str, ...], tuple[str, ...]], set[tuple[str, ...]]] = defaultdict(set)
    for members in by_end.values():
        if len(members) <= max_values or len(members) > _MAX_PAIRWISE:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                n = min(len(a), len(b))
                p = 0
                while p < n and a[p] == b[p]:
                    p += 1
                q = 0
                while q < n - p and a[-1 - q] == b[-1 - q]:
                    q += 1
                if p + q >= n or len(a) == len(b):
                    continue  # one holds the other, or same length (not this rule's)
                anchor = (a[:p], a[len(a) - q :])
                candidates[anchor].update((a, b))
    # a value that ends the message after a word ending in a colon ("lost connection: Timed
    # out", "... became not supported: <reason>"): the words before the colon are the anchor
    # (the colon must end a phrase of two words or more, "lost connection:", not a label,
    # "device (<*>): Activation: successful, device activated."); a phrase of two words
    # alone is anchor enough ("Client disconnected: <reason>", as "<session> Client
    # disconnected: <reason>" is)
    # (the colon may also close a variable after the phrase, Go's wrapped errors: Syncthing's
    # "Puller (folder <*>, item "<*>"): <error>", "Failed to exchange Hello messages with <*>
    # at <*>: <error>"; the variables before it are one, whatever their shape: coturn's "user
    # <*>" / "user <*>:<*> ... reason: <reason>")
    by_start: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    for key in keys:
        phrase = 0
        for i in range(len(key) - 1):
            phrase = phrase + 1 if _WORD_RE.fullmatch(key[i]) else phrase
            if key[i].endswith(":"):
                if phrase >= 2 and (_WORD_RE.fullmatch(key[i]) or PARAM in key[i]):
                    by_start[tuple(_variable_or_word(t) for t in key[: i + 1])].add(key)
                phrase = 0
    for start, tails in by_start.items():
        # (values that begin with a few words only are events named by those words: "FTP
        # response: Client <*>, 230 Login successful" / "... 150 Here comes ...", "EventType:
        # TASK_ABORT" / "EventType: JOB_SETUP for container <*>"; labels there, Go's wrapped
        # errors "syncing: no connected device ..." / "syncing: delete file: ..." / "pull:
        # connection closed", are read with the word after them)
        heads = [m[len(start)] for m in tails]
        if all(h.endswith(":") for h in heads) and all(len(m) > len(start) + 1 for m in tails):
            heads = [" ".join(m[len(start) : len(start) + 2]) for m in tails]
        if (
            len(tails) > max_values and len({len(m) for m in tails}) >= 2
            and not _few_values(heads, max_values)
        ):
            candidates[(min(tails)[: len(start)], ())] |= tails
    out: dict[tuple[str, ...], tuple[int, int, str]] = {}
    # the value of a message's last key that runs on to its end (a command line: sudo's "...
    # ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx"; the command with no arguments
    # is the same event): the key's value starts with a variable (a path), and the words
    # after it begin in more than max_values ways
    by_key: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    for key in keys:
        last = next((i for i in range(len(key) - 1, -1, -1) if _KEY_RE.match(key[i])), None)
        if last is not None and last >= _MIN_ANCHOR - 1 and _TOKEN_RE.search(key[last]) is not None:
            by_key[tuple(_generic(t) for t in key[: last + 1])].add(key)
    for start, tails in by_key.items():
        if (
            len(tails) > max_values and len({len(m) for m in tails}) >= 2
            and not _few_values([m[len(start)] for m in tails if len(m) > len(start)], max_values)
        ):
            text = " ".join((*start, PARAM))
            for m in tails:
                out[m] = (len(start), 0, text)
    # a name of several words that ends the message after a preposition ("Scanning disk for
    # The Last of Us", "Updating info for Slow Horses"): the names are capitalised, begin in
    # more than max_values ways and run to different lengths; event words there are not
    # capitalised ("Connection to database lost" / "... established")
    by_prep: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    for key in keys:
        for i in range(_MIN_ANCHOR - 1, len(key) - 1):
            if key[i] in _NAMING_PREPOSITIONS and sum(bool(_WORD_RE.fullmatch(t)) for t in key[:i]) >= 2:
                by_prep[tuple(_generic(t) for t in key[: i + 1])].add(key)
    for start, tails in by_prep.items():
        free = [m for m in tails if m not in out]
        heads = [m[len(start)] for m in free]
        if (
            len(free) > max_values and len({len(m) for m in free}) >= 2
            and all(_NAME_START_RE.match(h) for h in heads)
            and not _few_values(heads, max_values)
            and not any(_KEY_RE.match(t) for m in free for t in m[len(start) :])
        ):
            text = " ".join((*start, PARAM))
            for m in free:
                out[m] = (len(start), 0, text)
    # longest anchors first: the tightest template wins a key claimed twice
    for (before, after), paired in sorted(candidates.items(), key=lambda kv: (-len(kv[0][0]) - len(kv[0][1]), kv[0])):
        anchors = before + after
        free = sorted(m for m in paired if m not in out)
        middles = {m[len(before) : len(m) - len(after)] for m in free}
        if (
            len(free) > max_values
            and (len(anchors) >= _MIN_ANCHOR or (not after and len(before) >= 2 and before[-1].endswith(":")
                                                   and all(_PROSE_RE.fullmatch(t) for m in middles for t in m)))
            and sum(bool(_WORD_RE.fullmatch(t)) for t in anchors) >= 2
            and len({len(m) for m in middles}) >= 2
            # (keys name the event: "Intent { act=<*> flg=<*> cmp=<*> }" / "{ flg=<*> cmp=<*> }")
            and not any(_KEY_RE.match(t) for m in middles for t in m)
            # (a word introduces the value: "task <*>", "executeQuery: (...) <*>"; runs that
            # start the message's words are its events: FreeRADIUS's "(<NUM>) Login OK:
            # [<*>]" / "(<NUM>) Login incorrect (<*>): [<*>]" / "(<NUM>) Invalid user ...")
            and any(_WORD_RE.fullmatch(t) for t in before)
            and (
                (bool(after) and _OPENS_RE.match(after[0]) is not None)
                or all(_QUOTED_RE.fullmatch(" ".join(m)) or _BRACKETED_RE.fullmatch(" ".join(m)) for m in middles)
                or (not after and before[-1].endswith(":"))
            )
        ):
            text = " ".join((*before, PARAM, *after))
            for m in free:
                out[m] = (len(before), len(after), text)
    return out


def _variable_or_word(token: str) -> str:
    """A token holding a variable as ``<*>`` whatever its shape, any other as itself."""
    generic = _generic(token)
    return PARAM if PARAM in generic else generic


def _escape(text: str) -> str:
    # Rust regex meta characters; everything else is literal.
    return re.sub(r"([\\.+*?()|\[\]{}^$#&\-~])", r"\\\1", text)


def _template_regex(template: str) -> str:
    """An anchored regex with one capture group per variable token of ``template``."""
    parts = []
    for token in template.split(" "):
        pieces = []
        pos = 0
        for m in _TOKEN_RE.finditer(token):
            pieces.append(_escape(token[pos : m.start()]))
            pieces.append("(.*?)")
            pos = m.end()
        pieces.append(_escape(token[pos:]))
        parts.append("".join(pieces))
    return r"(?s)^\s*" + r"\s+".join(parts) + r"\s*$"


def _extract_params(frame: pl.DataFrame) -> pl.Series:
    """``params`` for a frame with ``body`` and ``template``: one regex per distinct template."""
    indexed = frame.select(_clean_body(), "template").with_row_index(_ROW)
    pieces: list[pl.DataFrame] = []
    for (template,), part in indexed.partition_by("template", as_dict=True).items():
        n_vars = len(_TOKEN_RE.findall(str(template)))
        if n_vars == 0:
            values = pl.lit([], dtype=pl.List(pl.String))
        else:
            # extract once into a struct column, then read its fields (an expression that
            # names the struct several times would run the regex once per field)
            part = part.select(
                _ROW, pl.col("body").str.extract_groups(_template_regex(str(template))).alias("_g")
            )
            groups = pl.col("_g")
            values = pl.concat_list(
                [groups.struct.field(str(i)) for i in range(1, n_vars + 1)]
            )
            # a body that does not fit its template (not expected) gets null, never a list
            # that would be misaligned with the template's tokens
            values = (
                pl.when(groups.struct.field("1").is_null())
                .then(pl.lit(None, dtype=pl.List(pl.String)))
                .otherwise(values)
            )
        pieces.append(part.select(_ROW, values.alias("params")))
    if not pieces:
        return pl.Series("params", [], dtype=pl.List(pl.String))
    return pl.concat(pieces).sort(_ROW).get_column("params")


class TemplateMiner:
    """Mine log templates with Drain, after polars masking and deduplication.

    Parameters
    ----------
    masks
        The masking set, applied in order; default :data:`~rcakit.templates.DEFAULT_MASKS`.
    extra_masks
        Masks applied *before* ``masks`` (e.g. a system's own id formats).
    sim_th
        Drain similarity threshold (0-1): the share of equal tokens needed to join a cluster.
    depth
        Drain prefix-tree depth (at least 3).
    max_children
        Maximum children per Drain tree node.
    merge
        Merge templates that differ only in the number of consecutive variable tokens.

    Attributes
    ----------
    templates_ : pl.DataFrame
        One row per learned template: ``template_id``, ``template``, ``count`` (records seen
        in fitting), ``n_variants`` (distinct masked messages), ``previous_ids`` (ids the
        template had before it generalised).
    id_history_ : dict[str, str]
        Old template id -> the id it became when the template generalised; see
        :meth:`resolve_id`.
    n_records_ : int
        Number of records learned from.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"body": ["took 12 ms", "took 7 ms", "disk full"]})
    >>> miner = TemplateMiner().fit(frame)
    >>> miner.transform(frame)["template"].to_list()
    ['took <NUM> ms', 'took <NUM> ms', 'disk full']
    """

    def __init__(
        self,
        *,
        masks: Sequence[Mask] | None = None,
        extra_masks: Sequence[Mask] = (),
        sim_th: float = 0.7,
        depth: int = 5,
        max_children: int = 100,
        merge: bool = True,
    ) -> None:
        self.masks = masks
        self.extra_masks = extra_masks
        self.sim_th = sim_th
        self.depth = depth
        self.max_children = max_children
        self.merge = merge

    # -- settings ---------------------------------------------------------------------------
    def _settings(self) -> tuple[tuple[Mask, ...], DrainModel]:
        if not 0.0 <= float(self.sim_th) <= 1.0:
            msg = f"TemplateMiner: sim_th must be between 0 and 1, got {self.sim_th!r}"
            raise ConfigError(msg)
        if int(self.depth) < 3:
            msg = f"TemplateMiner: depth must be at least 3, got {self.depth!r}"
            raise ConfigError(msg)
        if int(self.max_children) < 2:
            msg = f"TemplateMiner: max_children must be at least 2, got {self.max_children!r}"
            raise ConfigError(msg)
        base = DEFAULT_MASKS if self.masks is None else self.masks
        masks = check_masks((*self.extra_masks, *base))
        model = DrainModel(
            sim_th=float(self.sim_th), depth=int(self.depth), max_children=int(self.max_children)
        )
        return masks, model

    def _check_fitted(self) -> None:
        if not hasattr(self, "_model"):
            msg = (
                "this TemplateMiner is not fitted yet: call fit(frame) or "
                "TemplateMiner.load(path) first"
            )
            raise NotFittedError(msg)

    # -- learning ---------------------------------------------------------------------------
    def fit(self, frame: pl.DataFrame) -> Self:
        """Learn templates from the ``body`` column of ``frame``.

        Parameters
        ----------
        frame
            Any frame with a String ``body`` column (normally ``LOG_RECORDS``).

        Returns
        -------
        TemplateMiner
            ``self``, fitted.
        """
        self._fit(frame)
        return self

    def partial_fit(self, frame: pl.DataFrame) -> Self:
        """Continue learning from more records (starts fresh when not fitted).

        Known templates keep their ids unless new messages generalise them; the old id
        is then recorded in :attr:`id_history_` (see :meth:`resolve_id`).
        """
        if not hasattr(self, "_model"):
            return self.fit(frame)
        _, distinct, _ = self._masked_counts(frame)
        self._learn(distinct)
        return self

    def partial_fit_transform(self, frame: pl.DataFrame, *, with_params: bool = True) -> pl.DataFrame:
        """``partial_fit(frame)`` then ``transform(frame)``, masking the bodies once.

        What ``rcakit templates --state`` does: a saved miner learns today's logs and
        templates them, known templates keeping their ids.
        """
        if not hasattr(self, "_model"):
            return self.fit_transform(frame, with_params=with_params)
        masked, distinct, rows = self._masked_counts(frame)
        self._learn(distinct)
        return self._assign(frame, masked, distinct, rows, with_params=with_params)

    def fit_transform(self, frame: pl.DataFrame, *, with_params: bool = True) -> pl.DataFrame:
        """Fit on ``frame`` and return it templated (see :meth:`transform`).

        Each record gets the template of the cluster Drain put it in during fitting.
        """
        masked, distinct, rows = self._fit(frame)
        return self._assign(frame, masked, distinct, rows, with_params=with_params)

    def _fit(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.Series]:
        masks, model = self._settings()
        self.masks_ = masks
        self._model = model
        self._seen: dict[str, int] = {}
        self._counts: dict[str, int] = defaultdict(int)
        self._splits: dict[Group, tuple[int, ...]] = {}
        self._roots: dict[int, int] = {}
        self._templates: dict[Group, str] = {}
        self.id_history_: dict[str, str] = {}
        self.n_records_ = 0
        masked, distinct, rows = self._masked_counts(frame)
        self._learn(distinct)
        return masked, distinct, rows

    def _masked_counts(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.Series]:
        """Mask each distinct body once.

        Returns the distinct bodies in first-seen order with their masked message (``body``,
        masked), the distinct masked messages in first-seen order with their record counts
        and the text Drain sees, and for each record the row of its body in the first.
        """
        _check_body(frame, stage="TemplateMiner")
        masks = self.masks_ if hasattr(self, "masks_") else self._settings()[0]
        body = frame.get_column("body").fill_null("")
        first, counts, rows = _distinct_rows(body)
        bodies = pl.DataFrame({"body": body.gather(first), "n": counts})
        bodies = bodies.with_columns(_mask_bodies(bodies, masks).alias(_MASKED))
        distinct = (
            bodies.lazy()
            .group_by(_MASKED, maintain_order=True)
            .agg(pl.col("n").sum())
            .with_columns(pl.col(_MASKED).str.replace_all(TOKEN_RE, _DRAIN_VAR).alias(_DRAIN))
            .collect()
        )
        return bodies.select("body", _MASKED), distinct, rows

    def _learn(self, masked: pl.DataFrame) -> None:
        messages = masked.get_column(_MASKED).to_list()
        counts = masked.get_column("n").to_list()
        drain_texts = masked.get_column(_DRAIN).to_list()
        old_ids = {m: template_id_of(self._template_of(m, cid)) for m, cid in self._seen.items()}
        new = [
            (message, text)
            for message, text in zip(messages, drain_texts, strict=True)
            if message not in self._seen
        ]
        cids = self._model.add(text for _, text in new)
        for (message, _), cid in zip(new, cids, strict=True):
            self._seen[message] = cid
        for message, n in zip(messages, counts, strict=True):
            self._counts[message] += n
        self.n_records_ += int(sum(counts))
        self._model.rebuild()
        self._publish(old_ids)

    def _group_of(self, message: str, cid: int) -> Group:
        group: Group = (self._roots.get(cid, cid), ())
        tokens: list[str] | None = None
        while positions := self._splits.get(group):
            tokens = message.split(" ") if tokens is None else tokens
            if len(tokens) <= max(_index(p) for p in positions):
                return group
            group = (group[0], group[1] + tuple(_split_part(tokens, p) for p in positions))
        return group

    def _template_of(self, message: str, cid: int) -> str:
        group = self._group_of(message, cid)
        text = self._templates.get(group)
        if text is None:
            # a constant-word variant not seen in fitting: the cluster's generic template
            text = self._fallback[cid]
        return text

    def _publish(self, old_ids: dict[str, str]) -> None:
        members: dict[int, list[str]] = defaultdict(list)
        for message, cid in self._seen.items():
            members[cid].append(message)
        clusters = self._model.clusters()
        self._roots, self._splits, templates, whole = _group_templates(
            clusters, members, sim_th=float(self.sim_th), max_values=_MAX_SPLIT_VALUES
        )
        if self.merge:
            self._templates = _merge_templates(templates)
        else:
            self._templates = {g: " ".join(t) for g, t in templates.items()}
        self._fallback = {cid: " ".join(whole[root]) for cid, root in self._roots.items()}
        for message, old in old_ids.items():
            new = template_id_of(self._template_of(message, self._seen[message]))
            if new != old:
                self.id_history_[old] = new
        # keep the history flat: every old id points at the current id
        for old, new in list(self.id_history_.items()):
            self.id_history_[old] = self._resolve(new)
        self._build_table()

    def _resolve(self, template_id: str) -> str:
        seen = set()
        while template_id in self.id_history_ and template_id not in seen:
            seen.add(template_id)
            template_id = self.id_history_[template_id]
        return template_id

    def _build_table(self) -> None:
        rows: dict[str, dict[str, Any]] = {}
        for message, cid in self._seen.items():
            text = self._template_of(message, cid)
            tid = template_id_of(text)
            row = rows.setdefault(
                tid, {"template_id": tid, "template": text, "count": 0, "n_variants": 0}
            )
            row["count"] += self._counts.get(message, 0)
            row["n_variants"] += 1
        previous: dict[str, list[str]] = defaultdict(list)
        for old, new in self.id_history_.items():
            previous[new].append(old)
        table = pl.DataFrame(
            [
                {**row, "previous_ids": sorted(previous.get(row["template_id"], []))}
                for row in rows.values()
            ],
            schema={
                "template_id": pl.String,
                "template": pl.String,
                "count": pl.UInt64,
                "n_variants": pl.UInt64,
                "previous_ids": pl.List(pl.String),
            },
        )
        self.templates_ = table.sort(["count", "template_id"], descending=[True, False])

    # -- applying ---------------------------------------------------------------------------
    def transform(self, frame: pl.DataFrame, *, with_params: bool = True) -> pl.DataFrame:
        """Add ``template_id``, ``template`` and ``params`` to ``frame`` without learning.

        Records whose masked message matches no learned template get that masked message
        as their template (a new template, with its own content-derived id).

        Parameters
        ----------
        frame
            Any frame with a String ``body`` column; other columns pass through and the
            row order is kept.
        with_params
            Compute ``params`` (the variable values, in template order). Skipping it is
            faster when only counts per template are needed; the column is then absent.

        Returns
        -------
        pl.DataFrame
            ``frame`` plus the template columns (``TEMPLATED_RECORDS`` for ``LOG_RECORDS``).
        """
        self._check_fitted()
        masked, distinct, rows = self._masked_counts(frame)
        return self._assign(frame, masked, distinct, rows, with_params=with_params)

    def _assign(
        self,
        frame: pl.DataFrame,
        masked: pl.DataFrame,
        distinct: pl.DataFrame,
        rows: pl.Series,
        *,
        with_params: bool,
    ) -> pl.DataFrame:
        messages = distinct.get_column(_MASKED).to_list()
        drain_texts = distinct.get_column(_DRAIN).to_list()
        unknown = [(m, t) for m, t in zip(messages, drain_texts, strict=True) if m not in self._seen]
        found = self._model.match(t for _, t in unknown)
        matched = {m: cid for (m, _), cid in zip(unknown, found, strict=True)}
        templates = []
        for message in messages:
            cid = self._seen.get(message)
            if cid is None:
                cid = matched[message]
            templates.append(message if cid is None else self._template_of(message, cid))
        lookup = pl.DataFrame(
            {_MASKED: messages, "template": templates},
            schema={_MASKED: pl.String, "template": pl.String},
        )
        ids = {t: template_id_of(t) for t in set(templates)}
        lookup = lookup.with_columns(
            pl.col("template").replace_strict(ids, return_dtype=pl.String).alias("template_id")
        )
        # distinct body -> template, then join only the body column to the records and
        # attach the result: the other columns are not copied
        by_body = masked.join(lookup, on=_MASKED, how="left", maintain_order="left").drop(_MASKED)
        if with_params:
            # the values of a body do not depend on the record: extract them once per
            # distinct body (repeated messages are the rule in logs)
            by_body = by_body.with_columns(_extract_params(by_body))
        assigned = by_body[rows]  # each record gets the row of its distinct body
        base = frame.drop([c for c in _OUT_COLUMNS if c in frame.columns])
        added = ["template_id", "template", *(["params"] if with_params else [])]
        return base.hstack([assigned.get_column(c) for c in added])

    def resolve_id(self, template_id: str) -> str:
        """The current id of a template id seen earlier (unchanged when it never generalised)."""
        self._check_fitted()
        return self._resolve(template_id)

    # -- persistence ------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the fitted miner to ``path`` as plain, versioned JSON (never pickle)."""
        from rcakit.templates._state import save_state

        self._check_fitted()
        save_state(self, Path(path))

    @classmethod
    def load(cls, path: str | Path) -> TemplateMiner:
        """Read a miner written by :meth:`save`.

        Raises
        ------
        StateFileError
            When the file is not an rcakit template state, was modified, or has an unknown
            schema version. Nothing in the file is ever executed.
        """
        from rcakit.templates._state import load_state

        return load_state(cls, Path(path))

    def __repr__(self) -> str:
        return (
            f"TemplateMiner(sim_th={self.sim_th!r}, depth={self.depth!r}, "
            f"max_children={self.max_children!r}, merge={self.merge!r}, "
            f"n_masks={len(DEFAULT_MASKS if self.masks is None else self.masks)}, "
            f"n_extra_masks={len(self.extra_masks)})"
        )


def _check_body(frame: Any, *, stage: str) -> None:
    if not isinstance(frame, pl.DataFrame):
        msg = f"{stage}: expected a polars DataFrame, got {type(frame).__name__}"
        raise SchemaError(msg)
    dtype = frame.schema.get("body")
    if dtype is None:
        msg = (
            f"{stage}: the frame has no 'body' column (columns: {frame.columns}); "
            "read logs with rcakit.read_logs or rename the message column to 'body'"
        )
        raise SchemaError(msg)
    if dtype != pl.String:
        msg = f"{stage}: column 'body' must be String, got {dtype}; cast it with pl.col('body').cast(pl.String)"
        raise SchemaError(msg)


def mine_templates(
    frame: pl.DataFrame,
    *,
    masks: Sequence[Mask] | None = None,
    extra_masks: Iterable[Mask] = (),
    with_params: bool = True,
) -> pl.DataFrame:
    """Mine templates from ``frame['body']`` with the zero-configuration defaults.

    Parameters
    ----------
    frame
        Any frame with a String ``body`` column (normally from :func:`rcakit.read_logs`).
    masks
        Replace the default masking set (rarely needed).
    extra_masks
        Extra masks applied before the defaults.
    with_params
        Also compute ``params`` (the variable values of each record, in template order).

    Returns
    -------
    pl.DataFrame
        ``frame`` plus ``template_id`` (String), ``template`` (String) and ``params``
        (List[String]); row order kept.

    Examples
    --------
    >>> import polars as pl
    >>> out = mine_templates(pl.DataFrame({"body": ["GET /a/b 200 in 12ms", "GET /c/d 404 in 3ms"]}))
    >>> out["template"].to_list()
    ['GET <PATH> <NUM> in <DURATION>', 'GET <PATH> <NUM> in <DURATION>']
    >>> out["params"].to_list()[1]
    ['/c/d', '404', '3ms']
    """
    miner = TemplateMiner(masks=masks, extra_masks=tuple(extra_masks))
    return miner.fit_transform(frame, with_params=with_params)


def summarize_templates(templated: pl.DataFrame) -> pl.DataFrame:
    """One row per template of a templated frame (what ``rcakit templates -o`` writes).

    Parameters
    ----------
    templated
        Output of :func:`mine_templates` / :meth:`TemplateMiner.transform`. Optional
        columns ``timestamp``, ``service``, ``severity_text``/``severity_number`` fill the
        time, service and severity columns (null when absent).

    Returns
    -------
    pl.DataFrame
        ``template_id``, ``template``, ``count`` (UInt32), ``first_seen``, ``last_seen``,
        ``services`` (sorted List[String]), ``severity`` (the most severe level seen),
        ``example`` (the first record's body), sorted by count (descending) then id.
    """
    for name in ("template_id", "template", "body"):
        if name not in templated.columns:
            msg = f"summarize_templates: column {name!r} missing; pass the output of mine_templates"
            raise SchemaError(msg)
    cols = templated.columns
    time = pl.col("timestamp") if "timestamp" in cols else pl.lit(None, dtype=pl.Datetime("us", "UTC"))
    service = pl.col("service") if "service" in cols else pl.lit(None, dtype=pl.String)
    sev_text = pl.col("severity_text") if "severity_text" in cols else pl.lit(None, dtype=pl.String)
    sev_num = (
        pl.col("severity_number").cast(pl.Int32)
        if "severity_number" in cols
        else pl.lit(None, dtype=pl.Int32)
    )
    return (
        templated.lazy()
        .select(
            "template_id",
            "template",
            "body",
            time.alias("_time"),
            service.alias("_service"),
            sev_text.alias("_sev"),
            sev_num.alias("_sevn"),
        )
        .group_by("template_id", maintain_order=True)
        .agg(
            pl.col("template").first(),
            pl.len().cast(pl.UInt32).alias("count"),
            pl.col("_time").min().alias("first_seen"),
            pl.col("_time").max().alias("last_seen"),
            pl.col("_service").drop_nulls().unique().sort().alias("services"),
            pl.col("_sev").sort_by("_sevn", descending=True, nulls_last=True).first().alias("severity"),
            pl.col("body").first().alias("example"),
        )
        .sort(["count", "template_id"], descending=[True, False])
        .collect()
    )
