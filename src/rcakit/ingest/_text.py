"""Line formats for plain-text logs: ``raw``, ``text`` (timestamp + level heads) and ``syslog``.

``raw``
    Each physical line is one record, ``body`` = the line, nothing parsed. The fallback when
    no format recognises a file (there a stack trace's lines join the line above them:
    ``RAW_TRACES``), and the right choice when lines must not be joined.
``text``
    Application logs whose lines start with a timestamp and/or a level: log4j/logback,
    Spring Boot, Python ``logging`` (``%(asctime)s - %(name)s - %(levelname)s - %(message)s``
    and the bare ``ERROR:name:msg``), Go ``log`` and logrus/zap console output, Ruby/Rails
    ``Logger``, klog/glog (Kubernetes components). Stack traces and other continuation lines
    join their record (see :mod:`rcakit.ingest._multiline`).
``syslog``
    RFC 3164 (``<34>Oct 11 22:14:15 host su[123]: msg``, PRI optional, ISO stamps accepted)
    and RFC 5424 (``<165>1 2003-10-11T22:14:15.003Z host app 123 ID47 [sd@1 k="v"] msg``):
    PRI -> severity and ``facility``, host / app / procid / msgid and structured-data
    parameters -> ``attributes``, app-name / tag -> ``service``.

Each format decides on a sample which of its head variants a file uses and parses with only
those, as polars regex expressions (``str.extract_groups``), never per line in Python.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import polars as pl

from rcakit.ingest._base import LineFormat, ParseOptions, json_object, to_records
from rcakit.ingest._multiline import CONTINUATION, join_continuations
from rcakit.ingest._severity import severity_columns
from rcakit.ingest._timeparse import (
    ZONE_NAMES,
    infer_timestamp_rules,
    parse_timestamps,
    parse_year,
    years_in_order,
)

__all__ = ["RAW", "RAW_TRACES", "SYSLOG", "TEXT"]

_SAMPLE_ROWS = 200
#: rows looked through for record heads when the first ones are all continuation lines
_HEAD_SCAN_ROWS = 20_000


# --------------------------------------------------------------------------------------- raw


def _sniff_raw(sample: list[str]) -> float:
    return 0.0  # never chosen by detection; it is the fallback


def _parse_raw(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    return to_records(
        lines.with_columns(
            pl.col("line").alias("body"),
            pl.lit(1, dtype=pl.UInt32).alias("n_lines"),
        )
    )


RAW = LineFormat(
    name="raw",
    description="one record per physical line, body = the line, nothing parsed",
    sniff=_sniff_raw,
    parse=_parse_raw,
)

#: The lines of a stack trace that join the line above them in a file no format recognises:
#: a frame (Java's, Node's and .NET's indented ``at ...``, Python's ``  File "x.py", line 3``),
#: Java's ``Caused by:``, ``Suppressed:`` and ``... 12 more``, Python's ``Traceback (most
#: recent call last):``
_RAW_FRAME = (
    r"^(?:[ \t]+at[ \t]|[ \t]*\.\.\.[ \t]*\d+[ \t]+(?:more|common)|[ \t]*Caused by\b|[ \t]*Suppressed:"
    r'|[ \t]+File "[^"]*", line \d+|Traceback \(most recent call last\):)'
)
#: Lines that join when next to a frame: an exception's line (``java.io.IOException: ...``
#: above its frames, ``ValueError: boom`` under Python's), an indented line (the source
#: line under Python's frame, .NET's ``--- End of inner exception stack trace ---``)
_RAW_BESIDE_FRAME = r"^(?:[ \t]+\S|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(?:Exception|Error|Throwable)\b)"


def _parse_raw_traces(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    """``raw``, except that the lines of a stack trace join the line above them, as in the
    other formats: a file no format recognises still has its traces (the one thing a line
    layout does not decide) as one record each. Only the frames themselves
    (:data:`_RAW_FRAME`) and the lines right beside them (:data:`_RAW_BESIDE_FRAME`, and one
    more such line under those: Python's exception line under a frame's source line) join:
    nothing else is known about the file's records."""
    frame = lines.collect()
    line = pl.col("line")
    marks = frame.select(line.str.contains(_RAW_FRAME).fill_null(False).alias("f"))["f"]
    if not marks.any():
        return _parse_raw(frame.lazy(), options)
    beside = frame.select(line.str.contains(_RAW_BESIDE_FRAME).fill_null(False).alias("b"))["b"]
    f, b = pl.col("f"), pl.col("b")
    near = f | (b & (f.shift(-1, fill_value=False) | f.shift(1, fill_value=False)))
    joins = (
        pl.DataFrame({"f": marks, "b": beside})
        .select((near | (b & near.shift(1, fill_value=False))) & (pl.int_range(pl.len()) > 0))
        .to_series()
    )
    # (the first line is a record's head: every other line joins one or is one)
    return to_records(
        join_continuations(
            frame.with_columns(pl.col("line").alias("body"), joins.alias("_joins")).lazy(),
            is_head=~pl.col("_joins"),
            unmatched_error="",
            all_continue=True,
        )
    )


#: ``raw`` as chosen by detection: a stack trace's lines join the line above them (see
#: :func:`_parse_raw_traces`); ``format="raw"`` keeps one record per physical line
RAW_TRACES = LineFormat(
    name="raw",
    description="one record per physical line, a stack trace's lines joined to the line above them",
    sniff=_sniff_raw,
    parse=_parse_raw_traces,
)


# ------------------------------------------------------------------------ shared machinery

#: the level fields' abbreviations (Serilog's and zerolog's three letters, logrus' and
#: supervisord's four): levels in a head's level field; a text message after head fields
#: that starts with one bare starts with a word (Pi-hole's "FTL version: v5.25", see
#: _TEXT_MSG_LEVEL)
_LEVEL_TOKENS = ["TRC", "DBG", "INF", "WRN", "FTL", "CRT", "EMR", "VRB", "ERRO", "DEBG", "BLAT", "PNC", "DEBU", "TRAC", "FATA", "PANI"]
_LEVEL_WORDS = ["TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "WARNING", "ERROR", "ERR", "FATAL", "CRITICAL", "CRIT", "SEVERE", "PANIC", "DPANIC", "ALERT", "EMERG", "EMERGENCY", "FINEST", "FINER", "FINE", "CONFIG", "VERBOSE", *_LEVEL_TOKENS]
# upper, lower and capitalised spellings spelled out: a case-insensitive group is Unicode
# case folding in polars' regex engine, which is much slower
_LEVEL = "(?:" + "|".join(
    sorted({w for word in _LEVEL_WORDS for w in (word, word.lower(), word.capitalize())}, key=lambda w: (-len(w), w))
) + "|LOG)"  # PostgreSQL's LOG, upper case only: "log" starts many messages
# (supervisord's ERRO, DEBG, BLAT (blather), zerolog's PNC (panic) among the words: spelled
# after the others, as upper case only, they made every head regex ~1.7x slower)
# level words of localised runtimes and apps (java.util.logging's, log4net's, in-house ones):
# German, French, Spanish, Italian, Portuguese in upper case; Japanese, Chinese (see _severity)
_LOCAL_LEVEL = (
    "SCHWERWIEGEND|KRITISCH|WARNUNG|FEHLER|AVERTISSEMENT|CRITIQUE|ERREUR|GRAVE|ADVERTENCIA|INFORMACIÓN|INFORMACION"
    "|AVVERTENZA|ERRORE|AVISO|INFORMAÇÃO|情報|警告|エラー|重大|致命的|デバッグ|信息|警告|错误|严重|调试"
)
# macOS unified logging's message types ("log show")
_MACOS_LEVEL = "Default|Info|Debug|Error|Fault"
# ... and its codes for them in "log show --style compact" (A: an activity's creation)
_MACOS_CODE = "Df|Db|Fa|I|E|A"
_MACOS_CODES = {"Df": "info", "Db": "debug", "Fa": "fatal", "I": "info", "E": "error", "A": "info"}
# the Java Service Wrapper's levels (STATUS: the wrapper's own state changes)
_TANUKI_LEVEL = "STATUS|ADVICE|DEBUG|INFO|NOTICE|WARN|ERROR|FATAL"
# PHP's error levels as its error log writes them
_PHP_LEVEL = "Fatal error|Parse error|Catchable fatal error|Recoverable fatal error|Warning|Notice|Deprecated|Strict Standards"
_REDIS_LEVELS = {".": "debug", "-": "verbose", "*": "notice", "#": "warning"}
# Papertrail's severity names (its archive's severity column)
_PAPERTRAIL_LEVEL = "Emergency|Alert|Critical|Error|Warning|Notice|Info|Debug"
# WebLogic's severities
_WEBLOGIC_LEVEL = "Trace|Debug|Info|Notice|Warning|Error|Critical|Alert|Emergency"
# WebSphere's one-letter event types, as level words (System.err output is a warning: it is
# where uncaught stack traces go, and where libraries print what they please)
_WEBSPHERE_LEVELS = {
    "O": "info", "R": "warning", "A": "info", "I": "info", "W": "warning", "E": "error", "F": "fatal",
    "C": "info", "D": "debug", "Z": "info",
}
# Ansible's failed-task and warning marks, as levels
_ANSIBLE_LEVEL = r"fatal|failed|\[WARNING\]|\[DEPRECATION WARNING\]|\[ERROR\]"
_ANSIBLE_LEVELS = {"fatal": "error", "failed": "error", "[WARNING]": "warning", "[DEPRECATION WARNING]": "warning", "[ERROR]": "error"}
# GitHub Actions' workflow commands: annotations are levels, the others information
_GHA_LEVEL = "error|warning|notice|debug|group|endgroup|command|section"
_GHA_LEVELS = {"group": "info", "endgroup": "info", "command": "info", "section": "info"}
# MySQL's error-log priorities (System and Note are informational)
_MYSQL_LEVEL = "System|Note|Warning|ERROR|Error"
# logrus' four-letter levels on a terminal
_LOGRUS_LEVEL = "TRAC|DEBU|INFO|WARN|ERRO|FATA|PANI"
# log15's levels (go-ethereum writes them padded to five, log15 as four letters;
# Tendermint's TMFmtLogger writes their first letter)
_LOG15_LEVEL = "TRACE|DEBUG|INFO|WARN|ERROR|CRIT|TRCE|DBUG|EROR|D|I|E"
# ClickHouse's levels
_CLICKHOUSE_LEVEL = "Trace|Debug|Information|Notice|Warning|Error|Critical|Fatal"
# Python logging's level names
_PY_LEVEL = "DEBUG|INFO|WARNING|ERROR|CRITICAL"
# npm's log levels ("timing" ranks between "http" and "info")
_NPM_LEVEL = "silly|verbose|timing|http|notice|info|warn|error"
_NPM_LEVELS = {"timing": "info"}
# Erlang/OTP report kinds: a crash or supervisor report is an error, a progress report information
_ERLANG_LEVEL = "INFO|ERROR|WARNING|CRASH|SUPERVISOR|PROGRESS"
_ERLANG_LEVELS = {"CRASH": "error", "SUPERVISOR": "error", "PROGRESS": "info"}
# IBM Db2's diagnostic levels (an Event is a state change: informational)
_DB2_LEVEL = "Info|Warning|Error|Severe|Critical|Event"
_DB2_LEVELS = {"Event": "info"}
# Oracle ODL's message types, with a level 1-32 after a colon (see _ODL_LEVELS)
_ODL_LEVEL = "(?:INCIDENT_ERROR|ERROR|WARNING|NOTIFICATION|TRACE)(?::[0-9]{1,2})?"
# ODL's types and levels as level words: NOTIFICATION 1 is INFO, 16 and 32 CONFIG; TRACE
# 1, 16, 32 are FINE, FINER, FINEST; an INCIDENT_ERROR is an error that opened an incident
_ODL_LEVELS = {
    "INCIDENT_ERROR": "error", "NOTIFICATION": "info",
    **{f"{kind}:{n}": word for kind, word in (("INCIDENT_ERROR", "error"), ("ERROR", "error"), ("WARNING", "warning"))
       for n in range(1, 33)},
    **{f"NOTIFICATION:{n}": "info" if n < 16 else "config" for n in range(1, 33)},
    **{f"TRACE:{n}": "fine" if n < 16 else "finer" if n < 32 else "finest" for n in range(1, 33)},
}
# BIRD's message classes (RMT: a remote side misbehaving; AUTH: authorisation; BUG: an
# internal error), and the syslog priorities BIRD gives them
#: 389 Directory Server's error log levels (see the "389ds" variant)
_389DS_LEVEL = "EMERG|ALERT|CRIT|ERR|WARNING|WARN|NOTICE|INFO|DEBUG"
_BIRD_LEVEL = "TRACE|DBG|INFO|RMT|REMOTE|WARN|ERR|AUTH|BUG|FATAL"
_BIRD_LEVELS = {"DBG": "debug", "RMT": "error", "REMOTE": "error", "AUTH": "error", "BUG": "critical",
                "FATAL": "critical"}
# coturn's levels (CONTROL: a session's allocation, refresh and the like, syslog's notice)
_COTURN_LEVEL = "DEBUG|INFO|CONTROL|WARNING|ERROR"
# linuxptp's programs
_LINUXPTP = "ptp4l|phc2sys|ts2phc|timemaster|tz2alt|nsm|phc_ctl"
#: the monotonic clock's seconds linuxptp's programs start a syslog message with
_LINUXPTP_MONOTONIC = r"^\[\d+\.\d{3}\] "
# Graphite carbon's log types (each its own file when logging to a directory; on standard
# output in brackets after " :: ")
_CARBON_TYPES = "console|cache|clients|creates|updates|listener|relay|writer|aggregator"
# .NET's level names in full (Microsoft.Extensions.Logging)
_DOTNET_LEVEL = "Information|Trace|Debug|Warning|Error|Critical"
# Icinga 2's levels ("information" in full)
_ICINGA_LEVEL = "information|notice|warning|critical|debug"
# VMware ESXi's levels: words (hostd, vpxa before ESXi 8), or two letters (ESXi 8)
_VMWARE_LEVEL = "verbose|info|warning|error|In|Wa|Er|Db|Vb|No|Cr|Al|Em"
_VMWARE_LEVELS = {"In": "info", "Wa": "warning", "Er": "error", "Db": "debug", "Vb": "verbose", "No": "notice",
                  "Cr": "critical", "Al": "alert", "Em": "emerg"}
# syslog's severity numbers as level words
_SYSLOG_NUMBER_LEVELS = {"0": "emerg", "1": "alert", "2": "crit", "3": "err", "4": "warning", "5": "notice", "6": "info",
                         "7": "debug"}
# SQL Server Agent's message marks
_SQLAGENT_LEVELS = {"?": "info", "+": "warning", "!": "error"}
#: pgBackRest's levels (DETAIL, between INFO and DEBUG, reads as DEBUG, as other products'
#: detail and verbose levels do)
_PGBACKREST_LEVEL = "ERROR|WARN|INFO|DETAIL|DEBUG|TRACE"
# CUPS' level letters (LogLevel alert ... debug2)
_CUPS_LEVELS = {"X": "emerg", "A": "alert", "C": "critical", "E": "error", "W": "warning", "N": "notice", "I": "info",
                "D": "debug", "d": "debug"}
# SAP HANA's trace level letters
_HANA_LEVELS = {"f": "fatal", "e": "error", "w": "warning", "i": "info", "d": "debug"}
# SSSD's debug levels (0x0010 fatal failures ... 0x0080 minor failures, then configuration,
# function data and the trace levels)
_SSSD_LEVELS = {
    **{f"0x{n:04x}": "trace" for n in (0x0400, 0x1000, 0x2000, 0x4000, 0x10000)},
    "0x0010": "fatal", "0x0020": "critical", "0x0040": "error", "0x0080": "warning", "0x0100": "info",
    "0x0200": "debug", "0x8000": "debug", "0x20000": "debug",
}
# Xorg's message markers ((??) unknown: no level)
_XORG_LEVELS = {"II": "info", "WW": "warning", "EE": "error", "NI": "info", "==": "info", "--": "info", "**": "info",
                "++": "info", "!!": "notice"}
# IBM MQ's message severities (the id's last letter)
_MQ_LEVELS = {"I": "info", "W": "warning", "E": "error", "S": "critical"}
# Samba's debug levels (DBGLVL_ERR 0, WARNING 1, NOTICE 2, INFO 3, DEBUG above)
_SAMBA_LEVELS = {"0": "error", "1": "warning", "2": "notice", "3": "info", **{str(n): "debug" for n in range(4, 11)}}
# dnf's debug levels: DDEBUG between DEBUG and SUBDEBUG, SUBDEBUG above TRACE
_DNF_LEVELS = {"DDEBUG": "debug", "SUBDEBUG": "trace"}
# Node-RED's levels (its audit and metric entries are information)
_NODE_RED_LEVEL = "fatal|error|warn|info|debug|trace|audit|metric"
_NODE_RED_LEVELS = {"audit": "info", "metric": "info"}
_NODE_RED_HEAD = rf"^(?P<ts>\d{{1,2}} [A-Z][a-z]{{2}} \d{{2}}:\d{{2}}:\d{{2}}) - \[(?P<level>{_NODE_RED_LEVEL})\] "
#: "19 Nov 09:02:07" -> "Nov 19 09:02:07" (year-less, as syslog's: dated alike)
_NODE_RED_STAMP = ((r"^(\d{1,2}) ([A-Z][a-z]{2}) ", "${2} ${1} "),)
# an ISO-like date-time as the first thing on a line, optionally bracketed
_ISO = (
    r"\d{4}[-/.]\d{2}[-/.]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"
    r"(?:[ \t][AaPp][Mm]\b)?"  # a 12-hour clock (small Windows agents: "2024-03-05 01:00:01 PM")
    rf"(?:\s?(?:Z|UTC|GMT|[+-]\d{{2}}:?\d{{2}})|[ \t](?:{ZONE_NAMES})\b)?"
)
# Ansible's log_path head: the stamp, p= u= n=, a bar
_ANSIBLE_HEAD = rf"^(?P<ts>{_ISO})[ \t]+(?P<mdc>p=\d+ u=\S+(?: n=\S+)?)[ \t]+\|[ \t]+"
# Rust's tracing: its level words, its span chain ('outbound:proxy{addr=10.0.2.7:8080}:'), and
# the head of its fmt layer's lines: the stamp, the level padded to five, an optional thread
_TRACING_LEVEL = "TRACE|DEBUG|INFO|WARN|ERROR"
_TRACING_SPANS = r"(?:[A-Za-z_][\w\-]*(?:\{[^{}]*\})?:)+"
_TRACING_HEAD = rf"^(?P<ts>{_ISO})[ \t]+(?P<level>{_TRACING_LEVEL})[ \t]+(?:(?P<thread>ThreadId\(\d+\))[ \t]+)?"
# the other stamp layouts a text log line may start with (all known to parse_timestamps)
_STAMP = (
    rf"(?:{_ISO}"
    r"|\d{6}[ \t]\d{6}"  # yyMMdd HHmmss (HDFS)
    r"|\d{6}[ \t]+\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"  # yyMMdd H:mm:ss (MySQL 5.5, MariaDB's mysqld_safe)
    r"|\d{2}/\d{2}/\d{2}[ \t]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"  # yy/MM/dd (Spark, log4j 1)
    # MM/dd/yyyy or dd/MM/yyyy (the sample decides), dd.MM.yyyy; 12-hour clocks too; a comma
    # after the date (JavaScript's toLocaleString: "03/05/2024, 10:00:31 AM")
    r"|(?:\d{1,2}/\d{1,2}/|\d{1,2}\.\d{1,2}\.)\d{4},?[ \t]\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:[ \t]?[AaPp][Mm]\b)?"
    r"|\d{2}[-.]\d{2}[ \t]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"  # year-less MM-dd (logcat)
    r"|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}(?:\.\d+)? \d{4}"  # ctime (Apache error)
    # Tomcat; PHP's error log, whose stamp may end with UTC (WordPress' own lines in it)
    # (an Italian JVM's Tomcat writes its month in lower case: "15-ott-2024")
    # (Oracle's listener.log writes it in upper case: "05-MAR-2024 10:00:00 * ...")
    # (a Spanish, French, German, Portuguese or Dutch JVM's: "30-nov.-2026", "30-März-2026")
    r"|\d{1,2}-(?:[A-Za-z][a-z]{2}|[A-Z]{3}|[A-Za-zéûä][a-zéûä]{2,3}\.?)-\d{4} \d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"
    r"(?: (?:UTC|GMT)\b)?"
    # yyyyMMdd-H:mm:ss:SSS (HealthApp-style), yyyyMMdd HH:mm:ss (MariaDB's audit log)
    r"|\d{8}[- \t]\d{1,2}:\d{2}:\d{2}(?:[:.,]\d{1,9})?"
    # year-less month-name day, without a syslog host and tag after it (yum.log, strongSwan);
    # a file of syslog lines is the syslog format's (see _sniff_text)
    r"|[A-Z][a-z]{2} [ \d]?\d \d{2}:\d{2}:\d{2}(?:\.\d{1,9})?"
    # month-name day, a year or none, a 12-hour clock (Netlify's function log: "Mar 5, 10:00:31 AM")
    r"|[A-Z][a-z]{2} \d{1,2}, (?:\d{4},? )?\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})?[ \t]?[AaPp][Mm]\b"
    # year month-name day (TIBCO BusinessWorks: "2024 Mar 05 10:00:31:123 GMT +1")
    r"|\d{4} [A-Z][a-z]{2} [ \d]?\d \d{2}:\d{2}:\d{2}(?:[.,:]\d{1,9})?(?: (?:GMT|UTC)(?: ?[+-]\d{1,2}(?::?\d{2})?)?)?"
    r"|\d{8}T\d{6}(?:[.,]\d{1,9})?(?:Z|[+-]\d{4})?"  # ISO 8601 basic
    # compact yyyyMMddHHmmss, milliseconds maybe (fixed-width batch logs: "20240305100007 PAYRUN01 E ...")
    r"|(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])[0-5]\d[0-5]\d(?:\d{3})?\b"
    r")"
)
_CONTINUATION = re.compile(CONTINUATION)
_TIME_ONLY = re.compile(r"^\[?\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?\]?$")
# between the stamp and what follows: blanks, " - ", " | ", ", "
_SEP = r"(?:[ \t]+[-|][ \t]+|[ \t]*\|[ \t]*|,?[ \t]+)"


@dataclass(frozen=True, slots=True)
class _Variant:
    """One head layout: a regex with (some of) the named groups of :data:`_FIELDS`."""

    name: str
    regex: str
    #: what the ``level`` group may hold in a strict head regex (see :func:`_specialise`);
    #: default: the level words, or Redis' level marks
    levels: str | None = None
    #: the regex only recognises the line, which is all message (no head, no fields)
    whole_line: bool = False
    #: a line it matches starts a record even in a file whose records all start with a stamp
    #: (see :func:`_stamped_records`), and does not count against that
    own_record: bool = False
    #: the body keeps the whole line, head included (its words are the message: apt's
    #: "Start-Date: ...", msiexec's "=== Verbose logging started: ... ===")
    keep_line: bool = False
    #: strict head regexes may be made from the sample's heads (see :func:`_specialise`); not
    #: where one head's shape is another's start with a field less (Janus' "[stamp] [WARN] "
    #: and "[stamp] [ERR] [ice.c:func:1886] "): the shorter one would read the longer one's
    #: field as message
    specialise: bool = True

    @property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.regex)

    @property
    def head(self) -> str:
        """The regex without its trailing message, the whole head captured as ``_h``.

        Matching only the head lets the regex engine find the match with its fast DFA and
        resolve capture groups over a few dozen characters instead of the whole line; the
        message is then the rest of the line (``str.slice``). Several times faster.
        """
        tail = "(?P<msg>.*)$"
        if not self.regex.endswith(tail) or not self.regex.startswith("^"):
            msg = f"variant {self.name}: regex must be '^...{tail}'"
            raise ValueError(msg)
        return "^(?P<_h>" + ascii_classes(self.regex[1 : -len(tail)]) + ")"


_ASCII = {"d": "0-9", "s": " \\t", "w": "A-Za-z0-9_"}


