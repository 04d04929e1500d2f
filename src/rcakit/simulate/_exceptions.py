"""Exception text for the simulated faults, in each service's language.

Each function returns ``(summary, stack)``: ``summary`` is the one-line error that goes
into the log message (every format shows it), ``stack`` the multi-line trace that only
formats with multi-line records show (``None`` when the language does not print one).
The texts are constant per (fault, role, language), so one fault yields one template.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["CONFIG_VALUES", "bug_text", "config_text", "leak_text", "noise_error_text"]

# role -> (package, Class, method, variable, getter/attribute, line)
_BUG_SITE: Mapping[str, tuple[str, str, str, str, str, int]] = {
    "payment": ("risk", "RiskScorer", "score", "profile", "getScore", 87),
    "inventory": ("allocation", "StockAllocator", "allocate", "warehouse", "getBins", 142),
    "catalog": ("pricing", "PriceFormatter", "format", "currency", "getSymbol", 56),
    "auth": ("tokens", "TokenValidator", "validate", "claims", "getSubject", 73),
    "checkout": ("totals", "CartTotals", "compute", "discount", "getRate", 118),
}
_TYPE = {"profile": "RiskProfile", "claims": "JwtClaims"}
# role -> (config key, bad value, expectation)
CONFIG_VALUES: Mapping[str, tuple[str, str, str]] = {
    "payment": ("payment.currency.default", "EURO", "an ISO 4217 currency code"),
    "inventory": ("inventory.warehouse.primary", "wh-07", "one of wh-01..wh-04"),
    "catalog": ("catalog.pricing.region", "eu-west-9", "a configured pricing region"),
    "auth": ("auth.jwt.issuer", "https://idp.internal/v2", "the issuer of the signing keys"),
    "checkout": ("checkout.tax.provider", "taxjar-v2", "one of avalara, internal"),
}


def _camel(name: str) -> str:
    return "".join(p.capitalize() for p in name.replace("-", "_").split("_"))


def _java_frames(role: str, op: str, site: tuple[str, str, str, str, str, int]) -> list[str]:
    pkg, cls, method, _var, _get, line = site
    svc = _camel(role)
    return [
        f"\tat com.shop.{role}.{pkg}.{cls}.{method}({cls}.java:{line})",
        f"\tat com.shop.{role}.{svc}Service.{_camel(op)[0].lower() + _camel(op)[1:]}({svc}Service.java:{line + 131})",
        f"\tat com.shop.{role}.web.{svc}Controller.handle({svc}Controller.java:64)",
        "\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)",
        "\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)",
        "\tat org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:659)",
        "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
    ]


def _python_frames(role: str, op: str, site: tuple[str, str, str, str, str, int], last: str) -> list[str]:
    pkg, _cls, method, var, _get, line = site
    return [
        "Traceback (most recent call last):",
        f'  File "/app/{role}/views.py", line 212, in {op}',
        f"    result = {pkg}.{method}(request)",
        f'  File "/app/{role}/{pkg}.py", line {line}, in {method}',
        f"    return {var}.{last}",
    ]


def bug_text(role: str, op: str, lang: str) -> tuple[str, str | None]:
    """A null dereference introduced by a bad deploy (fault ``new_error``)."""
    site = _BUG_SITE[role]
    pkg, cls, method, var, getter, line = site
    attr = getter.removeprefix("get").lower()
    if lang == "java":
        head = f'java.lang.NullPointerException: Cannot invoke "com.shop.{role}.{pkg}.{_TYPE.get(var, _camel(var))}.{getter}()" because "{var}" is null'
        return head, "\n".join([head, *_java_frames(role, op, site)])
    if lang == "python":
        head = f"AttributeError: 'NoneType' object has no attribute '{attr}'"
        return head, "\n".join([*_python_frames(role, op, site, attr), head])
    if lang == "node":
        head = f"TypeError: Cannot read properties of undefined (reading '{attr}')"
        stack = [
            head,
            f"    at {cls}.{method} (/app/src/{pkg}/{method}.js:{line}:23)",
            f"    at async {_camel(role)}Handler.{op} (/app/src/handlers/{role}.js:41:18)",
        ]
        return head, "\n".join(stack)
    head = f"runtime error: invalid memory address or nil pointer dereference in {pkg}.{cls}.{_camel(method)}"
    return head, None


def config_text(role: str, lang: str) -> tuple[str, str | None]:
    """An invalid configuration value (fault ``config_change``)."""
    key, value, expected = CONFIG_VALUES[role]
    text = f"invalid configuration value '{value}' for {key} (expected {expected})"
    if lang == "java":
        head = f"java.lang.IllegalStateException: {text}"
        frames = [
            f"\tat com.shop.{role}.config.{_camel(role)}Settings.resolve({_camel(role)}Settings.java:58)",
            f"\tat com.shop.{role}.{_camel(role)}Service.handle({_camel(role)}Service.java:97)",
            "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
        ]
        return head, "\n".join([head, *frames])
    if lang == "python":
        head = f"ValueError: {text}"
        stack = [
            "Traceback (most recent call last):",
            f'  File "/app/{role}/settings.py", line 58, in resolve',
            f"    raise ValueError(f\"invalid configuration value {{value!r}} for {key} ...\")",
            head,
        ]
        return head, "\n".join(stack)
    if lang == "node":
        head = f"Error: {text}"
        return head, "\n".join([head, f"    at resolveSetting (/app/src/config/{role}.js:58:11)"])
    return text, None


def leak_text(lang: str, *, pool_max: int) -> tuple[str, str | None]:
    """Connection pool exhausted by a leak (fault ``slow_leak``, once errors start)."""
    if lang == "java":
        head = "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms."
        frames = [
            "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)",
            "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)",
            "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
        ]
        return head, "\n".join([head, *frames])
    if lang == "python":
        return f"sqlalchemy.exc.TimeoutError: QueuePool limit of size {pool_max} overflow 0 reached, connection timed out, timeout 30.00", None
    if lang == "node":
        return "Error: timeout exceeded when trying to connect (pool exhausted)", None
    return "acquire conn: context deadline exceeded (pool exhausted)", None


def noise_error_text(role: str, lang: str) -> tuple[str, str | None]:
    """A harmless error every service logs now and then (a webhook or e-mail timing out)."""
    if lang == "java":
        head = "java.net.SocketTimeoutException: Read timed out"
        frames = [
            "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:278)",
            f"\tat com.shop.{role}.notify.WebhookClient.post(WebhookClient.java:77)",
            "\tat java.base/java.lang.Thread.run(Thread.java:1583)",
        ]
        return head, "\n".join([head, *frames])
    if lang == "python":
        head = "TimeoutError: timed out"
        stack = [
            "Traceback (most recent call last):",
            f'  File "/app/{role}/notify.py", line 31, in send',
            "    resp = session.post(url, json=payload, timeout=5)",
            head,
        ]
        return head, "\n".join(stack)
    if lang == "node":
        head = "Error: ETIMEDOUT"
        return head, "\n".join([head, "    at TLSSocket.onTimeout (node:_tls_wrap:998:11)"])
    return "context deadline exceeded (Client.Timeout exceeded while awaiting headers)", None
