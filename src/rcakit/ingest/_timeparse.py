"""Timestamp parsing as polars expressions.

:func:`parse_timestamps` turns a String expression holding timestamps in any of the common
layouts into ``Datetime("us", "UTC")`` (null where the text is not a timestamp). It is a
coalesce of anchored regex rules, each building the datetime from integer components with
``pl.datetime`` (no per-row Python, no ``strptime`` guessing):

============================  =================================================
layout                        examples
============================  =================================================
ISO 8601 and relatives        ``2024-01-02T03:04:05.123Z``, ``2024-01-02 03:04:05,123``,
                              ``2024/01/02 03:04:05``, ``2005-06-03-15.42.50.675872``,
                              ``2024-01-02T03:04:05+02:00``
Apache / Nginx CLF            ``02/Jan/2024:03:04:05 +0000``
ctime / syslog (year-less)    ``Sun Dec 04 04:47:44 2005``, ``Jan  2 03:04:05``
day month-name year           ``02-Jan-2024 03:04:05.123``, ``Tue, 02 Jan 2024 03:04:05 GMT``,
                              ``Mar 1, 2024 9:58:00 AM``, ``Mar 5, 10:00:31 AM``, ``2024 Mar 05 10:00:31``
US month/day/year             ``01/02/2024 03:04:05``, ``11/2/2024 1:05:09 PM`` (12-hour clock
                              with AM/PM, Windows and Excel exports): month/day, unless a
                              sample value has a first number above 12 (``25/03/2024``)
day.month.year                ``02.11.2024 13:05:09`` (dots: the European order)
compact and two-digit years   ``081109 203518`` (yyMMdd HHmmss), ``17/06/09 20:10:40`` (yy/MM/dd; MM/dd/yy,
                              HTCondor's ``03/01/24``, when every sample stamp reads both ways and
                              that order puts the dates nearer to ``year`` or now),
                              ``20171223-22:15:29:606``, ``20240102T030405Z`` (ISO basic)
year-less month-day           ``03-17 16:13:38.811``, ``10.30 16:49:06``
epoch                         ``1700000000`` (s), ``1700000000123`` (ms), µs, ns, ``1700000000.5``
============================  =================================================

Stamps without a zone are read in ``tz`` (an IANA name); stamps with ``Z``, ``UTC``, ``GMT``
or a numeric offset use it. Year-less stamps take ``year`` (default: the current UTC year).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import polars as pl

from rcakit.ingest._base import ParseOptions, map_distinct
from rcakit.schemas import UTC_US

__all__ = [
    "TIMESTAMP_RULES",
    "infer_timestamp_rules",
    "is_yearless",
    "matching_timestamp_rules",
    "parse_timestamps",
    "parse_year",
    "yearless_in_order",
    "years_in_order",
]

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
# the abbreviations of Spanish, Italian, Portuguese and German that differ from English
# (java.util.logging on such a JVM: "mar 05, 2024 10:00:05 AM")
_MONTHS.update({
    "ene": 1, "gen": 1, "fev": 2, "abr": 4, "mai": 5, "mag": 5, "giu": 6, "lug": 7, "ago": 8, "set": 9,
    "ott": 10, "out": 10, "okt": 10, "dic": 12, "dez": 12,
    # French, whose abbreviations run to four letters and a dot ("févr.", "juil.", "sept.")
    "janv": 1, "févr": 2, "mars": 3, "avr": 4, "juin": 6, "juil": 7, "août": 8, "sept": 9, "déc": 12,
    # German ("März", Java 8's "Mär"; "Juni", "Juli") and Dutch ("mrt.", "mei")
    "mär": 3, "märz": 3, "juni": 6, "juli": 7, "mrt": 3, "mei": 5,
})

#: Time zone abbreviations with one common meaning, as the UTC offset they stand for (a
#: PostgreSQL or Java log written in the server's zone: ``2024-03-01 10:00:05.123 CET``).
ZONE_ABBREVIATIONS: dict[str, str] = {
    "CET": "+01:00", "CEST": "+02:00", "EET": "+02:00", "EEST": "+03:00", "WET": "+00:00", "WEST": "+01:00",
    "MSK": "+03:00", "EST": "-05:00", "EDT": "-04:00", "CDT": "-05:00", "MST": "-07:00", "MDT": "-06:00",
    "PST": "-08:00", "PDT": "-07:00", "AKST": "-09:00", "AKDT": "-08:00", "HST": "-10:00", "JST": "+09:00",
    "KST": "+09:00", "HKT": "+08:00", "SGT": "+08:00", "AEST": "+10:00", "AEDT": "+11:00", "ACST": "+09:30",
    "ACDT": "+10:30", "AWST": "+08:00", "NZST": "+12:00", "NZDT": "+13:00", "SAST": "+02:00",
}
#: Abbreviations that name several zones (CST: US Central or China; IST: India, Ireland or
#: Israel; BST: British summer or Bangladesh): the stamp is read as local time in ``tz``.
AMBIGUOUS_ZONES = ("CST", "IST", "BST")
#: Regex alternation of every abbreviation above (longest first), for head regexes.
ZONE_NAMES = "|".join(sorted([*ZONE_ABBREVIATIONS, *AMBIGUOUS_ZONES], key=lambda z: (-len(z), z)))
#: Java's long zone names (``TimeZone.getDisplayName``, before and after CLDR), as WebLogic
#: writes them in its stamps: ``Nov 30, 2026 10:00:40,456 AM Coordinated Universal Time``.
#: Only names of one zone (US "Central Standard Time"; China's is "China Standard Time").
ZONE_LONG_NAMES: dict[str, str] = {
    "Coordinated Universal Time": "+00:00", "Greenwich Mean Time": "+00:00",
    "Western European Time": "+00:00", "Western European Standard Time": "+00:00",
    "Western European Summer Time": "+01:00", "British Summer Time": "+01:00",
    "Central European Time": "+01:00", "Central European Standard Time": "+01:00",
    "Central European Summer Time": "+02:00", "Eastern European Time": "+02:00",
    "Eastern European Standard Time": "+02:00", "Eastern European Summer Time": "+03:00",
    "Moscow Standard Time": "+03:00", "India Standard Time": "+05:30", "China Standard Time": "+08:00",
    "Japan Standard Time": "+09:00", "Australian Eastern Standard Time": "+10:00",
    "Australian Eastern Daylight Time": "+11:00",
    "Eastern Standard Time": "-05:00", "Eastern Daylight Time": "-04:00",
    "Central Standard Time": "-06:00", "Central Daylight Time": "-05:00",
    "Mountain Standard Time": "-07:00", "Mountain Daylight Time": "-06:00",
    "Pacific Standard Time": "-08:00", "Pacific Daylight Time": "-07:00",
}
_ZONE_AT_END = rf"\s(?:{ZONE_NAMES}|{'|'.join(ZONE_LONG_NAMES)})$"
_ZONE_REWRITE = {
    **{f" {name}": f" {offset}" for name, offset in ZONE_LONG_NAMES.items()},
    **{f" {name}": f" {offset}" for name, offset in ZONE_ABBREVIATIONS.items()},
    **{f" {name}": "" for name in AMBIGUOUS_ZONES},
}

_TIME = r"(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2}))?(?:[.,:](?P<f>\d{1,9}))?"
_ZONE = r"\s*(?P<z>Z|UTC|GMT|[+-]\d{2}:?\d{2})?"

# (a dash between date and time: Suricata's fast.log, "03/01/2024-09:58:00.539622")
_US_DATE = rf"^(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})/(?P<Y>\d{{4}})(?:[\sT,]+|-){_TIME}{_ZONE}$"
_US_DATE_12H = rf"^(?P<m>\d{{1,2}})/(?P<d>\d{{1,2}})/(?P<Y>\d{{4}})[\sT,]+{_TIME}\s*(?P<p>[AaPp][Mm]){_ZONE}$"
#: The day/month/year twins of the two US rules, used for a file whose sample has a date
#: like ``25/03/2024`` (only a first number above 12 tells the order; without one, the US
#: month-first order is read).
_DAY_FIRST = {
    rule: rule.replace("(?P<m>", "(?P<_d>", 1).replace("(?P<d>", "(?P<m>", 1).replace("(?P<_d>", "(?P<d>", 1)
    for rule in (_US_DATE, _US_DATE_12H)
}

#: yy/MM/dd (Spark's "17/06/09 20:10:40") and its month-first twin MM/dd/yy (HTCondor's
#: "03/01/24 09:58:15"): a sample whose every stamp reads both ways takes the order that
#: puts its dates nearest to the year given (else to now), see matching_timestamp_rules
_YY_SLASH = rf"^(?P<y>\d{{2}})/(?P<m>\d{{2}})/(?P<d>\d{{2}})\s+{_TIME}{_ZONE}$"
_YY_MONTH_FIRST = rf"^(?P<m>\d{{2}})/(?P<d>\d{{2}})/(?P<y>\d{{2}})\s+{_TIME}{_ZONE}$"

#: Anchored rules, tried in order (the first that matches a row wins).
TIMESTAMP_RULES: tuple[str, ...] = (
    # ISO 8601 and the many "Y-m-d H:M:S" relatives (T, space, '-' or '_' between date and time)
    # (a 12-hour clock after it: "2024-03-05 01:00:01 PM", small Windows agents)
    rf"^(?P<Y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}})(?:[T\s_]+|-){_TIME}(?:\s*(?P<p>[AaPp][Mm]))?{_ZONE}$",
    # Apache / Nginx common log format; with a blank before the time (Python's werkzeug and
    # Django's development server: "01/Mar/2024 10:00:03")
    rf"^(?P<d>\d{{1,2}})/(?P<b>[A-Za-z]{{3}})/(?P<Y>\d{{4}})[:\s]{_TIME}{_ZONE}$",
    # ctime, syslog (year-less), with optional weekday and trailing year
    rf"^(?:[A-Za-z]{{3}},?\s+)?(?P<b>[A-Za-z]{{3}})\s+(?P<d>\d{{1,2}}),?\s+{_TIME}(?:\s+(?P<Y2>\d{{4}}))?{_ZONE}$",
    # Java's medium date format: month-name day, year, 12- or 24-hour clock (WebLogic,
    # java.util.logging's SimpleFormatter: "Mar 1, 2024 9:58:00,123 AM")
    # (without the year: a web console's copy, Netlify's function log "Mar 5, 10:00:31 AM")
    rf"^(?P<b>[A-Za-z]{{3}}|[a-zéû]{{3,4}}\.?)\s+(?P<d>\d{{1,2}}),\s+(?:(?P<Y2>\d{{4}}),?\s+)?{_TIME}\s*(?P<p>[AaPp][Mm])?{_ZONE}$",
    # year month-name day (TIBCO BusinessWorks: "2024 Mar 05 10:00:31:123")
    rf"^(?P<Y>\d{{4}})\s+(?P<b>[A-Za-z]{{3}})\s+(?P<d>\d{{1,2}})\s+{_TIME}{_ZONE}$",
    # day month-name year (Tomcat, RFC 2822)
    # (a JVM in another language: "30-nov.-2026", "30-März-2026", "30-janv.-2026")
    rf"^(?:[A-Za-z]{{3}},?\s+)?(?P<d>\d{{1,2}})[-\s](?P<b>[A-Za-z]{{3}}|[A-Za-zéûä][a-zéûä]{{2,3}}\.?)[-\s](?P<Y>\d{{4}})"
    rf"[\sT:]+{_TIME}{_ZONE}$",
    # year-less day-month-name, maybe no seconds (Bacula's job messages: "01-Mar 09:58")
    rf"^(?P<d>\d{{1,2}})-(?P<b>[A-Za-z]{{3}})\s+{_TIME}{_ZONE}$",
    # US month/day/year with a 4-digit year, 24-hour or 12-hour clock (Windows, Excel); a
    # sample that shows a first number above 12 takes the day-first twins (_DAY_FIRST)
    _US_DATE,
    _US_DATE_12H,
    # day.month.year (dots: the European order)
    rf"^(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})\.(?P<Y>\d{{4}})[\sT,]+{_TIME}{_ZONE}$",
    # compact yyyyMMdd, then a separated time (HealthApp: 20171223-22:15:29:606) or ISO 8601's
    # basic form (20240102T030405Z)
    rf"^(?P<Y>\d{{4}})(?P<m>\d{{2}})(?P<d>\d{{2}})[T\s-]{_TIME}{_ZONE}$",
    rf"^(?P<Y>\d{{4}})(?P<m>\d{{2}})(?P<d>\d{{2}})T(?P<H>\d{{2}})(?P<M>\d{{2}})(?P<S>\d{{2}})(?:[.,](?P<f>\d{{1,9}}))?{_ZONE}$",
    # compact yyyyMMddHHmmss, with milliseconds (batch jobs, gateways): a date, not an epoch
    # time (14 and 17 digits are milli- and microseconds after the year 2286)
    r"^(?P<Y>(?:19|20)\d{2})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?P<H>[01]\d|2[0-3])(?P<M>[0-5]\d)(?P<S>[0-5]\d)"
    r"(?P<f>\d{3})?$",
    # HAProxy's own stamp: day of the year / HHmmss, year-less ("[WARNING] 064/100002 (2231) : ")
    r"^(?P<j>[0-3]\d{2})/(?P<H>[01]\d|2[0-3])(?P<M>[0-5]\d)(?P<S>[0-5]\d)$",
    # yyMMdd HHmmss (HDFS)
    r"^(?P<y>\d{2})(?P<m>\d{2})(?P<d>\d{2})[\s-](?P<H>\d{2}):?(?P<M>\d{2}):?(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?$",
    # yy/MM/dd HH:mm:ss (Spark, log4j 1 default in some distributions); MM/dd/yy when the
    # sample reads both ways and that order puts its dates nearer (see _YY_MONTH_FIRST)
    _YY_SLASH,
    # year-less MM-dd or MM.dd (Android logcat, Proxifier)
    rf"^(?P<m>\d{{1,2}})[-.](?P<d>\d{{1,2}})\s+{_TIME}$",
)

_EPOCH = r"^(?P<e>\d{9,19})(?:\.(?P<ef>\d{1,9}))?$"


def _int(s: pl.Expr) -> pl.Expr:
    return s.cast(pl.Int64, strict=False)


def _rule_expr(text: pl.Expr, pattern: str, *, tz: str, year: int) -> pl.Expr:
    # The rule is built over the capture groups as columns and evaluated once per batch on
    # the unnested groups: referencing ``extract_groups(...).struct.field(...)`` inside the
    # when/then chains below re-ran the regex for every reference (~18x slower on 1M rows).
    names = set(_group_names(pattern))

    def field(name: str) -> pl.Expr:
        return pl.col(name) if name in names else pl.lit(None, dtype=pl.String)

    if "Y" in names:
        yr = _int(field("Y"))
        if "Y2" in names:
            yr = pl.coalesce(yr, _int(field("Y2")))
    elif "Y2" in names:
        yr = pl.coalesce(_int(field("Y2")), pl.lit(year, dtype=pl.Int64))
    elif "y" in names:
        y2 = _int(field("y"))
        yr = pl.when(y2 < 70).then(2000 + y2).otherwise(1900 + y2)
    else:
        yr = pl.lit(year, dtype=pl.Int64)
    if "b" in names:
        month = field("b").str.to_lowercase().str.strip_suffix(".").replace_strict(_MONTHS, default=None, return_dtype=pl.Int64)
    elif "j" in names:  # a day of the year: January the first, plus the days (added below)
        month = pl.lit(1, dtype=pl.Int64)
    else:
        month = _int(field("m"))
    day = pl.lit(1, dtype=pl.Int64) if "j" in names else _int(field("d"))
    hour = _int(field("H"))
    twelve = pl.lit(True)
    if "p" in names:  # 12-hour clock: 12 AM is 0 h, 12 PM is 12 h
        # (only where the value has its AM/PM: the rules that allow one read a 24-hour
        # stamp without it, "2024-03-22 13:20:49 +0000", as it is)
        marked = field("p").is_not_null()
        pm = field("p").str.to_lowercase() == "pm"
        twelve = ~marked | hour.is_between(1, 12)
        hour = pl.when(marked).then((hour % 12) + pl.when(pm).then(12).otherwise(0)).otherwise(hour)
    minute = _int(field("M"))
    second = pl.coalesce(_int(field("S")), pl.lit(0, dtype=pl.Int64))
    frac = field("f")
    micro = pl.coalesce(_int(frac.str.pad_end(6, "0").str.slice(0, 6)), pl.lit(0, dtype=pl.Int64))
    valid = (
        month.is_between(1, 12)
        & day.is_between(1, 31)
        & hour.is_between(0, 23)
        & twelve
        & minute.is_between(0, 59)
        & second.is_between(0, 60)
        & yr.is_between(1970, 2200)
    )

    def guarded(e: pl.Expr) -> pl.Expr:
        return pl.when(valid).then(e).otherwise(None)

    naive = pl.datetime(
        guarded(yr),
        guarded(month),
        guarded(day.clip(1, 28)),  # day clipped for construction, added back below
        guarded(hour),
        guarded(minute),
        guarded(second.clip(0, 59)),
        guarded(micro),
        time_unit="us",
    ) + pl.duration(days=guarded(day) - guarded(day.clip(1, 28)))
    # a day past the month's end (e.g. Feb 30) rolls into the next month: reject it
    naive = pl.when(naive.dt.day() == day).then(naive).otherwise(None)
    if "j" in names:
        doy = _int(field("j"))
        naive = pl.when(doy.is_between(1, 366)).then(naive + pl.duration(days=doy - 1))

    zone = field("z")
    local = naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC")
    is_utc = zone.is_in(["Z", "UTC", "GMT"])
    digits = zone.str.replace(":", "", literal=True)
    sign = pl.when(digits.str.starts_with("-")).then(-1).otherwise(1)
    offset_min = sign * (_int(digits.str.slice(1, 2)) * 60 + _int(digits.str.slice(3, 2)))
    fixed = (naive - pl.duration(minutes=pl.when(is_utc).then(0).otherwise(offset_min))).dt.replace_time_zone("UTC")
    built = pl.when(zone.is_null()).then(local).otherwise(fixed).alias("ts")

    def evaluate(groups: pl.Series) -> pl.Series:
        return groups.struct.unnest().lazy().select(built).collect().to_series().cast(UTC_US)

    return text.str.extract_groups(pattern).map_batches(
        evaluate, return_dtype=UTC_US, is_elementwise=True
    )


def _group_names(pattern: str) -> list[str]:
    import re

    return list(re.compile(pattern).groupindex)


def _epoch_expr(text: pl.Expr) -> pl.Expr:
    g = text.str.extract_groups(_EPOCH)
    whole = g.struct.field("e")
    n = _int(whole)
    digits = whole.str.len_chars()
    frac = pl.coalesce(_int(g.struct.field("ef").str.pad_end(6, "0").str.slice(0, 6)), pl.lit(0, dtype=pl.Int64))
    micros = (
        pl.when(digits <= 11).then(n * 1_000_000 + frac)  # seconds (9-11 digits: 1973..5138)
        # milliseconds, and a fraction of one (logr's zap JSON: "ts": 1709287201123.456)
        .when(digits <= 14).then(n * 1_000 + frac // 1_000)
        .when(digits <= 17).then(n)  # microseconds
        .otherwise(n // 1_000)  # nanoseconds
    )
    return micros.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")


def infer_timestamp_rules(sample: list[str], *, year: int | None = None) -> tuple[str, ...]:
    """The rules of :data:`TIMESTAMP_RULES` (plus epoch) that match at least one sample value.

    A file almost always uses one layout; parsing it with only the rules its sample needs is
    several times faster than trying every rule on every row. Pass the result as ``rules=``
    to :func:`parse_timestamps`. Returns all rules when nothing in the sample matches.
    """
    return matching_timestamp_rules(sample, year=year) or (*TIMESTAMP_RULES, _EPOCH)


def matching_timestamp_rules(sample: list[str], *, year: int | None = None) -> tuple[str, ...]:
    """The rules (of :data:`TIMESTAMP_RULES` plus epoch) matching a sample value; may be empty.

    Two-digit-year stamps ``aa/bb/cc`` are read yy/MM/dd unless every sample stamp is also
    a date read MM/dd/yy and that order puts the dates nearer to ``year`` (mid-year; else
    to now): HTCondor's ``03/01/24`` is 1 March 2024, Spark's ``24/03/05`` (no month 24)
    and ``17/06/09`` stay yy/MM/dd."""
    import re

    # (a zone name at the end is rewritten to an offset before the rules run)
    values = [re.sub(_ZONE_AT_END, "", v.strip(" \t[]()\"'")) for v in sample if v]
    found = tuple(r for r in (*TIMESTAMP_RULES, _EPOCH) if any(re.match(r, v) for v in values))
    if any(r in _DAY_FIRST for r in found) and any(
        (m := re.match(r"(\d{1,2})/\d{1,2}/\d{4}\b", v)) and int(m.group(1)) > 12 for v in values
    ):
        found = tuple(_DAY_FIRST.get(r, r) for r in found)
    if _YY_SLASH in found and _month_first_nearer([v for v in values if re.match(_YY_SLASH, v)], year):
        found = tuple(_YY_MONTH_FIRST if r == _YY_SLASH else r for r in found)
    return found


def _month_first_nearer(values: list[str], year: int | None) -> bool:
    """Whether two-digit-year stamps (``aa/bb/cc ...``) all read as MM/dd/yy dates, and that
    reading puts them nearer to ``year`` (its middle; else now) than yy/MM/dd does."""
    from datetime import date

    ref = date(year, 7, 1) if year is not None else datetime.now(UTC).date()

    def as_date(y: int, m: int, d: int) -> date | None:
        try:
            return date(2000 + y if y < 70 else 1900 + y, m, d)
        except ValueError:
            return None

    near_first = near_year_first = 0
    only_month_first = False  # (a stamp that is no date read yy/MM/dd: "03/31/24")
    for v in values:
        a, b, c = (int(x) for x in v[:8].split("/"))
        month_first, year_first = as_date(c, a, b), as_date(a, b, c)
        if month_first is None:
            return False
        if year_first is None:
            only_month_first = True
            continue
        near_first += abs((month_first - ref).days)
        near_year_first += abs((year_first - ref).days)
    return bool(values) and (only_month_first or near_first < near_year_first)


def is_yearless(sample: list[str]) -> bool:
    """Whether every stamp of a (non-empty) sample is read by a rule of
    :data:`TIMESTAMP_RULES` without a year (syslog ``Jan  2 03:04:05``, logcat's month-day)."""
    import re

    def yearless(v: str) -> bool:
        m = next((m for r in TIMESTAMP_RULES if (m := re.match(r, v))), None)
        return m is not None and not any(m.groupdict().get(k) for k in ("Y", "y", "Y2"))

    values = [v.strip(" \t[]()\"'") for v in sample if v]
    return bool(values) and all(yearless(v) for v in values)


def years_in_order(frame: pl.LazyFrame, sample: list[str], options: ParseOptions) -> pl.LazyFrame:
    """``frame`` with the years of its year-less ``timestamp`` put right
    (:func:`yearless_in_order`) when its ``sample`` stamps have none; in a step of its own:
    the rule refers to the stamps several times, and each reference in the step that parses
    them would parse them again."""
    if not options.wants("timestamp"):
        return frame
    if is_yearless(sample):
        return frame.with_columns(yearless_in_order(pl.col("timestamp"), year=options.year, written=options.mtime))
    if options.year is None and _some_yearless(sample):
        return frame.with_columns(_years_of_neighbours(pl.col("timestamp"), written=options.mtime))
    return frame


#: The year a file's year-less stamps are parsed in when its other stamps have one (klog
#: lines in an ingress-nginx controller's log, beside nginx's dated lines): a leap year no
#: log is from, so that :func:`_years_of_neighbours` can tell them apart afterwards.
_MIXED_YEAR = 1904


def _some_yearless(sample: list[str]) -> bool:
    """Whether some of a sample's stamps are year-less (one stamp of each shape tested)."""
    import re

    shapes: dict[str, str] = {}
    for v in sample:
        if v:
            shapes.setdefault(re.sub(r"\d", "0", v), v)
    return any(is_yearless([v]) for v in shapes.values())


def _years_of_neighbours(stamp: pl.Expr, *, written: datetime | None) -> pl.Expr:
    """Year-less stamps (parsed in :data:`_MIXED_YEAR`) of a file whose other stamps are
    dated, in the year of the dated stamp above them (below them, before the first one): of
    that year and the ones before and after it, the one that puts them nearest to it. With
    no dated stamp in the file, dated as :func:`yearless_in_order` dates a file."""

    def put_right(s: pl.Series) -> pl.Series:
        yearless = s.dt.year() == _MIXED_YEAR
        if not yearless.any():
            return s
        dated = s.to_frame("t").select(pl.when(~yearless).then(pl.col("t"))).to_series()
        near = dated.forward_fill().fill_null(dated.backward_fill())
        if near.is_null().all():
            return s.to_frame("t").select(yearless_in_order(pl.col("t"), year=None, written=written)).to_series().alias(s.name)
        t, n = pl.col("t"), pl.col("n")
        moved = t.dt.offset_by(pl.format("{}y", n.dt.year() - _MIXED_YEAR))
        half = pl.duration(days=183)
        fixed = (
            pl.when(moved > n + half).then(moved.dt.offset_by("-1y"))
            .when(moved < n - half).then(moved.dt.offset_by("1y"))
            .otherwise(moved)
        )
        frame = pl.DataFrame({"t": s, "n": near, "y": yearless})
        return frame.select(pl.when(pl.col("y") & n.is_not_null()).then(fixed).otherwise(t)).to_series().alias(s.name)

    return stamp.map_batches(put_right, return_dtype=pl.Datetime("us", "UTC"))


def yearless_in_order(stamp: pl.Expr, *, year: int | None, written: datetime | None) -> pl.Expr:
    """Year-less stamps of a file (``stamp`` parsed with ``year``, or the current year), in
    file order, with their years put right.

    A stamp more than 180 days before the one above it crossed a New Year (``Dec 31`` then
    ``Jan  1``): it and those after it take the next year. With no ``year`` given, the file
    is dated by ``written`` (its modification time, else now): its last stamp falls in the
    latest year that puts it no more than a day after ``written`` (a December log written
    last year and read in March is last year's; a file kept since 2024 is 2024's, not the
    year before this one), and a leap year when a stamp is on 29 February.
    """
    limit = (written or datetime.now(UTC)) + timedelta(days=1)

    def put_right(s: pl.Series) -> pl.Series:
        crossed = (s < s.forward_fill().shift(1) - timedelta(days=180)).fill_null(False).cum_sum()
        # (a 29 February within one year says the year is a leap year)
        leap_day = year is None and not crossed.max() and ((s.dt.month() == 2) & (s.dt.day() == 29)).any()
        if crossed.max():
            s = s.to_frame("t").select(pl.col("t").dt.offset_by(pl.format("{}y", crossed))).to_series().alias(s.name)
        last = s.max()
        if year is None and isinstance(last, datetime):
            # (parsed in a leap year, see parse_year: moved to the year the file's time gives)
            target = limit.year if _in_year(last, limit.year) <= limit else limit.year - 1
            while leap_day and not calendar.isleap(target):
                target -= 1
            if target != last.year:
                s = s.dt.offset_by(f"{target - last.year}y")
        return s

    return stamp.map_batches(put_right, return_dtype=pl.Datetime("us", "UTC"))


def _in_year(stamp: datetime, year: int) -> datetime:
    """``stamp`` in ``year`` (29 February becomes the 28th in a common year)."""
    try:
        return stamp.replace(year=year)
    except ValueError:
        return stamp.replace(year=year, day=28)


def parse_year(sample: list[str], options: ParseOptions) -> int | None:
    """The year to parse a file's stamps with: ``options.year``; year-less stamps without
    one are parsed in a leap year (the latest up to now), so that a ``Feb 29`` stamp is a
    time, and :func:`years_in_order` then moves them to the year the file's modification
    time gives."""
    if options.year is not None:
        return options.year
    if not is_yearless(sample):
        # (year-less stamps beside dated ones: see years_in_order)
        return _MIXED_YEAR if _some_yearless(sample) else None
    leap = datetime.now(UTC).year
    while not calendar.isleap(leap):
        leap -= 1
    return leap


def parse_timestamps(
    expr: pl.Expr | str,
    *,
    tz: str = "UTC",
    year: int | None = None,
    rules: tuple[str, ...] | None = None,
) -> pl.Expr:
    """Parse timestamp text into ``Datetime("us", "UTC")``, null where it is not a timestamp.

    Parameters
    ----------
    expr
        A String expression (or column name) holding one timestamp per row; surrounding
        whitespace and brackets are ignored.
    tz
        IANA time zone for stamps that carry no zone (default ``"UTC"``).
    year
        Year for year-less stamps (syslog ``Jan  2 03:04:05``); default: the current UTC year.
    rules
        Restrict parsing to these rules (see :func:`infer_timestamp_rules`); default: all.

    Returns
    -------
    pl.Expr
        A ``Datetime("us", "UTC")`` expression.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"t": ["2024-01-02 03:04:05,250", "02/Jan/2024:03:04:05 +0100", "1704164645"]})
    >>> df.select(parse_timestamps("t"))["t"].to_list()  # doctest: +NORMALIZE_WHITESPACE
    [datetime.datetime(2024, 1, 2, 3, 4, 5, 250000, tzinfo=zoneinfo.ZoneInfo(key='UTC')),
     datetime.datetime(2024, 1, 2, 2, 4, 5, tzinfo=zoneinfo.ZoneInfo(key='UTC')),
     datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=zoneinfo.ZoneInfo(key='UTC'))]
    """
    text = pl.col(expr) if isinstance(expr, str) else expr
    if year is None:
        year = datetime.now(UTC).year
    chosen = rules if rules is not None else (*TIMESTAMP_RULES, _EPOCH)
    y = year

    def evaluate(values: pl.Series) -> pl.Series:
        return _parse_series(values, tz=tz, year=y, rules=chosen)

    return text.cast(pl.String).map_batches(evaluate, return_dtype=UTC_US, is_elementwise=True)


# --------------------------------------------------------------------------- fast path
#
# Most files use one layout. ``_guess_format`` turns a sample stamp and the rule it matches
# into a chrono/strptime format (``2024-01-02 03:04:05,123`` -> ``%Y-%m-%d %H:%M:%S,%3f``),
# which ``str.to_datetime`` parses ~50x faster than the regex rules. Rows the guessed
# formats leave null (other layouts, odd fraction widths, garbage) go through the rules.

_DIRECTIVES = {
    "Y": "%Y", "Y2": "%Y", "y": "%y", "m": "%m", "d": "%d", "b": "%b", "H": "%H", "M": "%M", "S": "%S", "p": "%p",
}
_STRIP = " \t[]()\"'"


@dataclass(frozen=True, slots=True)
class _Layout:
    fmt: str
    yearless: bool  # the format starts with "%Y " that the value lacks
    zone: str  # "local" (use tz), "utc" (literal Z/UTC/GMT), "offset" (%z)


def _guess_format(value: str, rules: tuple[str, ...]) -> _Layout | None:
    import re

    for rule in rules:
        if rule == _EPOCH:
            continue
        m = re.match(rule, value)
        if m is None or "j" in m.re.groupindex:  # (a day of the year: the rule's own parse)
            continue
        spans = sorted(
            ((m.start(g), m.end(g), g) for g in m.re.groupindex if m.group(g) is not None),
            key=lambda t: t[0],
        )
        fmt = ""
        pos = 0
        zone = "local"
        has_year = False
        twelve_hour = "p" in m.re.groupindex and m.group("p") is not None
        for start, end, g in spans:
            literal = value[pos:start]
            text = m.group(g)
            if g == "f":
                if literal.endswith("."):
                    fmt += _literal(literal[:-1]) + "%.f"
                elif len(text) in (3, 6, 9):
                    fmt += _literal(literal) + f"%{len(text)}f"
                else:
                    return None
            elif g == "z":
                fmt += _literal(literal)
                if text in ("Z", "UTC", "GMT"):
                    fmt += text
                    zone = "utc"
                else:
                    fmt += "%:z" if ":" in text else "%z"
                    zone = "offset"
            else:
                if g == "y" and len(text) != 2:
                    return None
                fmt += _literal(literal) + ("%I" if g == "H" and twelve_hour else _DIRECTIVES[g])
                has_year = has_year or g in ("Y", "Y2", "y")
            pos = end
        if value[pos:]:
            fmt += _literal(value[pos:])
        if not has_year:
            fmt = "%Y " + fmt
        return _Layout(fmt=fmt, yearless=not has_year, zone=zone)
    return None


def _literal(text: str) -> str:
    import re

    # weekday names outside the captured fields become %a; '%' is escaped
    return re.sub(r"[A-Za-z]{3,}", "%a", text.replace("%", "%%"))


def _localize(naive: pl.Series, tz: str) -> pl.Series:
    if tz == "UTC":
        return naive.dt.replace_time_zone("UTC")
    return naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null").dt.convert_time_zone("UTC")


def _parse_series(values: pl.Series, *, tz: str, year: int, rules: tuple[str, ...]) -> pl.Series:
    text = values.str.strip_chars(_STRIP)
    if text.str.contains(_ZONE_AT_END).any():
        # a zone abbreviation after the stamp -> its offset (an ambiguous one is dropped: tz)
        text = text.str.replace_many(_ZONE_REWRITE)
    n = len(text)
    out = pl.repeat(None, n, dtype=UTC_US, eager=True).alias(values.name)
    if n == 0 or text.null_count() == n:
        return out
    sample = text.drop_nulls().head(64).to_list()
    layouts: dict[_Layout, int] = {}
    for v in sample:
        layout = _guess_format(v, rules)
        if layout is not None:
            layouts[layout] = layouts.get(layout, 0) + 1
    chosen = [layout for layout, _count in sorted(layouts.items(), key=lambda kv: -kv[1])[:3]]
    # stamps with second resolution repeat (access logs, syslog): parse each once
    def parse(rows: pl.DataFrame) -> pl.Series:
        return _parse_text(rows["t"], chosen, tz=tz, year=year, rules=rules)

    return map_distinct(text.to_frame("t"), parse).alias(values.name)


def _parse_text(text: pl.Series, chosen: list[_Layout], *, tz: str, year: int, rules: tuple[str, ...]) -> pl.Series:
    """Parse stripped stamps with the layouts ``chosen``, then the rules, row by row."""
    n = len(text)
    out = pl.repeat(None, n, dtype=UTC_US, eager=True)
    for layout in chosen:
        pending = out.is_null() & text.is_not_null()
        if not pending.any():
            break
        src = (pl.lit(f"{year} ", dtype=pl.String) + pl.col("t")) if layout.yearless else pl.col("t")
        parsed = (
            pl.DataFrame({"t": text})
            # no cache: stamps are nearly all distinct, hashing them costs more than it saves
            .select(src.str.to_datetime(layout.fmt, strict=False, time_unit="us", cache=False).alias("t"))
            .to_series()
        )
        if layout.zone == "offset":
            parsed = parsed.dt.convert_time_zone("UTC")
        elif layout.zone == "utc":
            parsed = parsed.dt.replace_time_zone("UTC")
        else:
            parsed = _localize(parsed, tz)
        parsed = parsed.cast(UTC_US)
        # the first layout fills an empty column: no merge needed
        out = parsed if out.null_count() == n else out.zip_with(out.is_not_null(), parsed)
    for rule in rules:
        pending = out.is_null() & text.is_not_null()
        if not pending.any():
            break
        # a cheap DFA test first: most rules match no pending row and are skipped
        todo = pending & text.str.contains(rule).fill_null(False)
        if not todo.any():
            continue
        idx = todo.arg_true()
        expr = _epoch_expr(pl.col("t")) if rule == _EPOCH else _rule_expr(pl.col("t"), rule, tz=tz, year=year)
        slow = pl.DataFrame({"t": text.gather(idx)}).select(expr.cast(UTC_US).alias("t")).to_series()
        if slow.is_not_null().any():
            out = out.scatter(idx, slow)
    return out
