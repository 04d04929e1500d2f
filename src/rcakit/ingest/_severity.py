"""Severity normalisation to the OpenTelemetry log data model.

``severity_text`` is normalised to one of ``TRACE, DEBUG, INFO, WARN, ERROR, FATAL`` and
``severity_number`` follows OpenTelemetry's SeverityNumber (1-24): TRACE=1, DEBUG=5,
INFO=9, WARN=13, ERROR=17, FATAL=21, with the in-between steps where the source is finer
(syslog ``notice`` is INFO2=10, ``alert`` FATAL2=22, ``emerg`` FATAL4=24).

Accepted spellings (case-insensitive): the usual names and abbreviations (``warning``,
``wrn``, ``err``, ``severe``, ``crit``, ``critic`` (IBM DataPower), ``critical``, ``panic``, ``fine``/``finer``/``finest``,
``verbose``, logrus/log15 four-letter forms ``erro``/``eror``/``debu``/``dbug``/``fata``),
single letters (``I``, ``W``, ``E``, ``D``, ``V`` (Android's Verbose: TRACE), ``F``), winston's ``http`` (INFO) and ``silly`` (TRACE), supervisord's ``debg`` and ``blat`` (TRACE), zerolog's ``pnc``, Go slog's steps between its levels (``ERROR+4``: see
:func:`_offset_level`), syslog numeric
severities 0-7 (``syslog_numeric=True``) and bunyan/pino numbers (10, 20, ..., 60).
"""

from __future__ import annotations

import re

import polars as pl

__all__ = ["SEVERITY_NUMBERS", "SEVERITY_WORDS", "severity_columns", "severity_from_http_status"]

#: normalised text -> base OpenTelemetry number
SEVERITY_NUMBERS: dict[str, int] = {"TRACE": 1, "DEBUG": 5, "INFO": 9, "WARN": 13, "ERROR": 17, "FATAL": 21}

#: lower-case spelling -> (normalised text, OpenTelemetry number)
SEVERITY_WORDS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(("trace", "trc", "finest", "t", "trac", "trce"), ("TRACE", 1)),
    **dict.fromkeys(("finer",), ("TRACE", 2)),
    **dict.fromkeys(("vrb",), ("TRACE", 1)),  # Serilog's Verbose, below its Debug
    **dict.fromkeys(("blat",), ("TRACE", 1)),  # supervisord's blather, below its debug
    # (Android's V(erbose) is below its D(ebug); winston's "silly" below its "debug")
    **dict.fromkeys(("v", "silly"), ("TRACE", 1)),
    **dict.fromkeys(("debug", "dbg", "d", "fine", "verbose", "debug1", "debug2", "dbug", "debu", "debg"), ("DEBUG", 5)),
    **dict.fromkeys(("info", "inf", "information", "informational", "informationen", "i", "config", "ok", "success", "log"), ("INFO", 9)),
    **dict.fromkeys(("http",), ("INFO", 10)),  # winston's level between info and verbose
    **dict.fromkeys(("notice", "n"), ("INFO", 10)),
    **dict.fromkeys(("note", "system"), ("INFO", 9)),  # MySQL's error-log priorities
    **dict.fromkeys(("warn", "warning", "wrn", "w", "wrng"), ("WARN", 13)),
    **dict.fromkeys(("error", "err", "e", "severe", "failure", "fail", "failed", "eror", "erro"), ("ERROR", 17)),
    **dict.fromkeys(("fatal", "f", "crit", "critic", "critical", "panic", "dpanic", "ftl", "c", "wtf", "a", "fata", "pani", "pnc"), ("FATAL", 21)),
    **dict.fromkeys(("alert",), ("FATAL", 22)),
    # PHP's error-log prefixes ("PHP Fatal error:  ...")
    **dict.fromkeys(("deprecated", "strict standards"), ("INFO", 10)),
    **dict.fromkeys(("deprecation",), ("INFO", 10)),  # Elasticsearch's deprecation log
    **dict.fromkeys(("parse error", "catchable fatal error", "recoverable fatal error"), ("ERROR", 17)),
    **dict.fromkeys(("fatal error",), ("FATAL", 21)),
    **dict.fromkeys(("emerg", "emergency"), ("FATAL", 24)),
    # level words of localised runtimes and apps: German, French, Spanish, Italian,
    # Portuguese, Japanese, Chinese (java.util.logging's SEVERE is "GRAVE", "SCHWERWIEGEND",
    # "重大", "严重")
    **dict.fromkeys(("información", "informacion", "informazioni", "informação", "情報", "信息"), ("INFO", 9)),
    **dict.fromkeys(("konfiguration", "configuración", "configuration", "configurazione", "構成", "配置"), ("INFO", 9)),
    **dict.fromkeys(("infos", "configuração", "informações", "informacoes"), ("INFO", 9)),
    **dict.fromkeys(("feiner",), ("TRACE", 2)),
    **dict.fromkeys(("fein", "détaillé", "detallado", "詳細", "详细", "デバッグ", "调试"), ("DEBUG", 5)),
    # the Event Viewer's Verbose level on a French, Italian, Portuguese Windows
    **dict.fromkeys(("commentaires", "dettagliato", "detalhado"), ("DEBUG", 5)),
    **dict.fromkeys(("warnung", "avertissement", "advertencia", "avvertenza", "avviso", "aviso", "警告"), ("WARN", 13)),
    **dict.fromkeys(("fehler", "erreur", "grave", "schwerwiegend", "errore", "エラー", "重大", "错误", "严重"),
                    ("ERROR", 17)),
    **dict.fromkeys(("kritisch", "critique", "crítico", "critico", "致命的", "致命"), ("FATAL", 21)),
}