def ascii_classes(regex: str) -> str:
    r"""Replace ``\d``, ``\s``, ``\w`` by their ASCII sets (inside and outside ``[...]``).

    polars' regex engine makes them Unicode-aware, which multiplies the automaton's size and
    slows capture matching several times; log heads are ASCII.
    """
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(regex):
        ch = regex[i]
        if ch == "\\" and i + 1 < len(regex):
            nxt = regex[i + 1]
            if nxt in _ASCII:
                out.append(_ASCII[nxt] if in_class else f"[{_ASCII[nxt]}]")
            else:
                out.append(regex[i : i + 2])
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            if regex[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if regex[i + 1 : i + 2] == "]":  # a literal ] right after [ or [^
                out.append("]")
                i += 1
        elif ch == "]" and in_class:
            in_class = False
            out.append(ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


#: a bracket of the head holding only a trace id (log4j's "%d %p [%t] [%X{traceId}] %c - "
#: with a bare W3C or B3 id): the trace id, not the thread
_HEX_THREAD = pl.col("thread").str.strip_chars().str.contains(r"^(?:[0-9a-f]{32}|[0-9a-f]{16})$").fill_null(False)

# Standard fields a head regex may capture; ``msg`` is mandatory (it marks a match).
_FIELDS = ("ts", "level", "logger", "thread", "pid", "mdc", "code", "msg")
# a trace id in an MDC block or key=value text
_TRACE_KV = r"(?:[Tt]race[_.-]?[Ii][Dd]|TRACE_ID|[Xx]-[Bb]3-[Tt]race[Ii]d)[=:][ \t]*([0-9A-Za-z-]{8,64})|[Tt]race=([0-9A-Za-z-]{8,64})"
_TRACE_KEY = r"(?:(?:[Tt]race[_.-]?[Ii][Dd]|TRACE_ID|[Xx]-[Bb]3-[Tt]race[Ii]d)[=:]|[Tt]race=)[ \t]*"
#: Spring Cloud Sleuth's "[app,traceId,spanId(,exportable)]": the trace id is the second field
_SLEUTH = r"^[\w.\-]*,([0-9a-fA-F]{16,32}),[0-9a-fA-F]{16}(?:,\w+)?$"


def _trace_ids(values: pl.Series) -> pl.Series:
    """``values.str.extract(_TRACE_KV, 1)`` without a capture pass over every row.

    The text after the first key is cut with capture-free replacements (the regex engine's
    DFA), the id is its leading run of id characters (at most 64). A row whose first key is
    followed by fewer than 8 id characters may hold a later key: those few rows go through
    the capture regex.
    """
    values = values.cast(pl.String)
    has_key = values.str.contains(_TRACE_KEY).fill_null(False)
    if not has_key.any():
        if values.str.contains(",", literal=True).any():
            return values.str.extract(_SLEUTH, 1).alias(values.name)
        return pl.repeat(None, len(values), dtype=pl.String, eager=True).alias(values.name)
    after = values.str.replace(f"(?s)^.*?{_TRACE_KEY}", "")
    run = after.str.replace("(?s)[^0-9A-Za-z-].*$", "")
    ids = run.str.slice(0, 64)
    short = has_key & (run.str.len_bytes() < 8)
    out = pl.select(pl.when(has_key & ~short).then(ids).otherwise(None).alias(values.name)).to_series()
    if short.any():
        idx = short.arg_true()
        got = values.gather(idx).str.extract_groups(_TRACE_KV)
        out = out.scatter(idx, pl.select(pl.coalesce(got.struct.field("1"), got.struct.field("2"))).to_series())
    return out


def _pick_variants(variants: tuple[_Variant, ...], sample: list[str]) -> tuple[_Variant, ...]:
    """The variants needed to cover the sample, in priority (registry) order.

    A variant is kept only when it matches a sample line that no earlier kept variant
    matches: each kept variant costs a pass over every line.
    """
    chosen: list[_Variant] = []
    covered: set[int] = set()
    for v in variants:
        hits = {i for i, s in enumerate(sample) if i not in covered and v.compiled.match(s)}
        if hits:
            chosen.append(v)
            covered |= hits
    return tuple(chosen) or variants


def _head_share(variants: tuple[_Variant, ...], sample: list[str]) -> float:
    """Share of the sample's head-candidate lines that some variant matches.

    Lines that look like continuations (stack frames, indented lines) are neutral, so a file
    heavy in stack traces still scores by its record heads.
    """
    cont = _CONTINUATION
    compiled = [v.compiled for v in variants]
    heads = misses = 0
    for line in sample:
        if any(c.match(line) for c in compiled):
            heads += 1
        elif not cont.match(line):
            misses += 1
    return heads / (heads + misses) if heads else 0.0


def _line_sample(lines: pl.LazyFrame) -> list[str]:
    """The first non-blank lines; when they are nearly all continuation lines (a file cut
    inside a long stack trace), the first record heads further down instead."""
    rows = lines.select("line").head(_SAMPLE_ROWS).collect()["line"].to_list()
    sample = [r for r in rows if r and r.strip()]
    cont = _CONTINUATION
    # (Zabbix pads its heads' process ids with blanks: not continuation lines)
    indented = _INDENTED_HEAD.compiled
    if sum(not cont.match(s) or bool(indented.match(s)) for s in sample) >= max(1, len(sample) // 5):
        return sample
    more = (
        lines.select("line").head(_HEAD_SCAN_ROWS).filter(pl.col("line").str.strip_chars() != "").collect()["line"]
    )
    heads = [r for r in more.to_list() if not cont.match(r) or indented.match(r)][:_SAMPLE_ROWS]
    return heads or sample


def _field(group: pl.Expr, names: set[str], name: str) -> pl.Expr:
    """A standard field from an ``extract_groups`` struct; ``<name>_b``, ``<name>_c`` ... are
    alternative spots for it (the last in the line wins: "[ctx] [thread]")."""
    spots = [n for n in (name, *(f"{name}_{c}" for c in "bcdefghin")) if n in names]
    if not spots:
        return pl.lit(None, dtype=pl.String)
    return pl.coalesce([group.struct.field(n) for n in spots])


def _extract_variants(
    lines: pl.LazyFrame,
    variants: tuple[_Variant, ...],
    fields: tuple[str, ...] = _FIELDS,
) -> pl.LazyFrame:
    """Add ``fields``, ``msg`` and ``_matched`` by trying the variants in order.

    The first variant runs on every line, each next one only on the lines no earlier one
    matched (most files need one pass). A row's fields all come from the first variant
    that matched it; ``msg`` is the rest of the line after the matched head.
    """
    frame = lines.collect()
    names_all = [f for f in fields if f != "msg"]
    out = _first_fit(frame, variants, names_all)
    return out.lazy().with_columns(
        pl.col("_h").is_not_null().alias("_matched"),
        pl.col("line").str.slice(pl.col("_h")).alias("msg"),
    ).drop("_h")


def _first_fit(frame: pl.DataFrame, variants: tuple[_Variant, ...], names: list[str]) -> pl.DataFrame:
    """``frame`` with ``names`` and ``_h`` (head length in characters, null: no variant fits).

    The rows the first variant leaves are parsed by the next ones and scattered back, so
    the (large) frame is neither filtered, concatenated nor sorted.
    """
    if not variants:
        return frame.with_columns(
            *[pl.lit(None, dtype=pl.String).alias(f) for f in names], pl.lit(None, dtype=pl.UInt32).alias("_h")
        )
    v, others = variants[0], variants[1:]
    if v.whole_line:
        got = frame.with_columns(
            *[pl.lit(None, dtype=pl.String).alias(f) for f in names],
            pl.when(pl.col("line").str.contains(ascii_classes(v.regex))).then(pl.lit(0, dtype=pl.UInt32)).alias("_h"),
        )
    else:
        groups = set(re.compile(v.head).groupindex)
        got = frame.with_columns(pl.col("line").str.extract_groups(v.head).alias("_g"))
        got = got.with_columns(
            *[_field(pl.col("_g"), groups, f).alias(f) for f in names],
            pl.col("_g").struct.field("_h").str.len_chars().alias("_h"),
        ).drop("_g")
    miss = got["_h"].is_null()
    if not others or not miss.any():
        return got
    idx = miss.arg_true()
    rest = _first_fit(frame[idx], others, names)
    return got.with_columns([got[c].scatter(idx, rest[c]) for c in [*names, "_h"]])


# What a group may hold in a specialised head regex (see _specialise).
_GROUP_CLASS = {
    "level": None,  # the level alternation
    "pid": "[0-9]+",
    "pid_b": "[0-9]+",
    # (lazy: a thread that is not in brackets, Lambda's tab-separated request id, must not
    # run on into the level and the message; inside brackets lazy and greedy agree)
    "thread": "[^\\]]*?",
    "thread_b": "[^\\]]*?",
    "thread_c": "[^\\]]*?",
    "thread_d": "[^\\]]*?",
    "thread_e": "[A-Za-z0-9_$\\-:]+",
    "thread_f": "[^()\n]*",
    "thread_g": "(?:[^\\[\\]]|\\[[^\\[\\]]*\\])*",  # brackets nested once (Mule)
    "thread_n": "[0-9]+",  # a thread id without brackets (MySQL)
    "code": "(?:MY-)?[0-9]+",  # MySQL's error code, .NET's event id
    "seq": "[0-9]+",  # an entry counter (CockroachDB), not kept
    "code_b": "[^ \t]+:[0-9]+",  # a source file and line (zap's caller)
    "code_c": "[A-Z][0-9]+[A-Z][0-9]+",  # Db2's record id
    "code_d": "[^\\]]*",  # katip's source location
    "code_e": "[^ \t()]+(?: [^ \t()]+)*",  # a source in parentheses (Datadog's agent, Samba)
    "method": "[A-Za-z0-9_$<>]+",  # java.util.logging's source method, not kept
    "code_g": "[^ \t]+ [0-9]+",  # a source file and its line after a blank (Calico's Felix)
    "code_f": "[^\\[\\] \t]+",  # a message code in brackets (IBM DataPower's "[0x80e00073]")
    "logger_g": "[^\\[\\] \t]+",  # a category in brackets, glued to the level's (DataPower)
    # a span chain (Rust tracing: 'outbound:proxy{addr=10.0.2.7:8080}:')
    "mdc_d": "(?:[A-Za-z_][A-Za-z0-9_\\-]*(?:\\{[^{}]*\\})?:)+",
    "mdc": "[^\\]]*",
    "mdc_b": "[A-Za-z0-9_.\\-]+=[^\\s\\[\\]]+(?:[ \t]+[A-Za-z0-9_.\\-]+=[^\\s\\[\\]]+)*",
    "mdc_e": "[^\\[\\]=]*",
    # ODL's supplemental fields ("[tid: [ACTIVE].ExecuteThread: '12' ...] [ecid: ...]")
    "mdc_g": "\\[[A-Za-z0-9_.\\-]+: (?:[^\\[\\]]|\\[[^\\[\\]]*\\])*\\](?: \\[[A-Za-z0-9_.\\-]+: (?:[^\\[\\]]|\\[[^\\[\\]]*\\])*\\])*",
    "mdc_f": "[^ \t\\[\\]=]+",  # one word: Nexus' user
    "mdc_i": "JobId [0-9]+",  # Bacula's job
    "mdc_c": "[A-Za-z0-9_.\\-]*,[0-9a-fA-F]*,[0-9a-fA-F]*(?:,[A-Za-z0-9_]+)?",
    "mdc_h": "[0-9a-f]{32}-[0-9a-f]{16}| +",  # Spring Boot 3.2's correlation (Micrometer tracing)
    "logger": "[A-Za-z0-9_$.\\-/:<>]+",
    "logger_b": "[A-Za-z0-9_$.\\-/:]+",
    "logger_d": "[A-Za-z0-9_$.\\-/<>]+(?:#[A-Za-z0-9_$]+)?",  # (Jenkins' "#method", Jitsi's "#line")
    "mdc_n": "[^\\[\\]=]*=[^\\[\\]]*",  # Jitsi's context
    "logger_e": "[A-Za-z0-9_$.\\-]+",
    "logger_f": "[^ \t()]+(?: [^ \t()]+)*?",  # Puppet's resource path
    # syslog
    "pri": "[0-9]{1,3}",
    "host": "[^ \t:\\[\\-][^ \t:\\[]*",
    "mark": "---",  # ("--- last message repeated": see rfc3164-repeated)
    "level_b": "[a-z]+",  # the level of a "<facility.level>" (Citrix ADC)
    "app": "[^ \t:\\[%][^ \t:\\[]*",
    "level_c": "[A-Za-z]+",  # a level after a syslog tag's pid: krb5kdc's "(info)", iOS' "<Error>"
    "procid": "[^\\]]*",
}


def _literal_pattern(text: str) -> str:
    # (a tab between fields stays a tab: in a tab-separated head a field may hold blanks,
    # Trino's "Service Thread")
    return "".join(
        ("\t+" if set(part) == {"\t"} else "[ \t]+") if part.isspace() else re.escape(part)
        for part in re.split(r"(\s+)", text)
        if part
    )


def _stamp_pattern(value: str) -> str:
    out = []
    for part in re.findall(r"[0-9]+|[A-Za-z]+|[^0-9A-Za-z]", value):
        if part.isdigit():
            out.append("[0-9]+")
        elif part.isalpha():
            out.append("[A-Za-z]+")
        else:
            out.append("[ \t]+" if part.isspace() else re.escape(part))
    return "".join(out)


def _specialise(variant: _Variant, sample: list[str], *, colon_blank: str | None = None) -> tuple[_Variant, ...]:
    """Strict head regexes for the layouts the sample's heads share (none if too scattered).

    The general variants are full of optional parts (thread before or after the level,
    logger, MDC, ...), which makes the regex engine's capture pass slow. When the sample's
    heads all have the same shape, e.g. ``<ts> <level> [<thread>] <logger> [<mdc>] - ``, a
    regex with exactly that shape parses the same lines several times faster; lines it
    does not fit fall through to the general variants. Up to :data:`_MAX_SHAPES` shapes are
    kept, most common first, each seen on at least a tenth of the sample's heads and all
    together on at least 80 %: each costs a pass over the lines the ones before it left.
    ``colon_blank`` replaces the blanks
    after a head that ends with ``:`` (syslog's ``tag: msg`` takes one optional space,
    ``" ?"``, not a run of blanks).
    """
    if variant.whole_line or not variant.specialise:
        return ()
    shapes: dict[str, int] = {}
    for line in sample:
        m = variant.compiled.match(line)
        if m is None:
            continue
        head_end = m.start("msg")
        spans = sorted(
            (m.start(g), m.end(g), g)
            for g in m.re.groupindex
            if g != "msg" and m.group(g) is not None and m.end(g) <= head_end
        )
        pattern, pos = "", 0
        for start, end, g in spans:
            if start < pos:  # nested groups: no simple shape
                return ()
            pattern += _literal_pattern(line[pos:start])
            if g == "ts":
                body = _stamp_pattern(m.group(g))
            elif g == "level":  # the variant's own levels, a level word, or Redis' level mark
                body = variant.levels or (
                    _LEVEL if re.fullmatch(_LEVEL, m.group(g))
                    else f"{_DOTNET_INFO}|{_LEVEL}" if re.fullmatch(_DOTNET_INFO, m.group(g))
                    else r"[.\-*#]"
                )
            elif g in _GROUP_CLASS:
                body = _GROUP_CLASS[g] or ""
            else:
                return ()
            pattern += f"(?P<{g}>{body})"
            pos = end
        tail = line[pos:head_end]
        if colon_blank is not None and tail.rstrip().endswith(":"):
            pattern += _literal_pattern(tail.rstrip()) + colon_blank
        else:
            pattern += _literal_pattern(tail)
        if variant.regex.endswith("$(?P<msg>.*)$"):  # a head that is the whole line
            pattern += "[ \t]*$"
        shapes[pattern] = shapes.get(pattern, 0) + 1
    total = sum(shapes.values())
    ranked = sorted(shapes.items(), key=lambda kv: -kv[1])[:_MAX_SHAPES]
    kept = [(shape, n) for shape, n in ranked if n * 10 >= total]
    if sum(n for _, n in kept) < 0.8 * total:
        return ()
    return tuple(
        _Variant(f"{variant.name}-fast{i}", "^" + shape + "(?P<msg>.*)$") for i, (shape, _) in enumerate(kept)
    )


#: Most specialised head regexes tried per file.
_MAX_SHAPES = 3


def _timestamp_expr(ts: pl.Expr, sample: list[str], options: ParseOptions) -> pl.Expr:
    if not options.wants("timestamp"):
        return pl.lit(None, dtype=pl.Datetime("us", "UTC"))
    if sample and all(_TIME_ONLY.match(s) for s in sample):
        return _dated_times(ts, options)
    rules = infer_timestamp_rules(sample, year=options.year) if sample else None
    return parse_timestamps(ts, tz=options.tz, year=parse_year(sample, options), rules=rules)


def _dated_times(ts: pl.Expr, options: ParseOptions) -> pl.Expr:
    """Times of day without a date, dated: the last one on the day of the file's
    modification time (the day before when its time of day is later than the file's), the
    ones before it counted back one day at each midnight the file crosses (a time more than
    12 hours earlier than the one before it). Over the lines in file order."""
    import warnings
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from rcakit.errors import RcakitWarning

    written = (options.mtime or datetime.now(UTC)).astimezone(ZoneInfo(options.tz))
    day = written.date()
    if options.undated is not None:
        options.undated.add(options.source)
    warnings.warn(
        f"{options.source or 'input'}: timestamps are times of day without a date; dated from the file's "
        f"modification time ({written:%Y-%m-%d %H:%M} {options.tz}): the last line on that day, or the day "
        "before if its time is later, one day back at each midnight the file crosses",
        RcakitWarning,
        stacklevel=2,
    )
    text = pl.concat_str(pl.lit(f"{day.isoformat()} "), ts.str.strip_chars("[] \t"))
    stamp = parse_timestamps(text, tz=options.tz, year=options.year)
    before = stamp.forward_fill().shift(1)
    crossed = (stamp < before - pl.duration(hours=12)).fill_null(False).cast(pl.Int64).cum_sum()
    dated = stamp - pl.duration(days=crossed.max() - crossed)
    # a file written just after midnight: its last line is from the day before
    late = dated.max() > pl.lit(written.astimezone(UTC) + timedelta(minutes=1)).cast(pl.Datetime("us", "UTC"))
    return pl.when(late).then(dated - pl.duration(days=1)).otherwise(dated)


# ---------------------------------------------------------------------------------- text

_STAMP_LINE = _Variant("stamp-line", rf"^(?P<ts>{_STAMP})[ \t]*$(?P<msg>.*)$")
_ERLANG_REPORT = _Variant(
    "erlang-report",
    rf"^=(?P<level>{_ERLANG_LEVEL}) REPORT={{4}} (?P<ts>\d{{1,2}}-[A-Z][a-z]{{2}}-\d{{4}}::\d{{2}}:\d{{2}}:\d{{2}}(?:\.\d+)?) ===[ \t]*$(?P<msg>.*)$",
    levels=_ERLANG_LEVEL,
)
_ERLANG_RE = _ERLANG_REPORT.compiled
_DJANGO_SERVER = _Variant(
    "django-server",
    r"^\[(?P<ts>\d{2}/[A-Z][a-z]{2}/\d{4} \d{2}:\d{2}:\d{2})\] (?P<msg>.*)$",
)
_DJANGO_SERVER_RE = re.compile(r'^\[\d{2}/[A-Z][a-z]{2}/\d{4} \d{2}:\d{2}:\d{2}\] "[A-Z]+ \S+ [^"]*" \d{3} ')
# django.request's messages for failed requests: 5xx at ERROR, 4xx at WARNING
_DJANGO_ERROR = "Internal Server Error|Service Unavailable|Bad Gateway|Gateway Timeout"
_DJANGO_WARNING = r"Not Found|Bad Request|Unauthorized|Forbidden(?: \([^)]*\))?|Method Not Allowed(?: \([^)]*\))?|Gone"
_DJANGO_REQUEST = f"{_DJANGO_ERROR}|{_DJANGO_WARNING}"
# uWSGI's request lines (its log mixes them with stamped and plain lines of its own):
#   [pid: 9|app: 0|req: 2/3] 10.0.0.12 () {40 vars in 701 bytes} [Fri Mar  1 10:00:07 2024]
#   POST /api/orders => generated 0 bytes in 2301 msecs (HTTP/1.1 500) 2 headers in 84 bytes ...
# (read as a request: see _uwsgi_requests)
_UWSGI = _Variant(
    "uwsgi",
    r"^\[pid: (?P<pid>\d+)\|app: [^|\]]*\|req: [^\]]*\] (?P<mdc>\S+) \([^)]*\) \{[^}]*\} "
    r"\[(?P<ts>[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})\] (?P<msg>.*)$",
)
_UWSGI_RE = _UWSGI.compiled
# Zabbix server, proxy and agent: the process id (padded to six characters), the date and
# the time of day with milliseconds
#     1240:20240301:100005.123 cannot send list of active checks to "10.0.0.7"
_INDENTED_HEAD = _Variant("zabbix", r"^[ \t]*(?P<pid>\d+):(?P<ts>\d{8}:\d{6}\.\d{3}) (?P<msg>.*)$")
# the level after a stamp, in brackets or not; a bracketed one may be glued to the message
# ("[info]Listening on :8080", as Fly.io prints it); before it may stand the program's tag
# and id, and a word: "unbound[1234:0] notice: ...", "app[9080e621c04e87] ams [info]..."
# (taken only with the level: a tag without one stays the message's)
#: .NET's Information without brackets (Azure App Service's "<stamp>  PID[4321] Information msg"):
#: a level word after a stamp (see _TAG_LEVEL) only; in _LEVEL it would slow every head regex
_DOTNET_INFO = "Information|INFORMATION|information"
#: the level words of a bracket glued to others (see _TAG_LEVEL)
_GLUED_LEVEL = "|".join(
    w for word in ("emerg", "alert", "critic", "crit", "critical", "fatal", "error", "err", "warning", "warn", "notice",
                   "info", "debug", "trace") for w in (word, word.upper())
)
# GitLab's job log head (see the "gitlab-job" variants): the stamp, the stream and O/E
_GITLAB_HEAD = r"^(?P<ts>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{1,9}Z)[ \t]+(?P<thread_e>[0-9a-f]{2}[OE])\+?[ \t]+"
_TAG_LEVEL = (
    # (a logger padded before its process id and a colon: fail2ban's "fail2ban.filter  [812]: INFO")
    r"(?:(?P<logger_e>[A-Za-z_][\w.\-]*)(?:\[(?P<thread_d>[^\]\s]*)\]:?|[ \t]+\[(?P<pid>\d+)\]:)[ \t]+"
    r"(?:(?P<mdc_f>[a-z]+)[ \t]+)?"
    # or a source file and line, maybe the function, and a colon (ProxySQL's
    # "MySQL_Monitor.cpp:1400:monitor_ping(): [ERROR]", a C program's "main.c:12: error: ")
    r"|(?P<code_b>[A-Za-z_][\w.\-/]*\.[A-Za-z]\w*:\d+):(?:(?P<method>[A-Za-z_][\w$<>]*)\(\):)?[ \t]+"
    r")?"
    rf"\[?(?P<level>{_DOTNET_INFO}|{_LEVEL})"
    # (the process id in a bracket glued to the level's, then the source file and its line
    # before a colon: Calico's components, Felix and Typha, "[INFO][85] felix/table.go 1263: ")
    r"(?:\]\[(?P<pid_b>\d+)\][ \t]+(?:(?P<code_g>[A-Za-z_][\w.\-/]*\.[A-Za-z]\w* \d+):[ \t]+)?"
    r"|[ \t]*\]:?[ \t]*|:?\s+)"
    # or brackets glued before a bracketed level (IBM DataPower's "[0x80e00073][mpgw][error]":
    # the message code and the category; its levels include "critic")
    r"|(?:\[(?P<code_f>[^\[\]\s]+)\])?\[(?P<logger_g>[^\[\]\s]+)\]"
    rf"\[(?P<level_c>{_GLUED_LEVEL})\][ \t]*"
)
def _log4j_regex(level: str) -> str:
    """The head of log4j / logback / Spring Boot / Kafka / zap console / logrus text lines
    (the ``log4j`` variant) with ``level`` the level alternation."""
    return (
        # (a thread's name may nest brackets: Gerrit's "[sshd-SshServer[6d9f8a2](port=29418)-nio2-thread-2]")
        rf"^\[?(?P<ts>{_STAMP})\]?{_SEP}(?:\[(?P<thread>(?:[^\[\]]|\[[^\[\]]*\])*)\]{_SEP})?(?:(?P<pid_b>\d+)[ \t]+)?"
        # (structlog's console pads the level inside its brackets: "[error    ]"; Fluent Bit
        # before it: "[ warn]")
        rf"(?:\[[ \t]*)?(?P<level>{level})(?:[ \t]*\])?:?{_SEP}"
        # (Spring Cloud Sleuth's "[app,traceId,spanId]" before Spring Boot's "<pid> --- ")
        r"(?:\[(?P<mdc_c>[\w.\-]*,[0-9a-fA-F]*,[0-9a-fA-F]*(?:,\w+)?)\]\s+)?"
        r"(?:(?P<pid>\d+)\s+---\s+)?"
        # then optionally "[ctx] [thread] logger [k=v mdc] - ": log4j %t %c, Spring Boot
        # "[app] [main] c.x.Y : ", Python "[name] [trace_id=..] - "; a bracket without a
        # separator after it belongs to the message (Kafka "INFO [KafkaServer id=1] ...")
        # (a thread's name may nest brackets and parentheses holding "=": ZooKeeper's
        # "[QuorumPeer[myid=1](plain=0.0.0.0:2181)(secure=disabled):o.a.z.s.q.Leader@590]")
        # (an IPv6 address in brackets inside them: "(plain=[0:0:0:0:0:0:0:0]:2181)")
        r"(?:(?:\[(?P<thread_c>(?:[^\[\]=]|\[[^\[\]]*\]|\((?:[^()\[\]]|\[[^\[\]()]*\])*\))*)\]\s+)?"
        r"(?:\[(?P<thread_b>(?:[^\[\]=]|\[[^\[\]]*\]|\((?:[^()\[\]]|\[[^\[\]()]*\])*\))*)\]\s+)?"
        # (Spring Boot 3.2+ writes the application's name before the thread, "[orders-api]
        # [main]", and Micrometer tracing's correlation after it: "[<traceId>-<spanId>] ",
        # blanks when the line has no trace)
        r"(?:\[(?P<mdc_h>[0-9a-f]{32}-[0-9a-f]{16}| +)\]\s+)?"
        # (loguru's "module:function:line" has "<module>" at a script's top level)
        # (a bracket without "=" right after the logger is its context: log4net's NDC
        # "%logger [%ndc] - ", "[(null)]" when empty; Flink's empty MDC "[] - ")
        # (Tomcat's servlet loggers name the container path in brackets, which logback
        # abbreviates: "o.a.c.c.C.[.[.[/].[dispatcherServlet]")
        r"(?:(?P<logger>[\w$.\-/:<>]+(?:\.\[[\w$.\-/\[\]]*)?)\s+(?:\[(?P<mdc_e>[^\[\]=]*)\]\s+)?)?"
        r"(?:\[(?P<mdc>[^\]]*=[^\]]*)\]\s+)?"
        # (an MDC without brackets: log4j's "%c traceId=%X{traceId} - %m")
        # (Metabase's "%logger{2} :: %message")
        r"(?:(?P<mdc_b>[\w.\-]+=[^\s\[\]]+(?:[ \t]+[\w.\-]+=[^\s\[\]]+)*)[ \t]+)?(?:::|[-:|])\s+"
        # or a dotted logger glued to its colon: "dfs.DataNode$PacketResponder: msg"
        # (Jenkins adds the method after a "#": "hudson.model.AsyncPeriodicWork#lambda$doRun$1: ")
        # (Jitsi's formatter: the thread, the context's key=value pairs in brackets, the
        # class.method and its line after a "#": "[57] [confId=1a epId=2b] Endpoint.expire#1234: ")
        r"|(?:\[(?P<thread_d>[^\]=]*)\]\s+)?(?:\[(?P<mdc_n>[^\[\]=]*=[^\[\]]*)\]\s+)?"
        r"(?P<logger_d>[A-Za-z_$][\w$\-/]*(?:\.[\w$\-/<>]+)+(?:#[\w$]+)?):\s+"
        # or one name in brackets, then the message: Python's "%(levelname)s [%(name)s]
        # %(message)s" ("ERROR [orders.db] query failed"), logback's "[%thread] %msg"; WildFly's
        # "[%c] (%t) " adds the thread in parentheses (a bracket holding blanks or "=" is the
        # message's: Kafka's "[KafkaServer id=1]")
        r"|\[(?:(?P<logger_e>[A-Za-z_$][\w$\-]*(?:\.[\w$\-]+)+)|(?P<thread_e>[\w$\-:]+))\][ \t]+"
        r"(?:\((?P<thread_f>[^()\n]*)\)[ \t]+)?"
        # or the logger and its line in parentheses, then a colon (Mirth Connect's
        # "%-5p (%c:%L): %m")
        # (a script's logger has no dots and no line: "(transformer:?): ")
        r"|\((?P<logger_f>[A-Za-z_$][\w$]*(?:\.[\w$]+)*):(?P<code>\d+|\?)\):[ \t]+)?"
        r"(?P<msg>.*)$"
    )


_TEXT_VARIANTS: tuple[_Variant, ...] = (
    # Rails / Ruby Logger: E, [2024-01-02T03:04:05.123 #123] ERROR -- app: msg
    _Variant(
        "rails",
        r"^[DIWEFAU], \[(?P<ts>[^\]#]+?)\s*#(?P<pid>\d+)\]\s+(?P<level>\w+) -- (?P<logger>[^:]*): ?(?P<msg>.*)$",
    ),
    # QuickFIX/J and QuickFIX's screen log: the FIX stamp, the session, the kind (messages in
    # and out, session events, errors) in angle brackets, the text in parentheses; their
    # file logs: the stamp and a colon
    #   <20261022-13:39:15.274, FIX.4.4:TRADEWISE->NYSE, error> (Socket exception ...)
    #   20261022-13:39:15.274: Initiated logon request
    _Variant(
        "quickfix-screen",
        r"^<(?P<ts>\d{8}-\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?), (?P<logger>[^,]+), "
        r"(?:incoming|outgoing|event|(?P<level>error))> \((?P<msg>.*)$",
        levels="error",
    ),
    _Variant("quickfix-file", r"^(?P<ts>\d{8}-\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?): (?P<msg>.*)$"),
    # klog / glog: E0102 03:04:05.123456   12345 file.go:123] msg
    _Variant(
        "klog",
        r"^(?P<level>[IWEF])(?P<ts>\d{4} \d{2}:\d{2}:\d{2}(?:\.\d+)?)\s+(?P<pid>\d+) (?P<logger>[^\]\s]+)\] ?(?P<msg>.*)$",
    ),
    # glog 0.7+ and abseil's log: the same head with a four-digit year
    #   E20240301 10:00:05.623456 140123 model.cc:301] Failed to load model
    _Variant(
        "glog-year",
        r"^(?P<level>[IWEF])(?P<ts>\d{8} \d{2}:\d{2}:\d{2}(?:\.\d+)?)\s+(?P<pid>\d+) (?P<logger>[^\]\s]+)\] ?(?P<msg>.*)$",
        levels="[IWEF]",
    ),
    # the header glog writes at the top of each file (its stamp is the file's creation)
    #   Log file created at: 2024/03/01 10:00:00
    #   Running on machine: ranker-7
    #   Binary: Built with gc go1.21.6 for linux/amd64   (klog's, a Go binary's)
    _Variant(
        "glog-header",
        r"^(?:Log file created at: \d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}|Running on machine: \S|Running duration \(h:mm:ss\): "
        r"|Binary: Built with \S|Log line format: \[IWEF\])",
        whole_line=True,
        own_record=True,
    ),
    # SQL Server Agent's SQLAGENT.OUT: a mark for the message's kind after the stamp
    # ("?" information, "+" warning, "!" error), then the message id in brackets (kept as `code`)
    #   2024-03-01 10:00:05 - ! [298] SQLServer Error: 53, Named Pipes Provider: ...
    _Variant(
        "sqlagent",
        r"^(?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) - (?P<level>[?+!]) \[(?P<code>\d+)\] (?P<msg>.*)$",
        levels="[?+!]",
    ),
    # Puppet's agent and server logfile: the source (a resource or "Puppet") and the level in
    # parentheses before the colon
    #   2024-03-01 10:00:05 +0000 /Stage[main]/App::Install/Package[shop-app]/ensure (err): change from ...
    _Variant(
        "puppet",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<logger_f>[^ \t()]+(?: [^ \t()]+)*?) \((?P<level>{_LEVEL})\): (?P<msg>.*)$",
    ),
    # Icinga 2's main log: the level and the component joined by a slash
    #   [2024-03-01 10:00:02 +0000] critical/ApiListener: Cannot connect to host '10.0.0.1' ...
    _Variant(
        "icinga",
        rf"^\[(?P<ts>{_ISO})\] (?P<level>{_ICINGA_LEVEL})/(?P<logger_e>[\w.\-]+): (?P<msg>.*)$",
        levels=_ICINGA_LEVEL,
    ),
    # libvirt's daemons (libvirtd.log, virtqemud.log): the thread id, the level and the
    # function:line between " : "
    #   2026-03-05 09:00:00.254+0000: 48849: error : qemuMonitorIO:620 : internal error: End of file from qemu monitor
    _Variant(
        "libvirt",
        rf"^(?P<ts>{_ISO}): (?P<thread_e>\d+): (?P<level>debug|info|warning|error) : (?P<code_e>\w+:\d+) : (?P<msg>.*)$",
        levels="debug|info|warning|error",
    ),
    # the Datadog agent: the component, the level and the source between bars
    #   2024-03-01 10:00:16 UTC | CORE | ERROR | (pkg/collector/worker/check_logger.go:71 in Error) | check:postgres | ...
    _Variant(
        "datadog-agent",
        rf"^(?P<ts>{_ISO}) \| (?P<logger_e>[A-Z][A-Z_\-]*) \| (?P<level>{_LEVEL}) \| \((?P<code_e>[^()]*)\) \| (?P<msg>.*)$",
    ),
    # VMware ESXi's vmkernel.log: the CPU and the world id before a parenthesis; a level word
    # may start the message ("WARNING: NMP: ...": see _message_levels)
    #   2024-03-01T10:00:01.200Z cpu5:2097300)ScsiDeviceIO: 4325: Cmd(0x45b8c1a2b3c4) 0x28 ... failed
    _Variant(
        "vmkernel",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<thread_e>cpu\d+):(?P<pid>\d+)\)(?P<msg>.*)$",
    ),
    # VMware ESXi's hostd and vpxa logs: the level (ESXi 8: two letters and the syslog
    # priority, "Er(163)"), the program and its thread id, the originator's context
    #   2024-03-01T10:00:05.456Z error hostd[2099200] [Originator@6876 sub=Default opID=def-456 user=root] Unable to ...
    #   2024-03-01T10:00:08.000Z In(166) Hostd[2099203]: [Originator@6876 sub=Vimsvc.ha-eventmgr] Event 1234 : ...
    _Variant(
        "vmware",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<level>{_VMWARE_LEVEL})(?:\(\d+\))? (?P<logger_e>[A-Za-z][\w\-]*)\[(?P<thread_n>\d+)\]:? "
        r"(?:\[(?P<mdc>Originator@\d+[^\]]*)\] )?(?P<msg>.*)$",
        levels=_VMWARE_LEVEL,
    ),
    # Samba's logs: the debug level after the stamp (0 error, 1 warning, 2 notice, 3 info,
    # above: debug), the source file and function; the message on the indented lines below
    #   [2024/03/01 10:00:01.123456,  0] ../../source3/smbd/service.c:123(make_connection_snum)
    #     make_connection_snum: canonicalize_connect_path failed for service share, path /srv/share
    _Variant(
        "samba",
        r"^\[(?P<ts>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?),[ \t]+(?P<level>\d{1,2})(?:,[^\]]*)?\] "
        r"(?P<code_e>[^ \t()]+)\((?P<logger_e>\w+)\)[ \t]*$(?P<msg>.*)$",
        levels="[0-9]{1,2}",
    ),
    # .NET's systemd console formatter (AddSystemdConsole): the syslog priority in angle
    # brackets, with a TimestampFormat the stamp, the category and the event id
    #   <3>2024-03-01T10:00:04.250Z Catalog.Api.Controllers.ProductsController[0] Failed to load product 42
    _Variant(
        "dotnet-systemd",
        rf"^<(?P<level>[0-7])>(?:(?P<ts>{_ISO})[ \t]+)?(?P<logger>[A-Za-z_][\w.]*)\[(?P<code>\d+)\] (?P<msg>.*)$",
        levels="[0-7]",
    ),
    # a year-less syslog-style stamp in brackets, then the level (Asterisk's "full" log:
    # the thread and the call id in brackets, the source file; Monit: the zone first)
    #   [Mar  1 10:00:05] WARNING[12347][C-00000012] chan_sip.c: Retransmission timeout reached ...
    #   [UTC Mar  1 10:00:31] error    : 'nginx' process is not running
    _Variant(
        "bracket-syslog-stamp",
        r"^\[(?:[A-Z]{3,5} )?(?P<ts>[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}(?:\.\d+)?)\] "
        rf"(?P<level>{_LEVEL}|VERBOSE|SECURITY|DTMF)(?:\[(?P<thread_n>\d+)\])?(?:\[(?P<mdc>[^\]]*)\])?[ \t]*:?[ \t]+"
        r"(?:(?P<logger_e>[\w.\-]+\.[ch]): )?(?P<msg>.*)$",
        levels=rf"{_LEVEL}|VERBOSE|SECURITY|DTMF",
    ),
    # Python logging: 2024-01-02 03:04:05,123 - name - ERROR - msg
    _Variant(
        "python",
        # (a context in brackets after the level: "ERROR [trace=9e2a...] - msg")
        rf"^\[?(?P<ts>{_ISO})\]?\s+-\s+(?P<logger>\S+)\s+-\s+(?P<level>{_LEVEL})(?:\s+\[(?P<mdc>[^\]]*)\])?\s+-\s+(?P<msg>.*)$",
    ),
    # ... with the line number before the level and a context after it (Matrix Synapse's
    # default, "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s")
    #   2026-03-05 09:00:09,198 - synapse.federation.sender - 345 - WARNING - federation_transaction_transmission_loop-80173 - TX [mozilla.org] ...
    _Variant(
        "python-lineno",
        rf"^(?P<ts>{_ISO}) - (?P<logger>\S+) - (?P<code>\d+) - (?P<level>{_LEVEL}) - (?P<mdc_f>[^\s\[\]=]+) - (?P<msg>.*)$",
    ),
    # Tomcat's OneLineFormatter (catalina.out): the source class.method after the thread,
    # then the message, with no separator between them
    #   01-Mar-2024 10:00:01.123 SEVERE [main] org.apache.catalina.startup.Catalina.start Server startup failed
    _Variant(
        "tomcat",
        rf"^(?P<ts>\d{{1,2}}-(?:[A-Za-z][a-z]{{2}}|[A-Za-zéûä][a-zéûä]{{2,3}}\.?)-\d{{4}} \d{{2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,9}})?)[ \t]+(?P<level>{_LEVEL})"
        r"[ \t]+\[(?P<thread>[^\]]*)\][ \t]+(?P<logger>[A-Za-z_$][\w$]*(?:\.[A-Za-z_$<>][\w$<>]*)+)[ \t]+(?P<msg>.*)$",
    ),
    # the same on a JVM in another language: the month lower case, the level its word
    #   15-ott-2024 10:05:02.456 GRAVE [http-nio-8080-exec-3] org.apache.catalina.core.StandardWrapperValve.invoke msg
    _Variant(
        "tomcat-localised",
        rf"^(?P<ts>\d{{1,2}}-(?:[A-Za-z][a-z]{{2}}|[A-Za-zéûä][a-zéûä]{{2,3}}\.?)-\d{{4}} \d{{2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,9}})?)[ \t]+(?P<level>{_LOCAL_LEVEL})"
        r"[ \t]+\[(?P<thread>[^\]]*)\][ \t]+(?P<logger>[A-Za-z_$][\w$]*(?:\.[A-Za-z_$<>][\w$<>]*)+)[ \t]+(?P<msg>.*)$",
        levels=_LOCAL_LEVEL,
    ),
    # .NET's console logger (Microsoft.Extensions.Logging): a short level, the category and
    # the event id; the message on the next, indented line (or after a blank in single-line
    # mode); with a TimestampFormat, the stamp first
    #   fail: Shop.Api.OrdersController[0]
    #         Order 12 could not be charged
    #   2025-01-22T10:08:28.448Z fail: Shop.Api.OrdersController[0]
    _Variant(
        "dotnet",
        rf"^(?:\[?(?P<ts>{_STAMP})\]?[ \t]+)?(?P<level>trce|dbug|info|warn|fail|crit): (?P<logger>[^\s\[\]]+)\[(?P<code>\d+)\] ?(?P<msg>.*)$",
        levels="trce|dbug|info|warn|fail|crit",
    ),
    # PHP's error log: the stamp (with the zone name of date.timezone, read per line: see
    # _named_zones), "PHP", the error level
    #   [29-Nov-2024 08:00:00 UTC] PHP Fatal error:  Uncaught Exception: boom in /var/www/x.php:12
    _Variant(
        "php",
        r"^\[(?P<ts>\d{1,2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2}(?: (?:UTC|GMT))?)(?: [A-Za-z_]+(?:/[A-Za-z_\-]+)*)?\] "
        rf"PHP (?P<level>{_PHP_LEVEL}):[ \t]+(?P<msg>.*)$",
        levels=_PHP_LEVEL,
    ),
    # Celery workers: "[<stamp>: <level>/<process>] message"
    #   [2024-01-02 03:04:05,123: ERROR/ForkPoolWorker-2] Task tasks.charge[8f5f...] raised unexpected: TimeoutError()
    _Variant(
        "celery",
        rf"^\[(?P<ts>{_STAMP}): (?P<level>{_LEVEL})/(?P<thread>[^\]]+)\] ?(?P<msg>.*)$",
    ),
    # Bacula's job messages (the director's log, its console's "messages"): a day-month
    # stamp (year-less, to the minute; newer releases add the year and the seconds), the
    # daemon that wrote it (director, storage or file daemon) as logger, the job as mdc;
    # a job's report continues on the indented lines below
    #   01-Mar 09:58 backup-sd JobId 7827: Sending spooled attrs to the Director. Despooling 17,375,991,248 bytes ...
    _Variant(
        "bacula",
        r"^(?P<ts>\d{1,2}-[A-Z][a-z]{2}(?:-\d{4})? \d{2}:\d{2}(?::\d{2})?)[ \t]+(?P<logger_e>[A-Za-z0-9_][\w.\-]*)"
        r"(?:[ \t]+(?P<mdc_i>JobId \d+))?:(?:[ \t]+|$)(?P<msg>.*)$",
    ),
    # BIND (named) with print-time/print-category/print-severity: "<stamp> <category>:
    # <severity>: message"
    #   29-Nov-2024 10:00:04.000 security: error: client @0x7f8b2c0a1b21 ...: zone transfer denied
    _Variant(
        "bind",
        rf"^(?P<ts>\d{{1,2}}-[A-Z][a-z]{{2}}-\d{{4}} \d{{2}}:\d{{2}}:\d{{2}}\.\d{{3}}) (?:(?P<logger>[a-z][\w\-]*): )?"
        rf"(?P<level>{_LEVEL}|critical|notice|info|debug \d+): (?P<msg>.*)$",
    ),
    # SQL Server's ERRORLOG: "<stamp> <source> message", the source a process (spid55,
    # spid12s), Server, Logon or Backup; "Error: 18456, Severity: 14, State: 8." is ERROR
    # (its text follows on the next line of the same source)
    _Variant(
        "mssql",
        r"^(?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{2}) (?P<thread>spid\d+s?|Server|Logon|Backup)[ \t]{2,}"
        r"(?P<msg>.*)$",
    ),
    # MySQL's error log: "<stamp> <thread id> [<priority>] [<error code>] [<subsystem>] message"
    # (8.0; 5.7 has no code and subsystem); System and Note are its informational priorities
    #   2024-01-02T03:04:05.123456Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections.
    #   2024-01-02T03:04:06.123456Z 12 [Note] Aborted connection 12 to db: 'shop'
    _Variant(
        "mysql",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<thread_n>\d+)[ \t]+\[(?P<level>{_MYSQL_LEVEL})\][ \t]+"
        r"(?:\[(?P<code>MY-\d+)\][ \t]+\[(?P<logger>[A-Za-z]+)\][ \t]+)?(?P<msg>.*)$",
        levels=_MYSQL_LEVEL,
    ),
    _UWSGI,
    # NestJS' ConsoleLogger: the app's prefix, the pid, the local time as JavaScript's
    # toLocaleString writes it, the level padded on the left, the context in brackets (the
    # logger), the message, the time since the line before ("+5012ms", kept in the message)
    #   [Nest] 4321  - 03/05/2024, 10:00:31 AM     ERROR [ExceptionsHandler] charge failed +5012ms
    _Variant(
        "nest",
        r"^\[[\w.\-]+\] (?P<pid>\d+)[ \t]+-[ \t]+(?P<ts>\d{1,2}/\d{1,2}/\d{4},? \d{1,2}:\d{2}:\d{2}(?: ?[AaPp][Mm])?)[ \t]+"
        r"(?P<level>LOG|ERROR|WARN|DEBUG|VERBOSE|FATAL)[ \t]+(?:\[(?P<logger_e>[^\[\]\s]+)\][ \t]+)?(?P<msg>.*)$",
        levels="LOG|ERROR|WARN|DEBUG|VERBOSE|FATAL",
    ),
    # Chromium's log (Chrome's chrome_debug.log, Electron apps: Slack, Teams, VS Code): the
    # pid, the thread id, a year-less MMdd/HHmmss.micro stamp (or one with the year), maybe
    # the tick count, the level and the source file and line, in one bracket
    #   [4321:1260:0305/100031.123456:ERROR:ssl_client_socket_impl.cc(983)] handshake failed
    _Variant(
        "chromium",
        r"^\[(?:(?P<pid>\d+):)?(?:(?P<thread_n>\d+):)?(?P<ts>(?:\d{8}|\d{4})/\d{6}(?:\.\d{1,9})?):(?:\d+:)?"
        r"(?P<level>INFO|WARNING|ERROR|FATAL|VERBOSE)\d*:(?P<code_d>[^\]]*)\] ?(?P<msg>.*)$",
        levels="INFO|WARNING|ERROR|FATAL|VERBOSE",
    ),
    # TIBCO BusinessWorks 5's engine log: the year before the month name, the zone as "GMT +1",
    # the engine (logger), the level, the role in brackets
    #   2024 Mar 05 10:00:31:123 GMT +1 BW.OrdersApp-Process_Archive Error [BW-User] BW-HTTP-100118 Job-12345 ...
    _Variant(
        "tibco-bw",
        r"^(?P<ts>\d{4} [A-Z][a-z]{2} [ \d]?\d \d{2}:\d{2}:\d{2}(?:[.,:]\d{1,9})?(?: (?:GMT|UTC)(?: ?[+-]\d{1,2}(?::?\d{2})?)?)?)"
        r"[ \t]+(?P<logger_e>[\w.\-]+)[ \t]+(?P<level>Debug|Info|Warn|Warning|Error)[ \t]+(?:\[(?P<mdc_e>[^\[\]=]*)\][ \t]+)?"
        r"(?P<msg>.*)$",
        levels="Debug|Info|Warn|Warning|Error",
    ),
    # MariaDB's (and MySQL's) server_audit plugin log: a compact stamp, then the comma-separated
    # fields (the server's host, user, client, connection and query ids, the operation, the
    # database, the object, the return code) as the message
    #   20240305 10:00:31,db01,shop_app,10.0.4.17,1234,88123,QUERY,shop,'UPDATE orders SET ...',1205
    _Variant("stamp-comma", r"^(?P<ts>\d{8} \d{2}:\d{2}:\d{2}),(?P<msg>.*)$"),
    # coturn's log (turnserver): the seconds since it started (no time: the record has none;
    # with --new-log-timestamp a stamp), the thread id in parentheses, the level; 4.5 wrote an
    # empty field for the thread, and no level but ERROR
    #   8: (24817): WARNING: cannot find certificate file: turn_server_cert.pem (1)
    #   0: : log file opened: /var/log/turn_1842_2019-01-17.log
    _Variant(
        "coturn",
        rf"^(?:(?:(?P<ts>\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}:\d{{2}}(?:Z|[+-]\d{{2}}:?\d{{2}})?):? ?|\d+: )"
        rf"(?:\((?P<thread_n>\d+)\): |: )?(?P<level>{_COTURN_LEVEL}): |\d+: : )(?P<msg>.*)$",
        levels=_COTURN_LEVEL,
    ),
    # linuxptp's programs (ptp4l, phc2sys, ts2phc, ...) on standard output: the program and
    # the monotonic clock's seconds (no time: the record has none); through syslog the
    # seconds in brackets start the message (see _LINUXPTP_MONOTONIC)
    #   ptp4l[1029.700]: selected /dev/ptp0 as PTP clock
    _Variant("linuxptp", rf"^(?P<logger_e>{_LINUXPTP})\[\d+\.\d{{3}}\]: (?P<msg>.*)$"),
    # log4j 1.x's TTCCLayout (BasicConfigurator's, "%r [%t] %-5p %c %x - %m"): the milliseconds
    # since start (no time: the record has none), the thread, the level, the logger, the NDC
    #   5012 [pool-2-thread-1] ERROR com.shop.batch.Exporter  - export of batch 77 failed
    _Variant(
        "ttcc",
        rf"^\d+ \[(?P<thread>[^\]]*)\] (?P<level>{_LEVEL})[ \t]+(?P<logger_e>[A-Za-z_$][\w$.\-]*)[ \t]+"
        r"(?:(?P<mdc_e>[^\[\]=\s][^\[\]=]*?)[ \t]+)?-[ \t](?P<msg>.*)$",
    ),
    # Oracle WebLogic's server and domain logs: every field in angle brackets, the
    # subsystem, the server, the thread, the message id, then the message (which may run
    # over several lines and ends with '>')
    #   ####<Mar 1, 2024 9:58:00,123 AM CET> <Error> <JDBC> <host1> <ms1> <[ACTIVE] ExecuteThread: '5' ...>
    #   <<anonymous>> <> <ctx-id> <1709283480123> <[severity-value: 8] [rid: 0] > <BEA-001129> <msg>
    _Variant(
        "weblogic",
        r"^####<(?P<ts>[^<>]+)> <(?P<level>[A-Za-z]+)> <(?P<logger>[^<>]*)> <[^<>]*> <(?P<mdc>[^<>]*)> "
        r"<(?P<thread>[^<>]*)> <(?:<[^<>]*>|[^<>])*> <[^<>]*> <[^<>]*> <\d*> (?:<(?:\[[^\]]*\] ?)+ ?> )?"
        r"<(?P<code>[^<>]*)> <(?P<msg>.*)$",
        levels=_WEBLOGIC_LEVEL,
    ),
    # Oracle Diagnostic Logging (ODL: the *-diagnostic.log of WebLogic, SOA Suite, Fusion
    # Middleware): the component, the message type (and level), the message id and the
    # module in brackets, then supplemental "[name: value]" fields (kept as mdc), the message
    #   [2024-03-05T10:00:33.000+01:00] [soa_server1] [INCIDENT_ERROR] [BPEL-09006] [oracle.soa.bpel.engine] [tid: ...] [ecid: ...] msg
    _Variant(
        "odl",
        rf"^\[(?P<ts>{_ISO})\] \[[^\[\]]*\] \[(?P<level>{_ODL_LEVEL})\] \[(?P<code_d>[^\]]+)?\] \[(?P<logger_e>[\w.\-]+)\] "
        r"(?:(?P<mdc_g>\[[\w.\-]+: (?:[^\[\]]|\[[^\[\]]*\])*\](?: \[[\w.\-]+: (?:[^\[\]]|\[[^\[\]]*\])*\])*) )?"
        r"(?P<msg>.*)$",
        levels=_ODL_LEVEL,
    ),
    # IBM WebSphere's SystemOut.log / trace.log: stamp, thread id, short logger name, a
    # one-letter event type (O: System.out, R: System.err, A: audit, I/W/E/F, C: config,
    # D: detail), the message; Open Liberty's messages.log writes a comma after the date
    #   [3/1/24 9:58:03:923 CET] 00000051 ServletWrappe E com.ibm...ServletWrapper service SRVE0068E: ...
    #   [3/5/24, 10:00:31:123 UTC] 00000045 com.ibm.ws.webcontainer.servlet    E SRVE0777E: ...
    _Variant(
        "websphere",
        r"^\[(?P<ts>\d{1,2}/\d{1,2}/\d{2,4},? \d{1,2}:\d{2}:\d{2}[:.,]\d{3}(?: [A-Z]{2,5}| [+-]\d{2}:?\d{2})?)\] "
        r"(?P<thread>[0-9a-fA-F]{8}) (?P<logger>\S+)\s+(?P<level>[OREWIAFCDZ]) (?P<msg>.*)$",
        levels="[OREWIAFCDZ]",
    ),
    # java.util.logging's SimpleFormatter (its default; Tomcat before 8, GlassFish, plain
    # Java): the stamp, the class and the method; the level and message on the next line
    #   Mar 01, 2024 9:58:00 AM com.shop.Orders process
    #   SEVERE: Order 12 failed
    _Variant(
        "jul",
        # (a JVM in another language abbreviates the month its way, lower case in Spanish:
        # "mar 05, 2024 10:00:05 AM"; in French with up to four letters and a dot: "févr.")
        r"^(?P<ts>(?:[A-Z][a-z]{2}|[a-zéû]{3,4}\.?) \d{1,2}, \d{4},? \d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,9})? [AaPp][Mm]) "
        r"(?P<logger>[A-Za-z_$][\w$.]*)(?: (?P<method>[\w$<>]+))?[ \t]*$(?P<msg>.*)$",
    ),
    # a line holding only a stamp, the message on the lines below it (Oracle's alert log)
    #   2024-03-01T09:58:40.123456+01:00
    #   ORA-00600: internal error code, arguments: [kdsgrp1], [], [], []
    _STAMP_LINE,
    # Apache Airflow's task logs: "[stamp] {file.py:line} LEVEL - msg" (a comma after the date,
    # or an ISO stamp)
    #   [2024-03-01, 09:58:06 UTC] {taskinstance.py:2698} ERROR - Task failed with exception
    #   [2024-03-01T09:58:08.123+0000] {logging_mixin.py:188} WARNING - ...
    _Variant(
        "airflow",
        rf"^\[(?P<ts>\d{{4}}-\d{{2}}-\d{{2}}(?:,? |T)\d{{2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,9}})?(?: ?(?:Z|UTC|[+-]\d{{2}}:?\d{{2}}))?)\] "
        rf"\{{(?P<logger>[^}}\s]*)\}} (?P<level>{_LEVEL}) - (?P<msg>.*)$",
    ),
    # Rust's env_logger: stamp, level and target inside one bracket
    #   [2024-03-01T10:00:00Z ERROR ledger::api] transfer 42 failed: insufficient funds
    _Variant(
        "env-logger",
        rf"^\[(?P<ts>{_ISO})[ \t]+(?P<level>{_LEVEL})[ \t]+(?P<logger>[\w:.\-]+)\][ \t]+(?P<msg>.*)$",
    ),
    # Sidekiq (Ruby jobs): the process and thread as pid= tid=, a job's class= jid= elapsed=,
    # then "LEVEL: msg"
    #   2024-03-01T10:01:00.000Z pid=7 tid=2ldf class=InvoiceJob jid=b4a1 ERROR: Error fetching job
    _Variant(
        "sidekiq",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<mdc>pid=\d+[ \t]+tid=\S+(?:[ \t]+[\w.]+=\S+)*)[ \t]+(?P<level>{_LEVEL}):[ \t]+(?P<msg>.*)$",
    ),
    # logrus' text formatter on a terminal (docker run -t, a TTY): a four-letter level and
    # the seconds since start (or, with FullTimestamp, the stamp) in brackets
    #   ERRO[0003] sync failed: "SKU-12" not found               error="404 Not Found" sku=SKU-12
    _Variant(
        "logrus-tty",
        rf"^(?P<level>{_LOGRUS_LEVEL})\[(?:(?P<ts>{_ISO})|\d+)\][ \t]*(?P<msg>.*)$",
        levels=_LOGRUS_LEVEL,
    ),
    # log15's terminal format (go-ethereum's "log" package, Tendermint's and other Go
    # projects'): the level (padded to five, or log15's four letters glued to the bracket:
    # EROR, DBUG, TRCE; Tendermint's first letter), a year-less MM-dd|HH:mm:ss.SSS stamp (or
    # one with the year), the message padded before its key=value pairs
    #   INFO [11-02|11:10:12.799] Imported new potential chain segment     number=19,707,925 blocks=1
    #   I[2019-02-04|14:38:48.380] Executed block                         module=state height=1
    _Variant(
        "log15",
        rf"^(?P<level>{_LOG15_LEVEL})[ ]?\[(?P<ts>(?:\d{{4}}-)?\d{{2}}-\d{{2}}\|\d{{2}}:\d{{2}}:\d{{2}}(?:\.\d{{1,9}})?)\]"
        r"[ \t]*(?P<msg>.*)$",
        levels=_LOG15_LEVEL,
    ),
    # Dropwizard's default layout ("%-5p [%d{ISO8601,UTC}] %c: %m"): the level, the stamp in
    # brackets, the logger and a colon (its exception lines start with "! ")
    #   ERROR [2024-03-01 10:00:05,001] io.dropwizard.jersey.errors.LoggingExceptionMapper: Error handling a request: 9f8e
    _Variant(
        "dropwizard",
        rf"^(?P<level>{_LEVEL})[ \t]+\[(?P<ts>{_ISO})\][ \t]+(?:\[(?P<thread>[^\]]*)\][ \t]+)?"
        r"(?P<logger>[A-Za-z_$][\w$.\-]*):[ \t]+(?P<msg>.*)$",
    ),
    # Tornado's LogFormatter (and Jupyter's): the level's first letter, the stamp (yyMMdd
    # HH:mm:ss, or ISO with milliseconds) and the module:line or logger, in brackets
    #   [E 240301 10:00:02 web:1871] Uncaught exception POST /api/pay (10.0.0.5)
    #   [W 2024-03-01 10:00:04.123 ServerApp] Notebook Untitled.ipynb is not trusted
    _Variant(
        "tornado",
        rf"^\[(?P<level>[DIWEC]) (?P<ts>\d{{6}} \d{{2}}:\d{{2}}:\d{{2}}|{_ISO}) (?P<logger>[^\]\s]+)\] (?P<msg>.*)$",
        levels="[DIWEC]",
    ),
    # a bracket opening the line that holds a level letter and the stamp, then what the
    # program puts there (process and thread ids, the source file and line), in either
    # order: Phusion Passenger's "[ L stamp pid/thread file:line ]:", Ray's C++ components'
    # "[stamp L pid tid] (component) file.cc:53:"
    #   [ E 2024-03-03 13:02:05.5000 10/T8 age/Cor/App/Implementation.cpp:221 ]: Could not spawn process
    #   [2024-03-03 13:02:15,000 E 1234 1260] (gcs_server) gcs_node_manager.cc:180: Node 8a3f is dead
    _Variant(
        "letter-stamp-bracket",
        rf"^\[[ \t]*(?P<level>[DIWENCF])[ \t]+(?P<ts>{_ISO})(?:[ \t]+(?P<mdc_e>[^\[\]=]*?))?[ \t]*\]:?[ \t]+(?P<msg>.*)$",
        levels="[DIWENCF]",
    ),
    _Variant(
        "stamp-letter-bracket",
        rf"^\[(?P<ts>{_ISO})[ \t]+(?P<level>[DIWENCF])(?:[ \t]+(?P<mdc_e>[^\[\]=]*?))?[ \t]*\][ \t]+"
        r"(?:\((?P<logger_e>[\w.\-]+)\)[ \t]+)?(?:(?P<code_b>[\w.\-/]+:\d+):[ \t]+)?(?P<msg>.*)$",
        levels="[DIWENCF]",
    ),
    # Jetty's StdErrLog (9.x; 10.x pads the level: "WARN :"): the level, the (abbreviated)
    # logger and the thread glued to the stamp by colons (milliseconds after a dot, where
    # Python's asctime below has a comma)
    #   2024-03-01 10:00:07.123:WARN:oejs.HttpChannel:qtp1651191114-17: /api/orders
    _Variant(
        "jetty",
        rf"^(?P<ts>\d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}:\d{{2}}\.\d{{3}}):(?P<level>{_LEVEL})[ \t]*:"
        r"(?P<logger_e>[\w$.\-]+):(?P<thread_e>[\w$\-]+):(?:[ \t]+|$)(?P<msg>.*)$",
    ),
    # Python logging with colons between the fields ("%(asctime)s:%(levelname)s:%(name)s:%(message)s",
    # certbot's log file)
    #   2024-03-01 10:00:05,001:ERROR:certbot._internal.error_handler:Encountered exception during recovery
    _Variant(
        "python-colons",
        rf"^(?P<ts>{_ISO}):(?P<level>{_PY_LEVEL}):(?P<logger_e>[\w$.\-]+):(?P<msg>.*)$",
        levels=_PY_LEVEL,
    ),
    # CockroachDB (crdb-v2 and v1): klog's level letter, a yyMMdd date, the goroutine, the
    # [channel@]file:line, the redaction mark, the tags in brackets, an entry counter and
    # its continuation mark (" " first line, "+" further lines, "=" structured event)
    #   W240301 10:00:05.000000 1234 kv/kvserver/replica_raft.go:1604 ⋮ [n1,s1,r42/1:‹/Table/5{3-4}›,raft] 345  have been waiting ...
    _Variant(
        "cockroach",
        r"^(?P<level>[IWEF])(?P<ts>\d{6} \d{2}:\d{2}:\d{2}(?:\.\d+)?) (?P<thread_n>\d+) (?:\d+@)?(?P<logger>[^\s\]]+:\d+)"
        r"[ \t]+(?:⋮[ \t]+)?(?:\[(?P<mdc>[^\]]*)\][ \t]+)?(?:(?P<seq>\d+)[ \t][ +=|]?)?[ \t]*(?P<msg>.*)$",
        levels="[IWEF]",
    ),
    # Rust's tracing with an uptime timer (linkerd-proxy): seconds since start in brackets,
    # the level, the thread, the span chain ("outbound:proxy{addr=...}:") and the target
    #   [    14.500000s] ERROR ThreadId(01) outbound:proxy{addr=10.0.2.7:8080}: linkerd_app_core::errors::respond: request failed
    _Variant(
        "tracing-uptime",
        rf"^\[[ \t]*\d+\.\d+s\][ \t]+(?P<level>{_TRACING_LEVEL})[ \t]+(?:(?P<thread>ThreadId\(\d+\))[ \t]+)?"
        rf"(?:(?P<mdc_d>{_TRACING_SPANS})[ \t]+)?(?P<logger>[A-Za-z_]\w*(?:::\w+)*):[ \t]+(?P<msg>.*)$",
        levels=_TRACING_LEVEL,
    ),
    # Erlang/OTP's SASL and error_logger reports (CouchDB, ejabberd, RabbitMQ before 3.7): a
    # header line with the kind and the stamp, the report on the lines below
    #   =ERROR REPORT==== 1-Mar-2024::10:00:05.000001 ===
    #   ** Generic server couch_replicator_manager terminating
    _ERLANG_REPORT,
    # IBM Db2's diagnostic log (db2diag.log): a block per event, opened by the stamp (its
    # zone offset in minutes), the record id and the level; the event's fields below it
    #   2024-03-01-11.00.01.123456+060 I12345E456          LEVEL: Error
    #   PID     : 1234                 TID : 140234567890    PROC : db2sysc 0
    #   MESSAGE : ADM6044E  The DMS table space "USERSPACE1" (ID "2") is full.
    _Variant(
        "db2diag",
        r"^(?P<ts>\d{4}-\d{2}-\d{2}-\d{2}\.\d{2}\.\d{2}\.\d{6}[+-]\d{3})[ \t]+(?P<code_c>[A-Z]\d+[A-Z]\d+)[ \t]+"
        rf"LEVEL: (?P<level>{_DB2_LEVEL})[ \t]*$(?P<msg>.*)$",
        levels=_DB2_LEVEL,
    ),
    # Couchbase Server's ns_server logs: the component and level, the stamp, the node, the
    # Erlang process and module:function:line in one bracket, the message glued to it (its
    # Erlang terms continue on indented lines)
    #   [ns_server:error,2024-03-01T10:00:01.123Z,ns_1@10.0.0.5:<0.1234.0>:menelaus_web:loop:143]Server error ...
    _Variant(
        "couchbase",
        rf"^\[(?P<logger_e>[\w\-]+):(?P<level>{_LEVEL}),(?P<ts>{_ISO}),(?P<thread>[^\]\s]*)\](?P<msg>.*)$",
    ),
    # Zabbix (above)
    _INDENTED_HEAD,
    # ClickHouse server log: the thread id in brackets, the query id in braces, the level in
    # angle brackets, the logger and a colon
    #   2024.03.01 10:00:05.654321 [ 4301 ] {3f9a1c2e-...} <Error> executeQuery: Code: 60. DB::Exception: ...
    _Variant(
        "clickhouse",
        r"^(?P<ts>\d{4}\.\d{2}\.\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?) \[ *(?P<thread_n>\d+) *\] \{(?P<mdc>[^}]*)\} "
        rf"<(?P<level>{_CLICKHOUSE_LEVEL})> (?:(?P<logger>[\w.:\-]+(?: \([^)]*\))?): )?(?P<msg>.*)$",
        levels=_CLICKHOUSE_LEVEL,
    ),
    # SaltStack's log file: the logger padded and its line in brackets, the padded level and
    # the process in brackets
    #   2024-03-01 10:00:01,456 [salt.loaded.int.module.cmdmod  :889 ][ERROR   ][4250] Command ... failed
    _Variant(
        "salt",
        rf"^(?P<ts>{_ISO}) \[(?P<logger_e>[\w.\-]+)[ \t]*:[ \t]*(?P<code>\d+)[ \t]*\]\[(?P<level>{_LEVEL})[ \t]*\]"
        r"\[(?P<pid>\d+)\] (?P<msg>.*)$",
    ),
    # ejabberd (its Erlang logger formatter): the level in brackets, then the process and the
    # code location, "<pid>@module:function/arity:line", before the message
    #   2024-03-05 06:39:40.908847+00:00 [info] <0.22602.0>@ejabberd_c2s:process_terminated/2:302 (tls|<0.23142.0>) Closing ...
    _Variant(
        "ejabberd",
        rf"^(?P<ts>{_ISO})[ \t]+\[(?P<level>{_LEVEL})\][ \t]+(?P<thread><\d+\.\d+\.\d+>)@"
        r"(?P<code_b>[a-z][\w.]*:[\w'-]+/\d+:\d+)[ \t]+(?P<msg>.*)$",
    ),
    # FreeSWITCH's log file (1.10): a call's UUID first on a call's lines, the stamp, the
    # share of idle CPU, the level in brackets and the source file and line
    #   b2932210-1244-ac55-b166-2bb0dca64316 2024-03-05 01:08:18.009461 99.88% [NOTICE] switch_channel.c:3620 Hangup ...
    _Variant(
        "freeswitch-call",
        rf"^(?P<mdc>[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}})[ \t]+(?P<ts>{_ISO})[ \t]+"
        rf"(?:\d{{1,3}}\.\d{{2}}%[ \t]+)?\[(?P<level>{_LEVEL}|CONSOLE)\][ \t]+(?P<code_b>[\w.\-]+\.\w+:\d+)[ \t]+(?P<msg>.*)$",
        levels=f"{_LEVEL}|CONSOLE",
    ),
    _Variant(
        "freeswitch",
        rf"^(?P<ts>{_ISO})[ \t]+\d{{1,3}}\.\d{{2}}%[ \t]+\[(?P<level>{_LEVEL}|CONSOLE)\][ \t]+"
        r"(?P<code_b>[\w.\-]+\.\w+:\d+)[ \t]+(?P<msg>.*)$",
        levels=f"{_LEVEL}|CONSOLE",
    ),
    # Prosody's log file: a year-less stamp, then its source (a session, a host, a module of a
    # host) and the level, tab-separated
    #   Mar 05 00:45:10 c2s104a133fd36c<TAB>info<TAB>Authenticated as ana@example.org
    #   Mar 05 00:45:12 upload.example.org:http_file_share<TAB>warn<TAB>...
    _Variant(
        "prosody",
        rf"^(?P<ts>[A-Z][a-z]{{2}} [ \d]?\d \d{{2}}:\d{{2}}:\d{{2}})[ \t]+(?P<logger>[^\t ]+)\t(?P<level>{_LEVEL})\t(?P<msg>.*)$",
    ),
    # Elixir's Logger with metadata before the level ("$time $metadata[$level] $message", as
    # Phoenix configures it): the key=value metadata as mdc (none on the runtime's own lines,
    # "Running ShopWeb.Endpoint with Bandit", an alarm handler's: records all the same)
    #   2024-03-01 10:00:02.001 request_id=F7a1b2c3d4e5f6g7h8j0 [error] #PID<0.4567.0> running ShopWeb.Endpoint ...
    _Variant(
        "elixir",
        rf"^(?P<ts>{_ISO})[ \t]+(?:(?P<mdc_b>[\w.\-]+=[^\s\[\]]+(?:[ \t]+[\w.\-]+=[^\s\[\]]+)*)[ \t]+)?"
        rf"\[(?P<level>{_LEVEL})\][ \t]+(?P<msg>.*)$",
    ),
    # zap's console encoder (development config): tab-separated stamp, level, the logger's
    # name when it has one, the caller, the message and its fields as JSON
    #   2024-03-01T10:00:04.017+0100	ERROR	payments/charge.go:88	charge failed	{"order": 42}
    #   2024-03-01T10:00:00.250+0100	DEBUG	payments.db	db/pool.go:77	pool warmed	{"conns": 10}
    _Variant(
        "zap-console",
        rf"^(?P<ts>{_ISO})\t(?P<level>{_LEVEL})\t(?:(?P<logger_b>[^\t ]+)\t)?(?P<code_b>[^\t ]+:\d+)\t(?P<msg>.*)$",
    ),
    # Rust's tracing-subscriber fmt layer (Vector, most Rust services): the stamp, the level
    # padded to five, the span chain with its fields and the target (a module path, or the
    # crate's name after a span) before the message and its fields
    #   2024-03-11T08:00:05.164937Z  INFO source{component_kind="source" component_id=app_logs}:file_server: vector::internal_events::file::source: Found new file to watch. file=/var/log/app/api-10.log
    _Variant(
        "tracing",
        rf"{_TRACING_HEAD}(?:(?P<mdc_d>{_TRACING_SPANS})[ \t]+)?(?P<logger>[A-Za-z_]\w*(?:::\w+)+):[ \t]+(?P<msg>.*)$",
        levels=_TRACING_LEVEL,
    ),
    _Variant(
        "tracing-span",
        rf"{_TRACING_HEAD}(?P<mdc_d>{_TRACING_SPANS})[ \t]+(?P<logger>[a-z_][a-z0-9_]*):[ \t]+(?P<msg>.*)$",
        levels=_TRACING_LEVEL,
    ),
    # Trino and Presto (Airlift's log): tab-separated stamp, level, thread, logger, message
    #   2024-03-01T10:00:07.123Z	WARN	node-state-poller-0	io.trino.metadata.RemoteNodeState	Error fetching node state ...
    # Home Assistant: the thread in parentheses and the logger in brackets after the level
    #   2024-03-01 09:58:00.302 WARNING (MainThread) [homeassistant.components.automation] Already running
    _Variant(
        "homeassistant",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<level>{_LEVEL})[ \t]+\((?P<thread_f>[^()\n]*)\)[ \t]+\[(?P<logger_e>[A-Za-z_][\w.\-]*)\][ \t]+"
        r"(?P<msg>.*)$",
    ),
    _Variant(
        "airlift",
        rf"^(?P<ts>{_ISO})\t(?P<level>{_LEVEL})\t(?P<thread_e>[^\t]+)\t(?P<logger_d>[A-Za-z_$][\w$\-]*(?:\.[\w$\-]+)+)\t(?P<msg>.*)$",
    ),
    # TiDB, TiKV and PD: the stamp, the level and the source file in brackets, the message
    # quoted in brackets (unquoted in the body), then the fields in brackets
    #   [2024/03/01 10:00:01.123 +00:00] [INFO] [server.go:246] ["server is running MySQL protocol"] [addr=0.0.0.0:4000]
    _Variant(
        "tidb",
        rf"^\[(?P<ts>{_ISO})\] \[(?P<level>{_LEVEL})\] \[(?P<code_b>[^\]\s]+:\d+)\] (?P<msg>.*)$",
    ),
    # SonarQube: the process and the request id, then the logger, in brackets
    #   2024.03.01 10:00:19 ERROR web[AY4f1c2e3d4b5a6c7d8f][o.s.s.w.WebServiceEngine] Fail to process request
    _Variant(
        "sonarqube",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<level>{_LEVEL})[ \t]+(?P<thread_e>[a-z]+)\[(?P<mdc_e>[^\[\]=]*)\]\[(?P<logger_e>[\w$.\-]+)\][ \t]+(?P<msg>.*)$",
    ),
    # Apache Solr: the thread in parentheses, the core's MDC in brackets, the logger and the
    # message (no separator)
    #   2024-03-01 10:00:09.123 ERROR (qtp1234567-21) [c:products s:shard1 r:core_node3 x:products_shard1_replica_n1] o.a.s.h.RequestHandlerBase org.apache.solr.common.SolrException: ...
    _Variant(
        "solr",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<level>{_LEVEL})[ \t]+\((?P<thread_f>[^()\n]*)\)[ \t]+\[(?P<mdc_e>[^\[\]=]*)\][ \t]+"
        r"(?P<logger_d>[A-Za-z_$][\w$\-]*(?:\.[\w$\-]+)+)[ \t]+(?P<msg>.*)$",
    ),
    # Helidon 4 (java.util.logging on one line): the logger, then the thread and a colon
    #   2024.03.01 10:00:10 SEVERE io.helidon.webserver.http.ErrorHandlers Thread[#62,[0x5b1f2e3d 0x1a2b3c4d],5,main]: Unexpected exception
    _Variant(
        "helidon",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<level>{_LEVEL})[ \t]+(?P<logger_d>[A-Za-z_$][\w$\-]*(?:\.[\w$\-]+)+)[ \t]+"
        r"Thread\[(?P<thread_g>(?:[^\[\]]|\[[^\[\]]*\])*)\]:[ \t]+(?P<msg>.*)$",
    ),
    # Sonatype Nexus 3: the user (or *SYSTEM) between the thread and the logger
    #   2024-03-01 10:00:04,123+0000 WARN  [qtp1234567-89] admin org.sonatype.nexus...HttpClientFacetImpl - Repository status ...
    _Variant(
        "nexus",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<level>{_LEVEL})[ \t]+\[(?P<thread>[^\]]*)\][ \t]+(?P<mdc_f>\*SYSTEM|[\w.@\-]+)[ \t]+"
        r"(?P<logger_d>[A-Za-z_$][\w$\-]*(?:\.[\w$\-]+)+)[ \t]+-[ \t]+(?P<msg>.*)$",
    ),
    # JFrog Artifactory 7: the service, the level, the trace id, the logger with its line and
    # the padded thread, all in brackets
    #   2024-03-01T10:00:11.123Z [jfrt ] [ERROR] [000000013c6ef362] [o.a.r.d.DbStorage:212] [art-exec-12          ] - Could not commit transaction
    _Variant(
        "artifactory",
        rf"^(?P<ts>{_ISO})[ \t]+\[(?P<mdc_e>[\w\-]+)[ \t]*\][ \t]+\[(?P<level>{_LEVEL})[ \t]*\][ \t]+\[(?P<mdc>[0-9a-fA-F]*)\][ \t]+"
        r"\[(?P<code_b>[\w$.\-]+:\d+)\][ \t]+\[(?P<thread>[^\]]*)\][ \t]+-[ \t]+(?P<msg>.*)$",
    ),
    # Haskell's katip: every field in brackets, glued (namespace, severity, host, pid,
    # thread, source location)
    #   [2024-03-01 10:00:01][reports.web][Error][ip-10-0-3-17][4101][ThreadId 23][main:Main src/Main.hs:43:5] msg
    _Variant(
        "katip",
        rf"^\[(?P<ts>{_ISO})\]\[(?P<logger_e>[\w.\-]+)\]\[(?P<level>{_LEVEL})\]\[(?P<mdc_e>[^\[\]=]*)\]\[(?P<pid>\d+)\]"
        r"\[(?P<thread>ThreadId \d+)\]\[(?P<code_d>[^\]]*)\][ \t]*(?P<msg>.*)$",
    ),
    # Neo4j's debug.log: the database and its id after the logger (the lines without are
    # read by log4j below)
    #   2024-03-01 10:00:01.123+0000 INFO  [o.n.k.i.t.l.c.CheckPointerImpl] [neo4j/8b7c6d5e] Checkpoint triggered ...
    _Variant(
        "neo4j",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<level>{_LEVEL})[ \t]+\[(?P<logger_e>[\w$.\-]+)\][ \t]+\[(?P<mdc_f>[\w\-]+/[0-9a-f]{{8}})\][ \t]+(?P<msg>.*)$",
    ),
    # Windows' CBS.log and DISM.log: a comma after the stamp, the padded level and component
    #   2024-03-01 10:00:04, Error                 CSI    00000002 (F) STATUS_SXS_ASSEMBLY_MISSING ...
    _Variant(
        "cbs",
        r"^(?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}),[ \t]+(?P<level>Info|Warning|Error|Perf)[ \t]+"
        r"(?P<logger_e>[A-Z][A-Za-z]{1,11})[ \t]{2,}(?P<msg>.*)$",
        levels="Info|Warning|Error|Perf",
    ),
    # pino-pretty: the stamp in brackets, the level, "(name/pid on host):"
    #   [2024-03-01 10:00:02.500 +0100] ERROR (checkout/1 on checkout-7d9f8b6c5-x2q4z): card "declined"
    _Variant(
        "pino-pretty",
        rf"^\[(?P<ts>{_ISO}|\d{{2}}:\d{{2}}:\d{{2}}(?:\.\d+)?)\][ \t]+(?P<level>{_LEVEL})[ \t]+\((?:(?P<logger_e>[\w.\-]+)/)?(?P<pid>\d+)(?: on [^()\s]+)?\):[ \t]+(?P<msg>.*)$",
    ),
    # Akka's classic logger: level, stamp (month first), thread and source in brackets; a
    # marker before the stamp (dead letters)
    #   [ERROR] [03/01/2024 10:00:06.777] [shop-akka.actor.default-dispatcher-5] [akka://shop/user/payments] Charge failed
    #   [INFO] [akkaDeadLetter][03/01/2024 10:00:08.000] [shop-akka.actor.default-dispatcher-2] [akka://shop/user/gateway] ...
    _Variant(
        "akka",
        rf"^\[(?P<level>{_LEVEL})\][ \t]+(?:\[(?P<mdc>[A-Za-z]+)\])?\[(?P<ts>\d{{1,2}}/\d{{1,2}}/\d{{4}} \d{{2}}:\d{{2}}:\d{{2}}(?:\.\d+)?)\]"
        r"[ \t]+\[(?P<thread>[^\]]*)\][ \t]+\[(?P<logger_b>[^\]\s]*)\][ \t]+(?P<msg>.*)$",
    ),
    # Flask's default handler ("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")
    #   [2024-03-01 10:00:03,123] ERROR in app: Exception on /api/pay [POST]
    _Variant(
        "flask",
        rf"^\[(?P<ts>{_ISO})\] (?P<level>{_LEVEL}) in (?P<logger_e>[\w.\-]+): (?P<msg>.*)$",
    ),
    # Django's development server (runserver): its request lines, stamped "[%d/%b/%Y %H:%M:%S]"
    # (the level from the status: see _django_requests), and django.request's unstamped
    # failure lines, each followed by its traceback
    #   [01/Mar/2024 10:00:02] "POST /api/pay/ HTTP/1.1" 500 145
    #   Internal Server Error: /api/pay/
    _DJANGO_SERVER,
    _Variant("django-request", rf"^(?:{_DJANGO_REQUEST}): \S", whole_line=True, own_record=True),
    # fields separated by bare bars (log4j "%d|%p|%c|%m", many in-house layouts): the field
    # after the level is the logger ("2024-01-02 03:04:05,123|ERROR|OrderService|msg")
    _Variant(
        "bars",
        rf"^(?P<ts>{_STAMP})\|(?P<level>{_LEVEL})\|(?:(?P<logger>[A-Za-z_$][\w$.\-/]*)\|)?(?P<msg>.*)$",
    ),
    # log4j / logback / Spring Boot / Kafka / zap console / logrus text, level after the stamp:
    #   2024-01-02 03:04:05,123 ERROR [thread] com.x.Y - msg
    #   2024-01-02 03:04:05.123 [main] ERROR com.x.Y - msg
    #   2024-01-02T03:04:05.123+00:00 ERROR 12345 --- [main] c.x.Y : msg
    #   [2024-01-02 03:04:05,123] INFO msg (kafka.server.X)
    #   2024-01-02T03:04:05.123Z	ERROR	logger/x.go:12	msg	{"k": "v"}
    # the same with the level words of a localised runtime or app (upper case, or Japanese and
    # Chinese), before the English ones: a line they do not fit costs nothing more
    #   05.03.2024 10:00:02,456 WARNUNG [pool-1] de.firma.lager.Bestand - Bestand unter Mindestmenge
    #   2024-03-05 10:00:03 [ERREUR] Échec de génération de la facture
    #   2024/03/05 19:00:02.456 [警告] 外部APIの応答が遅延しています
    # Seastar's logger (ScyllaDB, Redpanda): the level before the stamp, the shard (newer
    # Seastar: and its scheduling group) and the logger before " - "; Redpanda's messages
    # start with their source file and line before another " - " (its vlog macro's)
    #   ERROR 2024-03-11 08:00:02,335 [shard 7] storage_proxy - Exception when communicating with ...
    #   INFO  2024-03-13 22:03:48,414 [shard 3:admi] cluster - members_manager.cc:1123 - Processing node ...
    _Variant(
        "scylla",
        rf"^(?P<level>{_LEVEL})[ \t]+(?P<ts>{_ISO})[ \t]+\[shard (?P<thread>\d+(?::[\w\-]+)?)\][ \t]+(?P<logger>[\w.\-/]+) - "
        # (a raft group's context in brackets before them: "[group_id:12, {kafka/orders/3}] consensus.cc:2107 - ")
        r"(?:(?:\[(?P<mdc>[^\[\]]*)\] )?(?P<code_b>[\w.\-/]+\.(?:cc|cpp|cxx|hh|h|hpp):\d+) - )?(?P<msg>.*)$",
    ),
    # 389 Directory Server's errors log (1.4 and later): the stamp with nanoseconds and the
    # zone in brackets, the level, the subsystem (a plugin or a function), each before " - "
    #   [13/Mar/2024:22:03:48.414251668 +0000] - ERR - NSMMReplicationPlugin - bind_and_check_pwp - agmt=...
    _Variant(
        "389ds",
        r"^\[(?P<ts>\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}(?:\.\d{1,9})? [+-]\d{4})\] - "
        rf"(?P<level>{_389DS_LEVEL}) - (?P<logger_f>[^ \t()]+(?: [^ \t()]+)*?) - (?P<msg>.*)$",
        levels=_389DS_LEVEL,
    ),
    # Icecast 2's error.log: two blanks between the date and the time, a four-letter level
    # (EROR, WARN, INFO, DBUG), the module and the function joined by a slash
    #   [2024-03-31  23:28:56] WARN connection/connection_complete_source Request to add source when ...
    _Variant(
        "icecast",
        r"^\[(?P<ts>\d{4}-\d{2}-\d{2}[ \t]+\d{2}:\d{2}:\d{2})\] (?P<level>EROR|WARN|INFO|DBUG) "
        r"(?P<logger_e>[\w.\-]+/[\w.\-]+) (?P<msg>.*)$",
        levels="EROR|WARN|INFO|DBUG",
    ),
    # oauth2-proxy's standard log: the stamp (Go's "2006/01/02 15:04:05") and the source file
    # and line in brackets; it writes no level ("Error loading cookied session" is message)
    #   [2024/03/23 03:54:55] [oauthproxy.go:832] Error loading cookied session: ...
    _Variant(
        "oauth2-proxy",
        r"^\[(?P<ts>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2})\] \[(?P<code_b>[\w.\-]+\.go:\d+)\] (?P<msg>.*)$",
    ),
    # ... and its request and auth logs, records of their own: the client, the request id
    # and the user before " - " (kept as mdc), the stamp in brackets, an auth line's status
    #   10.0.0.5:54321 - 5e1b...c4 - user@example.com [2024/03/23 03:54:55] host GET upstream "/path" HTTP/1.1 "UA" 200 123 0.004
    #   10.0.0.5:54321 - 5e1b...c4 - - [2024/03/23 03:54:55] [AuthFailure] Invalid authentication via OAuth2: ...
    _Variant(
        "oauth2-proxy-request",
        r"^(?P<mdc_e>[^ \t\[\]=]+ - [^ \t\[\]=]+ - [^ \t\[\]=]+) \[(?P<ts>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2})\] "
        r"(?:\[(?P<level>AuthSuccess|AuthFailure|AuthError)\] )?(?P<msg>.*)$",
        levels="AuthSuccess|AuthFailure|AuthError",
    ),
    # Netdata's daemon log (error.log, before 1.45): the stamp and a colon, the program, the
    # level padded, the thread, each before " : "
    #   2024-03-13 22:03:48: netdata ERROR : PLUGIN[proc] : Cannot refresh interface enp0s3 speed ...
    _Variant(
        "netdata",
        rf"^(?P<ts>\d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}:\d{{2}}): (?P<logger_e>[\w.\-]+) (?P<level>{_LEVEL})[ \t]*: "
        r"(?P<thread>[^ \t]+) : (?P<msg>.*)$",
    ),
    # ArangoDB: the process id in brackets, the level, the message's log id in brackets and
    # its topic in braces
    #   2024-03-11T08:00:01Z [35429] INFO [144fe] {startup} using storage engine 'rocksdb'
    _Variant(
        "arangodb",
        rf"^(?P<ts>{_ISO})[ \t]+\[(?P<pid>\d+)\][ \t]+(?P<level>{_LEVEL})[ \t]+\[(?P<code_f>[0-9a-f]{{5}})\][ \t]+"
        r"\{(?P<logger>[\w\-]+)\}[ \t]+(?P<msg>.*)$",
    ),
    # Serilog's file layout as Jellyfin and Emby write it: the stamp (a time of day, or a date
    # and time), the three-letter level, the thread id, the source context and a colon
    #   [08:00:06] [INF] [44] Jellyfin.Server.Implementations.Users.UserManager: Authentication request ...
    _Variant(
        "serilog-context",
        r"^\[(?P<ts>(?:\d{4}-\d{2}-\d{2} )?\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?: ?[+-]\d{2}:?\d{2})?)\][ \t]+"
        r"\[(?P<level>VRB|DBG|INF|WRN|ERR|FTL)\][ \t]+\[(?P<thread>\d+)\][ \t]+(?P<logger>[A-Za-z_][\w.`]*):[ \t]+(?P<msg>.*)$",
        levels="VRB|DBG|INF|WRN|ERR|FTL",
    ),
    # Zigbee2MQTT's log file: the program and its level before the stamp, a colon after it
    #   Zigbee2MQTT:info  2024-03-11 08:00:01: Starting interview of '0x02ef1ccfa7ee6835'
    _Variant(
        "zigbee2mqtt",
        r"^(?P<logger>[A-Za-z][\w.\-]*):(?P<level>debug|info|warning|warn|error)[ \t]+"
        r"(?P<ts>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?):[ \t]+(?P<msg>.*)$",
        levels="debug|info|warning|warn|error",
    ),
    # FRRouting's daemons (bgpd, ospfd, zebra) logging to a file: the stamp, the daemon's
    # protocol, and the message's unique id (five and five letters or digits, fixed for each
    # place in the code that logs), no level
    #   2024/03/11 06:30:06 BGP: [X0K4Z-7ANHR] 10.0.0.1 sending KEEPALIVE
    _Variant(
        "frr",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<logger>[A-Z][A-Z0-9_]*):[ \t]+\[(?P<code_f>[0-9A-Z]{{5}}-[0-9A-Z]{{5}})\][ \t]+(?P<msg>.*)$",
    ),
    # Odoo's server log: the stamp, the process id, the level, the database ("?" for none)
    # and the logger, glued to its colon
    #   2024-03-11 08:00:08,170 4252 INFO prod_db odoo.http: Generating routing map for key 5
    _Variant(
        "odoo",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<pid>\d+)[ \t]+(?P<level>{_LEVEL})[ \t]+(?P<mdc_f>\?|[\w.\-]+)[ \t]+"
        r"(?P<logger>(?:odoo|werkzeug|py\.warnings)(?:\.[\w.]+)?):[ \t]+(?P<msg>.*)$",
    ),
    # Node-RED's console (Node's util.log): a year-less day, month name and time, a dash, the
    # level in brackets (audit and metric entries too); a node's messages name it in a
    # bracket of their own, its type and its name (or id), the node as `mdc` (the same event
    # of each MQTT broker node is one template: "[mqtt-broker:Local Broker] Connected ...")
    #   19 Nov 09:02:07 - [info] Welcome to Node-RED
    #   19 Nov 09:02:09 - [error] [function:Parse payload] TypeError: Cannot read properties ...
    _Variant("node-red-node", rf"{_NODE_RED_HEAD}\[(?P<mdc>[a-z][a-z0-9 \-]*:[^\]]+)\] (?P<msg>.*)$", levels=_NODE_RED_LEVEL),
    _Variant("node-red", rf"{_NODE_RED_HEAD}(?P<msg>.*)$", levels=_NODE_RED_LEVEL),
    # the UniFi Network application's server.log (log4j "[%d] <%t> %-5p %-6c{1} - %m"): the
    # stamp in brackets, the thread in angle brackets, the level, the padded component
    #   [2024-03-05 13:52:39,489] <inform-29> WARN  inform - Adoption failed for device ...
    _Variant(
        "unifi",
        rf"^\[(?P<ts>{_ISO})\][ \t]+<(?P<thread>[^<>]*)>[ \t]+(?P<level>{_LEVEL})[ \t]+(?P<logger_e>[\w.\-]+)[ \t]+-[ \t]+(?P<msg>.*)$",
    ),
    # Janus (the WebRTC server) with its stamps on: the level of a warning or an error in
    # brackets, the source file, function and line of an error or a debug line (whose level is
    # none: see _JANUS_DEBUG); an info line has neither (the stamp variant reads it), and the
    # handle or session id in brackets after them is the message's
    #   [Tue Mar  5 17:03:13 2024] [ERR] [ice.c:janus_ice_cb_component_state_changed:1886] [5014984408820210] ICE failed ...
    #   [Tue Mar  5 17:03:21 2024] [WARN] [6428640938328950] SRTP unprotect error: srtp_err_status_replay_fail ...
    _Variant(
        "janus",
        r"^\[(?P<ts>[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})\] "
        r"(?:\[(?P<level>FATAL|ERR|WARN)\] (?:\[(?P<code_b>[^\s\[\]:]+:\w+:\d+)\] )?"
        r"|\[(?P<code_h>[^\s\[\]:]+:\w+:\d+)\] )(?P<msg>.*)$",
        levels="FATAL|ERR|WARN",
        specialise=False,
    ),
    # BIRD (the routing daemon)'s log file: the message's class in angle brackets after the
    # stamp (BIRD 1.x wrote the day first: "05-03-2024 16:51:23 <INFO> Started")
    #   2024-03-05 16:51:23.941 <TRACE> upstream1: Sending OPEN(ver=4,as=64620,hold=180,id=b901b002)
    _Variant(
        "bird",
        rf"^(?P<ts>{_ISO}|\d{{2}}-\d{{2}}-\d{{4}} \d{{2}}:\d{{2}}:\d{{2}}(?:\.\d{{1,9}})?)[ \t]+<(?P<level>{_BIRD_LEVEL})>[ \t]+(?P<msg>.*)$",
        levels=_BIRD_LEVEL,
    ),
    # Graphite's carbon daemons (Twisted): the stamp day first, " :: ", on standard output the
    # log's type in brackets (console, cache, listener, ...)
    #   05/03/2024 16:31:58 :: twistd 22.10.0 (/opt/graphite/bin/python3 3.10.12) starting up.
    _Variant(
        "carbon",
        r"^(?P<ts>\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}) :: (?:\[(?P<logger_e>" + _CARBON_TYPES + r")\] )?(?P<msg>.*)$",
    ),
    # log4j's "%d %p [%c{1}] [%t] %m%n": the logger's class name and the thread, each in
    # brackets, then the message (Apache Pinot's default)
    #   2024/03/05 16:23:27.004 INFO [BaseServerStarter] [main] Starting Pinot server (Version: 1.1.0)
    _Variant(
        "log4j-class-thread",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<level>TRACE|DEBUG|INFO|WARN|ERROR|FATAL)[ \t]+\[(?P<logger_e>[A-Z][\w$]*)\][ \t]+"
        r"\[(?P<thread_g>(?:[^\[\]]|\[[^\[\]]*\])*)\][ \t]+(?P<msg>.*)$",
        levels="TRACE|DEBUG|INFO|WARN|ERROR|FATAL",
    ),
    _Variant("log4j-localised", _log4j_regex(_LOCAL_LEVEL), levels=_LOCAL_LEVEL),
    _Variant("log4j", _log4j_regex(_LEVEL)),
    # MongoDB before 4.4: "<stamp> <level letter> <COMPONENT> [<context>] message"
    #   2024-03-01T10:00:01.123+0000 I NETWORK  [conn123] end connection 10.0.0.1:5000
    _Variant(
        "mongodb",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<level>[FEWI]|D[1-5]?)[ \t]+(?P<logger>[A-Z_]+|-)[ \t]+"
        r"\[(?P<thread>[^\]]*)\][ \t]+(?P<msg>.*)$",
    ),
    # the level and thread before the stamp (Cassandra's "%-5level [%thread] %date %F:%L - %msg")
    #   ERROR [CompactionExecutor:1] 2024-03-01 10:00:02,123 CassandraDaemon.java:244 - Exception in thread
    _Variant(
        "level-thread-stamp",
        rf"^(?P<level>{_LEVEL})[ \t]+\[(?P<thread>[^\]]*)\][ \t]+(?P<ts>{_STAMP})[ \t]+"
        r"(?:(?P<logger>[\w$.\-/]+(?::\d+)?)[ \t]+-[ \t]+)?(?P<msg>.*)$",
    ),
    # AWS Lambda's runtime log lines (Node.js, Python, Java): stamp, request id, level, message
    # (tab-separated), and its platform lines: START/END/REPORT RequestId: ...
    #   2024-03-01T10:00:01.123Z	8f5f5c2e-1c2b-4c57-9a77-2f2f0f1d0e3a	ERROR	payment declined
    _Variant(
        "lambda",
        rf"^(?P<ts>{_ISO})\t(?P<thread>[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}|undefined)"
        rf"\t\[?(?P<level>{_LEVEL})\]?\t(?P<msg>.*)$",
    ),
    # `aws logs tail` / `aws logs filter-log-events` text output of a Lambda function: the
    # event's stamp and log stream ("2024/11/29/[$LATEST]5d2f..."), then the runtime's line
    # (above), a platform line or a Python runtime error ("[ERROR] Runtime.ImportModuleError")
    _Variant(
        "cloudwatch-lambda",
        rf"^(?P<ts>{_ISO}) (?P<mdc>\d{{4}}/\d{{2}}/\d{{2}}/\[[^\]]*\][0-9a-f]{{8,32}}) "
        rf"(?:{_ISO}\t(?P<thread>[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}|undefined)"
        rf"\t\[?(?P<level>{_LEVEL})\]?\t|(?P<logger>START|END|REPORT|INIT_START) RequestId: (?P<thread_b>[0-9a-f\-]{{36}})[ \t]*"
        rf"|\[(?P<level_b>{_LEVEL})\][ \t]+)?(?P<msg>.*)$",
    ),
    # (the platform line's kind is its logger, "START", "END", "REPORT"; the request id its thread)
    _Variant(
        "lambda-platform",
        r"^(?P<logger>START|END|REPORT|INIT_START) RequestId: (?P<thread>[0-9a-f\-]{36})[ \t]*(?P<msg>.*)$",
    ),
    # PostgreSQL with a ':'-separated log_line_prefix (AWS RDS / Aurora's '%t:%r:%u@%d:[%p]:'):
    #   2024-03-01 10:00:05 UTC:10.0.0.1(5432):app@shop:[4247]:ERROR:  duplicate key ...
    _Variant(
        "postgres",
        rf"^(?P<ts>{_ISO}):(?P<mdc>.*?):?\[(?P<pid>\d+)\]:(?P<level>{_LEVEL}):\s+(?P<msg>.*)$",
    ),
    # PostgreSQL's common log_line_prefix '%m [%p] %u@%d ' (the user and database, empty for
    # background processes), also '%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ':
    #   2024-03-01 10:00:05.123 UTC [3655] ledger@bankdb ERROR:  could not extend file ...
    _Variant(
        "postgres-user",
        rf"^(?P<ts>{_ISO})[ \t]+\[(?P<pid>\d+)\]:?(?:[ \t]+\[\d+(?:-\d+)?\])?[ \t]+"
        # ("[unknown]" before the connection is authenticated: Debian's default prefix
        # '%m [%p] %q%u@%d ' writes "[unknown]@[unknown]" on "connection received" lines)
        r"(?P<mdc>(?:[\w.\-]*|\[unknown\])@(?:[\w.\-]*|\[unknown\])|user=\S*)[ \t]+"
        rf"(?P<level>{_LEVEL}|STATEMENT|DETAIL|HINT|CONTEXT|QUERY|LOCATION):[ \t]+(?P<msg>.*)$",
    ),
    # Android logcat (threadtime): 03-17 16:13:38.811  1702  2395 D WindowManager: msg
    _Variant(
        "logcat",
        # (with a year, as "logcat -v year" writes it: "2024-03-05 10:00:02.100  4321  4321 E AndroidRuntime: ...")
        r"^(?P<ts>(?:\d{4}-)?\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3})\s+(?P<pid>\d+)\s+(?P<thread>\d+)\s+"
        r"(?P<level>[VDIWEFA])\s+(?P<logger>[^:]*?)\s*: (?P<msg>.*)$",
    ),
    # ... and its 'time' format (logcat -v time): the level letter and the tag before the pid
    #   03-05 10:00:11.500 E/AndroidRuntime( 1234): FATAL EXCEPTION: main
    _Variant(
        "logcat-time",
        r"^(?P<ts>\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3})\s+(?P<level>[VDIWEFA])/(?P<logger>[^(]*?)\s*"
        r"\(\s*(?P<pid>\d+)\): (?P<msg>.*)$",
    ),
    # Python logging's basic format: ERROR:name:msg
    _Variant(
        "python-basic",
        r"^(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL):(?P<logger>[^:\s]*):(?P<msg>.*)$",
    ),
    # Elasticsearch / Logstash (log4j2 "[%d][%-5p][%c] [%node_name] %m"): brackets with no blank
    #   [2024-11-02T00:00:01,123][WARN ][o.e.c.r.a.DiskThresholdMonitor] [node-1] high disk watermark
    _Variant(
        "bracketed",
        # (Apache Ignite's "[%d{ISO8601}][%-5p][%t][%c{1}]" has the thread there, which may nest
        # brackets: "[tcp-disco-sock-reader-[610c2cb3 10.0.0.7:14956]-#8-#89]")
        rf"^\[(?P<ts>{_ISO})\]\[(?P<level>{_LEVEL})\s*\]\[(?P<logger>(?:[^\[\]\s]|\[[^\[\]]*\])+)\s*\][ \t]*"
        # (Logstash: the pipeline, then the plugin's id glued to it: "[main][e1f2a3...]")
        r"(?:\[(?P<thread>[^\]]*)\](?:\[(?P<mdc>[^\]\s]*)\])?[ \t]*)?(?P<msg>.*)$",
    ),
    # bracketed decorators before the level and the tags: the JDK's unified logging (GC
    # logs: time, uptime, pid, tid...) and Envoy's application log (its pid; the source
    # location after the logger)
    #   [2024-03-01T10:05:03.000+0100][302.9s][error][gc,heap,exit] Heap exhausted
    #   [2024-03-01 10:00:05.456][15][warning][config] [./source/grpc_stream.h:201] stream closed
    _Variant(
        "decorated",
        rf"^\[(?P<ts>{_ISO})\](?:\[[^\[\]]*\])+?\[(?P<level>{_LEVEL})\s*\]\[(?P<logger>[^\]\s]+)\s*\][ \t]*"
        r"(?:\[(?P<code>[^\]\s]+:\d+)\][ \t]*)?(?P<msg>.*)$",
    ),
    # a stamp, a thread and the level in brackets glued together, then the message (custom
    # C++ server layouts, spdlog's "[%Y-%m-%d %H:%M:%S.%e][%t][%l] %v")
    #   [2025-06-24 17:44:57.100][net-2][ERROR] matchmaker heartbeat failed: connect timed out
    _Variant(
        "bracketed-thread",
        rf"^\[(?P<ts>{_ISO})\]\[(?P<thread>[^\[\]]*)\]\[(?P<level>{_LEVEL})[ \t]*\][ \t]*(?P<msg>.*)$",
    ),
    # the JDK's unified logging with its default decorators (-Xlog:gc*:file=gc.log: uptime,
    # level, tags): the uptime (or uptimemillis, uptimenanos) is no time, the record has none
    #   [301.200s][warning][gc,alloc] GC(88) To-space exhausted
    _Variant(
        "jdk-uptime",
        r"^\[\d+(?:[.,]\d+)?(?:s|ms|ns)\](?:\[[^\[\]]*\])*?\[(?P<level>trace|debug|info|warning|error)[ \t]*\]"
        r"\[(?P<logger>[a-z][a-z0-9_,]*)[ \t]*\][ \t]*(?P<msg>.*)$",
        levels="trace|debug|info|warning|error",
    ),
    # Redis: "pid:role dd Mon yyyy hh:mm:ss.mmm <mark> msg", the mark . - * # is its level
    _Variant(
        "redis",
        r"^(?P<pid>\d+):(?P<thread>[XCSM]) (?P<ts>\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}(?:\.\d+)?) (?P<level>[.\-*#]) (?P<msg>.*)$",
    ),
    # Apache httpd error log (2.4 and 2.2): the level in "[module:level]" or "[level]", then
    # "[pid N:tid M]" and "[client ip:port]":
    #   [Sat Nov 02 00:00:01.123456 2024] [proxy:error] [pid 1234:tid 140] [client 10.0.0.1:5678] AH01114: msg
    _Variant(
        "apache-error",
        r"^\[(?P<ts>[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}(?:\.\d+)? \d{4})\] "
        rf"\[(?:(?P<logger>[\w.\-]+):)?(?P<level>{_LEVEL}|emerg|alert|crit|notice|debug|trace[1-8])\] "
        r"(?:\[pid (?P<pid>\d+)(?::tid (?P<thread>\d+))?\] )?(?:\[(?P<mdc>(?:remote|client) [^\]]+)\] )?(?P<msg>.*)$",
    ),
    # PHP's Monolog (Laravel, Symfony): "[<stamp>] <channel>.<LEVEL>: msg {context} [extra]"
    #   [2024-03-01 10:00:01] production.ERROR: Undefined variable $order {"exception":"..."} []
    _Variant(
        "monolog",
        rf"^\[(?P<ts>{_STAMP})\][ \t]+(?P<logger>[\w\-]+)\.(?P<level>{_LEVEL}):[ \t]+(?P<msg>.*)$",
    ),
    # the level, the stamp, the thread in brackets (which may nest brackets: Mule's
    # "[[MuleRuntime].uber.04: [app].flow.CPU_LITE @5c1a2b3c]"), an optional context in
    # brackets (Mule's "[processor: ...; event: ...]"), the logger and a colon (log4j's
    # "%-5p %d [%t] %X %c: %m", Mule's default; the message of an error is the block below)
    #   ERROR 2024-03-01 10:00:07,123 [[MuleRuntime].uber.04: ...] [processor: ...; event: 1a2b3c40-...] org.mule...OnErrorPropagateHandler:
    _Variant(
        "level-stamp-thread",
        rf"^(?P<level>{_LEVEL})[ \t]+(?P<ts>{_ISO})[ \t]+\[(?P<thread_g>(?:[^\[\]]|\[[^\[\]]*\])*)\][ \t]+"
        r"(?:\[(?P<mdc_e>[^\[\]]*)\][ \t]+)?(?P<logger_d>[A-Za-z_$][\w$\-]*(?:\.[\w$\-]+)+):(?:[ \t]+|$)(?P<msg>.*)$",
    ),
    # a bare level first: ERROR 2024-01-02 03:04:05 msg / [ERROR] msg / WARN: msg
    # the Java Service Wrapper's wrapper.log (Tanuki; Ignition and many Windows Java
    # services): the wrapper's level, the source (the wrapper, or the JVM and its run), the
    # stamp, between bars; the JVM's line after it is read as an app line (Ignition's head,
    # another app's layout, a stack trace's line: see _wrapped_app_lines)
    #   INFO   | jvm 1    | 2024/03/05 10:00:30 | E [OpcUaConnection   ] [10:00:30]: connection failed
    _Variant(
        "tanuki",
        rf"^(?P<level>{_TANUKI_LEVEL})[ \t]*\|[ \t]*(?P<thread>jvm \d+|wrapper|Wrapper)[ \t]*\|[ \t]*"
        r"(?P<ts>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?)[ \t]*\|[ \t]?(?P<msg>.*)$",
        levels=_TANUKI_LEVEL,
        # (one blank after the bar: the app line's own indent, a stack frame's tab, is its;
        # a strict regex made from the sample would take every blank there)
        specialise=False,
    ),
    # HAProxy's own messages on stderr (an OpenShift router pod): the level, the day of the
    # year and the time, the pid (HAProxy 2.3+ writes no stamp)
    #   [WARNING] 064/100002 (2231) : Server be_http:shop/pod:8080 is DOWN, reason: Layer4 ...
    _Variant(
        "haproxy",
        r"^\[(?P<level>NOTICE|WARNING|ALERT|EMERG)\][ \t]+(?:(?P<ts>[0-3]\d{2}/\d{6})[ \t]+)?\((?P<pid>\d+)\)[ \t]*:[ \t]+"
        r"(?P<msg>.*)$",
        levels="NOTICE|WARNING|ALERT|EMERG",
    ),
    _Variant(
        "level-first",
        rf"^\[?(?P<level>{_LEVEL})(?:[ \t]*\])?:?\s+(?:\|[ \t]+)?(?:\[?(?P<ts>{_STAMP})\]?\s+)?(?P<msg>.*)$",
    ),
    # winston's own levels below info, which are no level words elsewhere ("http: panic
    # serving ..." is Go's net/http), in its "format.simple()" ("<level>: msg {meta}"),
    # maybe after format.timestamp()'s ISO stamp (Go's log stamp, "2024/03/05 10:00:05 http:
    # panic serving ...", is not one)
    #   http: GET /health 200 2ms {"service":"gateway"}
    _Variant(
        "winston",
        r"^(?:(?P<ts>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z)[ \t]+)?(?P<level>http|silly):[ \t]+(?P<msg>.*)$",
        levels="http|silly",
    ),
    # npm's debug log (npm-debug.log, _logs/*-debug-0.log): a line counter, npm's level word
    #   11 error code 1
    _Variant("npm", rf"^\d+ (?P<level>{_NPM_LEVEL}) (?P<msg>.*)$", levels=_NPM_LEVEL),
    # a time of day only, then log4j's thread, level and logger (logback's default console
    # pattern "%d{HH:mm:ss.SSS} [%thread] %-5level %logger{36} - %msg", pino-pretty); its
    # own variant, so that it costs nothing on the files that do not need it
    #   08:00:01.123 [main] ERROR c.a.shop.PaymentService - charge failed
    _Variant(
        "time-only",
        rf"^\[?(?P<ts>\d{{2}}:\d{{2}}:\d{{2}}(?:[.,]\d{{1,9}})?)\]?{_SEP}(?:\[(?P<thread>[^\]]*)\]{_SEP})?"
        rf"\[?(?P<level>{_LEVEL})(?:[ \t]*\])?:?{_SEP}(?:(?P<logger>[A-Za-z_$][\w$.\-/]*)[ \t]+-[ \t]+"
        # (WildFly's console: "[%c] (%t) ", logger and thread, as in its dated server.log)
        r"|\[(?P<logger_e>[A-Za-z_$][\w$\-]*(?:\.[\w$\-]+)+)\][ \t]+\((?P<thread_f>[^()\n]*)\)[ \t]+"
        # (dbt's log file: the thread in brackets and a colon, "[info ] [MainThread]: ")
        r"|\[(?P<thread_b>[^\[\]]*)\]:[ \t]+)?(?P<msg>.*)$",
    ),
    # Elixir's Logger console with its default time of day and metadata before the level
    # ("$time $metadata[$level] $message"): the metadata as mdc, the day from the file's time
    #   10:00:00.123 request_id=F74914413b9551d7b3aa [info] GET /api/orders/0
    _Variant(
        "elixir-time",
        r"^(?P<ts>\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)[ \t]+(?:(?P<mdc_b>[\w.\-]+=[^\s\[\]]+(?:[ \t]+[\w.\-]+=[^\s\[\]]+)*)[ \t]+)?"
        rf"\[(?P<level>{_LEVEL})\][ \t]+(?P<msg>.*)$",
    ),
    # a time of day only, then the message (dbt's console: "10:00:36  1 of 3 ERROR creating
    # sql view model ..."); dated as any time-only stamp (see _dated_times)
    _Variant("time-only-bare", r"^(?P<ts>\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?)[ \t]+(?P<msg>.*)$"),
    # TeamCity's build log download: a time of day in brackets, a status letter (W warning,
    # E error, i internal; a blank on plain lines), a colon and a tab
    #   [10:00:40]E:	 [Step 1/2] Process exited with code 1
    _Variant(
        "teamcity",
        r"^\[(?P<ts>\d{2}:\d{2}:\d{2})\](?:(?P<level>[iWE])| ):\t[ \t]?(?P<msg>.*)$",
        levels="[iWE]",
    ),
    # msiexec's verbose log (/l*v): the context ("c" client, "s" server), process and thread
    # ids in hex, a time of day with a colon before the milliseconds; between the dated
    # "=== Verbose logging started: 3/5/2024  10:00:31 ... ===" banners that date it
    #   MSI (s) (C0:D4) [10:00:35:456]: Product: Contoso Agent -- Error 1722. There is a problem ...
    _Variant(
        "msiexec",
        r"^MSI \((?P<logger_e>[a-zA-Z])\) \((?P<thread>[0-9A-Fa-f]+:[0-9A-Fa-f]+)\) \[(?P<ts>\d{2}:\d{2}:\d{2}:\d{3})\]:[ \t]"
        r"(?P<msg>.*)$",
    ),
    _Variant(
        "msiexec-banner",
        r"^=== (?:Verbose logging|Logging) (?:started|stopped): (?P<ts>\d{1,2}/\d{1,2}/\d{4}[ \t]+\d{1,2}:\d{2}:\d{2})"
        r"(?P<msg>.*)$",
        keep_line=True,
    ),
    # CUPS' error_log (and access_log's siblings): a level letter, then an Apache stamp
    #   E [05/Mar/2024:11:00:40 +0100] [Job 12] Unable to send data to printer.
    _Variant(
        "cups",
        r"^(?P<level>[ACDdEINWX]) \[(?P<ts>\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] (?P<msg>.*)$",
        levels="[ACDdEINWX]",
    ),
    # SAP HANA's trace files: the thread, the connection and the transaction/update ids in
    # brackets, the stamp, a level letter, the component and the source file and line
    #   [4388]{200123}[45/1234567] 2024-03-05 10:00:36.000001 e SQLSession       sm_handler.cc(03210) : transaction ...
    _Variant(
        "hana",
        r"^\[(?P<thread>\d+)\](?P<mdc>\{-?\d+\}\[-?\d+/-?\d+\]) (?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,9})?) "
        r"(?P<level>[diwef]) (?P<logger_e>\S+)[ \t]+(?:(?P<code>[\w.\-]+\(\d+\))[ \t]+)?:[ \t]?(?P<msg>.*)$",
        levels="[diwef]",
    ),
    # SSSD's debug logs: the stamp in parentheses (2.x: ISO, microseconds after a colon;
    # 1.x: ctime), the component, the function and the debug level (0x0040: a failure)
    #   (2024-03-05 10:00:31): [be[example.com]] [sdap_process_result] (0x0040): Unexpected result ...
    #   (Tue Mar  5 10:00:40 2024) [sssd[be[example.com]]] [fo_resolve_service_send] (0x0100): Trying ...
    _Variant(
        "sssd",
        r"^\((?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?::\d{1,6})?"
        r"|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}(?::\d{1,6})? \d{4})\):? "
        r"\[(?P<logger_e>(?:[^\[\]\s]|\[(?:[^\[\]\s]|\[[^\[\]\s]*\])*\])+)\] \[(?P<code>[\w.]+)\] "
        r"\((?P<level>0x[0-9a-fA-F]{4,5})\): (?P<msg>.*)$",
        levels="0x[0-9a-fA-F]{4,5}",
    ),
    # splunkd.log: a month-day-year stamp with an offset, the level, the component and the
    # thread ("<id> <name>") before a dash
    #   03-05-2024 11:00:40.000 +0100 ERROR TcpOutputFd [4330 TcpOutEloop] - Connection to host=... failed
    _Variant(
        "splunkd",
        r"^(?P<ts>\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})? [+-]\d{4})[ \t]+"
        rf"(?P<level>{_LEVEL})[ \t]+(?P<logger_e>[\w:.\-]+)[ \t]+(?:\[(?P<thread>[^\[\]]*)\][ \t]+)?-[ \t]+(?P<msg>.*)$",
    ),
    # Check Point's "fw log" text: a day, month name and year glued together
    #   5Mar2024 10:00:31 accept gw01 >eth1 proto: tcp; src: 10.0.0.5; dst: 192.0.2.10; ...
    _Variant("checkpoint", r"^ ?(?P<ts>\d{1,2}[A-Z][a-z]{2}\d{4} \d{1,2}:\d{2}:\d{2})[ \t]+(?P<msg>.*)$"),
    # OpenLDAP 2.5+'s slapd log file (logfile): epoch seconds and nanoseconds in hex (eight
    # digits; five: microseconds, where slapd has no clock_gettime), then the thread
    #   65e6ee3f.1a2b3c4d 0x7f1234567700 conn=1000 fd=12 ACCEPT from IP=10.0.0.5:51234 (IP=0.0.0.0:389)
    _Variant("openldap", r"^(?P<ts>[0-9a-f]{8}\.(?:[0-9a-f]{8}|[0-9a-f]{5})) (?P<thread>0x[0-9a-f]+) (?P<msg>.*)$"),
    # Xorg's log: the server's uptime in seconds (three decimals, no time of day) and a
    # marker: (II) information, (WW) warning, (EE) error, (NI) not implemented, (==) a
    # default, (--) probed, (**) from the config file, (++) from the command line, (!!)
    # notice, (??) unknown
    #   [    12.347] (EE) Failed to load module "nvidia" (module does not exist, 0)
    _Variant(
        "xorg",
        r"^\[[ \t]*\d+\.\d{3}\] \((?P<level>II|WW|EE|NI|==|--|\*\*|\+\+|!!|\?\?)\) (?P<msg>.*)$",
        levels=r"II|WW|EE|NI|==|--|\*\*|\+\+|!!|\?\?",
    ),
    # a version field, then the stamp, in a delimited export (PAN-OS' CSV log export,
    # "1,2024/03/05 10:00:31,<serial>,TRAFFIC,..."; Azure Storage Analytics' logs, "1.0;
    # 2024-03-05T10:00:31.1234567Z;GetBlob;..."): the line after the stamp is the message
    _Variant("delimited-stamp", rf"^\d{{1,2}}(?:\.\d{{1,2}})?[,;](?P<ts>{_ISO})[,;](?P<msg>.*)$"),
    # IBM MQ's error logs (AMQERR01.LOG): an entry's head line, its indented attributes, the
    # message (its id's last letter the level: "AMQ9209E:" an error), an explanation and an
    # action, then a rule of dashes closing it (the message first in the body, see _mq_entries)
    #   03/05/2024 10:00:31 AM - Process(4567.12) User(mqm) Program(amqrmppa)
    _Variant(
        "ibm-mq",
        r"^(?P<ts>\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}(?: [AP]M)?) - Process\((?P<pid>\d+(?:\.\d+)?)\) (?P<msg>.*)$",
    ),
    # apt's history.log: blocks of "Key: value" lines, the first "Start-Date:" (the body keeps
    # the block whole)
    #   Start-Date: 2024-03-05  10:00:31
    _Variant(
        "apt-history", r"^Start-Date: (?P<ts>\d{4}-\d{2}-\d{2}[ \t]+\d{2}:\d{2}:\d{2})[ \t]*$(?P<msg>.*)$", keep_line=True
    ),
    # a banner line between rules, an unstamped record of its own (dbt's invocation banner in
    # logs/dbt.log: "============================== 10:00:31.123456 | <uuid> ==============================")
    _Variant(
        "banner",
        r"^(?:={5,}|-{5,})[ \t]+\S.*[ \t]+(?:={5,}|-{5,})[ \t]*$",
        whole_line=True,
        own_record=True,
    ),
    # Ansible's log_path file: stamp, p= u= n=, a bar; a failed task's "fatal:" / "failed:"
    # and the "[WARNING]:" / "[ERROR]:" lines are its levels (the rest: plays, tasks, "ok:")
    #   2024-03-01 10:00:13,790 p=12345 u=deploy n=ansible | fatal: [web2]: UNREACHABLE! => {...}
    # (the marked lines a variant of their own, tried first: the unmarked shape would take
    # them all)
    _Variant("ansible", rf"{_ANSIBLE_HEAD}(?P<level>{_ANSIBLE_LEVEL}):[ \t]*(?P<msg>.*)$", levels=_ANSIBLE_LEVEL),
    _Variant("ansible-unmarked", rf"{_ANSIBLE_HEAD}(?P<msg>.*)$"),
    # Heroku's log stream (heroku logs): stamp, source[dyno]; the router's at= is its level
    #   2024-03-01T10:00:30.123456+00:00 heroku[router]: at=error code=H12 desc="Request timeout" ...
    _Variant(
        "heroku",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<logger>(?:app|heroku)\[[\w.\-]+\]):[ \t]+(?:at=(?P<level>info|warning|error)[ \t]+)?(?P<msg>.*)$",
        levels="info|warning|error",
    ),
    # GitHub Actions job logs: a 7-digit-fraction stamp, and workflow commands for the
    # annotated lines (the other lines are read by "stamp" below)
    #   2024-03-01T10:00:31.6666666Z ##[error]Process completed with exit code 1.
    _Variant(
        "github-actions",
        rf"^(?P<ts>{_ISO})[ \t]+##\[(?P<level>{_GHA_LEVEL})\](?P<msg>.*)$",
        levels=_GHA_LEVEL,
    ),
    # GitLab's job log with timestamps (FF_TIMESTAMPS): the stream after the stamp, two hex
    # digits and O (stdout) or E (stderr), "+" when the line goes on from the one above, as
    # thread; then the line, whose starting level word is the level as after any stamp
    #   2024-03-05T10:00:20.100000Z 00O ERROR: Job failed: exit code 1
    # (the lines with a level a variant of their own, tried first: a strict head regex made
    # from the more common lines without one would take them too, see _specialise)
    _Variant(
        "gitlab-job-level",
        rf"{_GITLAB_HEAD}(?P<level>{_LEVEL})(?::[ \t]*|[ \t]+)(?P<msg>.*)$",
    ),
    _Variant("gitlab-job", rf"{_GITLAB_HEAD}(?P<msg>.*)$"),
    # macOS' "log show" (unified logging): the stamp with its offset, the thread, the type
    # (Default is INFO, Fault an error), the activity, the pid and TTL, the process
    #   2024-03-05 11:00:02.500000+0100 0x1a2b3    Error       0x0                  412    0    MyApp: (CFNetwork) Task ...
    _Variant(
        "macos-log",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<thread>0x[0-9a-f]+)[ \t]+(?P<level>{_MACOS_LEVEL})[ \t]+0x[0-9a-f]+[ \t]+(?P<pid>\d+)[ \t]+\d+[ \t]+"
        r"(?P<logger_e>[A-Za-z0-9_.\-]+): ?(?P<msg>.*)$",
        levels=_MACOS_LEVEL,
    ),
    # ... and its compact style ("log show --style compact"): the type as a code (Df default,
    # Db debug, I info, E error, Fa fault, A activity), the process with its pid and thread id,
    # the subsystem and category in brackets
    #   2024-03-05 11:00:02.500 E  MyApp[412:1a2b3] [com.shop.myapp:network] Request failed: ...
    _Variant(
        "macos-compact",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<level>{_MACOS_CODE})[ \t]+(?P<logger_e>[^\s\[\]]+)\[(?P<pid>\d+):(?P<thread_e>[0-9a-f]+)\][ \t]+"
        r"(?:\[(?P<mdc_e>[^\[\]]*)\][ \t]+)?(?P<msg>.*)$",
        levels=_MACOS_CODE,
    ),
    # (its column header, the rule and the counts closing it are records of their own)
    _Variant(
        "macos-log-frame",
        r"^(?:Timestamp +Thread +Type +Activity +PID|Timestamp +Ty +Process\[PID:TID\]|Log +- Default: +\d|Activity +- Create: +\d|-{100,}[ \t]*$)",
        whole_line=True,
        own_record=True,
    ),
    # Atlassian Jira: the thread after the stamp, then (during a
    # request) "url: ...; user: ...", the level, the request's user, id, session, address
    # and URL, and the logger in brackets
    #   2024-03-01 10:00:06,123+0000 http-nio-8080-exec-5 url: /rest/api/2/issue; user: kim ERROR kim 600x1234x1 1xq2w3e 10.0.0.15 /rest/api/2/issue [c.a.j.rest.exception.ExceptionInterceptor] Returning ...
    #   2024-03-01 10:00:01,123+0000 main INFO  [c.a.jira.startup.JiraStartupLogger] Jira starting...
    _Variant(
        "atlassian",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<thread_e>[\w$\-:.]+)[ \t]+(?:(?P<mdc>url: [^;\[\]]*; user: [^ \t\[\]]*)[ \t]+)?"
        rf"(?P<level>{_LEVEL})[ \t]+(?:(?P<mdc_e>[^\[\]=]*?)[ \t]+)?\[(?P<logger_e>[\w$.\-]+)\][ \t]+(?P<msg>.*)$",
    ),
    # pgpool-II: the process's kind and id, then PostgreSQL's "LEVEL:  message"
    #   2024-03-01 10:00:05.123: health_check1 pid 1240: ERROR:  failed to make persistent db connection
    _Variant(
        "pgpool",
        rf"^(?P<ts>{_ISO}):[ \t]+(?:(?P<thread>[\w\-]+(?: [\w\-]+)?)[ \t]+)?pid (?P<pid>\d+):[ \t]+"
        rf"(?P<level>{_LEVEL}|STATEMENT|DETAIL|HINT|CONTEXT|QUERY|LOCATION):[ \t]+(?P<msg>.*)$",
    ),
    # pgBackRest's log (files and console): the stamp (without it when log-timestamp=n), the
    # process id ("P00" the main process, "P01"... its parallel workers: the thread), the level
    # right-aligned to six characters and a colon
    #   2024-03-05 05:44:04.522 P01 DETAIL: backup file /var/lib/postgresql/15/main/base/1/2601 (8KB, 1.62%) checksum d401...
    #   2024-03-05 05:44:04.711 P00   INFO: archive-push command end: completed successfully (278ms)
    _Variant(
        "pgbackrest",
        r"^(?:(?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}) )?(?P<thread_e>P\d{2,3}) +"
        rf"(?P<level>{_PGBACKREST_LEVEL}): (?P<msg>.*)$",
        levels=_PGBACKREST_LEVEL,
    ),
    # QuestDB's log: the stamp in microseconds (UTC), a level letter (D debug, I info, A
    # advisory: an info always written, E error, C critical), the logger (a class with its
    # packages' initials, "i.q.c.TableWriter", or a server's name, "pg-server"), the message
    #   2024-03-05T00:54:41.745141Z I i.q.c.TableWriter merging partition [table=trades~3, ...]
    #   2024-03-05T00:54:41.158547Z E pg-server could not process [fd=373, errno=104]
    # (only with a logger of these shapes: a message may start with a word "I")
    _Variant(
        "questdb",
        r"^(?P<ts>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z) (?P<level>[DIAEC]) "
        r"(?P<logger_e>(?:[a-z]\.)+[A-Z][\w$]*|[a-z][a-z0-9]*(?:-[a-z0-9]+)+) (?P<msg>.*)$",
        levels="[DIAEC]",
    ),
    # Telegraf: a level letter and "!" after the stamp, the plugin in brackets
    #   2024-03-01T10:00:21Z E! [outputs.influxdb_v2] When writing to [http://influx:8086]: ...
    _Variant(
        "telegraf",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<level>[DIWE])![ \t]+(?:\[(?P<logger_b>[\w.\-:]+)\][ \t]+)?(?P<msg>.*)$",
        levels="[DIWE]",
    ),
    # cloud-init: the module and the level in brackets
    #   2024-03-01 10:00:05,623 - util.py[WARNING]: Running module apt-configure ... failed
    _Variant(
        "cloud-init",
        rf"^(?P<ts>{_ISO})[ \t]+-[ \t]+(?P<logger_e>[\w.\-]+)\[(?P<level>{_LEVEL})\]:[ \t]+(?P<msg>.*)$",
    ),
    # .NET's long level names in brackets (the Azure Functions host; its Warning and Error
    # lines are read by log4j above)
    #   2024-03-01T10:00:01.123 [Information] Executing 'Functions.ProcessOrder' (Reason=...)
    _Variant(
        "dotnet-bracket",
        rf"^(?P<ts>{_ISO})[ \t]+\[(?P<level>{_DOTNET_LEVEL})\][ \t]+(?P<msg>.*)$",
        levels=_DOTNET_LEVEL,
    ),
    # dnf's (and yum's) debug levels below DEBUG
    #   2024-03-01T10:00:01+0000 DDEBUG Command: dnf install -y nginx-1.20.1
    _Variant(
        "dnf",
        rf"^(?P<ts>{_ISO})[ \t]+(?P<level>DDEBUG|SUBDEBUG)[ \t]+(?P<msg>.*)$",
        levels="DDEBUG|SUBDEBUG",
    ),
    # loguru's SUCCESS level (its others are read by log4j above)
    #   2024-03-01 10:00:05.123 | SUCCESS  | shop.worker:process:62 - Invoice 8812 rendered
    _Variant(
        "loguru-success",
        rf"^(?P<ts>{_ISO})[ \t]+\|[ \t]+(?P<level>SUCCESS)[ \t]*\|[ \t]+(?P<logger>[^\s]+)[ \t]+-[ \t]+(?P<msg>.*)$",
        levels="SUCCESS",
    ),
    # Go's log package with a prefix before the stamp (log.New(w, "orders-api: ", flags)),
    # the source file and line (Lshortfile) after it
    #   orders-api: 2024/03/01 10:00:01.123456 server.go:88: listening on :8080
    _Variant(
        "go-prefix",
        r"^(?:\[(?P<logger_b>[\w.\-]+)\]|(?P<logger_e>[\w.\-]+):)[ \t]+(?P<ts>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?)[ \t]+"
        # (a level the program writes after it: NATS' "[1] 2024/03/01 10:00:01.123456 [ERR] msg")
        rf"(?:(?P<code_b>[\w.\-/]+\.go:\d+):[ \t]+)?(?:\[?(?P<level>{_LEVEL})(?:[ \t]*\])?:?[ \t]+)?(?P<msg>.*)$",
    ),
    # Squid's cache.log: the stamp, the process ("kid1"; Squid 3 writes none) and a bar;
    # "WARNING:", "ERROR:", "FATAL:" open a message (a forwarding loop's request follows on
    # the lines below)
    #   2024/03/01 10:00:07 kid1| WARNING: Forwarding loop detected for:
    # (the lines with a level a variant of their own, tried first: a strict head regex made
    # from the more common lines without one would take them too, see _specialise)
    _Variant(
        "squid-level",
        r"^(?P<ts>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?)[ \t]+(?P<thread_e>(?:kid|coord|disker)\d+)\|[ \t]+"
        rf"(?P<level>{_LEVEL}):[ \t]+(?P<msg>.*)$",
    ),
    _Variant(
        "squid",
        r"^(?P<ts>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?)[ \t]+(?P<thread_e>(?:kid|coord|disker)\d+)\|[ \t]+(?P<msg>.*)$",
    ),
    # Minecraft's server log: a time of day (dated by the file's modification time), the
    # thread and the level in one bracket
    #   [10:05:00] [Server thread/WARN]: Can't keep up! Is the server overloaded?
    _Variant(
        "minecraft",
        rf"^\[(?P<ts>\d{{2}}:\d{{2}}:\d{{2}})\] \[(?P<thread>[^\]/]+)/(?P<level>{_LEVEL})\]:? (?P<msg>.*)$",
    ),
    # Windows Update's WindowsUpdate.log (Get-WindowsUpdateLog): the stamp with seven
    # fraction digits, process and thread ids, the component; "*FAILED*" marks an error
    #   2024/03/05 10:00:07.0000000 1234  5678  Misc            *FAILED* [80244022] Method failed [...]
    _Variant(
        "windowsupdate",
        r"^(?P<ts>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}\.\d{7}) +(?P<pid>\d+) +(?P<thread_n>\d+) +(?P<logger_e>[A-Za-z][\w.\-]*) +"
        r"(?P<msg>.*)$",
    ),
    # Suricata's (and Snort's) fast.log: the stamp, then the alert from its "[**] [gid:sid:rev]"
    # on; its [Priority: N] is the level (see _alert_priorities)
    #   03/01/2024-09:58:00.539622  [**] [1:2210054:1] SURICATA STREAM excessive retransmissions [**] ...
    _Variant(
        "suricata-fast",
        r"^(?P<ts>\d{2}/\d{2}/(?:\d{4}|\d{2})-\d{2}:\d{2}:\d{2}\.\d{1,6})[ \t]+(?P<msg>.*)$",
    ),
    # Cisco IOS' logging buffer (show logging): a sequence number, the year-less stamp ("*":
    # the clock is not synchronised), a colon; the message starts with its %FAC-SEV-MNEMONIC
    # id, whose severity is the level (see _message_levels)
    #   000123: Mar  1 10:00:01.123 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down
    _Variant(
        "cisco-ios",
        r"^(?:\d+: )?[*.]?(?P<ts>[A-Z][a-z]{2} [ \d]?\d(?: \d{4})? \d{2}:\d{2}:\d{2}(?:\.\d+)?(?: [A-Z]{2,5})?): "
        r"(?P<msg>.*)$",
    ),
    # Go log and anything else with a stamp but no level: 2024/01/02 03:04:05 msg
    _Variant(
        "stamp",
        # (" : " after the stamp: FreeRADIUS' "Tue Mar  5 10:00:31 2024 : Error: ...")
        rf"^\[?(?P<ts>{_STAMP})\]?(?:[ \t]+:[ \t]+|:?{_SEP})(?:{_TAG_LEVEL})?"
        # "[10.30 16:49:06] chrome.exe - msg": a program name and a dash (Proxifier, ...)
        r"(?:(?P<logger>[A-Za-z_][\w$.\-/]*)[ \t]+-[ \t]+)?(?P<msg>.*)$",
    ),
    # Papertrail's archive (a headerless TSV): event id, generated_at, received_at, source id,
    # source name, source IP, facility, severity, program, message; the program is the
    # service (see _papertrail_services), the source name the mdc
    #   1500000000003	2026-11-30T10:00:06Z	2026-11-30T10:00:07Z	12345	shop-prod	203.0.113.9	Local7	Error	app/web.2	msg
    _Variant(
        "papertrail",
        rf"^\d+\t(?P<ts>{_ISO})\t{_ISO}\t\d+\t(?P<mdc>[^\t]*)\t[^\t]*\t[^\t]*\t(?P<level>{_PAPERTRAIL_LEVEL})"
        r"\t(?P<logger>[^\t]*)\t(?P<msg>.*)$",
        levels=_PAPERTRAIL_LEVEL,
    ),
    # an epoch time first (Squid's native access log, Zeek's TSV logs, scripts that print
    # time.time()): seconds from 2001 to 2033, or milli/micro/nanoseconds, with a fraction
    #   1704164645.123    123 10.0.0.1 TCP_MISS/200 1234 GET http://example.com/ - HIER_DIRECT/93.184.216.34 text/html
    # (a colon after it: Mosquitto's "1709287201: Client sensor-7 disconnected.")
    _Variant(
        "epoch",
        rf"^\[?(?P<ts>1\d{{9}}(?:\d{{3}}|\d{{6}}|\d{{9}})?(?:\.\d{{1,9}})?)\]?:?{_SEP}"
        rf"(?:{_TAG_LEVEL})?(?P<msg>.*)$",
    ),
    # a TAI64N label first (daemontools' multilog and runit's svlogd with -t): "@", then
    # 2^62 + 10 + the Unix seconds and the nanoseconds in hex (see _tai64n)
    #   @4000000065e1a72b075bca00 mailer 2.4 starting, pid 4242
    _Variant(
        "tai64n",
        rf"^(?P<ts>@4000000[0-9a-f]{{17}})[ \t]+(?:{_TAG_LEVEL})?(?P<msg>.*)$",
    ),
)


