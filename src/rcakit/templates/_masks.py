"""The default masking set: variable values replaced by named tokens, as polars expressions.

Masking runs before Drain, over the whole column at once (Rust regex, no per-line Python).
Each :class:`Mask` replaces what its pattern matches with ``<NAME>``; the masks run in the
order of :data:`DEFAULT_MASKS`, most specific first (a URL before the host inside it, an IP
before the numbers inside it). Tokens are *named* on purpose: drain3 re-matches ``<NUM>``
against ``<NUM>`` exactly, whereas a message masked to ``<*>`` never matches a cluster again.

Token names produced by the default set (downstream code may rely on them):

========== ====================================================================
``<STR>``   quoted values of keys (``q="running shoes"`` -> ``q="<STR>"``, in single quotes or
            backticks too, escaped quotes
            inside too; a single plain word, ``kind="Pod"``, is left to Drain); an unquoted
            value of several words running to the next key among ``key=value`` pairs
``<QUERY>`` the query string of a quoted HTTP request line (``"GET /query?<QUERY> HTTP/1.1"``)
``<CMD>``   the command line sudo (``; COMMAND=<CMD>``) or cron (``CMD (<CMD>)``) ran
``<URL>``   ``scheme://...`` URLs
``<EMAIL>`` e-mail addresses
``<UUID>``  canonical 8-4-4-4-12 UUIDs
``<TS>``    dates and date-times (ISO 8601, ``2016/9/28:16:00:46.635``, ``Jun 14 15:16:01``)
``<TIME>``  clock times ``12:00:01`` (optionally with fractions)
``<IP>``    IPv4 / IPv6 addresses, with an optional ``:port`` and a leading ``/`` (not a bare ``::``)
            (a name glued before it, ``outside/10.0.0.1``, ``dmz:10.0.0.1/443``, is the address's)
``<MAC>``   MAC addresses and longer runs of colon-separated hex octets (DHCP client ids, key fingerprints)
``<PATH>``  file-system paths with at least two segments (``/var/log/x``, ``C:\\x\\y``)
``<HOST>``  dotted host names ending in a DNS top-level domain (``mx.example.com[<IP>]``
            too, and ``api.github.com.`` with its root dot); ``name-1:port``
``<ID>``    identifiers of words and numbers joined by ``_`` (``blk_-42``, ``task_1_0020_m_3``)
``<HEX>``   ``0x...`` values and hex strings that mix digits and letters
``<VERSION>`` ``v1.2.3`` style versions
``<BOOL>``  ``true``/``false``/``null`` values
``<DN>``    an LDAP distinguished name or a certificate's subject of two parts or more
``<DURATION>`` numbers with a time unit (``250ms``, ``1.5s``, systemd's ``37min 30.623s``, an
ISO 8601 duration ``PT0.012S``)
``<SIZE>``  numbers with a size unit (``10MB``, ``512KiB``, ``1024 bytes``)
``<NUM>``   any other number standing alone or after a delimiter (``node-12`` ->
            ``node-<NUM>``, ``Foo.java:42`` -> ``Foo.java:<NUM>``), keeping a unit of up to
            4 letters glued to it (``2653ppm`` -> ``<NUM>ppm``), an Erlang pid
            (``<0.849.0>``), a number with thousands separators (``1,234,567``); digits
            inside a word (``ssh2``, ``u0``) are left to Drain
``<*>``     not a mask: a position Drain found variable
========== ====================================================================

The numeric value of ``<NUM>``, ``<DURATION>`` and ``<SIZE>`` is in the record's ``params``
at the position of the token (see :func:`rcakit.templates.mine_templates`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from rcakit.errors import ConfigError

__all__ = [
    "DEFAULT_MASKS",
    "TOKEN_RE",
    "Mask",
    "apply_masks",
    "check_masks",
    "mask_values",
    "masks_from_patterns",
]

# A named token in a template: <NUM>, <IP>, ..., and Drain's own <*>.
TOKEN_RE = r"<(?:\*|[A-Z][A-Z0-9_]*)>"
_NAME_RE = re.compile(r"[A-Z][A-Z0-9_]*")


@dataclass(frozen=True, slots=True, kw_only=True)
class Mask:
    """One masking rule: replace what ``pattern`` matches with ``<name>``.

    Parameters
    ----------
    name
        Upper-case token name, e.g. ``"NUM"``; the replacement is ``<NUM>``.
    pattern
        A regular expression in Rust ``regex`` syntax (polars): no look-around or
        back-references. Use the groups ``(?P<pre>...)`` and ``(?P<post>...)`` for context
        that must be kept before or after the value (they are written back around the token).
    """

    name: str
    pattern: str

    @property
    def token(self) -> str:
        """The replacement token, ``<name>``."""
        return f"<{self.name}>"


#: the attribute types of an LDAP relative name (RFC 4514) and of a certificate's subject
_RDN = r"(?:uid|cn|ou|dc|o|c|l|st|street|sn|mail|emailAddress|serialNumber)"


def _m(name: str, pattern: str) -> Mask:
    return Mask(name=name, pattern=pattern)


# Left context that makes the next thing start a "value": line start, whitespace or an
# opening delimiter. Rust regex has no look-behind, so it is captured and written back.
_PRE = r"(?P<pre>^|[\s=:,;(\[{<\"'@|])"
_HEX4 = r"[0-9A-Fa-f]{1,4}"
_TLD = (
    # country codes that are also common identifier words (id, in, it, no, is...) are left out
    r"(?:com|net|org|edu|gov|mil|io|co|uk|de|fr|jp|cn|hk|ru|br|au|nl|eu|us|ca|ch|es|se|"
    r"fi|dk|pl|kr|tw|at|be|cz|ie|il|nz|pt|sg|za|mx|ar|tr|gr|hu|ro|sk|ua|vn|om|ae|"
    r"xyz|info|biz|cloud|online|site|tech|dev|"
    r"local|localdomain|lan|internal|intra|corp|cluster|svc|arpa)"
)
# What may follow a host name: not another ".label" (java.io.IOException is not a host).
_POST = r"(?P<post>$|[\s:/,;)\]}>\"'|])"
# (a host name may be followed by its address in brackets: postfix's mail.example.com[10.0.0.1],
# or by the backslash of an escaped quote: klog's on node \"ip-10-0-3-44.ec2.internal\")
_POST_HOST = r"(?P<post>$|[\s:/,;)\[\]}>\"'|\\])"

#: The default masks, applied in this order. Shipped as code so they are reviewable and
#: versioned with the package; there is no file to configure.
DEFAULT_MASKS: tuple[Mask, ...] = (
    # the query string of a quoted HTTP request line: its path names the endpoint, the
    # parameters after "?" vary ("POST /write?db=telegraf&precision=ns HTTP/1.1" ->
    # "POST /write?<QUERY> HTTP/1.1")
    _m("QUERY", r"(?P<pre>\"(?:GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) /[^\s?\"]*\?)[^\s\"]+"),
    # the command line sudo ran, its last field ("alice : TTY=pts/0 ; PWD=/home/alice ;
    # USER=root ; COMMAND=/usr/bin/systemctl restart nginx"), and the one cron ran ("(root) CMD
    # (run-parts /etc/cron.hourly)"): one value of any number of words
    _m("CMD", r"(?P<pre>; COMMAND=)\S[^\n]*"),
    _m("CMD", r"(?P<pre>\) CMD \()[^\n]*(?P<post>\)$)"),
    # an LDAP distinguished name, or a certificate's subject: two relative names or more
    # ("uid=jdoe,ou=People,dc=example,dc=com", "cn=automember rebuild membership,cn=tasks,
    # cn=config", "CN=api.example.com, O=Acme Inc, C=US"): one value, however many parts
    # and words (389 Directory Server's "The ACL target uid=... does not exist"); a value of
    # several words but for the last part, whose words are the sentence's; each value starts
    # with a letter ("set l=5,c=3" holds no name)
    _m(
        "DN",
        r"(?i)\b(?:" + _RDN + r"=[a-z][^,=\s()\[\]\"'<>]*(?:[ \t][^,=\s()\[\]\"'<>]+)*,[ \t]?)+" + _RDN
        + r"=[a-z][^,=\s()\[\]\"'<>]*",
    ),
    # an unquoted value of several words that runs to the next key, in a run of key=value
    # pairs (a pair before it): one value (Falco's "parent=runc command=sh -c ls -la /tmp
    # terminal=0 ...", "cap_effective=CAP_SYS_ADMIN CAP_NET_ADMIN evt_type=..."; not BGL's
    # "ASSERT expression=0 Source file=...", a key of two words, nor a number and the event's
    # word after it, slapd's "op=3 RESULT tag=97"); its words hold no "=" nor
    # quote (a message key's quoted text, msg="...", is marked and stays the event's), nor a
    # bracket or comma: a structure's parts are values of their own (Android's "...Vis=0,
    # fullscreenStackBounds=Rect(0, 0 - 720, 1280), ...", BGL's "(softheader=00131db8 81aa0003
    # ...) PSR0=...")
    _m(
        "STR",
        r"(?P<pre>(?:^|[\s(\[{,])[A-Za-z_][\w.\-\[\]]*=\S*[ \t][A-Za-z_][\w.\-\[\]]*=)[^\s=\"'\x02(){}\[\]<>,0-9+\-][^\s=\"(){}\[\]<>,]*"
        r"(?:[ \t][^\s=\"(){}\[\]<>,]+)+"
        r"(?P<post>[ \t][A-Za-z_][\w.\-\[\]]*=)",
    ),
    # quoted values of keys: q="running shoes" -> q="<STR>", tag='View Lock' -> tag='<STR>'
    # (a single plain word is left to Drain: kind="Pod", reason="BackOff" name the event as
    # often as they vary, and Drain tells which by how many values a position takes)
    # (backslash-escaped quotes inside: request="key:\"/registry/pods\" limit:500 ")
    _m(
        "STR",
        r"(?P<pre>[=:] ?\")(?:(?:[^\"\\\n]|\\.)*(?:[^A-Za-z_\-\"\\\n]|\\.)(?:[^\"\\\n]|\\.)*)?(?P<post>\")",
    ),
    _m("STR", r"(?P<pre>[=:] ?')(?:[^']*[^A-Za-z_\-'\n][^']*)?(?P<post>')"),
    # (... or in backticks, as Go's and QuestDB's messages quote SQL and error texts:
    # q=`show columns from 'orders'`, msg=`table does not exist [table=x]`)
    _m("STR", r"(?P<pre>[=:] ?`)(?:[^`\n]*[^A-Za-z_\-`\n][^`\n]*)?(?P<post>`)"),
    # a quoted user agent, a product/version and any comments after it: one value however
    # many words (access logs' last field after the referer's, "-" "Mozilla/5.0 (X11; Linux
    # x86_64; rv:121.0) Gecko/20100101 Firefox/121.0", "curl/8.4.0"; a JSON header's
    # "User-Agent": ["kube-probe/1.28"])
    _m(
        "STR",
        r"(?P<pre>\"[ \t]\"|[Aa]gent\"?[=:] ?\[?\")[A-Za-z][\w.\-]*/[^\"\s]*(?:[ \t][^\"\n]*)?(?P<post>\")",
    ),
    # ... and a quoted value after a word that holds backslash-escaped quotes, a request or
    # a document printed with Go's %q: etcd's read-only range request "key:\"/registry/pods/x\"
    # range_end:\"...\" count_only:true " (before the paths inside take the backslashes)
    _m("STR", r"(?P<pre>[A-Za-z0-9][ \t]\")(?:[^\"\\\n]|\\.)*\\\"(?:[^\"\\\n]|\\.)*(?P<post>\"(?:$|[\s,.;:)\]]))"),
    # (a comma, full stop or colon after a URL is the sentence's: "on http://x:8080, pid 7";
    # a closing brace too, the object's it is in: "PersistentTopic{topic=persistent://a/b/t}, ...")
    _m("URL", r"\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'<>\]\)]*[^\s\"'<>\]\)},.;:!?]"),
    # (a local part may start with the "+" of a phone number: sip:+4930123456@pbx.example.net)
    _m("EMAIL", r"(?:\+|\b)[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b"),
    _m(
        "UUID",
        r"\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b",
    ),
    # date-times: 2024-01-31T12:00:00.123Z, 2016/9/28:16:00:46.635, 2024-01-31 12:00:00,
    # 2017-07-01_09:01:05.123 (file names)
    _m(
        "TS",
        r"\b\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[T :_]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"
        r"(?:Z|[+-]\d{2}:?\d{2})?)?\b",
    ),
    # Fri Jun 17 07:07:00 2005, Jun 14 15:16:01, 17 Jun 2005 07:07:00
    _m(
        "TS",
        r"\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? +)?"
        r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* +\d{1,2}(?:,? \d{4})?"
        r" \d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?: \d{4})?\b",
    ),
    _m(
        "TS",
        r"\b\d{1,2}[ /-](?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*[ /-]\d{4}"
        r"[ :]\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?: ?[+-]\d{4})?\b",
    ),
    # IPv6 (full or compressed, needs at least two colons), optional [..]:port; a compressed
    # address has a group after its "::" (a bare "::" is C++'s scope operator,
    # "IOService::start", except in brackets: "[::]:8080") and, starting with "::", no word
    # before it ("customer::1752" is a key's namespace)
    _m(
        "IP",
        r"\[::\](?::\d{1,5})?|\[?(?:\b(?:" + _HEX4 + r":){7}" + _HEX4 + r"|\b(?:" + _HEX4 + r":){1,6}:" + _HEX4
        + r"(?::" + _HEX4 + r")*|\B::" + _HEX4 + r"(?::" + _HEX4 + r")*)(?:%\w+)?\]?"
        r"(?::\d{1,5})?(?:\b|$)",
    ),
    # host names: dotted names ending in a DNS top-level domain (may contain an IP); a
    # fully qualified name's root dot is the name's (DNS servers log api.github.com. A IN)
    _m("HOST", r"\b[A-Za-z0-9](?:[\w\-]*[A-Za-z0-9])?(?:\.[\w\-]+)*\." + _TLD + r"\.(?P<post>[ \t])"),
    _m(
        "HOST",
        r"\b[A-Za-z0-9](?:[\w\-]*[A-Za-z0-9])?(?:\.[\w\-]+)*\." + _TLD + r"(?::\d{1,5})?"
        + _POST_HOST,
    ),
    _m("IP", r"\b[A-Za-z][\w.\-]*/(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b"),
    # ... or glued to it by a colon, its port after a slash (a firewall's interface and
    # address, Cisco ASA's "for dmz:172.139.43.85/20218"; lighttpd's "tcp:127.0.0.1:9000")
    _m("IP", r"\b[A-Za-z][\w\-]*:(?:\d{1,3}\.){3}\d{1,3}(?:[:/]\d{1,5})?\b"),
    # IPv4 with an optional leading slash (Java's InetAddress.toString) and :port
    _m("IP", r"/?\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b"),
    _m("MAC", r"\b(?:[0-9A-Fa-f]{2}[:-]){5,}[0-9A-Fa-f]{2}\b"),
    _m("TIME", r"\b\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\b"),
    # paths: two or more segments, starting a value (after whitespace, =, quote, ...)
    # (not a closing backslash: before a quote it escapes the quote, msg="Stat(\"/a/b\")")
    _m("PATH", _PRE + r"(?:[A-Za-z]:)?(?:[/\\][\w.@%+~\-]+){2,}/?"),
    _m("PATH", r"(?P<pre>^|[\s=\"'(\[])/[\w.@%+~\-]*[A-Za-z][\w.@%+~\-]*/?" + _POST),
    # source positions in stack traces keep the file name: Foo.java:42 -> Foo.java:<NUM>
    _m(
        "NUM",
        r"(?P<pre>\b[\w$]+\.(?:java|kt|scala|groovy|py|rb|go|js|mjs|ts|cs|c|cc|cpp|h|hpp|rs|php|"
        r"swift|m|pl|ex|exs|erl|clj|lua):)\d+\b",
    ),
    # host names with a :port that have a dash or digit (msra-sa-41:9000), localhost:port.
    # (Dotted names with a :port are not enough: Class.method:42 in stack traces.)
    _m("HOST", r"\b[A-Za-z][\w\-]*[\-\d][\w\-]*:\d{2,5}\b"),
    _m("HOST", r"\blocalhost:\d{1,5}\b"),
    # a duration of several units is one value, systemd's "Consumed 37min 30.623s CPU time",
    # "Startup finished in ... = 1min 2.345s", "2d 3h" (before the hex strings: "1d" is a day)
    _m(
        "DURATION",
        r"\b\d+(?:y|month|w|d|h|min)(?: \d+(?:month|w|d|h|min))* \d+(?:\.\d+)?(?:h|min|s|ms|us|µs)\b",
    ),
    # an ISO 8601 duration, as Java's Duration and .NET's XmlConvert print one: PT0.012S,
    # PT1M30S, PT0S, P1DT2H ("Performed a successful health check in PT0.004S")
    _m("DURATION", r"\bP(?:\d+[YMWD])*T(?:\d+(?:\.\d+)?[HMS])+\b"),
    # identifiers made of words and numbers joined by '_' (blk_-123, attempt_14_0020_m_000002_0,
    # ord_bfbe4389892d)
    _m("ID", r"\b[A-Za-z]+(?:_[A-Za-z0-9]+)*_-?[A-Za-z]*\d[\w\-]*"),
    _m("HEX", r"\b0[xX][0-9A-Fa-f]+\b"),
    _m("HEX", r"\b(?:[0-9]+[A-Fa-f]+|[A-Fa-f]+[0-9]+)[0-9A-Fa-f]*\b"),
    _m("VERSION", r"\b[vV]\d+(?:\.\d+)+\b"),
    # boolean and null values (they vary like numbers: overlap:true / overlap:false)
    _m("BOOL", r"\b(?:true|false|True|False|TRUE|FALSE|null|NULL|nil)\b"),
    # sizes and durations: 10MB, 1190 bytes (1.16 KB), 250ms, <1 sec
    _m("SIZE", r"\b(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)? ?bytes(?: \(\d+(?:\.\d+)? ?[KMGTP]i?B\))?"),
    _m("SIZE", r"\b\d+(?:\.\d+)?(?:[KMGTP]i?B|ki?B|[KMGTP]|[kmgt]b|B)\b"),
    _m("SIZE", r"\b\d+(?:\.\d+)? (?:[KMGTP]i?B|ki?B|[kmgt]b|B)\b"),
    _m(
        "DURATION",
        r"(?:[<>]=?)?\b(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:ms|us|µs|ns|s|h|(?: ?(?:sec|secs|min|mins|hrs)))\b",
    ),
    # numbers with a sign or comparison starting a value (x=-3, <5, " +7"), and numbers
    # with a unit of up to 4 letters glued to them (co2=2653ppm -> co2=<NUM>ppm, -64dBm,
    # 64bit: letters that are all hex digits, 12ab, were a <HEX> above). One pass for both:
    # a pattern with context groups costs a capture per match, several times a plain match,
    # and these are rare ...
    # (an Erlang pid, <0.849.0>, is a number in angle brackets, not a comparison)
    # (after "=", a ">" is Ruby's hash arrow, not a comparison: {:status=>503, ...})
    _m(
        "NUM",
        r"(?P<pre>^|[\s:,(\[{])(?:<\d+(?:\.\d+)+>|(?:[<>][-+]?|[-+])\d+(?:\.\d+)*(?P<post>[A-Za-z]{0,4})\b)",
    ),
    _m("NUM", r"(?P<pre>=)(?:<\d+(?:\.\d+)+>|(?:<[-+]?|[-+])\d+(?:\.\d+)*(?P<post>[A-Za-z]{0,4})\b)"),
    # (not after a dash: "X0K4Z-7ANHR", "ORD-7ANHR" are identifiers, not 7 ANHR)
    _m("NUM", r"(?P<pre>^|[^\w\-])\d+(?:\.\d+)*(?P<post>[A-Za-z]{1,4})\b"),
    # ... then any remaining number standing on its own or after a delimiter (node-12, #5),
    # but not the digits inside a word (ssh2, u0, L3 are names), in a plain pass: numbers
    # are the most frequent match of all
    # (a number with thousands separators is one number: 22,719 rows, not 22 and 719)
    _m("NUM", r"\b(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)*)\b"),
    # (last: in a group of their own, tested on the few values with such a quote, run after
    # the other masks have shortened what is inside)
    # a quoted phrase in prose, after a word (several words: a Wi-Fi network's name, a
    # provider's error): connection 'iPhone de Marie', failed with 'Timeout was reached'
    # (klog quotes its message after its head, ...go:12] "SyncLoop ADD" source="api"; an
    # HTTP request line names its endpoint: 10.0.0.1 "GET /v2/servers/detail HTTP/1.1", so
    # a word starting with "/" after a blank ends the phrase; a blank may end it: Junos
    # echoes a command line as typed, command 'show bgp summary ')
    _m("STR", r"(?P<pre>[A-Za-z0-9][ \t]')[^\s'/](?:[^\s'\n]|[ \t][^\s'/\n])*[ \t][^\s'/\n](?:[^\s'\n]|[ \t][^\s'/\n])*[ \t]?(?P<post>'(?:$|[\s,.;:)\]]))"),
    _m("STR", r"(?P<pre>[A-Za-z0-9][ \t]\")[^\s\"\\/](?:[^\s\"\\\n]|[ \t][^\s\"\\/\n])*[ \t][^\s\"\\/\n](?:[^\s\"\\\n]|[ \t][^\s\"\\/\n])*[ \t]?(?P<post>\"(?:$|[\s,.;:)\]]))"),
    # (... or in backticks: Odoo's cron jobs, "Job `Mail: Email Queue Manager` done.")
    _m("STR", r"(?P<pre>[A-Za-z0-9][ \t]`)[^\s`/](?:[^\s`\n]|[ \t][^\s`/\n])*[ \t][^\s`/\n](?:[^\s`\n]|[ \t][^\s`/\n])*[ \t]?(?P<post>`(?:$|[\s,.;:)\]]))"),
)


def check_masks(masks: Iterable[Mask]) -> tuple[Mask, ...]:
    """Validate masks: upper-case names and patterns polars can compile.

    Raises
    ------
    ConfigError
        Naming the offending mask and what to fix.
    """
    out = tuple(masks)
    probe = pl.Series("probe", ["x"], dtype=pl.String)
    for i, mask in enumerate(out):
        if not isinstance(mask, Mask):
            msg = f"masks[{i}]: expected rcakit.templates.Mask, got {type(mask).__name__}"
            raise ConfigError(msg)
        if not _NAME_RE.fullmatch(mask.name):
            msg = (
                f"masks[{i}]: name {mask.name!r} must be upper-case letters, digits or '_' "
                "starting with a letter (it becomes the token <NAME>)"
            )
            raise ConfigError(msg)
        try:
            probe.str.replace_all(mask.pattern, "x")
        except Exception as exc:
            msg = (
                f"masks[{i}] ({mask.name}): pattern {mask.pattern!r} is not a valid polars "
                f"(Rust) regex: {exc}. Look-around and back-references are not supported."
            )
            raise ConfigError(msg) from exc
    return out


def masks_from_patterns(patterns: Sequence[str], *, name: str = "VAR") -> tuple[Mask, ...]:
    """Build masks from bare regexes (e.g. a benchmark's per-system list), all named ``name``."""
    return tuple(Mask(name=name, pattern=p) for p in patterns)


def _has_context(mask: Mask) -> bool:
    return "(?P<pre>" in mask.pattern or "(?P<post>" in mask.pattern


def _runs(masks: Sequence[Mask]) -> list[tuple[str, str, str]]:
    """Consecutive masks of the same name as one alternation: (pattern, replacement, name).

    One ``replace_all`` pass per run instead of one per mask (each pass costs a scan of the
    whole column). Context groups are renamed per alternative (``pre_0``, ``post_1``...);
    a group that did not take part in the match expands to nothing.
    """
    runs: list[list[Mask]] = []
    for mask in masks:
        # masks with context groups are not merged with plain ones: a plain pattern can be
        # replaced without resolving captures, which is several times faster
        if runs and runs[-1][0].name == mask.name and _has_context(runs[-1][0]) == _has_context(mask):
            runs[-1].append(mask)
        else:
            runs.append([mask])
    out = []
    for run in runs:
        token = run[0].token
        if len(run) == 1:
            pre = "${pre}" if "(?P<pre>" in run[0].pattern else ""
            post = "${post}" if "(?P<post>" in run[0].pattern else ""
            out.append((run[0].pattern, pre + token + post, run[0].name))
            continue
        parts, pres, posts = [], [], []
        for i, mask in enumerate(run):
            pattern = mask.pattern
            if "(?P<pre>" in pattern:
                pattern = pattern.replace("(?P<pre>", f"(?P<pre_{i}>")
                pres.append(f"${{pre_{i}}}")
            if "(?P<post>" in pattern:
                pattern = pattern.replace("(?P<post>", f"(?P<post_{i}>")
                posts.append(f"${{post_{i}}}")
            parts.append(f"(?:{pattern})")
        out.append(("|".join(parts), "".join(pres) + token + "".join(posts), run[0].name))
    return out


#: the quoted value of a message key (logfmt ``msg="..."``, structlog ``event="..."``, a JSON
#: fragment's ``"message":"..."``, what a program wrote to its ``stderr: "..."`` as nginx
#: quotes PHP-FPM's errors) is the event's text, not a variable: a mark between the key
#: and its quote keeps the quoted-value masks off it while the masks run (its numbers, ids and
#: addresses are masked as anywhere else), and is removed after
_MESSAGE_KEY = r"""(?i)(?P<k>(?:^|[^\w.\-])(?:msg|message|event|err|error|output|stderr|stdout)"?[=:] ?)(?P<q>["'])"""
_MARK = "\x02"


def _protect(expr: pl.Expr, *, per_line: bool) -> pl.Expr:
    return expr.str.replace_all(("(?m)" if per_line else "") + _MESSAGE_KEY, "${k}" + _MARK + "${q}")


def _unprotect(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all(_MARK, "", literal=True)


def apply_masks(expr: pl.Expr, masks: Sequence[Mask], *, per_line: bool = False) -> pl.Expr:
    """Return ``expr`` with every mask applied in order (a chain of ``str.replace_all``).

    With ``per_line``, each value holds many messages joined by newlines and every message
    is masked as if it stood alone: only for masks that are :func:`line_safe`. The quoted
    value of a message key (``msg="disk full on /data"``) is not a quoted variable: the
    masks see it as plain text.
    """
    expr = _protect(expr, per_line=per_line)
    for pattern, replacement, _ in _runs(masks):
        expr = expr.str.replace_all(_per_line(pattern) if per_line else pattern, replacement)
    return _unprotect(expr)


def _unnamed(pattern: str) -> str:
    """``pattern`` with its named groups made non-capturing (same language, and several
    patterns can then be joined into one alternation)."""
    return re.sub(r"(?<!\\)\(\?P<\w+>", "(?:", pattern)


#: consecutive mask runs tested together by one gate
_GATE_RUNS = 6
#: a gate is used only when it would pass at most this share of the values (estimated on
#: every tenth value): a group that matches nearly everywhere runs on everything
_GATE_SHARE = 0.5


def mask_values(values: pl.Series, masks: Sequence[Mask], *, per_line: bool = False) -> pl.Series:
    """``values`` with every mask applied in order, as :func:`apply_masks`, but each group of
    masks only on the values it can change.

    The masks go in groups of a few consecutive runs. Before a group runs, one
    ``str.contains`` of its patterns joined into one alternation finds the values where any
    of them matches, and the group runs on those values only. Exact: on a value where no
    pattern of the group matches, the group's first mask changes nothing, so the next sees
    the same text, which it does not match either, and so on. Most masks are rare in a log
    (a MAC address, a date inside a message), and one combined test costs about one pass.
    Where a group matches most values anyway (numbers are everywhere), the test would be
    wasted: it is first made on every tenth value, and such a group runs on everything.
    """
    runs = [(_per_line(p) if per_line else p, r) for p, r, _ in _runs(masks)]
    frame = values.to_frame("v")
    # (the message keys' mark only where there is a message key: a test is cheaper than a
    # rewrite of every value, and the mark is then taken out of those values alone)
    keyed = frame.select(
        pl.col("v").str.contains(("(?m)" if per_line else "") + _MESSAGE_KEY).fill_null(False)
    ).to_series()
    marked = keyed.arg_true() if keyed.any() else None
    if marked is not None:
        frame = _on_rows(frame, marked, _protect(pl.col("v"), per_line=per_line))
    for start in range(0, len(runs), _GATE_RUNS):
        group = runs[start : start + _GATE_RUNS]
        chain = pl.col("v")
        for pattern, replacement in group:
            chain = chain.str.replace_all(pattern, replacement)
        gate = pl.col("v").str.contains("|".join(f"(?:{_unnamed(p)})" for p, _ in group)).fill_null(False)
        sample = frame.lazy().gather_every(10).select(gate.mean()).collect().item()
        if frame.height < 20 or sample is None or sample > _GATE_SHARE:
            frame = frame.lazy().select(chain).collect()
            continue
        hit = frame.lazy().select(gate).collect().to_series()
        if not hit.any():
            continue
        frame = _on_rows(frame, hit.arg_true(), chain)
    if marked is not None:
        frame = _on_rows(frame, marked, _unprotect(pl.col("v")))
    return frame.to_series().alias(values.name)


def _on_rows(frame: pl.DataFrame, idx: pl.Series, expr: pl.Expr) -> pl.DataFrame:
    """``frame`` (one column ``v``) with ``expr`` applied to the rows ``idx`` alone."""
    changed = frame.lazy().select(pl.col("v").gather(idx)).select(expr.alias("v")).collect().to_series()
    return frame.to_series().clone().scatter(idx, changed).to_frame("v")


# The default masks can run over many messages joined by "\n" (messages hold no newline
# once their whitespace is normalised) with the same result as one message at a time: in
# multi-line mode ^ and $ match at each message's ends, \s and \b behave the same at a
# newline as at the end of a value (a context group that takes the newline writes it back),
# and the only classes that could run across a newline are the quoted values' [^"] and
# [^'], which _per_line closes to [^"\n] and [^'\n]. Checked by a test on real messages;
# and a block whose message count changes is masked again one message at a time.
_LINE_SAFE = frozenset(DEFAULT_MASKS)


def line_safe(masks: Sequence[Mask]) -> bool:
    """Whether ``masks`` may run over newline-joined messages (see :func:`apply_masks`)."""
    return all(m in _LINE_SAFE for m in masks)


def _per_line(pattern: str) -> str:
    return "(?m)" + pattern.replace('[^\\"]*', '[^\\"\\n]*').replace("[^']*", "[^'\\n]*")