# syslog severity numbers 0..7
_SYSLOG_NUMERIC: dict[str, tuple[str, int]] = {
    "0": ("FATAL", 24), "1": ("FATAL", 22), "2": ("FATAL", 21), "3": ("ERROR", 17),
    "4": ("WARN", 13), "5": ("INFO", 10), "6": ("INFO", 9), "7": ("DEBUG", 5),
}
# bunyan / pino numeric levels
_BUNYAN: dict[str, tuple[str, int]] = {
    "10": ("TRACE", 1), "20": ("DEBUG", 5), "30": ("INFO", 9),
    "40": ("WARN", 13), "50": ("ERROR", 17), "60": ("FATAL", 21),
}


def severity_columns(level: pl.Expr | str, *, syslog_numeric: bool = False) -> tuple[pl.Expr, pl.Expr]:
    """Normalise a level column into ``(severity_text, severity_number)`` expressions.

    Parameters
    ----------
    level
        String expression (or column name) holding the source's level text.
    syslog_numeric
        Read bare digits 0-7 as syslog severities (otherwise bunyan/pino 10-60 only).

    Returns
    -------
    tuple of pl.Expr
        ``severity_text`` (String, null when unknown) and ``severity_number`` (UInt8).
    """
    raw = pl.col(level) if isinstance(level, str) else level
    table = {**SEVERITY_WORDS, **_BUNYAN, **(_SYSLOG_NUMERIC if syslog_numeric else {})}
    texts = {k: v[0] for k, v in table.items()}
    numbers = {k: v[1] for k, v in table.items()}

    def lookup(mapping: dict[str, str] | dict[str, int], dtype: pl.DataType) -> pl.Expr:
        def evaluate(values: pl.Series) -> pl.Series:
            return _lookup(values, mapping, dtype)

        return raw.cast(pl.String).map_batches(evaluate, return_dtype=dtype, is_elementwise=True)

    return lookup(texts, pl.String()).alias("severity_text"), lookup(numbers, pl.UInt8()).alias("severity_number")


# above this many distinct level spellings in a batch, normalise every row instead
_MAX_DISTINCT = 4096


def _normalise(values: pl.Series) -> pl.Series:
    return values.str.strip_chars(" \t[]<>:").str.to_lowercase()


def _lookup(values: pl.Series, mapping: dict[str, str] | dict[str, int], dtype: pl.DataType) -> pl.Series:
    """Map level spellings through ``mapping`` (keys are normalised spellings).

    A log has a handful of distinct level spellings: they are normalised once each and the
    rows mapped with one hash lookup, instead of stripping and lower-casing every row.
    """
    distinct = values.drop_nulls().unique()
    if len(distinct) > _MAX_DISTINCT:
        return _normalise(values).replace_strict(mapping, default=None, return_dtype=dtype)
    numeric = dtype == pl.UInt8()
    found = {
        raw: mapping.get(key, _offset_level(key, numeric=numeric))
        for raw, key in zip(distinct.to_list(), _normalise(distinct).to_list(), strict=True)
    }
    return values.replace_strict(found, default=None, return_dtype=dtype) if found else pl.repeat(
        None, len(values), dtype=dtype, eager=True
    ).alias(values.name)


_OFFSET = re.compile(r"^([a-z]+)([+-]\d{1,2})$")
_BANDS = ("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL")


def _offset_level(key: str, *, numeric: bool) -> str | int | None:
    """A level word plus or minus steps, as Go's ``log/slog`` writes the levels between its
    own (``ERROR+4``, ``INFO+2``, ``DEBUG-4``): its levels are spaced to match OpenTelemetry's
    numbers (DEBUG -4, INFO 0, WARN 4, ERROR 8 are 5, 9, 13, 17), so the steps add to the
    number, and the text is the band the number falls in (``ERROR+4`` is FATAL, 21)."""
    m = _OFFSET.match(key)
    if m is None or m.group(1) not in SEVERITY_WORDS:
        return None
    number = min(24, max(1, SEVERITY_WORDS[m.group(1)][1] + int(m.group(2))))
    return number if numeric else _BANDS[(number - 1) // 4]


def severity_from_http_status(status: pl.Expr | str) -> tuple[pl.Expr, pl.Expr]:
    """Severity of an access-log line from its HTTP status: 5xx ERROR, 4xx WARN, else INFO."""
    code = (pl.col(status) if isinstance(status, str) else status).cast(pl.Int64, strict=False)
    text = pl.when(code >= 500).then(pl.lit("ERROR")).when(code >= 400).then(pl.lit("WARN")).when(
        code.is_not_null()
    ).then(pl.lit("INFO"))
    number = text.replace_strict(SEVERITY_NUMBERS, default=None, return_dtype=pl.UInt8)
    return text.alias("severity_text"), number.alias("severity_number")


#: Azure Application Insights / Log Analytics ``SeverityLevel``: 0 Verbose .. 4 Critical
APP_INSIGHTS_LEVELS: dict[str, str] = {"0": "verbose", "1": "information", "2": "warning", "3": "error", "4": "critical"}


def app_insights_level(value: pl.Expr) -> pl.Expr:
    """An Application Insights ``SeverityLevel`` number as a level word (null otherwise)."""
    return value.cast(pl.String).str.strip_chars().replace_strict(APP_INSIGHTS_LEVELS, default=None, return_dtype=pl.String)