def _tai64n(ts: pl.Expr) -> pl.Expr:
    """A TAI64N label as epoch seconds with nanoseconds ("1709287201.123456000"); other
    stamps unchanged. TAI is 10 s ahead of UTC in the label, as tai64nlocal reads it."""
    seconds = ts.str.slice(1, 16).str.to_integer(base=16, strict=False) - (2**62 + 10)
    nanos = ts.str.slice(17, 8).str.to_integer(base=16, strict=False)
    epoch = pl.concat_str(seconds.cast(pl.String), pl.lit("."), nanos.cast(pl.String).str.zfill(9))
    return pl.when(ts.str.starts_with("@4")).then(epoch).otherwise(ts)


def _hex_epoch(ts: pl.Expr) -> pl.Expr:
    """OpenLDAP's "<seconds>.<nanoseconds>" in hex (eight digits after the dot; five:
    microseconds) as decimal epoch seconds; a fraction out of its range is dropped."""
    seconds = ts.str.slice(0, 8).str.to_integer(base=16, strict=False)
    frac = ts.str.slice(9).str.to_integer(base=16, strict=False)
    nanos = pl.when(ts.str.len_chars() == 14).then(frac * 1000).otherwise(frac)
    fraction = pl.when(nanos < 1_000_000_000).then(pl.lit(".") + nanos.cast(pl.String).str.zfill(9)).otherwise(pl.lit(""))
    return pl.when(ts.str.contains(r"^[0-9a-f]{8}\.(?:[0-9a-f]{8}|[0-9a-f]{5})$")).then(
        pl.concat_str(seconds.cast(pl.String), fraction)
    ).otherwise(ts)


