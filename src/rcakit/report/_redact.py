"""Redaction of secrets and personal data in text that goes into a report.

Log lines are attacker- and customer-controlled: an example line may carry a card number, a
password in a query string or a session token. Everything log-derived that a report shows
passes through :func:`redact` first. The rules are deliberately greedy: a report is read by
people, and ``[REDACTED]`` costs less than a leaked credential.
"""

from __future__ import annotations

import re

__all__ = ["REDACTION_RULES", "luhn_ok", "redact"]


def luhn_ok(digits: str) -> bool:
    """Whether a digit string passes the Luhn check used by payment card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


_SECRET_KEYS = (
    r"password|passwd|pass|pwd|passphrase|secret|client_secret|api[_-]?key|apikey|x-api-key|"
    r"access[_-]?key|secret[_-]?key|private[_-]?key|token|access_token|refresh_token|id_token|"
    r"auth_token|session(?:[_-]?id)?|sessionid|jsessionid|cookie|set-cookie|authorization|"
    r"credentials?|aws_secret_access_key|signature|sig|otp|pin|cvv|cvc|ssn"
)

#: (name, pattern, replacement) applied in order.
REDACTION_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "private key block",
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.S),
        "[REDACTED PRIVATE KEY]",
    ),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), "[REDACTED JWT]"),
    (
        "bearer/basic auth",
        re.compile(r"(?i)\b(bearer|basic|digest)\s+[A-Za-z0-9\-._~+/]{8,}=*"),
        r"\1 [REDACTED]",
    ),
    # "token <value>": a value with a digit in it ("Token introspection failed" is prose)
    ("token", re.compile(r"(?i)\b(token)\s+(?=[A-Za-z\-._~+/]*\d)[A-Za-z0-9\-._~+/]{8,}=*"), r"\1 [REDACTED]"),
    ("aws access key id", re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA)[0-9A-Z]{16}\b"), "[REDACTED AWS KEY]"),
    ("github token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), "[REDACTED TOKEN]"),
    ("slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"), "[REDACTED TOKEN]"),
    ("stripe/generic sk key", re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}"), "[REDACTED TOKEN]"),
    ("google api key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), "[REDACTED TOKEN]"),
    (
        "url credentials",
        re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]+):[^\s@/]+@"),
        r"\1:[REDACTED]@",
    ),
    (
        "json secret",
        re.compile(r'(?i)("(?:' + _SECRET_KEYS + r')"\s*:\s*)"(?:[^"\\]|\\.)*"'),
        r'\1"[REDACTED]"',
    ),
    (
        "key=value secret",
        re.compile(
            r"(?i)(?<![A-Za-z0-9_])((?:" + _SECRET_KEYS + r")\s*[=:]\s*)"
            r"(\"[^\"]*\"|'[^']*'|[^\s,;&\"'}\]]+)"
        ),
        r"\1[REDACTED]",
    ),
    ("email", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"), "[EMAIL]"),
    ("iban", re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b"), "[IBAN]"),
)

_CARD = re.compile(r"(?<![\d.])(?:\d[ -]?){12,18}\d(?![\d.])")


#: how card numbers are written in groups: 4-4-4-4 (and a 1-3 digit tail), Amex 4-6-5,
#: Diners 4-6-4; one separator throughout
_CARD_GROUPS = re.compile(r"\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{4,5}")


def _card(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = re.sub(r"[ -]", "", text)
    # (an id and a number beside it, "CLM-2026-413469 502", are not written like a card)
    grouped = digits == text or _CARD_GROUPS.fullmatch(text) is not None
    if grouped and 13 <= len(digits) <= 19 and digits[0] in "23456" and luhn_ok(digits) and len(set(digits)) > 1:
        return "[CARD]"
    return text


def redact(text: str | None) -> str:
    """Replace secrets and personal data in ``text``.

    Covers private key blocks, JWTs, bearer/basic tokens, AWS access key ids, GitHub,
    Slack and Stripe tokens, Google API keys, passwords in URLs, ``password=...``-style
    key/value and JSON pairs, e-mail addresses, IBANs and payment card numbers that pass
    the Luhn check.

    Examples
    --------
    >>> redact("login ok user=ann@example.com password=hunter2 card 4111 1111 1111 1111")
    'login ok user=[EMAIL] password=[REDACTED] card [CARD]'
    """
    if not text:
        return text or ""
    out = text
    for _name, pattern, repl in REDACTION_RULES:
        out = pattern.sub(repl, out)
    return _CARD.sub(_card, out)