def _hex_epoch_text(stamp: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{8}\.(?:[0-9a-f]{8}|[0-9a-f]{5})", stamp):
        return stamp
    nanos = int(stamp[9:], 16) * (1000 if len(stamp) == 14 else 1)
    return f"{int(stamp[:8], 16)}" + (f".{nanos:09d}" if nanos < 1_000_000_000 else "")


def _tai64n_text(stamp: str) -> str:
    if not re.fullmatch(r"@4000000[0-9a-f]{17}", stamp):
        return stamp
    return f"{int(stamp[1:17], 16) - (2**62 + 10)}.{int(stamp[17:25], 16):09d}"


#: a year-less syslog stamp first ("Mar  5 10:00:31"): a line the syslog format reads is its
_SYSLOG_STAMP_START = re.compile(r"^[A-Z][a-z]{2} [ \d]?\d \d{2}:\d{2}:\d{2}")


def _sniff_text(sample: list[str]) -> float:
    # a line with a year-less syslog stamp that the syslog format reads (a host and a tag
    # after the stamp) is no text head: the text heads accept that stamp for the files
    # without them (yum.log, strongSwan's), not to take syslog files with a few stack traces
    sample = [
        "\x00" if _SYSLOG_STAMP_START.match(s) and _syslog_line_score(s) > 0 else s for s in sample
    ]
    # (a session's UUID before a stamp is read past, see _parse_text_lines)
    sample = [_UUID_STAMP.sub(r"\2", s) for s in sample]
    # slightly below a perfect score, so a more specific format that matches equally wins
    score = 0.95 * _head_share(_TEXT_VARIANTS, sample)
    if (
        _bare_stamps(sample) or _entry_heads(sample) or _uwsgi_requests_in(sample) or _slow_log(sample) or _erlang_reports(sample)
        or _django_requests_in(sample)
    ):
        score = max(score, 0.9)
    if score < _STAMPED_BLOCKS and _stamped_blocks(sample):
        score = _STAMPED_BLOCKS
    if score < 0.9 and _fluent_bit_events(sample):
        score = 0.9
    return score


def _fluent_bit_events(sample: list[str]) -> bool:
    """Half the sample or more is Fluent Bit's stdout events ("[0] <tag>: [[<epoch>, {}],
    {...}]", no stamp a text head reads): read as text (see read_shipper_stdout)."""
    from rcakit.ingest._cri import _SHIPPER_STDOUT

    lines = [s for s in sample if s.startswith("[")]
    return 2 * len(lines) >= len(sample) > 0 and 2 * sum(bool(_SHIPPER_STDOUT[0].match(s)) for s in lines) >= len(sample)


#: the score of a file of stamped records that run over many lines (see _stamped_blocks):
#: enough to be read as text rather than raw, below any format that knows its lines
_STAMPED_BLOCKS = 0.6


def _stamped_blocks(sample: list[str]) -> bool:
    """Records that start with a stamp and run over more lines than their head: Db2's
    diagnostic blocks, Mule's error reports between rows of stars, the request Squid dumps
    under a forwarding-loop warning. Few sample lines are heads, but the first one is, and
    every head has a stamp (as :func:`_stamped_records` reads them)."""
    first = next((v for v in _TEXT_VARIANTS if v.compiled.match(sample[0])), None) if sample else None
    if first is None or not first.compiled.match(sample[0]).groupdict().get("ts"):  # type: ignore[union-attr]
        return False
    return bool(_stamped_records(_TEXT_VARIANTS, sample))


# MySQL's (and MariaDB's) slow query log: "# Time:" starts an entry, then "# User@Host:",
# "# Query_time:", "SET timestamp=...;" and the statement (see _slow_queries)
# (MySQL 5.x and MariaDB write the stamp as yyMMdd H:mm:ss: "# Time: 240301 10:00:01")
_MYSQL_SLOW = _Variant(
    "mysql-slow", rf"^# Time: (?P<ts>{_ISO}|\d{{6}}[ \t]+\d{{1,2}}:\d{{2}}:\d{{2}}(?:\.\d+)?)[ \t]*$(?P<msg>.*)$"
)
# MySQL 5.x and MariaDB write "# Time:" only when the second changed: an entry logged in
# the same second as the one above starts at its "# User@Host:" line
_SLOW_USER = "# User@Host: "


def _slow_log(sample: list[str]) -> bool:
    """A MySQL slow query log: entries with their "# Time:" and "# Query_time:" lines."""
    return sum(s.startswith("# Time: ") for s in sample) >= 2 and sum(s.startswith("# Query_time: ") for s in sample) >= 2


def _erlang_reports(sample: list[str]) -> bool:
    """Erlang/OTP reports: a report header first, and on many lines (each report's lines
    are under its header, whatever they look like)."""
    return bool(sample) and _ERLANG_RE.match(sample[0]) is not None and sum(
        bool(_ERLANG_RE.match(s)) for s in sample
    ) >= 0.1 * len(sample)


def _django_requests_in(sample: list[str]) -> bool:
    """Django's development server: its request lines, however long the banner it prints
    at start-up ("Watching for file changes with StatReloader", "Starting development server at ...")."""
    return sum(bool(_DJANGO_SERVER_RE.match(s)) for s in sample) >= 2


def _uwsgi_requests_in(sample: list[str]) -> bool:
    """uWSGI's log: its request lines, however many unstamped lines it prints at start-up
    and between them (its banner, workers spawned and killed)."""
    return sum(bool(_UWSGI_RE.match(s)) for s in sample) >= 2


#: variants whose head opens an entry whose other lines, whatever they look like, are its
#: own (see _entry_heads)
_ENTRY_HEADS = ("ibm-mq", "apt-history")


def _entry_heads(sample: list[str]) -> list[_Variant]:
    """The entry-head variant the sample's first line is (IBM MQ's error log, apt's
    history.log), as a list of one; else ``[]``. The lines below an entry's head are its
    own, as a bare stamp's (see :func:`_bare_stamps`)."""
    heads = [v for v in _TEXT_VARIANTS if v.name in _ENTRY_HEADS]
    return [v for v in heads if sample and v.compiled.match(sample[0])][:1]


def _bare_stamps(sample: list[str]) -> bool:
    """A bare stamp first and on many lines: the lines between are its messages (Oracle's
    alert log). A stamped empty line here and there (a CI job's blank output line) is not."""
    bare = _STAMP_LINE.compiled
    return bool(sample) and bare.match(sample[0]) is not None and sum(
        bool(bare.match(s)) for s in sample
    ) >= 0.15 * len(sample)


# what a runtime prints without a stamp when a process dies, a record of its own even in a
# file of stamped records: Go's "panic: ..." and "fatal error: ...", Rust's
# "thread 'main' panicked at src/main.rs:31:10:" (the message on the next line)
_CRASH = _Variant(
    "crash",
    # (and Rust's allocator failing, which aborts the process: "memory allocation of
    # 4194304 bytes failed", the whole line the message)
    r"^(?:(?P<logger>thread '[^']*') (?P<level>panicked) at |(?P<level_b>panic|fatal)[: ][ \t]*"
    r"|(?P<level_c>memory) allocation of \d+ bytes failed"
    # (and the Erlang VM's, which dumps the node: 'eheap_alloc: Cannot allocate 3936326656
    # bytes of memory (of type "old_heap").')
    r"|(?P<level_d>eheap_alloc): Cannot allocate \d+ bytes of memory)(?P<msg>.*)$",
    levels="panicked|panic|fatal|memory|eheap_alloc",
)
_LEVEL_MARKS_CRASH = {"panicked": "panic", "memory": "fatal", "eheap_alloc": "fatal"}


def _stamped_records(variants: tuple[_Variant, ...], sample: list[str]) -> tuple[_Variant, ...]:
    """The variants that read a stamp, when the file's records all start with one.

    That is the convention of log shippers' multi-line settings (Logstash's ``negate =>
    true, what => previous`` on a timestamp, Fluent Bit's and Filebeat's multiline
    parsers): a line that does not start with a stamp belongs to the record above, whatever
    it looks like -- the SQL text under "Failed executing DbCommand", an exception's
    ``Error Number:53,State:0,Class:20`` trailer (not a record at level Error), a panic's
    message, a print between log lines -- but a runtime's crash report (:data:`_CRASH`)
    starts a record of its own. Taken when nearly every head of the sample (5 in
    6, at least 3; or 2 and no other above a crash report) has a stamp; returns ``()`` otherwise (a file of level-first lines
    without stamps keeps a line that fits no layout as a record of its own).
    """
    stamped = unstamped = 0
    keep: list[_Variant] = []
    crash = _CRASH.compiled
    crashed = any(crash.match(line) for line in sample)
    for line, below in zip(sample, [*sample[1:], ""][: len(sample)], strict=True):
        if crash.match(line) or _FIELD_LINE.match(line) or (_NODE_ERROR.match(line) and _NODE_FRAME.match(below)):
            continue
        for v in variants:
            m = v.compiled.match(line)
            if m:
                if v.own_record:
                    break
                if m.groupdict().get("ts"):
                    stamped += 1
                    if v not in keep:
                        keep.append(v)
                else:
                    unstamped += 1
                break
    # (two stamped heads suffice before a crash report, when no head is unstamped: a short
    # run of env_logger lines and the panic that ended it)
    if stamped < 2 or (stamped < 3 and (unstamped or not crashed)) or 5 * unstamped > stamped:
        return ()
    # (django.request's unstamped failure lines start records: a traceback follows them)
    return (*(v for v in variants if v in keep or v.own_record), _CRASH)


#: a Node stack's head ("Error: upstream timeout" above "    at ..." frames): the exception
#: of the record above, not a head at level Error
_NODE_ERROR = re.compile(r"^Error: ")
_NODE_FRAME = re.compile(r"^\s+at \S")
#: a field of a report under a record's head, its name padded before the colon (Mule's
#: "Error type            : HTTP:CONNECTIVITY"): not a head, even when it starts with a level word
_FIELD_LINE = re.compile(r"^[A-Z][A-Za-z]*(?: [A-Za-z]+)*[ \t]{2,}: ")


#: a stamp's date and time with the blanks between them made one ("2024-03-05  10:00:31")
_ONE_BLANK = ((r"^(\S+)[ \t]+", "${1} "),)


#: stamps some layouts write in a form the time rules do not read, rewritten when their
#: variant is in use: (regex, replacement), applied to the sample's stamps too
_STAMP_REWRITES: dict[str, tuple[tuple[str, str], ...]] = {
    # klog "0102 03:04:05.123456" -> "01-02 03:04:05.123456" (year-less month-day)
    "klog": ((r"^(\d{2})(\d{2}) ", "${1}-${2} "),),
    # WebSphere "3/1/24 9:58:00:123" -> "3/1/2024 9:58:00:123" (a 2-digit year; Liberty's
    # "3/5/24, 10:00:31:123" too)
    "websphere": ((r"^(\d{1,2}/\d{1,2}/)(\d{2}),? ", "${1}20${2} "),),
    # Erlang "1-Mar-2024::10:00:05" -> "1-Mar-2024 10:00:05"
    "erlang-report": ((r"^(\d{1,2}-[A-Z][a-z]{2}-\d{4})::", "${1} "),),
    # Django's runserver "01/Mar/2024 10:00:02" -> "01/Mar/2024:10:00:02" (as access logs have it)
    "django-server": ((r"^(\d{2}/[A-Z][a-z]{2}/\d{4}) ", "${1}:"),),
    # Airflow "2024-03-01, 09:58:00" -> "2024-03-01 09:58:00"
    "airflow": ((r"^(\d{4}-\d{2}-\d{2}), ", "${1} "),),
    # Zabbix "20240301:100005.123" -> "20240301 10:00:05.123"
    "zabbix": ((r"^(\d{8}):(\d{2})(\d{2})(\d{2})", "${1} ${2}:${3}:${4}"),),
    # log15 "11-02|11:10:12.799" -> "11-02 11:10:12.799" (year-less month-day),
    # "2019-02-04|14:38:48.380" -> "2019-02-04 14:38:48.380"
    "log15": ((r"^((?:\d{4}-)?\d{2}-\d{2})\|", "${1} "),),
    # Chromium "0305/100031.123456" -> "03-05 10:00:31.123456" (year-less month-day), and
    # "20240305/100031" -> "20240305 10:00:31"
    "chromium": (
        (r"^(\d{8})/(\d{2})(\d{2})(\d{2})", "${1} ${2}:${3}:${4}"),
        (r"^(\d{2})(\d{2})/(\d{2})(\d{2})(\d{2})", "${1}-${2} ${3}:${4}:${5}"),
    ),
    # Db2 "2024-03-01-11.00.01.123456+060" -> "2024-03-01T11:00:01.123456Z", the offset (in
    # minutes) taken off afterwards (see _DB2_OFFSET)
    # msiexec "10:00:35:456" -> "10:00:35.456"; its banner's "3/5/2024  10:00:31" -> "3/5/2024 10:00:31"
    "msiexec": ((r"^(\d{2}:\d{2}:\d{2}):(\d{3})$", "${1}.${2}"),),
    "msiexec-banner": _ONE_BLANK,
    # splunkd "03-05-2024 11:00:31.123 +0100" -> "2024-03-05 11:00:31.123 +0100"
    "splunkd": ((r"^(\d{2})-(\d{2})-(\d{4}) ", "${3}-${1}-${2} "),),
    # Check Point "5Mar2024 10:00:31" -> "5-Mar-2024 10:00:31"
    "checkpoint": ((r"^(\d{1,2})([A-Z][a-z]{2})(\d{4}) ", "${1}-${2}-${3} "),),
    # SSSD 1.x "Tue Mar  5 10:00:40:123456 2024" -> "Tue Mar  5 10:00:40.123456 2024"
    "sssd": ((r"^([A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}):(\d+) ", "${1}.${2} "),),
    # apt's "2024-03-05  10:00:31" -> "2024-03-05 10:00:31"
    "apt-history": _ONE_BLANK,
    # Icecast's "2024-03-31  23:28:51" -> "2024-03-31 23:28:51"
    "icecast": _ONE_BLANK,
    "node-red": _NODE_RED_STAMP,
    "node-red-node": _NODE_RED_STAMP,
    # Graphite carbon's "05/03/2024 16:31:58" (day first) -> "2024-03-05 16:31:58"
    "carbon": ((r"^(\d{2})/(\d{2})/(\d{4}) ", "${3}-${2}-${1} "),),
    # BIRD 1.x's "05-03-2024 16:51:23" (day first) -> "2024-03-05 16:51:23"
    "bird": ((r"^(\d{2})-(\d{2})-(\d{4}) ", "${3}-${2}-${1} "),),
    "db2diag": ((r"^(\d{4}-\d{2}-\d{2})-(\d{2})\.(\d{2})\.(\d{2})(\.\d+)[+-]\d{3}$", "${1}T${2}:${3}:${4}${5}Z"),),
}
#: a bracket around the stamp and the process and thread after it (Pi-hole FTL)
_BRACKET_TAIL = re.compile(rf"^\[(?:{_STAMP})[ \t]+[\w/.\-]+\][ \t]")
#: a stamp to the second, then its microseconds (OpenVPN's "--log" file:
#: "2024-03-05 10:01:31 us=200000 10.0.0.5:51234 TLS Error: ...")
_MICROSECONDS = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) us=(\d{1,6})[ \t]")
#: Db2's zone offset, in minutes east of UTC, at the end of its stamp
_DB2_OFFSET = r"^\d{4}-\d{2}-\d{2}-\d{2}\.\d{2}\.\d{2}\.\d+([+-]\d{3})$"
#: levels some layouts write as marks or letters, as level words (no other variant
#: captures one of these)
_LEVEL_MARKS: dict[str, dict[str, str]] = {
    "redis": _REDIS_LEVELS, "websphere": _WEBSPHERE_LEVELS, "github-actions": _GHA_LEVELS, "ansible": _ANSIBLE_LEVELS,
    "crash": _LEVEL_MARKS_CRASH, "odl": _ODL_LEVELS, "npm": _NPM_LEVELS, "erlang-report": _ERLANG_LEVELS, "db2diag": _DB2_LEVELS, "cbs": {"Perf": "info"},
    "dnf": _DNF_LEVELS, "dotnet-systemd": _SYSLOG_NUMBER_LEVELS, "tanuki": {"STATUS": "info", "ADVICE": "info"},
    "macos-log": {"Default": "info", "Fault": "fatal"}, "macos-compact": _MACOS_CODES, "nest": {"VERBOSE": "trace"},
    "bracket-syslog-stamp": {"VERBOSE": "debug", "SECURITY": "notice", "DTMF": "info"},
    "cups": _CUPS_LEVELS, "hana": _HANA_LEVELS, "teamcity": {"i": "info", "W": "warning", "E": "error"},
    "bird": _BIRD_LEVELS, "coturn": {"CONTROL": "notice"}, "node-red": _NODE_RED_LEVELS, "node-red-node": _NODE_RED_LEVELS, "sssd": _SSSD_LEVELS, "xorg": _XORG_LEVELS, "sqlagent": _SQLAGENT_LEVELS, "vmware": _VMWARE_LEVELS, "samba": _SAMBA_LEVELS,
    "icecast": {"EROR": "error", "DBUG": "debug"},
    "pgbackrest": {"DETAIL": "debug"}, "questdb": {"A": "info"},
    "oauth2-proxy-request": {"AuthSuccess": "info", "AuthFailure": "warning", "AuthError": "error"},
}
#: a zone written as a GMT offset in hours (TIBCO's "GMT +1"), as the time rules read it
#: ("+01:00"): (regex, replacement), in turn
_GMT_HOURS = (
    (r"( (?:GMT|UTC) ?[+-])(\d)$", "${1}0${2}"),
    (r" (?:GMT|UTC) ?([+-]\d{2})$", " ${1}:00"),
    (r" (?:GMT|UTC) ?([+-]\d{2}):?(\d{2})$", " ${1}:${2}"),
)
#: a yyMMdd date before a time of day (MySQL 5.5 and mysqld_safe, Tornado, CockroachDB),
#: written out as yyyy-MM-dd for the time rules: (regex, replacement)
_YYMMDD = (r"^(\d{2})(\d{2})(\d{2})[ \t]+(\d{1,2}:)", "20${1}-${2}-${3} ${4}")


def _times_of_day_beside_dates(parsed: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    """``parsed`` with its stamps that are a time of day only (an app's logback lines in
    ``catalina.out``, between Tomcat's dated lines) dated by the dated stamp above them
    (below them, before the first): on its day in ``tz``; the day after when that puts them
    more than 12 hours before the stamp above (midnight crossed), the day before when more
    than 12 hours after the stamp below."""
    # (msiexec's "10:00:35:456": a colon before the milliseconds)
    tod = pl.col("ts").str.strip_chars("[] \t").str.replace(r"^(\d{2}:\d{2}:\d{2}):(\d{3})$", "${1}.${2}")
    is_tod = pl.col("timestamp").is_null() & tod.str.contains(r"^\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?$").fill_null(False)
    dated = pl.when(~is_tod).then(pl.col("timestamp"))
    above = dated.forward_fill()
    near = above.fill_null(dated.backward_fill())
    day = near.dt.convert_time_zone(options.tz).dt.strftime("%Y-%m-%d")
    stamp = parse_timestamps(pl.concat_str(day, pl.lit(" "), tod), tz=options.tz)
    half = pl.duration(hours=12)
    fixed = (
        pl.when(above.is_not_null() & (stamp < near - half)).then(stamp + pl.duration(days=1))
        .when(above.is_null() & (stamp > near + half)).then(stamp - pl.duration(days=1))
        .otherwise(stamp)
    )
    return parsed.with_columns(pl.when(is_tod).then(fixed).otherwise(pl.col("timestamp")).alias("timestamp"))


def _parse_text(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    from rcakit.ingest._access import read_mixed
    from rcakit.ingest._cri import read_shipper_stdout

    mixed = read_mixed(lines, options)
    if mixed is None:
        sample = lines.select("line").head(_SAMPLE_ROWS).collect()["line"].drop_nulls().to_list()
        mixed = read_shipper_stdout(lines, options, sample)
    return mixed if mixed is not None else _parse_text_lines(lines, options)


def common_indent(sample: list[str]) -> str:
    """The blanks every line of ``sample`` starts with (an agent that indents all its output:
    ``nomad agent``), if they are followed by a stamp; else ``""``."""
    if not sample or not sample[0][:1].isspace():
        return ""
    first = sample[0]
    indent = first[: len(first) - len(first.lstrip(" \t"))]
    if not all(line.startswith(indent) for line in sample):
        return ""
    heads = sum(bool(_STAMP_START.match(line[len(indent) :])) for line in sample)
    return indent if heads >= 0.5 * len(sample) else ""


#: Spring Boot 3.2's correlation bracket after the thread's (see _log4j_regex): sample lines
#: holding one make the bracket's trace id the record's
_CORRELATION = re.compile(r"\] \[(?:[0-9a-f]{32}-[0-9a-f]{16}| {20,})\] ")
#: a stamp at the start of a line (what makes an indented line a record head, not a continuation)
_STAMP_START = re.compile(rf"^\[?(?:{_STAMP})")


# the logger at the end of a line, in parentheses (Kafka's and Confluent's log4j layout
# "[%d] %p %m (%c)%n": "[2024-03-01 10:00:02,215] INFO Rolled new log segment ... in 36 ms.
# (kafka.log.LocalLog)")
_TRAILING_LOGGER = r"[ \t]+\(([A-Za-z_][\w$]*(?:\.[\w$]+)+)\)[ \t]*$"
_TRAILING_LOGGER_RE = re.compile(_TRAILING_LOGGER)


# a Java class name, full or abbreviated by logback (lower-case packages, then the class,
# maybe nested: "o.a.n.c.c.node.NodeClusterCoordinator", "org.x.Outer$Inner")
_JAVA_CLASS = r"(?:[a-z][A-Za-z0-9_]*\.)+[A-Z][A-Za-z0-9_$]*"
# logback's "%d %-5level [%thread] %logger{40} %msg" with no separator after the logger
# (Apache NiFi's nifi-app.log): the class name and a blank, after the level and a thread
# in brackets (which may hold blanks: "[Timer-Driven Process Thread-8]", not read by the
# head regex)
_BARE_LOGGER = rf"^(?:\[([^\[\]]*)\][ \t]+)?({_JAVA_CLASS})[ \t]+"
_BARE_LOGGER_RE = re.compile(
    rf"^\[?(?:{_STAMP})\]?[ \t]+(?:\[[^\]]*\][ \t]+)?\[?(?:{_LEVEL})\]?[ \t]+(?:\[[^\[\]]*\][ \t]+)?"
    # (not one followed by its separator, maybe after an MDC in brackets: logback's usual
    # "%logger [%X{trace_id}] - %msg", whose logger the head regex reads)
    rf"{_JAVA_CLASS}[ \t]+(?![-:|][ \t]|\[[^\]]*\][ \t]*[-:|][ \t])\S"
)


# HashiCorp's hclog text layout (Consul, Vault, Nomad, Boundary): the level in brackets padded
# to its width, then the logger's dotted name and a colon, "2024-03-01T10:00:00.790Z [INFO]
# agent.server.raft: entering leader state: leader=..."
_HCLOG_RE = re.compile(r"^\S+[ \t]+\[(?:TRACE|DEBUG|INFO|WARN|ERROR)\][ \t]+[a-z][\w\-]*(?:\.[\w\-]+)*: ")
_HCLOG_NAME = r"^([a-z][\w\-]*(?:\.[\w\-]+)*): "


# log4j's short logger "%c{1}: " after the level (Spark's and Hadoop's default layout,
# "%d{yy/MM/dd HH:mm:ss} %p %c{1}: %m": "24/03/05 10:00:00 INFO TaskSetManager: Finished task
# ..."): in a file where most heads have a logger glued to a colon after the level, an
# undotted capitalised name there is the logger too, as a dotted one is
_SHORT_LOGGER_HEAD = re.compile(
    rf"^\[?(?:{_STAMP})\]?[ \t]+(?:\[[^\]]*\][ \t]+)?(?:{_LEVEL})[ \t]+(?:\[[^\]]*\][ \t]+)?"
    r"[A-Za-z_$][\w$]*(?:\.[\w$]+)*: "
)
_SHORT_LOGGER_NAME = r"^([A-Za-z_$][A-Za-z0-9_$]*(?:\.[A-Za-z0-9_$]+)+|[A-Z][A-Za-z0-9_$]*[a-z][A-Za-z0-9_$]*): "


def parse_text_between(rest: pl.DataFrame, options: ParseOptions) -> pl.DataFrame | None:
    """The text records of ``rest`` (a file's lines, ``line_no`` and ``line``, without the
    lines another format read: access lines, a shipper's events), or ``None`` when a record
    would join lines that are not right below it (a stack trace printed after a request
    would span lines it does not hold: such a file is not read as a mix)."""
    text = _parse_text_lines(rest.lazy(), options).collect()
    nos = rest["line_no"]
    first = nos.search_sorted(text["line_no"])
    last = nos.gather((first + text["n_lines"].cast(pl.Int64) - 1).clip(0, len(nos) - 1))
    if ((last - text["line_no"]).cast(pl.Int64) != text["n_lines"].cast(pl.Int64) - 1).any():
        return None
    return text


def _logger_out_of_message(parsed: pl.LazyFrame, pattern: str) -> pl.LazyFrame:
    """``parsed`` with the logger that ``pattern`` (its group 1) finds in a head line's
    message moved out of it, where the line has no logger yet (hclog's name, Kafka's
    trailing ``(logger)``)."""
    name = pl.col("msg").str.extract(pattern, 1)
    moved = pl.col("_matched") & name.is_not_null() & pl.col("logger").is_null()
    return parsed.with_columns(
        pl.when(moved).then(name).otherwise(pl.col("logger")).alias("logger"),
        pl.when(moved).then(pl.col("msg").str.replace(pattern, "")).otherwise(pl.col("msg")).alias("msg"),
    )


def _bare_loggers(parsed: pl.LazyFrame) -> pl.LazyFrame:
    """``parsed`` with the Java class name that starts a head line's message (and the thread
    in brackets before it, when the head regex did not read one) moved out of it, where the
    line has a level and no logger yet (see :data:`_BARE_LOGGER`)."""
    thread = pl.col("msg").str.extract(_BARE_LOGGER, 1)
    name = pl.col("msg").str.extract(_BARE_LOGGER, 2)
    moved = (
        pl.col("_matched") & pl.col("level").is_not_null() & pl.col("logger").is_null() & name.is_not_null()
        & (thread.is_null() | pl.col("thread").is_null())
    )
    return parsed.with_columns(
        pl.when(moved).then(name).otherwise(pl.col("logger")).alias("logger"),
        pl.when(moved & thread.is_not_null()).then(thread).otherwise(pl.col("thread")).alias("thread"),
        pl.when(moved).then(pl.col("msg").str.replace(_BARE_LOGGER, "")).otherwise(pl.col("msg")).alias("msg"),
    )


def _bare_logger_names(sample: list[str]) -> bool:
    """Whether most of the sample's record lines have a Java class name and a blank after the
    level (and maybe a thread), no separator: then the name is the layout's logger, not the
    message's first word (a layout without a logger, "INFO [main] Starting server", has none)."""
    heads = [x for x in sample if x[:1] == "[" or x[:1].isdigit()]
    return len(heads) >= 3 and sum(bool(_BARE_LOGGER_RE.match(x)) for x in heads) >= 0.6 * len(heads)


def _hclog_names(sample: list[str]) -> bool:
    """Whether most of the sample's lines are hclog's: then the name after the level is the
    record's logger, not the message's first word."""
    heads = [x for x in sample if x[:1].isdigit()]
    return len(heads) >= 3 and sum(bool(_HCLOG_RE.match(x)) for x in heads) >= 0.6 * len(heads)


def _short_loggers(sample: list[str]) -> bool:
    """Whether most of the sample's record lines have a logger glued to a colon right after
    the level (log4j's ``%p %c{1}: %m``): then an undotted capitalised name there is the
    record's logger, not the message's first word."""
    heads = [x for x in sample if x[:1] == "[" or x[:1].isdigit()]
    return len(heads) >= 3 and sum(bool(_SHORT_LOGGER_HEAD.match(x)) for x in heads) >= 0.6 * len(heads)


def _trailing_loggers(sample: list[str]) -> bool:
    """Whether most of the sample's record lines (not indented, not a stack frame) end with
    a dotted logger name in parentheses: then it is the layout's field, not the message's."""
    heads = [x for x in sample if x[:1] == "[" or x[:1].isdigit()]
    return len(heads) >= 3 and sum(bool(_TRAILING_LOGGER_RE.search(x)) for x in heads) >= 0.6 * len(heads)


def _sidekiq_fields(parsed: pl.LazyFrame) -> pl.LazyFrame:
    """A Sidekiq line's ``pid= tid= class= jid= elapsed=`` pairs read apart: the process, the
    thread, the job's class as its logger, the job id as the trace (its start, done and fail
    lines) and ``elapsed`` (seconds) as a number, the time the job took; other pairs
    (``bid=``, ``queue=``) stay the record's ``mdc``."""
    kv = pl.col("mdc")

    def pair(key: str) -> pl.Expr:
        return kv.str.extract(rf"(?:^|\s){key}=(\S+)", 1)

    rest = kv.str.replace_all(r"(?:^|\s+)(?:pid|tid|class|jid|elapsed)=\S+", "").str.strip_chars()
    return parsed.with_columns(
        pl.coalesce(pl.col("pid"), pair("pid")).alias("pid"),
        pl.coalesce(pl.col("thread"), pair("tid")).alias("thread"),
        pl.coalesce(pl.col("logger"), pair("class")).alias("logger"),
        pair("jid").alias("_jid"),
        pair("elapsed").cast(pl.Float64, strict=False).alias("_elapsed"),
        pl.when(rest != "").then(rest).alias("mdc"),
    )


def _parse_text_lines(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    sample = _line_sample(lines)
    indent = common_indent(sample)
    if indent:
        # every line indented alike: the indent is the agent's, not the lines'
        lines = lines.with_columns(pl.col("line").str.strip_prefix(indent))
        sample = [line[len(indent) :] for line in sample]
    uuids = any(_UUID_STAMP.match(line) for line in sample)
    if uuids:
        # a session's UUID before some lines' stamp (FreeSWITCH's lines of a call): the
        # record's trace id, the line read from its stamp on
        lines = lines.with_columns(
            pl.col("line").str.extract(_UUID_STAMP.pattern, 1).alias("_uuid"),
            pl.col("line").str.replace(_UUID_STAMP.pattern, "${2}"),
        )
        sample = [_UUID_STAMP.sub(r"\2", line) for line in sample]
    slow = _slow_log(sample)
    variants = (_MYSQL_SLOW,) if slow else _pick_variants(_TEXT_VARIANTS, sample)
    if _DJANGO_SERVER not in variants:
        # ("Not Found: ..." starts a record in Django's runserver output only, not in the
        # middle of another log's multi-line message)
        variants = tuple(v for v in variants if v.name != "django-request") or variants
    stamp_lines = [v for v in variants if v.name == "stamp-line"] if _bare_stamps(sample) else _entry_heads(sample)
    if _erlang_reports(sample):
        stamp_lines = [_ERLANG_REPORT]
    if slow:
        stamp_lines = list(variants)  # (its entry's lines follow the "# Time:" line)
    elif stamp_lines:
        # what follows a bare stamp is its message, even a line that starts with a level
        variants = tuple(stamp_lines)
    else:
        variants = tuple(v for v in variants if v.name != "stamp-line") or variants
    stamped = _stamped_records(variants, sample)
    if stamped:
        variants = stamped
    fast = _specialise(variants[0], sample)
    parsed = _extract_variants(lines, (*fast, *variants))
    kept = [v.head for v in variants if v.keep_line]
    if kept:
        whole = pl.any_horizontal([pl.col("line").str.contains(head) for head in kept])
        parsed = parsed.with_columns(pl.when(pl.col("_matched") & whole).then(pl.col("line")).otherwise(pl.col("msg")).alias("msg"))
    if slow:
        user = pl.col("line").str.starts_with(_SLOW_USER) & ~pl.col("line").shift(1).str.starts_with("# Time: ").fill_null(
            False
        )
        parsed = parsed.with_columns(
            (pl.col("_matched") | user).alias("_matched"),
            pl.when(user).then(pl.col("line")).otherwise(pl.col("msg")).alias("msg"),
        )
    if _hclog_names(sample):
        parsed = _logger_out_of_message(parsed, _HCLOG_NAME)
    if _trailing_loggers(sample):
        parsed = _logger_out_of_message(parsed, _TRAILING_LOGGER)
    if _bare_logger_names(sample):
        parsed = _bare_loggers(parsed)
    if _short_loggers(sample):
        parsed = _logger_out_of_message(parsed, _SHORT_LOGGER_NAME)
    wrapped = any(v.name == "tanuki" for v in variants)
    if wrapped:
        parsed = _wrapped_app_lines(parsed, options)
    ts = pl.col("ts").str.strip_chars()
    stamp_sample = _sample_stamps(sample, variants)
    level = pl.col("level")
    for v in variants:
        for pattern, replacement in _STAMP_REWRITES.get(v.name, ()):
            ts = ts.str.replace(pattern, replacement)
            py = replacement.replace("${", "\\g<").replace("}", ">")
            stamp_sample = [re.sub(pattern, py, x) for x in stamp_sample]
        if v.name in _LEVEL_MARKS:
            level = level.replace(_LEVEL_MARKS[v.name])
    if any(v.name == "janus" for v in variants):
        # Janus names the place in the source of its debug lines, which have no level
        level = pl.when(level.is_null() & pl.col("code").is_not_null()).then(pl.lit("debug")).otherwise(level)
    if any(v.name == "stamp" for v in variants) and any(_BRACKET_TAIL.match(x) for x in sample):
        # a bracket opened before the stamp closes after the process and thread (Pi-hole FTL:
        # "[2024-03-05 10:00:35.000 4321/T4330] ERROR: ..."): they are the thread, not message
        head = pl.col("line").str.head(pl.col("line").str.len_chars() - pl.col("msg").str.len_chars())
        tail = pl.col("msg").str.extract(r"^([\w/.\-]+)\][ \t]+", 1)
        inside = pl.col("line").str.starts_with("[") & ~head.str.contains("]", literal=True) & tail.is_not_null()
        parsed = parsed.with_columns(
            pl.when(inside).then(tail).otherwise(pl.col("thread")).alias("thread"),
            pl.when(inside).then(pl.col("msg").str.replace(r"^[\w/.\-]+\][ \t]+", "")).otherwise(pl.col("msg")).alias("msg"),
        )
    if any(_MICROSECONDS.match(x) for x in sample):
        # OpenVPN's "--log" stamps: the second, then its microseconds as "us=" (the message's
        # start, not the message)
        parsed = parsed.with_columns(
            pl.col("msg").str.extract(r"^us=(\d{1,6})[ \t]", 1).alias("_us"),
            pl.col("msg").str.replace(r"^us=\d{1,6}[ \t]+", ""),
        )
        ts = pl.when(pl.col("_us").is_not_null()).then(pl.concat_str(ts, pl.lit("."), pl.col("_us").str.zfill(6))).otherwise(ts)
        stamp_sample = [f"{m[1]}.{m[2].zfill(6)}" for x in sample if (m := _MICROSECONDS.match(x))]
    if any(v.name == "tai64n" for v in variants):
        ts = _tai64n(ts)
        stamp_sample = [_tai64n_text(x) for x in stamp_sample]
    if any(v.name == "openldap" for v in variants):
        ts = _hex_epoch(ts)
        stamp_sample = [_hex_epoch_text(x) for x in stamp_sample]
    if any(re.match(_YYMMDD[0], x) for x in stamp_sample):
        ts = ts.str.replace(*_YYMMDD)
        stamp_sample = [re.sub(_YYMMDD[0], r"20\1-\2-\3 \4", x) for x in stamp_sample]
    if any(re.search(r" (?:GMT|UTC) ?[+-]\d", x) for x in stamp_sample):
        for pattern, replacement in _GMT_HOURS:
            ts = ts.str.replace(pattern, replacement)
            py = replacement.replace("${", "\\g<").replace("}", ">")
            stamp_sample = [re.sub(pattern, py, x) for x in stamp_sample]
    sev_text, sev_num = severity_columns(level)
    body = pl.col("msg").str.strip_chars_end()  # trailing blanks are padding
    if any(v.name == "log15" for v in variants):
        # the message is padded to a width before its key=value pairs: the pairs stay in the
        # body (as logrus' terminal lines keep theirs), one blank after the message
        body = body.str.replace(r"^(.*?\S)[ \t]{2,}([A-Za-z_][\w.\-]*=)", "${1} ${2}")
    if _CRASH in variants:
        # Rust's panic header names the thread and the place: it is the message's start
        #   thread 'tokio-runtime-worker' panicked at src/upstream.rs:88:14:
        # and Go's "panic: ..." and "fatal error: ..." line is the message whole (the words
        # engineers search for, as a JSON lines file's crash and a container's app line keep),
        # as are the allocators' failures (Rust's, the Erlang VM's)
        whole_line = (pl.col("level").is_in(["panic", "fatal"]) & (
            pl.col("line").str.starts_with("panic: ") | pl.col("line").str.starts_with("fatal error: ")
        )) | pl.col("level").is_in(["memory", "eheap_alloc"])
        body = (
            pl.when(pl.col("level") == "panicked")
            .then(pl.concat_str(pl.col("logger"), pl.lit(" panicked at "), body))
            .when(whole_line)
            .then(pl.col("line").str.strip_chars_end())
            .otherwise(body)
        )
    conn: dict[str, pl.Expr] = {}
    server = _server_prefix(sample)
    if server is not None:
        parsed, conn = _server_prefix_fields(parsed, server)
    sidekiq = any(v.name == "sidekiq" for v in variants)
    if sidekiq:
        parsed, conn = _sidekiq_fields(parsed), {**conn, "elapsed": pl.col("_elapsed")}
    stamp = _timestamp_expr(ts, stamp_sample, options)
    if any(v.name == "db2diag" for v in variants):
        offset = pl.col("ts").str.extract(_DB2_OFFSET, 1).cast(pl.Int64, strict=False).fill_null(0)
        stamp = stamp - pl.duration(minutes=offset)
    mdc = pl.col("mdc")
    correlated = any(_CORRELATION.search(line) for line in sample)
    if correlated:
        # Spring Boot 3.2's "[<traceId>-<spanId>]" (blanks without a trace): the trace id
        parsed = parsed.with_columns(
            pl.col("mdc").str.extract(r"^([0-9a-f]{32})-[0-9a-f]{16}$", 1).alias("_correlation"),
            pl.when(pl.col("mdc").str.strip_chars() != "").then(pl.col("mdc")).alias("mdc"),
        )
    parsed = parsed.with_columns(
        stamp.alias("timestamp"),
        sev_text,
        sev_num,
        body.alias("body"),
        pl.coalesce(
            *([pl.col("_correlation")] if correlated else []),
            *([pl.col("_uuid")] if uuids else []),
            *([pl.col("_jid")] if sidekiq else []),
            mdc.map_batches(_trace_ids, return_dtype=pl.String, is_elementwise=True),
            pl.when(_HEX_THREAD).then(pl.col("thread").str.strip_chars()),
        ).alias("trace_id"),
        json_object(
            {
                "logger": pl.col("logger"),
                "thread": pl.when(_HEX_THREAD).then(None).otherwise(pl.col("thread").str.strip_chars()),
                "pid": pl.col("pid"),
                # (log4net's empty NDC is "(null)", an empty MDC "[]")
                "mdc": pl.when(pl.col("mdc").is_in(["", "(null)"])).then(None).otherwise(pl.col("mdc")),
                "code": pl.when(pl.col("code") != "").then(pl.col("code")),  # (ODL's empty "[]")
                **conn,
            }
        ).alias("attributes"),
    )
    if any(v.name == "heroku" for v in variants):
        parsed = _heroku_errors(parsed)
    if any(v.name in ("heroku", "stamp", "epoch") for v in variants):
        parsed = _platform_app_lines(parsed, options)
    parsed = years_in_order(parsed, stamp_sample, options)
    if options.wants("timestamp") and 0 < sum(bool(_TIME_ONLY.match(x)) for x in stamp_sample) < len(stamp_sample):
        parsed = _times_of_day_beside_dates(parsed, options)
    if any(v.name == "php" for v in variants):
        parsed = _named_zones(parsed, options)
    jul = any(v.name == "jul" for v in variants)
    if any(v.name == "rails" for v in variants):
        parsed = _rails_exception_blocks(parsed)
    if wrapped:
        # a headless JVM line the wrapper wrapped joins as its app line, without the head
        parsed = parsed.with_columns(
            pl.col("_matched") & ~pl.col("_wrapped"),
            pl.when(pl.col("_wrapped")).then(pl.col("msg")).otherwise(pl.col("line")).alias("line"),
        ).drop("_wrapped")
    joined = join_continuations(
        parsed,
        is_head=pl.col("_matched"),
        unmatched_error="expected a log line starting with a timestamp and/or a level "
        "(log4j/logback, Python logging, Go, Rails, klog)",
        part=_JUL_PART if jul else _PG_PART,
        part_literal=": " if jul else ":  ",
        all_continue=bool(stamp_lines or stamped),
    )
    if jul or (stamp_lines and not slow):
        joined = _levels_below(joined)
    records = to_records(joined)
    if any(v.name in ("lambda", "lambda-platform", "cloudwatch-lambda") for v in variants):
        records = _lambda_platform_bodies(records)
    if any(v.name in ("level-first", "winston") for v in variants):
        records = _winston_meta(records, options)
    if any(v.name == "papertrail" for v in variants):
        # the program is the service, as a syslog tag is; a Heroku dyno's, "app/web.2", its
        # process type, "web" (its dynos are one workload, as a Deployment's pods are)
        logger = pl.col("attributes").str.json_path_match("$.logger").str.replace(r"^app/([A-Za-z][\w-]*)\.\d+$", "$1")
        records = records.with_columns(pl.coalesce(pl.col("service"), logger).alias("service"))
    if any(v.name == "tidb" for v in variants):
        # its message is quoted in brackets: unquoted, the fields after it kept
        records = records.with_columns(
            pl.col("body").str.replace(r'^\["((?:[^"\\]|\\.)*)"\]', "$1").str.replace_all(r'\\"', '"')
        )
    if any(v.name == "zap-console" for v in variants):
        records = _zap_fields(records)
    if any(v.name == "quickfix-screen" for v in variants):
        # (its text is in parentheses: the closing one is not the message's)
        screen = pl.col("attributes").str.contains('"logger":"FIX[^"]*"').fill_null(False)
        records = records.with_columns(
            pl.when(screen).then(pl.col("body").str.strip_suffix(")")).otherwise(pl.col("body")).alias("body")
        )
    if any("\x01" in line for line in sample):
        # a FIX message's fields are separated by SOH (0x01), which no terminal shows and no
        # tokenizer splits on: "8=FIX.4.4 9=62 35=0 ..." as FIX tools print it
        records = records.with_columns(pl.col("body").str.replace_all("\x01", " ", literal=True).str.strip_chars_end(" "))
    if any(re.search(_QUOTED_REQUEST, line) for line in sample):
        records = _request_fields(records, _QUOTED_REQUEST)
    if any(v.name == "heroku" for v in variants):
        records = _request_fields(records, None)
    if any(v.name == "epoch" for v in variants) and any(
        re.search(r"^\d{9,10}\.\d{3}\s+\d+ \S+ [A-Z_]+/\d{3} ", line) for line in sample
    ):
        records = _request_fields(records, _SQUID_REQUEST, levels=True)
    if any(v.name == "pino-pretty" for v in variants):
        # pino's "name" (the "checkout" of "(checkout/17 on host)") is the application's, as
        # in its JSON lines
        name = pl.col("attributes").str.json_path_match("$.logger")
        records = records.with_columns(pl.coalesce(pl.col("service"), name).alias("service"))
    if any(v.name == "weblogic" for v in variants):
        # its message ends with the '>' of the field, on its last line
        records = records.with_columns(pl.col("body").str.replace(r"\s*>\s*$", ""))
    if _UWSGI in variants:
        records = _uwsgi_requests(records)
    if any(v.name == "mssql" for v in variants):
        records = _mssql_levels(records)
    if any(v.name in ("django-server", "django-request") for v in variants):
        records = _django_requests(records)
    if slow:
        records = _slow_queries(records)
    if any(v.name in _LEVEL_OPTIONAL for v in variants):
        records = _message_levels(records)
    if any(v.name == "bacula" for v in variants):
        records = _bacula_fatal_errors(records)
    if any(v.name == "suricata-fast" for v in variants):
        records = _alert_priorities(records)
    if any(v.name == "windowsupdate" for v in variants):
        records = _wrapped_levels(records)
    if any(v.name == "msiexec" for v in variants):
        records = _msi_errors(records)
    if any(v.name == "ibm-mq" for v in variants):
        records = _mq_entries(records, options)
    return records


# the fields of an IBM MQ error log entry's head, in the order MQ writes them, and their
# attribute names; a value may hold one level of parentheses: CommentInsert2(mon-agent01 (10.40.2.15))
_MQ_FIELDS = {
    "User": "user", "Program": "program", "Host": "host", "Installation": "installation", "VRMF": "vrmf",
    "QMgr": "qmgr", "Time": "time", "RemoteHost": "remote_host", "ArithInsert1": "arith_insert1",
    "ArithInsert2": "arith_insert2", "CommentInsert1": "comment_insert1", "CommentInsert2": "comment_insert2",
    "CommentInsert3": "comment_insert3",
}
_MQ_VALUE = r"((?:[^()\n]|\([^()\n]*\))*)"
# the head's fields, then the message line ("AMQ9002I: Channel 'OLB.SVRCONN' is starting.")
_MQ_ENTRY = r"(?s)^(?P<head>.*?)\n(?P<msg>AMQ\d{4}[A-Z]: .*)$"


def _rails_exception_blocks(parsed: pl.LazyFrame) -> pl.LazyFrame:
    """Rails logs an exception one tagged line at a time (ActionDispatch's DebugExceptions:
    a blank line, the exception, the template's source extract and the backtrace, each a
    FATAL line with the request's tags, ``[<request id>]``): the lines of such a block, the
    same level and the same tags one after the other, are one record, each joined by its
    text after the tags (a request's one failure, not a dozen FATAL records)."""
    tags = pl.col("msg").str.extract(r"^((?:\[[^\]\s]+\] ?)+)", 1)
    level = pl.col("level").str.to_uppercase()
    part = (
        pl.col("_matched") & level.is_in(["FATAL", "ERROR"]) & tags.is_not_null()
        & pl.col("_matched").shift(1).fill_null(False)
        & (level == level.shift(1)).fill_null(False)
        & (tags.str.strip_chars() == tags.shift(1).str.strip_chars()).fill_null(False)
    )
    return parsed.with_columns(
        pl.when(part).then(pl.col("msg").str.slice(tags.str.len_chars())).otherwise(pl.col("line")).alias("line"),
        (pl.col("_matched") & ~part).alias("_matched"),
    )


def _mq_entries(records: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    """An IBM MQ error log entry's body starts with its message (``AMQ9002I: Channel
    'OLB.SVRCONN' is starting.``), then its explanation and action; the fields of the head
    above it (``User(mqm) Program(amqrmppa)``, ``Host(...)``, ``VRMF(9.3.0.10)``,
    ``QMgr(QMBANK1)``, ``CommentInsert1(...)``) go to ``attributes`` (``program``, ``host``,
    ``vrmf``, ``qmgr``, ``comment_insert1``...). Head text that is no such field stays, after
    the message."""
    from rcakit.ingest._jsonl import encode_attributes, merge_attributes

    # Read as written, every entry's body and template led with the same six lines of
    # boilerplate, the timeline showed "User(mqm) Program(amqrmppa)" for every MQ event, and
    # VRMF(9.3.0.10), the MQ version, was masked as an IP address.
    parts = pl.col("body").str.extract_groups(_MQ_ENTRY)
    head = parts.struct.field("head")
    fields = {
        name: head.str.extract(rf"(?:^|\s){key}\({_MQ_VALUE}\)", 1) for key, name in _MQ_FIELDS.items()
    }
    rest = head.str.replace_all(rf"(?:^|\s)(?:{'|'.join(_MQ_FIELDS)})\({_MQ_VALUE}\)", "").str.strip_chars()
    entry = head.is_not_null()
    body = pl.when(rest == "").then(parts.struct.field("msg")).otherwise(
        pl.concat_str(parts.struct.field("msg"), pl.lit("\n"), rest)
    )
    out = [pl.when(entry).then(body).otherwise(pl.col("body")).alias("body")]
    if options.wants("attributes"):
        more = encode_attributes(fields)
        out.append(
            pl.when(entry).then(merge_attributes(pl.col("attributes"), more)).otherwise(pl.col("attributes"))
            .alias("attributes")
        )
    return records.with_columns(out)


#: a UUID, then an ISO stamp (see _parse_text_lines)
_UUID_STAMP = re.compile(r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})[ \t]+(\d{4}-\d{2}-\d{2}[T ]\d{2}:)")


def _msi_errors(records: pl.LazyFrame) -> pl.LazyFrame:
    """msiexec's error messages ("Product: X -- Error 1722. ...", "Error 1603. ...") are
    ERROR; its other lines have no level."""
    sev_text, sev_num = severity_columns(pl.lit("error"))
    error = pl.col("severity_text").is_null() & pl.col("parse_error").is_null() & pl.col("body").str.contains(
        r"^(?:[^\n]* -- )?Error \d{4}\."
    )
    return records.with_columns(
        pl.when(error).then(sev_text).otherwise(pl.col("severity_text")).alias("severity_text"),
        pl.when(error).then(sev_num).otherwise(pl.col("severity_number")).alias("severity_number"),
    )


# winston's format.simple(): "<level>: <message> <JSON of the other info keys>"
_WINSTON_META = r'^(?P<msg>[^\n]*?) (?P<meta>\{"[^\n]*\})$'


def _winston_meta(records: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    """winston's ``format.simple()`` writes the info object's other keys as JSON after the
    message (``info: Email queued {"service":"notifier","timestamp":"2026-11-30T10:00:00.000Z"}``):
    where that object holds a ``timestamp`` or ``service`` (``format.timestamp()``,
    ``defaultMeta``), the message alone is the body, the stamp the time (where the head had
    none) and the service the record's; its other keys go to ``attributes``."""
    from rcakit.ingest._jsonl import decode_objects, encode_attributes, merge_attributes
    from rcakit.schemas import UTC_US

    frame = records.collect()
    # (cheap literal tests first: most level-first records do not end with such an object)
    body = pl.col("body")
    ends = frame.select(
        (
            body.str.ends_with("}")
            & (body.str.contains('"timestamp":', literal=True) | body.str.contains('"service":', literal=True))
        ).fill_null(False)
    ).to_series()
    if not ends.any():
        return frame.lazy()
    idx = ends.arg_true()
    sub = frame[idx].select(pl.col("body").str.extract_groups(_WINSTON_META).alias("g")).unnest("g")
    keys = sub.select(
        (
            pl.col("meta").str.json_path_match("$.timestamp").is_not_null()
            | pl.col("meta").str.json_path_match("$.service").is_not_null()
        ).fill_null(False)
    ).to_series()
    if not keys.any():
        return frame.lazy()
    idx = idx.filter(keys)
    sub = sub.filter(keys)
    meta, _valid = decode_objects(sub["meta"])
    names = [c for c in meta.columns if not c.startswith("_")]
    ts = (
        parse_timestamps(pl.col("timestamp"), tz=options.tz, year=options.year)
        if "timestamp" in names
        else pl.lit(None, dtype=UTC_US)
    )
    svc = pl.col("service") if "service" in names else pl.lit(None, dtype=pl.String)
    others = {c: pl.col(c) for c in names if c not in ("timestamp", "service")}
    old = frame[idx]
    fixed = pl.concat([meta, old.select(pl.col("timestamp").alias("_ts"), pl.col("service").alias("_svc"),
                                        pl.col("attributes").alias("_attrs"))], how="horizontal").select(
        pl.coalesce(pl.col("_ts"), ts).alias("timestamp"),
        pl.coalesce(svc, pl.col("_svc")).alias("service"),
        (
            merge_attributes(pl.col("_attrs"), encode_attributes(others)) if others and options.wants("attributes")
            else pl.col("_attrs")
        ).alias("attributes"),
    )
    return frame.with_columns(
        frame["timestamp"].scatter(idx, fixed["timestamp"]),
        frame["service"].scatter(idx, fixed["service"]),
        frame["body"].scatter(idx, sub["msg"]),
        frame["attributes"].scatter(idx, fixed["attributes"]),
    ).lazy()


def _lambda_platform_bodies(records: pl.LazyFrame) -> pl.LazyFrame:
    """The Lambda platform's START, END and REPORT lines keep their whole text as the body
    (``END RequestId: <id>`` has nothing after its head), as Lambda writes them: a blank
    after START's id, a tab between REPORT's fields; the kind and the request id stay in
    ``attributes`` too."""
    logger = pl.col("attributes").str.json_path_match("$.logger")
    request = pl.col("attributes").str.json_path_match("$.thread")
    platform = logger.is_in(["START", "END", "REPORT", "INIT_START"]) & request.is_not_null()
    sep = pl.when(logger == "REPORT").then(pl.lit("\t")).otherwise(pl.lit(" "))
    head = pl.concat_str([logger, pl.lit(" RequestId: "), request])
    whole = pl.when(pl.col("body").fill_null("") == "").then(head).otherwise(pl.concat_str([head, sep, pl.col("body")]))
    # (only where the file has such lines: the JSON path is read on them alone)
    marked = pl.col("attributes").str.contains('"logger":"(?:START|END|REPORT|INIT_START)"').fill_null(False)
    return records.with_columns(pl.when(marked & platform).then(whole).otherwise(pl.col("body")).alias("body"))


#: Ignition's own head on a JVM line inside the Java Service Wrapper's log (its logback
#: pattern ``%.-1p [%-30c{1}] [%d{HH:mm:ss}]: %m``): the level's letter, the logger padded in
#: brackets, the time of day in brackets (which the wrapper's stamp dates), a colon
#:   I [alarming.AlarmManager         ] [07:01:20]: Alarm CLEARED [default]L4/Station01/Torque_Low
_IGNITION_HEAD = r"^([TDIWEF]) \[[ \t]*([^\[\]]*?)[ \t]*\] \[\d{2}:\d{2}:\d{2}(?:[.,]\d{1,6})?\]:(?:[ \t]|$)"


def _wrapped_app_lines(parsed: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    """The JVM's lines inside the Java Service Wrapper's log (``<level> | jvm 1 | <stamp> |
    <app line>``): the wrapper's head is the record's (its stamp, ``jvm 1`` as thread), the
    app line is read after it. Ignition's head (:data:`_IGNITION_HEAD`) gives the level and
    the logger; another app's layout (log4j's ``<stamp> INFO [main] c.x.Y - msg``, JSON...)
    is read as a container runtime's app line is (its level and logger; the wrapper's stamp
    stays the time). A headless app line that looks like a continuation (a stack trace's
    frame, ``Caused by:``, an exception's line, an empty line) joins the record above (see
    ``_wrapped`` in the caller), any other is a record of its own with the wrapper's level.
    The wrapper's own lines (``STATUS | wrapper | ...``) are read as they are."""
    from rcakit.ingest._jsonl import parse_inner_messages, without_timestamp

    jvm = pl.col("thread").str.starts_with("jvm").fill_null(False) & pl.col("_matched")
    ign = pl.col("msg").str.extract_groups(_IGNITION_HEAD)
    head = pl.col("msg").str.extract(r"^(" + _IGNITION_HEAD[1:] + ")", 1).str.len_chars()
    frame = parsed.with_columns(
        pl.when(jvm).then(ign.struct.field("1")).alias("_ign_level"),
        pl.when(jvm).then(ign.struct.field("2")).alias("_ign_logger"),
        pl.when(jvm).then(head).alias("_ign_head"),
    ).collect()
    frame = frame.with_columns(
        pl.coalesce("_ign_level", "level").alias("level"),
        pl.when(pl.col("_ign_head").is_not_null()).then(pl.col("_ign_logger").replace("", None)).otherwise(pl.col("logger")).alias("logger"),
        pl.when(pl.col("_ign_head").is_not_null()).then(pl.col("msg").str.slice(pl.col("_ign_head"))).otherwise(pl.col("msg")).alias("msg"),
    )
    other = frame.select((jvm & pl.col("_ign_head").is_null()).fill_null(False)).to_series()
    app = other & frame["msg"].str.contains(_PLATFORM_APP_LINE).fill_null(False)
    if app.any():
        idx = app.arg_true()
        inner = parse_inner_messages(frame["msg"].gather(idx), without_timestamp(options), with_kind=True)
        read = (inner["kind"] != "plain").fill_null(False)
        idx, inner = idx.filter(read), inner.filter(read)
        if len(idx):
            logger = inner["attributes"].str.json_path_match("$.logger")
            frame = frame.with_columns(
                frame["level"].scatter(idx, pl.select(pl.coalesce(inner["severity_text"], frame["level"].gather(idx))).to_series()),
                frame["logger"].scatter(idx, logger),
                frame["msg"].scatter(idx, inner["body"]),
            )
            other = other.scatter(idx, False)
    # (a headless JVM line after another line of the file: the wrapper wrapped each line of
    # what the JVM printed)
    cont = other & frame["msg"].str.contains(CONTINUATION).fill_null(False)
    cont = cont.scatter(0, False) if len(cont) else cont
    return frame.with_columns(cont.alias("_wrapped")).drop("_ign_level", "_ign_logger", "_ign_head").lazy()


def _wrapped_levels(records: pl.LazyFrame) -> pl.LazyFrame:
    """Windows Update's ``*FAILED*`` is an error; the body keeps it."""
    failed = pl.when(pl.col("body").str.starts_with("*FAILED*")).then(pl.lit("error"))
    sev_text, sev_num = severity_columns(failed)
    return records.with_columns(
        pl.coalesce(sev_text, pl.col("severity_text")).alias("severity_text"),
        pl.coalesce(sev_num, pl.col("severity_number")).alias("severity_number"),
    )


#: an IDS alert's priority (Suricata, Snort: 1 is the highest) as a level
_ALERT_PRIORITIES = {"1": "error", "2": "warning", "3": "info", "4": "info"}


def _alert_priorities(records: pl.LazyFrame) -> pl.LazyFrame:
    """Alerts of Suricata's fast.log take their level from ``[Priority: N]``: 1 ERROR,
    2 WARN, 3 and 4 INFO."""
    priority = pl.col("body").str.extract(r"^\[\*\*\] \[\d+:\d+:\d+\] .*?\[Priority: ([1-4])\]", 1)
    sev_text, sev_num = severity_columns(priority.replace_strict(_ALERT_PRIORITIES, default=None))
    bare = pl.col("severity_text").is_null()
    return records.with_columns(
        pl.when(bare).then(sev_text).otherwise(pl.col("severity_text")).alias("severity_text"),
        pl.when(bare).then(sev_num).otherwise(pl.col("severity_number")).alias("severity_number"),
    )


#: variants whose level is optional after the stamp: a strict head regex made from a
#: sample without one (see _specialise) reads every line without it
_LEVEL_OPTIONAL = ("stamp", "epoch", "tai64n", "vmkernel", "cisco-ios", "bacula", "time-only-bare", "carbon")


def _message_levels(records: pl.LazyFrame) -> pl.LazyFrame:
    """Records without a level take the one their message starts with (``ERROR: ...``,
    ``Warning: ...``, ``[warn] ...``, Dovecot's ``imap(bob)<8806><id>: Error: ...``), or the
    one in a vendor's place after head fields (:data:`_HEAD_LEVEL`); an Oracle error code
    starting one of its lines (``TNS-12514: ...``) makes it an error. The body keeps them,
    as in a syslog message."""
    g = pl.col("body").str.extract_groups(_TEXT_MSG_LEVEL)
    level = pl.coalesce(
        g.struct.field("a"), g.struct.field("b"), g.struct.field("c"),
        g.struct.field("k").replace_strict(_KLOG_LEVELS, default=None), g.struct.field("l"), g.struct.field("s"),
        g.struct.field("n").replace_strict(_SYSLOG_NUMBER_LEVELS, default=None), g.struct.field("t"),
        g.struct.field("d"),
    )
    sev_text, sev_num = severity_columns(level)
    bare = pl.col("severity_text").is_null() & pl.col("parse_error").is_null()
    return _head_levels(
        records.with_columns(
            pl.when(bare).then(sev_text).otherwise(pl.col("severity_text")).alias("severity_text"),
            pl.when(bare).then(sev_num).otherwise(pl.col("severity_number")).alias("severity_number"),
        )
    )


#: a mail server's delivery status (Postfix's, Sendmail's ``stat=``): a message deferred
#: (tried again later) is a warning, one bounced or expired an error; a message sent is none
_MAIL_DEFERRED = r"\bstat(?:us)?=(?:deferred|Deferred)\b"
_MAIL_FAILED = r"\bstat(?:us)?=(?:bounced|expired|undeliverable|User unknown|Service unavailable)\b"
_MAIL_STATUS = f"{_MAIL_DEFERRED}|{_MAIL_FAILED}"


#: a crash the kernel or the init system reports in a syslog file without PRIs: a process's
#: segfault or general protection fault, the OOM killer, a kernel panic or BUG, a systemd
#: unit whose main process dumped core or was killed, or that failed: ERROR (they carry no
#: level word, and the crashed program logs nothing of its own death)
_CRASH_LINE = (
    r"\]: segfault at |\btraps?: .* general protection|\bgeneral protection fault\b|Out of memory: Kill(?:ed)? process"
    r"|\binvoked oom-killer\b|^(?:\[[\d. ]+\] )?(?:Kernel panic|BUG: )"
    r"|\.service: (?:Main process exited, code=(?:dumped|killed)|Failed with result)"
)


def _mail_level(body: pl.Expr) -> pl.Expr:
    """The level a mail server's delivery status in ``body`` says (:data:`_MAIL_STATUS`), or null."""
    return pl.when(body.str.contains(_MAIL_DEFERRED)).then(pl.lit("warn")).when(body.str.contains(_MAIL_FAILED)).then(pl.lit("error"))


def _head_levels(records: pl.LazyFrame) -> pl.LazyFrame:
    """Records still without a level take the one :data:`_HEAD_LEVEL` finds, or ERROR for an
    Oracle error code starting one of their lines, or FATAL for MySQL's crash banner, or
    the one a mail server's delivery status says (:data:`_MAIL_STATUS`). (The capture regex runs only on the few
    records a capture-free test picks: it is several times dearer than the test.)"""
    frame = records.collect()
    pick = frame.select(
        pl.col("severity_text").is_null()
        & pl.col("parse_error").is_null()
        & pl.col("body").str.contains(f"{_HEAD_LEVEL}|{_ORACLE_CODE}|{_SIGNAL_CRASH}|{_MAIL_STATUS}").fill_null(False)
    ).to_series()
    if not pick.any():
        return frame.lazy()
    idx = pick.arg_true()
    body = pl.col("body")
    level = pl.coalesce(
        _head_level(body),
        pl.when(body.str.contains(_ORACLE_CODE)).then(pl.lit("error")),
        pl.when(body.str.contains(_SIGNAL_CRASH)).then(pl.lit("fatal")),
        _mail_level(body),
    )
    fixed = frame["body"].gather(idx).to_frame("body").select(*severity_columns(level))
    return frame.with_columns(
        frame["severity_text"].scatter(idx, fixed["severity_text"]),
        frame["severity_number"].scatter(idx, fixed["severity_number"]),
    ).lazy()


def _bacula_fatal_errors(records: pl.LazyFrame) -> pl.LazyFrame:
    """Bacula's "Fatal error: ..." messages (a job that stops) are FATAL; the body keeps the
    words, as its "Error:" and "Warning:" (see :func:`_message_levels`)."""
    sev_text, sev_num = severity_columns(pl.lit("fatal"))
    fatal = pl.col("severity_text").is_null() & pl.col("parse_error").is_null() & pl.col("body").str.starts_with("Fatal error:")
    return records.with_columns(
        pl.when(fatal).then(sev_text).otherwise(pl.col("severity_text")).alias("severity_text"),
        pl.when(fatal).then(sev_num).otherwise(pl.col("severity_number")).alias("severity_number"),
    )


def _platform_app_lines(parsed: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    """Lines of a platform's log stream that carry an app's own line (Heroku's
    ``<stamp> app[web.1]: I, [<stamp> #4]  INFO -- : msg``, Fly.io's ``<stamp> app[id] ams
    [info]2024-... ERROR [main] c.x.Y - msg``) are read like the container runtimes' app
    lines: the app line's level (else the platform's) and its message as ``body``; the
    platform's stamp and source stay the record's. An app line is one that starts with a
    stamp, a JSON object, a logfmt level, klog's head or Ruby's Logger head."""
    from rcakit.ingest._jsonl import parse_inner_messages, without_timestamp

    # (a platform's source: "app[web.1]" as the logger, or a tag with its id as the thread)
    tagged = (pl.col("logger").str.contains(r"\[", literal=False) | pl.col("thread").is_not_null()) & pl.col("logger").is_not_null()
    # (the cheap test first, on the three columns it needs: most files have no such line)
    hit = parsed.select((tagged & pl.col("body").str.contains(_PLATFORM_APP_LINE)).fill_null(False)).collect().to_series()
    if not hit.any():
        return parsed
    frame = parsed.collect()
    idx = hit.arg_true()
    inner = parse_inner_messages(frame["body"].gather(idx), without_timestamp(options), with_kind=True)
    read = (inner["kind"] != "plain").fill_null(False)
    idx, inner = idx.filter(read), inner.filter(read)
    if not len(idx):
        return frame.lazy()
    outer = frame[idx]
    level = inner["severity_text"].is_not_null()
    return frame.with_columns(
        frame["severity_text"].scatter(idx, pl.select(pl.when(level).then(inner["severity_text"]).otherwise(outer["severity_text"])).to_series()),
        frame["severity_number"].scatter(
            idx,
            pl.select(pl.when(level).then(inner["severity_number"]).otherwise(outer["severity_number"]))
            .to_series()
            .cast(frame["severity_number"].dtype),
        ),
        frame["body"].scatter(idx, inner["body"]),
        frame["trace_id"].scatter(idx, pl.select(pl.coalesce(outer["trace_id"], inner["trace_id"])).to_series()),
    ).lazy()


#: a server's own process ids after the level, before the message: nginx's error log
#: ("<pid>#<tid>: " and a connection's "*<id> ") and RabbitMQ 3.9+'s (the Erlang process)
#:   2024/03/05 10:00:12 [error] 29#29: *12 upstream timed out (110: Connection timed out) ...
#:   2024-03-01 10:00:00.023833+00:00 [info] <0.7302.0> accepting AMQP connection ...
#: and CouchDB 2+'s, the level first: the Erlang node, the process and the request id
#: ("--------" outside a request) before the message
#:   [notice] 2024-03-01T09:58:13.432242Z couchdb@db-0.local <0.46363.0> aba34ebe7b localhost:5984 10.0.0.5 admin GET /db 200 ok 12
_SERVER_HEADS = {
    "nginx": re.compile(r"^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} \[(?:debug|info|notice|warn|error|crit|alert|emerg)\] \d+#\d+: "),
    "erlang": re.compile(
        r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}\S* \[(?:debug|info|notice|warning|error|critical|alert|emergency)\] <\d+\.\d+\.\d+> "
    ),
    "couchdb": re.compile(
        r"^\[(?:debug|info|notice|warning|error|critical|alert|emergency)\] \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\S* "
        r"[^\s@]+@\S+ <\d+\.\d+\.\d+> \S+ "
    ),
}
_SERVER_PREFIX = {
    "nginx": r"^(\d+)#(\d+): (?:\*(\d+) )?",
    "erlang": r"^(<\d+\.\d+\.\d+>) ",
    "couchdb": r"^([^\s@]+@\S+) (<\d+\.\d+\.\d+>) (\S+) ",
}


def _server_prefix(sample: list[str]) -> str | None:
    """Which server's process-id prefix (:data:`_SERVER_HEADS`) the file's lines carry: one
    that a sampled line starts with (a literal test first: most files have none). The heads
    are specific enough for one line to tell: the ingress-nginx controller's output has a
    few nginx error lines among its klog lines."""
    for name, head in _SERVER_HEADS.items():
        mark = {"nginx": "#", "erlang": "] <", "couchdb": "> "}[name]
        if any(head.match(s) for s in sample if mark in s):
            return name
    return None


def _server_prefix_fields(parsed: pl.LazyFrame, server: str) -> tuple[pl.LazyFrame, dict[str, pl.Expr]]:
    """``parsed`` with the message's process-id prefix moved to ``pid`` (and nginx's thread
    id to ``thread``), and the attribute its connection id goes to."""
    prefix = _SERVER_PREFIX[server]
    msg = pl.col("msg")
    has = msg.str.contains(prefix).fill_null(False)
    cut = pl.when(has).then(msg.str.replace(prefix, "")).otherwise(msg).alias("msg")
    if server == "couchdb":
        # (the node and the request id as attributes; no request id: no attribute)
        node = pl.when(has).then(msg.str.extract(prefix, 1)).alias("_node")
        request = msg.str.extract(prefix, 3)
        request = pl.when(has & ~request.str.contains(r"^-+$")).then(request).alias("_request")
        pid = pl.when(has).then(msg.str.extract(prefix, 2)).otherwise(pl.col("pid")).alias("pid")
        return parsed.with_columns(pid, node, request, cut), {"node": pl.col("_node"), "request_id": pl.col("_request")}
    pid = pl.when(has).then(msg.str.extract(prefix, 1)).otherwise(pl.col("pid")).alias("pid")
    if server == "erlang":
        return parsed.with_columns(pid, cut), {}
    thread = pl.when(has).then(msg.str.extract(prefix, 2)).otherwise(pl.col("thread")).alias("thread")
    conn = pl.when(has).then(msg.str.extract(prefix, 3)).alias("_conn")
    return parsed.with_columns(pid, thread, conn, cut), {"connection": pl.col("_conn")}


def _heroku_errors(parsed: pl.LazyFrame) -> pl.LazyFrame:
    """Heroku's platform errors without an ``at=`` level: a dyno's ``Error R14 (Memory quota
    exceeded)``, ``Error R10 (Boot timeout)``, the router's ``Error H12 ...`` written by the
    dyno manager: ERROR (the message keeps its words)."""
    error = (
        pl.col("severity_text").is_null()
        & pl.col("logger").str.starts_with("heroku[").fill_null(False)
        & pl.col("body").str.contains(r"^Error [HRL]\d{2,3} \(").fill_null(False)
    )
    return parsed.with_columns(
        pl.when(error).then(pl.lit("ERROR")).otherwise(pl.col("severity_text")).alias("severity_text"),
        pl.when(error).then(pl.lit(17, dtype=pl.UInt8)).otherwise(pl.col("severity_number")).alias("severity_number"),
    )


#: what starts an app's own line inside a platform's (see _platform_app_lines)
_PLATFORM_APP_LINE = r"^(?:\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|(?:time|ts)=\"?\d{4}-\d{2}-\d{2}|level=\w+ |[IWEF]\d{4} \d{2}:\d{2}:\d{2}|\{\"|[DIWEFAU], \[)"


def _django_requests(records: pl.LazyFrame) -> pl.LazyFrame:
    """Django's development server: a request line's level from its status (5xx ERROR, 4xx
    WARN, else INFO), django.request's failure lines at ERROR (5xx) or WARN (4xx); the
    message is kept as Django wrote it."""
    from rcakit.ingest._severity import severity_from_http_status

    status = pl.col("body").str.extract(r'^"[A-Z]+ \S+ [^"]*" (\d{3})\b', 1)
    said = (
        pl.when(pl.col("body").str.contains(f"^(?:{_DJANGO_ERROR}): "))
        .then(pl.lit("ERROR"))
        .when(pl.col("body").str.contains(f"^(?:{_DJANGO_WARNING}): "))
        .then(pl.lit("WARN"))
    )
    by_status, _ = severity_from_http_status(status)
    text, number = severity_columns(pl.coalesce(by_status, said))
    return records.with_columns(
        pl.coalesce(pl.col("severity_text"), text).alias("severity_text"),
        pl.coalesce(pl.col("severity_number"), number).alias("severity_number"),
    )


def _mssql_levels(records: pl.LazyFrame) -> pl.LazyFrame:
    """SQL Server's "Error: 1205, Severity: 13, State: 51." line: severity 11-19 is ERROR,
    20-25 (fatal to the connection or the server) FATAL, 0-10 informational."""
    sev = pl.col("body").str.extract(r"^Error: \d+, Severity: (\d+)", 1).cast(pl.Int32, strict=False)
    level = pl.when(sev >= 20).then(pl.lit("FATAL")).when(sev >= 11).then(pl.lit("ERROR")).when(sev.is_not_null()).then(pl.lit("INFO"))
    text, number = severity_columns(level)
    return records.with_columns(
        pl.coalesce(text, pl.col("severity_text")).alias("severity_text"),
        pl.coalesce(number.cast(pl.Int32), pl.col("severity_number").cast(pl.Int32)).cast(pl.UInt8).alias("severity_number"),
    )


#: the IANA zone name PHP writes after its error log's stamp (its date.timezone setting)
_PHP_ZONE = r"^\[\d{1,2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2} ([A-Za-z_]+/[A-Za-z_\-]+(?:/[A-Za-z_\-]+)?)\] "


def _named_zones(parsed: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    """Stamps followed by an IANA zone name (PHP's ``[29-Nov-2024 11:00:01 Europe/Berlin]``)
    are local times of that zone, whatever ``tz`` says: read per distinct zone (a file
    holds one or two). A name the zone database does not know is left to ``tz``."""
    frame = parsed.with_columns(_zone=pl.col("line").str.extract(_PHP_ZONE, 1)).collect()
    zones = frame["_zone"].drop_nulls().unique().sort().to_list()
    ts = pl.col("timestamp")
    local = ts.dt.convert_time_zone(options.tz).dt.replace_time_zone(None)
    for zone in zones:
        try:
            ZoneInfo(zone)
        except (KeyError, ValueError, OSError):
            continue
        fixed = local.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC")
        frame = frame.with_columns(pl.when(pl.col("_zone") == zone).then(fixed).otherwise(ts).alias("timestamp"))
    return frame.drop("_zone").lazy()


#: a quoted request line and its status, as uvicorn, Django's runserver and gunicorn write it
#: in their own logs: 10.0.0.5:52350 - "GET /orders/7 HTTP/1.1" 500 Internal Server Error
_QUOTED_REQUEST = r'"(?P<method>[A-Z][A-Z_-]{1,19}) (?P<target>[^"\s]+) HTTP/[0-9.]+" (?P<status>[1-5][0-9]{2})\b'
#: Squid's native access log after its epoch stamp: elapsed ms, client, code/status, bytes,
#: method, URL
_SQUID_REQUEST = r"^\d+ \S+ [A-Z_]+/(?P<status>[1-5][0-9]{2}) \d+ (?P<method>[A-Z][A-Z_-]{1,19}) (?P<target>\S+)"


def _request_fields(records: pl.LazyFrame, pattern: str | None, *, levels: bool = False) -> pl.LazyFrame:
    """A request's ``method``, ``path`` (without its query) and ``status`` in ``attributes``,
    as the access reader has them, from a record's first line (``pattern``'s groups; None:
    Heroku's router, ``method=GET path="/x" ... status=503``, with its error ``code=H12``);
    ``levels``: a record with no level takes the status's (5xx ERROR, 4xx WARN, else INFO)."""
    from rcakit.ingest._access import url_path
    from rcakit.ingest._jsonl import encode_attributes, merge_attributes
    from rcakit.ingest._severity import severity_from_http_status

    first = pl.col("body").str.extract(r"^([^\n]*)", 1)
    extra: dict[str, pl.Expr] = {}
    method: pl.Expr
    status: pl.Expr
    if pattern is None:
        router = pl.col("attributes").str.contains('"logger":"heroku[router]"', literal=True).fill_null(False)
        method = pl.when(router).then(first.str.extract(r"(?:^| )method=([A-Z][A-Z_-]{1,19})(?: |$)", 1))
        target = first.str.extract(r'(?:^| )path="?([^"\s]+)', 1)
        status = pl.when(router).then(first.str.extract(r"(?:^| )status=([1-5][0-9]{2})(?: |$)", 1))
        extra["code"] = pl.when(router).then(first.str.extract(r"(?:^| )code=([HRL][0-9]{2,3})(?: |$)", 1))
    else:
        g = first.str.extract_groups(pattern)
        method, target, status = g.struct.field("method"), g.struct.field("target"), g.struct.field("status")
    number = status.cast(pl.Int64, strict=False)
    more = encode_attributes(
        {"method": method, "path": url_path(target), "status": number, **extra}, numbers=("status",)
    )
    had = pl.col("attributes").str.contains('"status":', literal=True).fill_null(False)
    found = number.is_not_null() & ~had
    out = [pl.when(found).then(merge_attributes(pl.col("attributes"), more)).otherwise(pl.col("attributes")).alias("attributes")]
    if levels:
        sev_text, sev_num = severity_from_http_status(number)
        unset = found & pl.col("severity_text").is_null()
        out += [
            pl.when(unset).then(sev_text).otherwise(pl.col("severity_text")).alias("severity_text"),
            pl.when(unset).then(sev_num).otherwise(pl.col("severity_number")).alias("severity_number"),
        ]
    return records.with_columns(out)


#: zap's console encoder: the fields after the message's tab, a JSON object ending its line
_ZAP_FIELDS = r"^([^\n]*?)\t(\{[^\n]*\})[ \t]*(?:\n|$)"


def _zap_fields(records: pl.LazyFrame) -> pl.LazyFrame:
    """zap's console encoder writes a record's fields as JSON after the message and a tab
    (``upstream request failed\t{"path": "/api/orders", "status": 502}``): they are
    attributes (a name the head already gave, ``logger`` or ``code``, keeps the head's),
    the message ends before them; the stack trace below stays."""
    from rcakit.ingest._jsonl import decode_objects, encode_attributes, merge_attributes

    frame = records.collect()
    texts = frame["body"].str.extract(_ZAP_FIELDS, 2)
    rows = texts.is_not_null().arg_true()
    if not len(rows):
        return frame.lazy()
    decoded, valid = decode_objects(texts.gather(rows))
    keep = [c for c in decoded.columns if c not in ("logger", "thread", "pid", "mdc", "code")]
    if not valid.any() or not keep:
        return frame.lazy()
    fields = decoded.select(encode_attributes({c: pl.col(c) for c in keep}).alias("f"))["f"]
    fields = fields.zip_with(valid, pl.Series([None] * len(fields), dtype=pl.String))
    extra = pl.Series("f", [None] * len(frame), dtype=pl.String).scatter(rows, fields)
    body = pl.col("body")
    return (
        frame.with_columns(extra)
        .with_columns(
            pl.when(pl.col("f").is_not_null()).then(body.str.replace(_ZAP_FIELDS, "${1}\n")).otherwise(body)
            .str.strip_suffix("\n")
            .alias("body"),
            merge_attributes(pl.col("attributes"), pl.col("f")).alias("attributes"),
        )
        .drop("f")
        .lazy()
    )


def _slow_queries(records: pl.LazyFrame) -> pl.LazyFrame:
    """A slow query log entry's message is its statement (without ``use db;`` and ``SET
    timestamp=...;``); its user, client host and ``query_time`` / ``lock_time`` (seconds),
    ``rows_sent`` / ``rows_examined`` go to ``attributes`` (``query_time`` is then read as
    a measure, like a request's duration)."""
    from rcakit.ingest._jsonl import encode_attributes, merge_attributes

    body = pl.col("body")
    num = {
        key: body.str.extract(rf"(?m)^# .*\b{name}: *([0-9.]+)", 1).cast(dtype, strict=False)
        for key, name, dtype in (
            ("query_time", "Query_time", pl.Float64), ("lock_time", "Lock_time", pl.Float64),
            ("rows_sent", "Rows_sent", pl.Int64), ("rows_examined", "Rows_examined", pl.Int64),
        )
    }
    more = encode_attributes(
        {
            "user": body.str.extract(r"(?m)^# User@Host: *([^\[\s]+)", 1),
            "client": body.str.extract(r"(?m)^# User@Host: .*@ *([^\s\[]*) *\[([^\]]*)\]", 2).replace("", None),
            **num,
        },
        numbers=tuple(num),
    )
    statement = (
        body.str.replace_all(r"(?m)^(?:# .*|use \w+;|SET timestamp=\d+;)[ \t]*(?:\n|$)", "")
        .str.strip_chars()
        .replace("", None)
    )
    # (an entry without a "# Time:" line: the time its statement set)
    epoch = body.str.extract(r"(?m)^SET timestamp=(\d+);", 1).cast(pl.Int64, strict=False)
    stamp = pl.from_epoch(epoch, time_unit="s").dt.replace_time_zone("UTC").cast(pl.Datetime("us", "UTC"))
    return records.with_columns(
        pl.coalesce(statement, body).alias("body"),
        merge_attributes(pl.col("attributes"), more).alias("attributes"),
        pl.coalesce(pl.col("timestamp"), stamp).alias("timestamp"),
    )


# what a uWSGI request line says after its stamp
_UWSGI_REQUEST = (
    r"^(?P<method>[A-Z][A-Z_-]{1,19}) (?P<target>\S+) => generated (?P<bytes>\d+) bytes in (?P<ms>\d+) msecs "
    r"\((?P<protocol>[^ )]+) (?P<status>\d{3})\)"
)


def _uwsgi_requests(records: pl.LazyFrame) -> pl.LazyFrame:
    """uWSGI's request lines read like an access log's: ``POST /api/orders 500`` (the path
    without its query), the level from the status, method, path, status, bytes and
    ``response_time_ms`` in ``attributes`` (the client is the line's ``mdc``)."""
    from rcakit.ingest._access import request_body
    from rcakit.ingest._jsonl import encode_attributes, merge_attributes
    from rcakit.ingest._severity import severity_from_http_status

    g = pl.col("body").str.extract_groups(_UWSGI_REQUEST)
    field = g.struct.field
    path = field("target").str.replace(r"\?.*$", "")
    sev_text, sev_num = severity_from_http_status(field("status"))
    is_req = field("status").is_not_null() & pl.col("severity_text").is_null()
    more = encode_attributes(
        {
            "method": field("method"),
            "path": path,
            "protocol": field("protocol"),
            "status": field("status").cast(pl.Int64),
            "bytes": field("bytes").cast(pl.Int64),
            "response_time_ms": field("ms").cast(pl.Float64),
        },
        numbers=("status", "bytes", "response_time_ms"),
    )
    first_line = pl.col("body").str.replace(r"\n[\s\S]*$", "")
    rest = pl.col("body").str.slice(first_line.str.len_chars())
    return records.with_columns(
        pl.when(is_req).then(pl.concat_str(request_body(field("method"), path, field("status")), rest)).otherwise(pl.col("body")).alias("body"),
        pl.when(is_req).then(sev_text).otherwise(pl.col("severity_text")).alias("severity_text"),
        pl.when(is_req).then(sev_num).otherwise(pl.col("severity_number")).alias("severity_number"),
        pl.when(is_req).then(merge_attributes(pl.col("attributes"), more)).otherwise(pl.col("attributes")).alias("attributes"),
    )


# java.util.logging's second line: the level and the message
# (and its level names on a Spanish, German, French, Italian or Portuguese JVM)
_JUL_LEVEL = (
    "SEVERE|WARNING|INFO|CONFIG|FINE|FINER|FINEST|GRAVE|ADVERTENCIA|INFORMACIÓN|CONFIGURACIÓN|DETALLADO"
    "|SCHWERWIEGEND|WARNUNG|INFORMATION|KONFIGURATION|FEIN|FEINER|AVERTISSEMENT|INFOS|AVVERTENZA|INFORMAZIONI"
    "|AVISO|INFORMAÇÃO|CONFIGURAÇÃO"
)
_JUL_PART = rf"^((?:{_JUL_LEVEL}): .*)$"


def _levels_below(joined: pl.LazyFrame) -> pl.LazyFrame:
    """The level of a record whose head holds none, from the line below it: a
    java.util.logging record's ``SEVERE: msg`` (the word is cut from the message), a level
    word starting a bare stamp's message, or an Oracle error code (``ORA-00600``) in it."""
    first = rf"^[ \t]*\n?((?:{_JUL_LEVEL})): "
    word = pl.col("body").str.extract(first, 1)
    said = pl.col("body").str.extract(rf"^\s*({_LEVEL})\b", 1)
    oracle = pl.when(pl.col("body").str.contains(r"\b(?:ORA|TNS)-\d{4,5}\b")).then(pl.lit("ERROR"))
    # (IBM MQ's message id, its last letter the level: "AMQ9209E: Connection to host ...")
    mq = pl.col("body").str.extract(r"(?m)^AMQ\d{4}([EWIS]):", 1).replace_strict(_MQ_LEVELS, default=None)
    sev_text, sev_num = severity_columns(pl.coalesce(word, said, oracle, mq))
    return joined.with_columns(
        pl.coalesce(pl.col("severity_text"), sev_text).alias("severity_text"),
        pl.coalesce(pl.col("severity_number"), sev_num).alias("severity_number"),
        pl.col("body").str.replace(first, "").str.strip_chars_start("\n"),
    )


# PostgreSQL writes a message's further fields as lines of their own, with the full line
# prefix and two spaces after the field name ("... [4243] DETAIL:  Process 4243 waits ..."):
# they belong to the message above
_PG_PART = r"(?:^|[\s:\]])((?:DETAIL|HINT|STATEMENT|CONTEXT|QUERY|LOCATION):  \S.*)$"




def _sample_stamps(sample: list[str], variants: tuple[_Variant, ...]) -> list[str]:
    out = []
    for line in sample:
        for v in variants:
            m = v.compiled.match(line)
            if m:
                ts = m.groupdict().get("ts")
                if ts:
                    out.append(ts.strip())
                break
    return out


TEXT = LineFormat(
    name="text",
    description="timestamp + level text logs: log4j/logback, Spring Boot, Python logging, Go, Rails, klog",
    sniff=_sniff_text,
    parse=_parse_text,
)


# -------------------------------------------------------------------------------- syslog

# syslog's severity keywords, as some devices write them in the line
_SYSLOG_LEVEL = "emerg|alert|crit|err|error|warning|warn|notice|info|debug"
# RFC 5424 structured data: [id k="v" k2="v\"2"][id2 ...] or "-"
_SD_ELEMENT = r'\[[^\s\]="]+(?:\s+[^\s\]="]+="(?:[^"\\]|\\.)*")*\s*\]'
_SD_PARAM = r'([^\s\]="]+)="((?:[^"\\]|\\.)*)"'

_SYSLOG_VARIANTS: tuple[_Variant, ...] = (
    _Variant(
        "rfc5424",
        r"^<(?P<pri>\d{1,3})>(?P<version>\d{1,2}) (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) "
        rf"(?P<procid>\S+) (?P<msgid>\S+) (?P<sd>-|(?:{_SD_ELEMENT})+)(?: |$)(?P<msg>.*)$",
    ),
    # macOS' launchd names the job it speaks of in parentheses between its tag and the colon
    # (the message keeps them)
    #   Mar  1 10:00:01 MacBook-Pro com.apple.xpc.launchd[1] (com.example.agent[4321]): Service exited ...
    _Variant(
        "rfc3164-launchd",
        r"^(?:<(?P<pri>\d{1,3})>)?(?P<ts>[A-Z][a-z]{2} [ \d]?\d \d{2}:\d{2}:\d{2}(?:\.\d+)?)"
        # (iOS' syslog relay, idevicesyslog, writes the level there: "ShopApp(CFNetwork)[4412] <Error>: ")
        r"\s+(?P<host>[^\s:\[\-][^\s:\[]*)\s+(?P<app>[^\s:\[]+)\[(?P<procid>\d+)\] (?:<(?P<level_c>[A-Za-z]+)>: ?)?"
        r"(?P<msg>.*)$",
    ),
    # Citrix ADC (NetScaler): "<facility.level>" before the host, no tag
    #   Mar  1 10:00:05 <local0.err> 10.0.0.10 03/01/2024:10:00:05 GMT ns-vpx 0-PPE-0 : default EVENT DEVICEDOWN ...
    _Variant(
        "rfc3164-facility",
        r"^(?P<ts>[A-Z][a-z]{2} [ \d]?\d \d{2}:\d{2}:\d{2}(?:\.\d+)?)"
        rf"\s+<[a-z0-9]+\.(?P<level_b>{_SYSLOG_LEVEL})>\s+(?P<host>[^\s:\[\-][^\s:\[]*)\s+"
        # (its own stamp again, in GMT)
        r"(?:\d{2}/\d{2}/\d{4}:\d{2}:\d{2}:\d{2} (?:GMT|UTC)\s+)?(?P<msg>.*)$",
    ),
    # (a host never starts with "-": "--- last message repeated 2 times ---" has none; a
    # syslog level word may stand before the tag, as F5 BIG-IP writes it: "bigip1 warning
    # tmm1[12345]: msg")
    _Variant(
        "rfc3164",
        r"^(?:<(?P<pri>\d{1,3})>)?(?P<ts>[A-Z][a-z]{2} [ \d]?\d \d{2}:\d{2}:\d{2}(?:\.\d+)?(?: \d{4})?"
        r"|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)"
        r"\s+(?P<host>[^\s:\[\-][^\s:\[]*)\s+"
        # (a Cisco message id, "%ASA-6-302014:", is no tag: the message starts with it; MIT
        # Kerberos' krb5kdc puts its level in parentheses after the pid: "krb5kdc[1123](info): ")
        rf"(?:(?:(?P<level>{_SYSLOG_LEVEL})\s+)?(?P<app>[^\s:\[%][^\s:\[]*)(?:\[(?P<procid>[^\]]*)\])?"
        r"(?:\((?P<level_c>[a-z]+)\))?: ?)?(?P<msg>.*)$",
    ),
    # journalctl -o short-full (the weekday, the date, the time and the zone) and -o
    # short-monotonic (seconds since boot, which are no time: the record has none)
    #   Tue 2024-03-05 10:00:04 UTC node-7 orders-api[2345]: msg
    #   [ 3712.451204] node-7 sshd[4410]: msg
    _Variant(
        "journal-full",
        r"^(?:[A-Z][a-z]{2} (?P<ts>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? [A-Z]{3,5})|\[ *\d+\.\d{6}\])"
        r"\s+(?P<host>[^\s:\[\-][^\s:\[]*)\s+(?P<app>[^\s:\[%][^\s:\[]*)(?:\[(?P<procid>[^\]]*)\])?: ?(?P<msg>.*)$",
    ),
    # syslogd's own note that it dropped repeats of the line above
    _Variant(
        "rfc3164-repeated",
        r"^(?:<(?P<pri>\d{1,3})>)?(?P<ts>[A-Z][a-z]{2} [ \d]?\d \d{2}:\d{2}:\d{2}(?:\.\d+)?)\s+"
        r"(?P<mark>---) last message repeated (?P<msg>.*)$",
    ),
    # a year before the time and a colon after it, as Cisco ASA and other appliances send
    # it; no host unless "logging device-id" is set; the message keeps its %ASA-6-302013 id
    #   <164>Mar 01 2024 10:00:01: %ASA-4-106023: Deny tcp src outside:198.51.100.8/40000 ...
    _Variant(
        "rfc3164-year",
        r"^(?:<(?P<pri>\d{1,3})>)?(?P<ts>[A-Z][a-z]{2} [ \d]?\d \d{4} \d{2}:\d{2}:\d{2}(?:\.\d+)?):?[ \t]+"
        r"(?:(?P<host>[^\s:\[%]+)[ \t]*:?[ \t]+)?(?:(?P<app>[^\s:\[%][^\s:\[]*)(?:\[(?P<procid>[^\]]*)\])?: ?)?(?P<msg>.*)$",
    ),
)
#: "Mar 01 2024 10:00:01" (the year before the time) -> "01-Mar-2024 10:00:01" for the time rules
_MONTH_DAY_YEAR = (r"^([A-Z][a-z]{2}) +(\d{1,2}) (\d{4}) ", "${2}-${1}-${3} ")
# ("mark": a part of the message the head regex had to match, put back before it)
_SYSLOG_FIELDS = ("pri", "version", "ts", "host", "app", "procid", "msgid", "sd", "level", "mark", "msg")


_LEVEL_WORD = re.compile(rf"^\[?{_LEVEL}\]?:?$")


def _syslog_line_score(line: str) -> float:
    m = next((m for v in _SYSLOG_VARIANTS if (m := v.compiled.match(line))), None)
    if m is None:
        # (the head of a journalctl -o verbose entry: its fields below it are indented)
        return 1.0 if _JOURNAL_HEAD_RE.match(line) else 0.0
    g = m.groupdict()
    if g.get("pri") is not None:
        return 1.0
    # without PRI, "<stamp> ERROR msg" is an application's line, not one from a host called
    # ERROR (a year-less stamp as much as an ISO one)
    if _LEVEL_WORD.match(g.get("host") or ""):
        return 0.0
    # (nor is a tab-separated head's first field a host: Prosody's "Mar 05 00:45:10
    # c2s104a133fd36c<TAB>info<TAB>Client connected")
    if g.get("host") is not None and line[m.end("host") : m.end("host") + 1] == "\t":
        return 0.0
    if not (m.group("ts") or "")[:1].isdigit():
        return 1.0
    # an ISO stamp without PRI is as likely an application log: "host app[pid]: " is syslog
    # (rsyslog's file format, journalctl -o short-iso); otherwise let the text format win a tie
    # (the kernel's lines have no pid: kern.log, ufw.log)
    return 1.0 if g.get("procid") is not None or g.get("app") == "kernel" else 0.9


def _sniff_syslog(sample: list[str]) -> float:
    return sum(_syslog_line_score(line) for line in sample) / len(sample) if sample else 0.0


def _sd_members(sd: pl.Expr) -> pl.Expr:
    """RFC 5424 structured-data params as encoded JSON members (``"k":"v",...``)."""
    return sd.map_batches(_sd_batch, return_dtype=pl.String, is_elementwise=True)


def _sd_batch(sd: pl.Series) -> pl.Series:
    if sd.null_count() == len(sd):  # RFC 3164 lines, or RFC 5424 without structured data
        return pl.repeat(None, len(sd), dtype=pl.String, eager=True).alias(sd.name)
    params = pl.col("sd").str.extract_all(_SD_PARAM)
    member = (
        pl.element()
        .str.replace_all(r"\\\\", "\x00", literal=False)  # protect escaped backslashes
        .str.replace_all(r"\\\]", "]")  # SD escapes ] as \]; JSON does not
        .str.replace_all(r'\\([^"])', r"\\$1")  # any other backslash is literal in SD
        .str.replace_all("\x00", "\\\\", literal=True)
        .str.replace(r'^([^=]+)="', '"$1":"')
    )
    return sd.to_frame("sd").select(params.list.eval(member).list.join(",")).to_series().alias(sd.name)


#: PostgreSQL with log_destination=syslog numbers each message and splits a long or
#: multi-line one into parts ("postgres[2346]: [4-1] ERROR:  ...", then "[4-2] STATEMENT:
#: ..."): the parts after the first continue its record (group 1: the part's text)
_PG_SYSLOG_PART = r"\]: \[\d+-(?:[2-9]|[1-9]\d+)\] ?(.*)$"
_PG_SYSLOG_HEAD = r"^\[\d+-1\] (?:(LOG|ERROR|FATAL|PANIC|WARNING|NOTICE|INFO|DEBUG[1-5]?):  )?"


# journalctl -o verbose: a head per entry (the weekday, the stamp with its zone, the cursor),
# then the entry's fields indented by four blanks, one per line
#   Tue 2024-03-05 10:00:01.123456 UTC [s=8f2c...;i=4a1;b=3f2a...;m=1a2b3c;t=6130f0a1b2c3d;x=9d8e7f00]
#       PRIORITY=3
#       MESSAGE=payment gateway timeout after 5000ms order=8812
_JOURNAL_HEAD = r"^[A-Z][a-z]{2} (\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)? \S+) \[s=[0-9a-f]+;i=[0-9a-f]+;[^\]]*\]$"
_JOURNAL_HEAD_RE = re.compile(_JOURNAL_HEAD)
_JOURNAL_FIELD = r"^    ([A-Za-z0-9_]+)=(.*)$"


def _journal_verbose(sample: list[str]) -> bool:
    """Whether most of the sample's lines that are no continuation are ``-o verbose`` heads."""
    heads = [s for s in sample if not _CONTINUATION.match(s)]
    return bool(heads) and 2 * sum(bool(_JOURNAL_HEAD_RE.match(s)) for s in heads) > len(heads)


def _parse_journal_verbose(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    """``journalctl -o verbose`` output: each entry (its head and field lines) is one record,
    read as ``journalctl -o json``'s object for the entry is (``MESSAGE``, ``PRIORITY``,
    ``SYSLOG_IDENTIFIER``...), the head's stamp its ``__REALTIME_TIMESTAMP``. A line that is no
    field continues the field above it (a message with line breaks); a line before the first
    entry is a record of its own, with a parse error."""
    from rcakit.ingest._jsonl import parse_json_records

    df = lines.collect()
    line = pl.col("line")
    field = line.str.extract_groups(_JOURNAL_FIELD)
    df = df.with_columns(
        _stamp=line.str.extract(_JOURNAL_HEAD, 1),
        _key=field.struct.field("1"),
        _value=field.struct.field("2"),
    ).with_columns(_block=pl.col("_stamp").is_not_null().cum_sum())
    entries = df.filter(pl.col("_block") > 0)
    fields = (
        entries.filter(pl.col("_stamp").is_null())
        .with_columns(_field=pl.col("_key").is_not_null().cum_sum())
        # (a line that is no field continues the one above it)
        .group_by("_block", "_field", maintain_order=True)
        .agg(pl.col("_key").first(), pl.col("_value").first().alias("_first"), pl.col("line").slice(1))
        .filter(pl.col("_key").is_not_null())
        .with_columns(_value=pl.concat_list(pl.col("_first"), pl.col("line")).list.join("\n"))
        .unique(subset=["_block", "_key"], keep="first", maintain_order=True)
    )
    heads = entries.group_by("_block", maintain_order=True).agg(
        pl.col("line_no").first(), pl.len().cast(pl.UInt32).alias("n_lines"), pl.col("_stamp").first()
    )
    stamps = heads["_stamp"].head(200).to_list()
    heads = heads.with_columns(
        _realtime=_timestamp_expr(pl.col("_stamp"), stamps, options).dt.epoch("us").cast(pl.String)
    )
    realtime = heads.filter(pl.col("_realtime").is_not_null()).select(
        "_block", pl.lit("__REALTIME_TIMESTAMP").alias("_key"), pl.col("_realtime").alias("_value")
    )
    members = pl.concat([fields.select("_block", "_key", "_value"), realtime]).with_columns(
        _member=pl.concat_str(
            pl.lit('"'), pl.col("_key"), pl.lit('":'), pl.struct(pl.col("_value").alias("v")).struct.json_encode().str.slice(5)
        ).str.strip_suffix("}")
    )
    objects = members.group_by("_block", maintain_order=True).agg(pl.col("_member").str.join(","))
    objects = heads.join(objects, on="_block", how="left", maintain_order="left").with_columns(
        _object=pl.concat_str(pl.lit("{"), pl.col("_member").fill_null(""), pl.lit("}"))
    )
    records = parse_json_records(objects["_object"], options).with_columns(
        line_no=objects["line_no"], n_lines=objects["n_lines"]
    )
    before = (
        df.filter(pl.col("_block") == 0)
        .select(
            "line_no",
            pl.lit(1, dtype=pl.UInt32).alias("n_lines"),
            line.alias("body"),
            pl.lit("expected a journalctl -o verbose entry ('Tue 2024-03-05 10:00:01.123456 UTC [s=...]' "
                   "and its fields below it)").alias("parse_error"),
        )
    )
    return pl.concat([to_records(before.lazy()), to_records(records.lazy())]).sort("line_no")


def _parse_syslog(lines: pl.LazyFrame, options: ParseOptions) -> pl.LazyFrame:
    sample = _line_sample(lines)
    if _journal_verbose(sample):
        return _parse_journal_verbose(lines, options)
    variants = _pick_variants(_SYSLOG_VARIANTS, sample)
    fast = _specialise(variants[0], sample, colon_blank=" ?")
    if variants[0].name == "rfc3164":
        # a shape without a tag would read a tagged line's tag as message (a firewall's
        # "%ASA-..." lines among sshd's): the tag-less lines take the general regex
        fast = tuple(v for v in fast if "(?P<app>" in v.regex)
    extracted = _extract_variants(lines, (*fast, *variants), _SYSLOG_FIELDS).collect()
    # (two rare shapes, PostgreSQL's numbered message parts and CEF/LEEF events, are looked
    # for with a cheap test over the whole file first: their regexes then run only when a
    # line may need them)
    gates = extracted.select(
        pl.col("msg").str.contains("-1] ", literal=True).any().alias("pg"),
        pl.col("app").is_in(["CEF", "LEEF"]).any().alias("cef"),
        pl.col("app").is_in(_LINUXPTP.split("|")).any().alias("ptp"),
    ).row(0, named=True)
    nil = ["-", ""]
    pri = pl.col("pri").cast(pl.Int64, strict=False)
    # (PostgreSQL's level after its "[<message>-1]": see _PG_SYSLOG_PART)
    pg_level = pl.col("msg").str.extract(_PG_SYSLOG_HEAD, 1) if gates["pg"] else pl.lit(None, dtype=pl.String)
    sev_text, sev_num = severity_columns(
        pl.coalesce((pri % 8).cast(pl.String), pl.col("level"), pg_level), syslog_numeric=True
    )
    stamps = [m.group("ts") for s in sample for v in _SYSLOG_VARIANTS if (m := v.compiled.match(s)) and m.group("ts")]
    ts = pl.col("ts")
    if any(re.match(_MONTH_DAY_YEAR[0], x) for x in stamps):
        ts = ts.str.replace(*_MONTH_DAY_YEAR)
        stamps = [re.sub(_MONTH_DAY_YEAR[0], r"\2-\1-\3 ", x) for x in stamps]
    app = pl.when(pl.col("app").is_in(nil)).then(None).otherwise(pl.col("app"))
    service = app
    if any((m := v.compiled.match(x)) and "(" in (m.groupdict().get("app") or "") for x in sample for v in variants):
        # iOS names the subsystem after the process: "ShopApp(CFNetwork)[4412]" is ShopApp's
        service = app.str.replace(r"^([^()]+)\([^()]*\)$", "${1}")
    if any((m := v.compiled.match(x)) and "/" in (m.groupdict().get("app") or "") for x in sample for v in variants):
        # a daemon started by its path tags its lines with it: "/usr/sbin/kamailio[1992]:" is
        # kamailio's; a suite's daemon is named after the suite: "postfix/smtp[2211]:" is
        # postfix's (its smtp, qmgr, cleanup... are one mail server; the tag stays app_name)
        service = pl.when(service.str.starts_with("/")).then(service.str.replace(r"^.*/([^/]+)$", "${1}")).otherwise(
            service.str.replace(r"^([^/]+)/.*$", "${1}")
        )
    # ArcSight's CEF and QRadar's LEEF over syslog: "CEF:0|Fortinet|Fortigate|v7.2.5|..." is
    # no tag; the device's vendor and product name the service, the body keeps "CEF:0|..."
    cef = pl.lit(False)
    if gates["cef"]:
        cef_head = pl.col("msg").str.extract_groups(r"^\d+(?:\.\d+)?\|([^|]*)\|([^|]*)\|")
        cef = pl.col("app").is_in(["CEF", "LEEF"]) & cef_head.struct.field("1").is_not_null()
        device = (
            pl.concat_str(cef_head.struct.field("1"), pl.lit("-"), cef_head.struct.field("2"))
            .str.to_lowercase()
            .str.replace_all(r"[^a-z0-9]+", "-")
            .str.strip_chars("-")
        )
        service = pl.when(cef & (device != "")).then(device).otherwise(service)
    sd = pl.when(pl.col("sd").is_in(nil)).then(None).otherwise(pl.col("sd"))

    def not_nil(name: str) -> pl.Expr:
        return pl.when(pl.col(name).is_in(nil)).then(None).otherwise(pl.col(name))

    body = (
        pl.concat_str(pl.col("mark"), pl.lit(" last message repeated "), pl.col("msg"))
        .fill_null(pl.when(cef).then(pl.concat_str(pl.col("app"), pl.lit(":"), pl.col("msg"))).otherwise(pl.col("msg")))
        .str.strip_prefix("\ufeff")  # (RFC 5424 allows a UTF-8 BOM before MSG)
    )
    if gates["pg"]:
        # (PostgreSQL's "[<message>-1] LEVEL:  " before the first part of a message, as
        # its own log has the level: see _PG_SYSLOG_PART)
        body = body.str.replace(_PG_SYSLOG_HEAD, "")
    if gates["ptp"]:
        # linuxptp's programs start their messages with the monotonic clock's seconds in
        # brackets, as their head on standard output ("ptp4l[1029.700]: "): not message
        body = pl.when(pl.col("app").is_in(_LINUXPTP.split("|"))).then(body.str.replace(_LINUXPTP_MONOTONIC, "")).otherwise(body)
    parsed = extracted.lazy().with_columns(
        _timestamp_expr(ts, stamps, options).alias("timestamp"),
        sev_text,
        sev_num,
        service.alias("service"),
        body.str.strip_chars_end().fill_null("").alias("body"),
        json_object(
            {
                "host": not_nil("host"),
                "app_name": app,
                "procid": not_nil("procid"),
                "msgid": not_nil("msgid"),
                "facility": (pri // 8).cast(pl.Int64),
            },
            extra=_sd_members(sd),
        ).alias("attributes"),
    )
    parsed = years_in_order(parsed, stamps, options)
    joined = join_continuations(
        parsed,
        is_head=pl.col("_matched"),
        unmatched_error="expected a syslog line (RFC 3164 '<PRI>Mmm dd hh:mm:ss host tag: msg' "
        "or RFC 5424 '<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG')",
        part=_PG_SYSLOG_PART,
        part_literal="]: [",
    )
    # (an app's own line first: its head's level is the record's; then a level a plain
    # message starts with)
    records = _levels_in_messages(_escaped_traces(_app_lines_in_messages(to_records(joined).collect(), options)))
    # (an HAProxy request line has a "[dd/Mmm/yyyy:" accept date: a cheap literal-led test on
    # the lines first)
    if not lines.select(pl.col("line").str.contains(r"\d+ \[\d{2}/[A-Z][a-z]{2}/\d{4}:").any()).collect().item():
        return records.lazy()
    return _haproxy_http(records, options).lazy()


# a level at the start of a syslog message: "[ERROR] ", "error: ", "ERROR " (a lower-case
# word without a colon is the message's first word: "fine tuning done"); a klog head
# ("E0301 09:58:00.123456 ...", kubelet in the journal) or a logfmt level ("time=...
# level=error msg=...", containerd)
def _msg_level(words: list[str]) -> str:
    """The regex of a level starting a message, ``words`` the ones it may start with bare."""
    return (
        rf"^(?:\[(?P<a>{_LEVEL})\]|(?P<b>{_LEVEL}):|(?P<c>{'|'.join(sorted(words, key=lambda w: (-len(w), w)))})"
        r"|(?P<k>[IWEF])\d{4} \d{2}:\d{2}:\d{2}(?:\.\d+)?|(?:time=\S+[ \t]+)?level=(?P<l>[A-Za-z]+)"
        # Solaris' message id with its facility and level: "[ID 107833 kern.warning] WARNING: ..."
        r"|\[ID \d+ [a-z0-9]+\.(?P<s>[a-z]+)\]"
        # a Cisco message id, its syslog severity between the facility and the mnemonic:
        # "%ASA-6-302014:", "%LINK-3-UPDOWN:"
        r"|%[A-Z][A-Z0-9_]*-(?P<n>[0-7])-[A-Z0-9_]+:"
        # the level after the program's own sub-process and session (Dovecot's "imap-login:
        # Warning: ...", "imap(bob)<8806><UPkO3qVMfpDGOqjM>: Error: ...")
        rf"|[a-z][\w\-]*(?:\([^()\s]*\))?(?:<[^<>\s]*>)*: (?P<d>{_LEVEL}):"
        # the JVM's report of an uncaught exception: "Exception in thread "main" java.lang...."
        r'|(?P<x>Exception) in thread "[^"]*"'
        # dbt's console: a node's result after its number ("1 of 3 ERROR creating sql view model ...")
        r"|\d+ of \d+ (?P<t>ERROR|WARN))[ \t]+"
    )


# (a syslog message is a program's own line, whose head may have a level field: "FTL ..."
# written by zerolog's console without a stamp)
_MSG_LEVEL = _msg_level(_LEVEL_WORDS)
# the same after a text layout's head, where a head regex takes a level field right after the
# stamp: a level field's abbreviation (_LEVEL_TOKENS) after other head fields, without
# brackets or a colon, is the message's first word (Pi-hole's "[<stamp> 1234M] FTL version: v5.25")
_TEXT_MSG_LEVEL = _msg_level([w for w in _LEVEL_WORDS if w not in _LEVEL_TOKENS])
_KLOG_LEVELS = {"I": "info", "W": "warning", "E": "error", "F": "fatal"}
# a level in a vendor's own place at the start of a message, after head fields that are
# not a level: a process, thread or job number, a CPU share, a source file and function
# (read where no head regex took a level; the body keeps what it holds)
_HEAD_LEVEL = (
    r"^(?:"
    # the process id in brackets, the host, the program, the padded level, the subsystem in
    # brackets (corosync: "[1234] node1 corosync error   [KNET  ] host: ...")
    rf"\[\d+\][ \t]+[\w.\-]+[ \t]+[a-z][\w\-]*[ \t]+(?P<ha>{_LEVEL})[ \t]+\[[A-Z]+[ \t]*\]"
    # the process id in brackets, maybe the program ("[4321] rsync error: ...", rsyncd), or
    # more numbers in brackets, the process and the thread (Kannel's bearerbox and smsbox:
    # "[2210] [6] WARNING: SMPP[partner-smsc]: ...")
    rf"|\[\d+\](?:[ \t]+\[\d+\])*[ \t]+(?:[a-z][\w\-]*[ \t]+)?(?P<hb>{_LEVEL}):"
    # a thread number in angle brackets, the padded level (Veeam: "<23> Error    Failed to ...")
    rf"|<\d{{1,5}}>[ \t]+(?P<hc>{_LEVEL})[ \t]"
    # the idle CPU share, the level in brackets (FreeSWITCH 1.10: "95.33% [ERR] sofia.c:2345 ...")
    rf"|\d{{1,3}}(?:\.\d+)?%[ \t]+\[(?P<hd>{_LEVEL})\]"
    # the source file, line and function, a level letter in brackets (Gitea: "cmd/web.go:242:runWeb() [E] ...")
    r"|\S+\.\w+:\d+:[\w.]*\(\)[ \t]+\[(?P<ht>[TDIWEFC])\]"
    # the function in parentheses, maybe after the daemon and its process id, then a tab and
    # the level (Pacemaker 2: "pacemaker-fenced    [1236] (remote_op_done) \terror: ...")
    rf"|(?:[\w\-]+[ \t]+\[\d+\][ \t]+)?\(\w+\)[ \t]+(?P<he>{_LEVEL}):"
    # Ceph's daemon log: the thread, the debug level (-1: an error), a cluster log entry's
    # level ("7f3a2b1c0700  0 log_channel(cluster) log [WRN] : slow request ...")
    rf"|[0-9a-f]{{12}}(?:[0-9a-f]{{4}})?[ \t]+(?:(?P<hx>-1)[ \t]|-?\d+[ \t]+log_channel\(\w+\)[ \t]+log[ \t]+\[(?P<hf>{_LEVEL})\])"
    # Ceph's cluster log: "mon.a (mon.0) 4321 : cluster [WRN] Health check failed: ..."
    rf"|\S+ \(\S+\) \d+ : \w+ \[(?P<hg>{_LEVEL})\]"
    r")"
)
#: Gitea's level letters
_LETTER_LEVELS = {"T": "trace", "D": "debug", "I": "info", "W": "warning", "E": "error", "C": "critical", "F": "fatal"}
#: an Oracle error code starting a line of a record (a listener.log entry's "TNS-12514: ...")
_ORACLE_CODE = r"(?m:^(?:ORA|TNS)-\d{5}: )"
#: MySQL's and MariaDB's crash banner, "mysqld got signal 6 ;" (after its stamp and zone):
#: the server died
_SIGNAL_CRASH = r"^(?:mysqld|mariadbd) got signal \d+ ;"


def _head_level(body: pl.Expr) -> pl.Expr:
    """The level :data:`_HEAD_LEVEL` finds at the start of ``body`` (null: none)."""
    g = body.str.extract_groups(_HEAD_LEVEL)
    return pl.coalesce(
        *(g.struct.field(f"h{n}") for n in "abcdefg"),
        g.struct.field("ht").replace_strict(_LETTER_LEVELS, default=None),
        pl.when(g.struct.field("hx").is_not_null()).then(pl.lit("error")),
    )


def _without_pri(records: pl.DataFrame, pattern: str) -> tuple[pl.Series, pl.Series] | None:
    """The records without a PRI (no level, no parse error) as a mask, and the positions of
    those whose message matches ``pattern``; ``None`` when there are none (the pattern is
    tested on the level-less records only: a file with PRIs has none)."""
    no_pri = records.select(pl.col("severity_text").is_null() & pl.col("parse_error").is_null()).to_series()
    if not no_pri.any():
        return None
    idx = no_pri.arg_true()
    hit = records["body"].gather(idx).str.contains(pattern).fill_null(False)
    return (no_pri, idx.filter(hit)) if hit.any() else None


#: rsyslog writes a message's control characters as "#" and their octal code: the frames of
#: a Java stack trace, each logged as a message of its own, start "#011at " (a tab, "at")
_ESCAPED_FRAME = r"^(?:#011(?:at |\.\.\. \d+ (?:more|common frames omitted)|Caused by: |Suppressed: )|Caused by: )"


def _escaped_traces(records: pl.DataFrame) -> pl.DataFrame:
    """A stack trace a program wrote to syslog line by line, its tabs escaped by rsyslog
    (``java[4311]: #011at com.shop.ReportBuilder.build(ReportBuilder.java:88)``), joins the
    record before it of the same host, program and process: one record, its frames' tabs
    restored. Only frames right after their record (in file order) are joined."""
    if records.height < 2 or not records["body"].str.starts_with("#011").any():
        return records
    key = pl.concat_str(pl.col("service").fill_null(""), pl.col("attributes").fill_null(""), separator="\x00")
    frame = pl.col("body").str.contains(_ESCAPED_FRAME).fill_null(False) & (key == key.shift(1)).fill_null(False)
    cols = records.columns
    marked = records.with_columns(frame.alias("_frame")).with_columns(
        (~pl.col("_frame")).cum_sum().alias("_head"),
        pl.when(pl.col("_frame")).then(pl.col("body").str.replace(r"^#011", "\t")).otherwise(pl.col("body")).alias("body"),
    )
    joined = marked.group_by("_head", maintain_order=True).agg(
        *(pl.col(c).first() for c in cols if c not in ("body", "n_lines")),
        pl.col("body").str.join("\n"),
        pl.col("n_lines").sum(),
    )
    return joined.select(cols)


def _levels_in_messages(records: pl.DataFrame) -> pl.DataFrame:
    """Records without a PRI (a file rsyslog wrote) take the level their message starts
    with (``payments[123]: ERROR payment declined``, ``sshd[12]: error: ...``), else the one
    a mail server's delivery status says (Postfix's ``status=deferred`` WARN, ``status=bounced``
    ERROR: :data:`_MAIL_STATUS`). The body keeps
    it: a syslog message is the program's text, and tools match on it whole."""
    # (the level test only on the records without a level: a file with PRIs has none)
    found = _without_pri(records, f"{_MSG_LEVEL}|{_HEAD_LEVEL}|{_MAIL_STATUS}|{_CRASH_LINE}")
    if found is None:
        return records
    idx = found[1]
    body = records["body"].gather(idx)
    head = pl.DataFrame({"body": body}).select(pl.col("body").str.extract_groups(_MSG_LEVEL).alias("g"), "body").unnest("g")
    level = pl.coalesce(
        "s", "a", "b", "c", "d", pl.col("k").replace_strict(_KLOG_LEVELS, default=None), "l",
        pl.when(pl.col("x").is_not_null()).then(pl.lit("error")),
        pl.col("n").replace_strict(_SYSLOG_NUMBER_LEVELS, default=None),
        _head_level(pl.col("body")),
        # (Postfix's "status=deferred" / "status=bounced")
        _mail_level(pl.col("body")),
        # (the kernel's and systemd's crash reports)
        pl.when(pl.col("body").str.contains(_CRASH_LINE)).then(pl.lit("error")),
    )
    sev_text, sev_num = severity_columns(level)
    fixed = head.select(sev_text, sev_num)
    return records.with_columns(
        records["severity_text"].scatter(idx, fixed["severity_text"]),
        records["severity_number"].scatter(idx, fixed["severity_number"]),
    )


# an application's own stamped log line inside a syslog message (a service under systemd
# writing log4j or Python logging lines to the journal), or its structured line: logfmt
# (containerd, dockerd: 'time="2024-..." level=info msg="..."'), klog (kubelet:
# "I1129 10:00:03.123456     900 kubelet.go:123] ..."), a JSON object
_APP_STAMP = (
    r'^(?:\[?\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|(?:time|ts)="?\d{4}-\d{2}-\d{2}|level=\w+ |[IWEF]\d{4} \d{2}:\d{2}:\d{2}'
    r'|\{")'
)


def _app_lines_in_messages(records: pl.DataFrame, options: ParseOptions) -> pl.DataFrame:
    """Records without a PRI whose message is an application's own stamped log line
    (``shop-api[2345]: 2024-03-01 10:00:02,000 ERROR [main] c.x.Y - run failed``: journald
    and rsyslog keep what a service writes to stdout) are read like the container runtimes'
    app lines: the line's level, its message as ``body`` (the app's stamp and head are the
    record's, not the message's), logger and thread in ``attributes``; and a stack trace the
    service wrote line by line (one journal line per frame) joins the record it belongs to,
    per program and process id (:func:`rcakit.ingest._multiline.join_container_continuations`)."""
    from rcakit.ingest._jsonl import merge_attributes, parse_inner_messages, without_timestamp
    from rcakit.ingest._multiline import join_container_continuations

    # (a cheap test first: a file with PRIs, or whose messages carry no stamp, is left alone)
    found = _without_pri(records, _APP_STAMP)
    if found is None:
        return records
    no_pri, idx = found
    inner = parse_inner_messages(records["body"].gather(idx), without_timestamp(options), with_kind=True)
    # (a JSON or logfmt message without a message key keeps its text whole)
    text = ((inner["kind"] == "text") | inner["kind"].is_in(["json", "logfmt"]) & inner["body"].is_not_null()).fill_null(False)
    idx, inner = idx.filter(text), inner.filter(text)
    if not len(idx):
        return records
    outer = records[idx]
    fixed = pl.concat([outer.select("attributes", "trace_id"), inner.select(pl.all().name.prefix("_in_"))], how="horizontal").select(
        merge_attributes(pl.col("attributes"), pl.col("_in_attributes")).alias("attributes"),
        pl.coalesce("trace_id", "_in_trace_id").alias("trace_id"),
    )
    records = records.with_columns(
        records["severity_text"].scatter(idx, inner["severity_text"]),
        records["severity_number"].scatter(idx, inner["severity_number"].cast(records["severity_number"].dtype)),
        records["body"].scatter(idx, inner["body"]),
        records["trace_id"].scatter(idx, fixed["trace_id"]),
        records["attributes"].scatter(idx, fixed["attributes"]),
    )
    # what the same program and process wrote between its stamped lines: "plain" (joined
    # when it looks like a continuation), the stamped lines are the anchors
    anchor = pl.repeat(False, records.height, dtype=pl.Boolean, eager=True).scatter(idx, True)
    kind = (
        pl.DataFrame({"p": no_pri, "a": anchor})
        .select(pl.when("a").then(pl.lit("text")).when("p").then(pl.lit("plain")))
        .to_series()
    )
    stream = records.select(
        pl.concat_str(
            pl.col("service").fill_null(""),
            pl.col("attributes").str.json_path_match("$.procid").fill_null(""),
            separator="[",
        )
    ).to_series()
    return join_container_continuations(records, stream=stream, kind=kind, text=records["body"])


# HAProxy's HTTP log line (option httplog), sent through syslog:
#   10.0.0.1:5000 [02/Nov/2024:00:00:01.123] fe_https~ be_api/srv1 0/0/1/12/13 200 1234 - - ---- 10/10/1/1/0 0/0 "GET /api HTTP/1.1"
_HAPROXY_HTTP = (
    r"^(?P<client>\S+):\d+ \[(?P<accept>[^\]]+)\] (?P<frontend>\S+) (?P<backend>[^/\s]+)/(?P<server>\S+) "
    r"(?P<TR>-?\d+)/(?P<Tw>-?\d+)/(?P<Tc>-?\d+)/(?P<Tr>-?\d+)/\+?(?P<Ta>-?\d+) (?P<status>-?\d+) \+?(?P<bytes>\d+) "
    r"\S+ \S+ (?P<termination_state>\S+) \S+ \S+ (?:\{[^}]*\} ){0,2}\"(?P<request>[^\"]*)\""
)


def _haproxy_http(records: pl.DataFrame, options: ParseOptions) -> pl.DataFrame:
    """Syslog records holding HAProxy HTTP log lines read like access-log lines: body
    ``METHOD path status``, severity from the status, the timings and routing into attributes;
    the time is HAProxy's accept date (``[30/Nov/2026:10:00:04.123]``, to the millisecond,
    in the same local time as the syslog head, in the head's year) where it is within an hour
    of the head's stamp (the request is logged when it ends), else the head's."""
    from rcakit.ingest._access import request_body
    from rcakit.ingest._jsonl import encode_attributes, merge_attributes
    from rcakit.ingest._severity import severity_from_http_status

    hit = records.select(
        pl.col("body").str.contains(r"^\S+:\d+ \[\d{2}/[A-Z][a-z]{2}/\d{4}:").fill_null(False)
    ).to_series()
    if not hit.any():
        return records
    idx = hit.arg_true()
    g = records[idx].select(
        pl.col("body").str.extract_groups(_HAPROXY_HTTP).alias("g"),
        pl.col("body").alias("_line"),
        "severity_text",
        "severity_number",
        "attributes",
        "timestamp",
    ).unnest("g")
    ok = pl.col("status").is_not_null()
    # (in the head's year: a year-less head is dated by the file, its other lines too)
    accept = parse_timestamps(pl.col("accept"), tz=options.tz).dt.replace(year=pl.col("timestamp").dt.year())
    near = (accept - pl.col("timestamp")).abs() <= pl.duration(hours=1)
    request = pl.col("request").str.splitn(" ", 3)
    method, target = request.struct.field("field_0"), request.struct.field("field_1")
    path = target.str.replace(r"[?#].*$", "")
    status = pl.col("status").cast(pl.Int64, strict=False)
    sev_text, sev_num = severity_from_http_status(status)
    timings = {f"haproxy.{t}_ms": pl.when(pl.col(t).cast(pl.Int64, strict=False) >= 0).then(pl.col(t).cast(pl.Int64, strict=False)) for t in ("TR", "Tw", "Tc", "Tr", "Ta")}
    extra = {
        "client": pl.col("client"),
        "haproxy.frontend": pl.col("frontend"),
        "haproxy.backend": pl.col("backend"),
        "haproxy.server": pl.col("server"),
        **timings,
        "response_time_ms": timings["haproxy.Ta_ms"],  # as access logs name it
        "status": status,
        "bytes": pl.col("bytes").cast(pl.Int64, strict=False),
        "haproxy.termination_state": pl.col("termination_state"),
        "method": method,
        "path": path,
    }
    attributes = (
        merge_attributes(
            pl.col("attributes"), encode_attributes(extra, numbers=(*timings, "response_time_ms", "status", "bytes"))
        )
        if options.wants("attributes")
        else pl.col("attributes")
    )
    fixed = g.select(
        pl.when(ok & method.str.contains(r"^[A-Z]+$"))
        .then(request_body(method, path, pl.col("status")))
        .otherwise(pl.col("_line"))
        .alias("body"),
        pl.when(ok).then(sev_text).otherwise(pl.col("severity_text")).alias("severity_text"),
        pl.when(ok).then(sev_num).otherwise(pl.col("severity_number")).alias("severity_number"),
        pl.when(ok).then(attributes).otherwise(pl.col("attributes")).alias("attributes"),
        pl.when(ok & near.fill_null(False)).then(accept).otherwise(pl.col("timestamp")).alias("timestamp"),
    )
    return records.with_columns(
        records["timestamp"].scatter(idx, fixed["timestamp"]),
        records["body"].scatter(idx, fixed["body"]),
        records["severity_text"].scatter(idx, fixed["severity_text"]),
        records["severity_number"].scatter(idx, fixed["severity_number"].cast(records["severity_number"].dtype)),
        records["attributes"].scatter(idx, fixed["attributes"]),
    )


SYSLOG = LineFormat(
    name="syslog",
    description="syslog RFC 3164 (BSD) and RFC 5424 lines, structured data into attributes",
    sniff=_sniff_syslog,
    parse=_parse_syslog,
)
