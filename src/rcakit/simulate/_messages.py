"""Log records of each service, built from the request walk with polars expressions.

Output frames (one per service, unsorted):

* application services: ``t_us, level, logger, msg, trace_id, stack, took_ms``
* the edge (nginx): ``t_us, ip, method, path, status, bytes, referer, ua, rt_ms``
* the database (postgres via syslog): ``t_us, level, msg``

Records come from the spans (one line per operation), from the calls (one line per failed
attempt, as the caller sees it), from background activity (periodic jobs, the odd warning
and harmless error, health checks) and from the change list (restarts, config reloads).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from rcakit.simulate._estate import LANGUAGE, Estate
from rcakit.simulate._exceptions import bug_text, config_text, leak_text, noise_error_text
from rcakit.simulate._ids import K8S_HASH, random_strings
from rcakit.simulate._plan import Plan
from rcakit.simulate._traffic import ERR, Traffic

__all__ = ["app_records", "db_records", "edge_records"]

US = 1_000_000
STR = pl.String
_FIRST = ["anna", "ben", "chen", "dara", "eli", "fatima", "gus", "hana", "ivan", "jo", "kemal", "lea", "mo", "nina", "omar", "pia"]
_LAST = ["smith", "garcia", "muller", "rossi", "kowalski", "nguyen", "okafor", "larsen", "dubois", "silva", "tanaka", "novak"]
_TERMS = ["running shoes", "usb-c cable", "rain jacket", "coffee grinder", "yoga mat", "desk lamp", "backpack", "headphones", "water bottle", "wool socks", "phone case", "air fryer"]
_UAS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "ShopApp/5.12.1 (iOS 17.4; iPhone15,2)",
    "ShopApp/5.12.0 (Android 14; SM-S918B)",
]
_STATIC_BYTES = [5120, 184233, 41877, 3391, 1150, 402118]  # sizes of the _STATIC files, in order
_SCANNER_PATHS = ["/wp-login.php", "/.env", "/phpmyadmin/index.php", "/.git/config", "/cgi-bin/luci", "/actuator/env", "/xmlrpc.php"]
_SCANNER_UAS = ["Mozilla/5.0 zgrab/0.x", "python-requests/2.31.0", "Go-http-client/1.1"]
_STATIC = ["/", "/static/js/app.4f9c2e1b.js", "/static/css/main.a81d3f07.css", "/static/img/logo.svg", "/favicon.ico", "/static/js/vendor.77c0e9a2.js"]
_TABLES = ["orders", "order_items", "payments", "stock_levels", "products", "sessions", "users"]
_STATEMENTS = [
    "SELECT o.* FROM orders o WHERE o.user_id = $1 ORDER BY o.created_at DESC LIMIT 20",
    "UPDATE stock_levels SET reserved = reserved + $1 WHERE sku = $2 AND warehouse = $3",
    "SELECT p.*, s.available FROM products p JOIN stock_levels s USING (sku) WHERE p.sku = ANY($1)",
    "INSERT INTO payments (id, order_id, amount_cents, status) VALUES ($1, $2, $3, $4)",
    "SELECT count(*) FROM order_items WHERE created_at > now() - interval '1 day'",
]
_DB_REASON = {
    "too_many_clients": "FATAL: sorry, too many clients already",
    "recovery_mode": "FATAL: the database system is in recovery mode",
}
_NULL = pl.lit(None, dtype=STR)


def _attrs(traffic: Traffic, rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` (with a ``req`` column) plus the attributes of their requests."""
    req = traffic.requests.drop("req", "t_us")
    return pl.concat([rows, req.select(pl.all().gather(rows["req"]))], how="horizontal")


def _z(expr: pl.Expr, width: int) -> pl.Expr:
    return expr.cast(STR).str.zfill(width)


SKU = pl.lit("SKU-") + _z(pl.col("sku") + 10000, 5)
OID = pl.lit("ord_") + pl.col("order_id")
UID = pl.lit("u") + _z(pl.col("user") + 100000, 6)
TOOK = pl.col("dur_us") // 1000
AMOUNT = pl.format("{}.{}", pl.col("amount_cents") // 100, _z(pl.col("amount_cents") % 100, 2))
EMAIL = pl.format(
    "{}.{}{}@example.com",
    pl.lit(pl.Series(_FIRST)).gather(pl.col("user") % len(_FIRST)),
    pl.lit(pl.Series(_LAST)).gather(pl.col("user") // 7 % len(_LAST)),
    pl.col("user") % 97,
)
_U = pl.col("user") + 1013  # a client's address is a fixed function of the user
IP = pl.format(
    "{}.{}.{}.{}",
    (_U * 2654435761 % 140) + 62,
    (_U * 40503 % 251) + 1,
    (_U * 7919 % 254) + 1,
    (_U * 104729 % 253) + 1,
)


def _pick(values: list[str], index: pl.Expr) -> pl.Expr:
    return pl.lit(pl.Series(values, dtype=STR)).gather(index % len(values))


def _pick_int(values: list[int], index: pl.Expr) -> pl.Expr:
    return pl.lit(pl.Series(values, dtype=pl.Int64)).gather(index % len(values))


def _logger(lang: str, role: str, component: str) -> str:
    if lang == "java":
        cls = {"api": "web.RequestHandler", "client": "client.HttpClient", "jobs": "jobs.Scheduler", "pool": "db.PoolMonitor", "boot": "Application"}[component]
        return f"c.s.{role}.{cls}"
    if lang == "go":
        return {"api": "handler.go:88", "client": "client.go:143", "jobs": "jobs.go:52", "pool": "pool.go:77", "boot": "main.go:41"}[component]
    return f"{role}.{component}"


def _records(frame: pl.DataFrame, **cols: pl.Expr) -> pl.DataFrame:
    defaults = {"trace_id": _NULL, "stack": _NULL, "took_ms": pl.lit(None, dtype=pl.Int64)}
    exprs = {**defaults, **cols}
    return frame.select(
        t_us=exprs["t_us"].cast(pl.Int64),
        level=exprs["level"].cast(STR),
        logger=exprs["logger"].cast(STR),
        msg=exprs["msg"].cast(STR),
        trace_id=exprs["trace_id"].cast(STR),
        stack=exprs["stack"].cast(STR),
        took_ms=exprs["took_ms"].cast(pl.Int64),
    )


def _span_message(role: str) -> tuple[pl.Expr, pl.Expr]:
    """(level, message) of a successful or business-failed operation of ``role``."""
    op, err = pl.col("op"), pl.col("err")
    if role == "checkout":
        cart = pl.lit("cart_") + pl.col("order_id").str.slice(0, 8)
        msg = (
            pl.when(op == "cart_add").then(pl.format("added {} x {} to {} took {}ms", pl.col("qty"), SKU, cart, TOOK))
            .when((op == "place_order") & (err == ERR["declined"])).then(pl.format("order {} payment declined for user {} (status=402)", OID, UID))
            .when((op == "place_order") & (err == ERR["out_of_stock"])).then(pl.format("order {} rejected: {} out of stock", OID, SKU))
            .when(op == "place_order").then(pl.format("order {} placed user={} items={} total={} EUR took {}ms", OID, UID, pl.col("qty"), AMOUNT, TOOK))
            .when(err == ERR["not_found"]).then(pl.format("order {} not found for user {}", OID, UID))
            .otherwise(pl.format("fetched order {} status={} took {}ms", OID, _pick(["paid", "shipped", "delivered", "packing"], pl.col("sku")), TOOK))
        )
        level = pl.when(err == ERR["out_of_stock"]).then(pl.lit("WARN")).otherwise(pl.lit("INFO"))
    elif role == "payment":
        card = pl.format("{} ****{}", _pick(["visa", "mastercard", "amex", "visa", "mastercard"], pl.col("user")), _z(pl.col("user") * 7793 % 10000, 4))
        msg = (
            pl.when(err == ERR["declined"]).then(pl.format("charge declined payment_id=pay_{} order={} reason={}", pl.col("pay_id"), OID, _pick(["insufficient_funds", "card_expired", "do_not_honor"], pl.col("amount_cents"))))
            .otherwise(pl.format("charge authorized payment_id=pay_{} order={} amount={} EUR card={} took {}ms", pl.col("pay_id"), OID, AMOUNT, card, TOOK))
        )
        level = pl.when(err == ERR["declined"]).then(pl.lit("WARN")).otherwise(pl.lit("INFO"))
    elif role == "inventory":
        left = pl.col("sku") * 13 % 200
        msg = (
            pl.when(op == "check").then(pl.format("stock check {} available={} took {}ms", SKU, left + pl.col("qty"), TOOK))
            .when(err == ERR["out_of_stock"]).then(pl.format("cannot reserve {} x {} for order {}: only {} left", pl.col("qty"), SKU, OID, pl.col("sku") % (pl.col("qty").cast(pl.Int64))))
            .otherwise(pl.format("reserved {} x {} for order {} warehouse=wh-0{} took {}ms", pl.col("qty"), SKU, OID, pl.col("sku") % 4 + 1, TOOK))
        )
        level = pl.when(err == ERR["out_of_stock"]).then(pl.lit("WARN")).otherwise(pl.lit("INFO"))
    elif role == "catalog":
        msg = (
            pl.when(op == "search").then(pl.format('search q="{}" page={} hits={} took {}ms', _pick(_TERMS, pl.col("sku")), pl.col("user") % 3 + 1, pl.col("sku") * 37 % 480, TOOK))
            .when(err == ERR["not_found"]).then(pl.format("product {} not found", SKU))
            .otherwise(pl.format("served product {} price={} EUR took {}ms", SKU, AMOUNT, TOOK))
        )
        level = pl.lit("INFO")
    else:  # auth
        msg = (
            pl.when(err == ERR["bad_password"]).then(pl.format("login failed for {} from {}: invalid credentials", EMAIL, IP))
            .otherwise(pl.format("login succeeded for {} from {} took {}ms", EMAIL, IP, TOOK))
        )
        level = pl.when(err == ERR["bad_password"]).then(pl.lit("WARN")).otherwise(pl.lit("INFO"))
    return level, msg


def _background(rng: np.random.Generator, start_us: int, end_us: int, *, every_s: float | None = None, per_hour: float | None = None) -> pl.DataFrame:
    """Times of a periodic job (with jitter) or of a Poisson background event."""
    if every_s is not None:
        first = start_us + int(rng.integers(0, int(every_s * US)))
        t = np.arange(first, end_us, int(every_s * US), dtype=np.int64) + rng.integers(0, 2 * US, 1)[0]
        t = t + rng.integers(0, 900_000, len(t))
    else:
        n = rng.poisson((per_hour or 0.0) * (end_us - start_us) / (3600 * US))
        t = np.sort(rng.integers(start_us, end_us, n))
    t = t[t < end_us]
    n = len(t)
    return pl.DataFrame({"t_us": t, "a": rng.integers(0, 1_000_000, n), "b": rng.integers(0, 1_000_000, n), "h": random_strings(rng, n, 8)})


_JOBS: Mapping[str, list[tuple[float, str, str, str]]] = {  # role -> (every seconds, level, component, message)
    "checkout": [(60, "INFO", "jobs", "outbox relay published {a%40} events"), (300, "INFO", "jobs", "cart cleanup removed {b%25} abandoned carts")],
    "payment": [(300, "INFO", "pool", "db pool stats total=10 active={a%4} idle={10-a%4} waiting=0"), (900, "INFO", "jobs", "settlement batch sb-{h} submitted: {a%300} captures")],
    "inventory": [(900, "INFO", "jobs", "stock sync finished synced={a%5000} changed={b%120} took {b%9000}ms")],
    "catalog": [(600, "INFO", "jobs", "search index refresh completed docs={a%40000} took {b%5000}ms")],
    "auth": [(300, "INFO", "jobs", "session cleanup removed {a%180} expired sessions"), (3600, "INFO", "jobs", "rotated signing key kid={h}")],
}
_NOISE: Mapping[str, list[tuple[float, str, str, str]]] = {  # role -> (per hour, level, component, message)
    "checkout": [(6, "WARN", "api", "coupon SAVE{a%90} rejected for u{b%900000}: expired")],
    "payment": [
        (3, "WARN", "api", "3-D Secure challenge timed out for pay_{h}, falling back to frictionless flow"),
        (0.25, "WARN", "api", "card validation failed for pan 4111111111111111 exp 12/29 (test card used in production?)"),
    ],
    "inventory": [(5, "WARN", "jobs", "SKU-{a%90000} below reorder threshold: {b%9} left")],
    "catalog": [(4, "WARN", "api", "slow image resize for SKU-{a%90000}: {b%4000}ms")],
    "auth": [(3, "WARN", "api", "rate limit exceeded for 185.{a%255}.{b%255}.7 on /api/login")],
}


def _fill(template: str, frame: pl.DataFrame) -> pl.Expr:
    """Build ``template`` (placeholders ``{a%40}``, ``{10-a%4}``, ``{h}``) as an expression."""
    import re

    parts: list[pl.Expr | str] = []
    pos = 0
    for m in re.finditer(r"\{([^}]*)\}", template):
        parts.append(template[pos : m.start()])
        spec = m.group(1)
        if spec == "h":
            parts.append(pl.col("h"))
        else:
            base = 0
            if "-" in spec:
                base_s, spec = spec.split("-")
                base = int(base_s)
            col, mod = spec.split("%")
            value = pl.col(col) % int(mod)
            parts.append((pl.lit(base) - value) if base else value)
        pos = m.end()
    parts.append(template[pos:])
    return pl.concat_str([p if isinstance(p, pl.Expr) else pl.lit(p) for p in parts])


def app_records(rng: np.random.Generator, role: str, traffic: Traffic, estate: Estate, plan: Plan, *, start_us: int, end_us: int) -> pl.DataFrame:
    """Every record of the application service ``role`` (see the module docstring)."""
    lang = LANGUAGE[estate.formats[role]]
    names = estate.names
    out: list[pl.DataFrame] = []
    spans = _attrs(traffic, traffic.spans.filter(pl.col("role") == role))
    end_t = pl.col("start_us") + pl.col("dur_us")
    # 1. the operation's own line (auth.verify is not logged: too chatty)
    normal = spans.filter((pl.col("err") == 0) | (pl.col("err") >= 10)).filter(pl.col("op") != "verify")
    level, msg = _span_message(role)
    out.append(_records(normal, t_us=end_t, level=level, logger=pl.lit(_logger(lang, role, "api")), msg=msg, trace_id=pl.col("trace_id"), took_ms=TOOK))
    # 2. own faults: the injected bug, bad config or exhausted pool
    for code, texts in (
        (ERR["bug"], bug_text(role, _main_op(role), lang) if role in _BUGGY else None),
        (ERR["config"], config_text(role, lang) if role in _BUGGY else None),
        (ERR["leak"], leak_text(lang, pool_max=20)),
    ):
        rows = spans.filter(pl.col("err") == code)
        if rows.height == 0 or texts is None:
            continue
        summary, stack = texts
        head = pl.format("{} failed for order {} user {}: ", pl.col("op"), OID, UID) if role in ("checkout", "payment", "inventory") else pl.format("{} request failed for {}: ", pl.col("op"), SKU if role == "catalog" else UID)
        out.append(_records(rows, t_us=end_t, level=pl.lit("ERROR"), logger=pl.lit(_logger(lang, role, "api")), msg=head + pl.lit(summary), trace_id=pl.col("trace_id"), stack=pl.lit(stack, dtype=STR), took_ms=TOOK))
    # 3. a dependency failed after its retries: the operation fails too
    rows = spans.filter(pl.col("err") == ERR["dependency"])
    if rows.height:
        dep = pl.col("dep_role").replace_strict(dict(names), default=pl.col("dep_role"))
        out.append(_records(rows, t_us=end_t, level=pl.lit("ERROR"), logger=pl.lit(_logger(lang, role, "api")), msg=pl.format("{} failed for {}: dependency {} unavailable (status=503) took {}ms", pl.col("op"), _subject(role), dep, TOOK), trace_id=pl.col("trace_id"), took_ms=TOOK))
    # 4. each failed call attempt, as this caller sees it
    calls = _attrs(traffic, traffic.calls.filter((pl.col("caller") == role) & (pl.col("status") >= 500)))
    if calls.height:
        callee = pl.col("callee").replace_strict(dict(names), default=pl.col("callee"))
        reason = pl.lit(_DB_REASON.get(plan.variant, "connection refused"))
        is_db = pl.col("callee") == "db"
        last, a, n = pl.col("last"), pl.col("attempt"), pl.col("attempts")
        msg = (
            pl.when(is_db & last & (n > 1)).then(pl.format("{} query failed after {} attempts: {}", callee, n, reason))
            .when(is_db & last).then(pl.format("{} query failed: {}", callee, reason))
            .when(is_db).then(pl.format("{} query failed: {} (attempt {}/{}, retrying)", callee, reason, a, n))
            .when(last & (n > 1)).then(pl.format("{} call failed status={} after {} retries", callee, pl.col("status"), n - 1))
            .when(last).then(pl.format("{} call failed status={}", callee, pl.col("status")))
            .otherwise(pl.format("{} call failed status={} attempt={}/{}, retrying", callee, pl.col("status"), a, n))
        )
        out.append(_records(calls, t_us=pl.col("t_us"), level=pl.lit("ERROR"), logger=pl.lit(_logger(lang, role, "client")), msg=msg, trace_id=pl.col("trace_id")))
    # 5. background: periodic jobs, the odd warning, a rare harmless error
    for every, lvl, comp, text in _JOBS.get(role, []):
        bg = _background(rng, start_us, end_us, every_s=every)
        out.append(_records(bg, t_us=pl.col("t_us"), level=pl.lit(lvl), logger=pl.lit(_logger(lang, role, comp)), msg=_fill(text, bg)))
    for per_hour, lvl, comp, text in _NOISE.get(role, []):
        bg = _background(rng, start_us, end_us, per_hour=per_hour)
        out.append(_records(bg, t_us=pl.col("t_us"), level=pl.lit(lvl), logger=pl.lit(_logger(lang, role, comp)), msg=_fill(text, bg)))
    bg = _background(rng, start_us, end_us, per_hour=0.6)
    summary, stack = noise_error_text(role, lang)
    out.append(_records(bg, t_us=pl.col("t_us"), level=pl.lit("ERROR"), logger=pl.lit(_logger(lang, role, "client")), msg=pl.format("webhook delivery to merchant m-{} failed: {}", pl.col("a") % 900 + 100, pl.lit(summary)), stack=pl.lit(stack, dtype=STR)))
    # 6. restarts and reloads from the change list
    restarts = _change_records(rng, role, lang, estate, plan)
    # 7. the slow leak: pool warnings that grow until the errors start
    if plan.fault == "slow_leak" and plan.root == role and plan.leak_start_us is not None and plan.end_us is not None and plan.onset_us is not None:
        grid = np.arange(plan.leak_start_us, plan.end_us, 10 * US, dtype=np.int64)
        grow = np.clip((grid - plan.leak_start_us) / (plan.onset_us - plan.leak_start_us), 0.0, 1.0)
        keep = rng.random(len(grid)) < 0.02 + 0.5 * grow**2
        t = grid[keep] + rng.integers(0, 10 * US, keep.sum())
        g = grow[keep][t < plan.end_us]  # the restart at the end stops the warnings
        t = t[t < plan.end_us]
        active = np.minimum(20, np.round(8 + 12 * g + rng.integers(0, 2, len(g)))).astype(np.int64)
        leak = pl.DataFrame({"t_us": t, "active": active, "waiting": np.round(g * g * rng.integers(0, 12, len(g))).astype(np.int64)})
        out.append(_records(leak, t_us=pl.col("t_us"), level=pl.lit("WARN"), logger=pl.lit(_logger(lang, role, "pool")), msg=pl.format("connection pool usage high: active={}/20 idle={} waiting={}", pl.col("active"), 20 - pl.col("active"), pl.col("waiting"))))
    frame = pl.concat(out, how="vertical")
    # 8. a hung service writes nothing at all until it is restarted (its own lines of the
    # hung requests were never written; its jobs and other threads are stuck too); the pods
    # the rollback starts log as usual
    if plan.fault == "hang" and plan.root == role and plan.onset_us is not None and plan.end_us is not None:
        frame = frame.filter(~pl.col("t_us").is_between(plan.onset_us, plan.end_us, closed="left"))
    return pl.concat([frame, *restarts], how="vertical")


def _subject(role: str) -> pl.Expr:
    """What a request of ``role`` is about, for error messages (an order, a SKU, a user)."""
    if role in ("checkout", "payment"):
        return pl.lit("order ") + OID
    if role in ("inventory", "catalog"):
        return SKU
    return EMAIL


_BUGGY = ("checkout", "payment", "inventory", "catalog", "auth")


def _main_op(role: str) -> str:
    return {"checkout": "place_order", "payment": "charge", "inventory": "reserve", "catalog": "product", "auth": "verify"}[role]


def _change_records(rng: np.random.Generator, role: str, lang: str, estate: Estate, plan: Plan) -> list[pl.DataFrame]:
    out = []
    name = estate.names[role]
    for ch in plan.changes:
        if ch.role != role:
            continue
        n_pods = estate.pods[role]
        base = ch.time_us + rng.integers(0, 20 * US, n_pods) + np.arange(n_pods) * 25 * US
        if ch.kind == "deploy":
            pids = rng.integers(7, 90, n_pods)
            boot = rng.integers(2500, 9000, n_pods)
            frame = pl.DataFrame(
                {
                    "t_us": np.concatenate([base, base + 2 * US, base + 2 * US + boot * 1000]),
                    "msg": [f"received SIGTERM, shutting down {name} gracefully"] * n_pods
                    + [f"starting {name} {ch.version} (pid {p})" for p in pids]
                    + [f"{name} {ch.version} started in {b / 1000:.3f}s, listening on :8080" for b in boot],
                }
            )
        elif ch.kind in ("config", "feature_flag"):
            what = f"configuration reloaded (revision {ch.version})" if ch.kind == "config" else f"feature flag update applied: {ch.version}"
            frame = pl.DataFrame({"t_us": base, "msg": [what] * n_pods})
        else:
            continue
        out.append(_records(frame, t_us=pl.col("t_us"), level=pl.lit("INFO"), logger=pl.lit(_logger(lang, role, "boot")), msg=pl.col("msg")))
    return out


def edge_records(rng: np.random.Generator, traffic: Traffic, *, start_us: int, end_us: int) -> pl.DataFrame:
    """Access-log rows of the edge proxy, one per request, plus health-check probes."""
    spans = _attrs(traffic, traffic.spans.filter(pl.col("role") == "edge"))
    n = spans.height
    spans = spans.with_columns(r=pl.Series(rng.integers(0, 1_000_000, n)), r2=pl.Series(rng.random(n)))
    kind = pl.col("kind")
    path = (
        pl.when(kind == "static").then(_pick(_STATIC, pl.col("r")))
        .when(kind == "search").then(pl.format("/api/products?q={}&page={}", _pick(_TERMS, pl.col("sku")).str.replace_all(" ", "+"), pl.col("user") % 3 + 1))
        .when(kind == "product").then(pl.lit("/api/products/") + SKU)
        .when(kind == "login").then(pl.lit("/api/login"))
        .when(kind == "cart").then(pl.lit("/api/cart/items"))
        .when(kind == "checkout").then(pl.lit("/api/checkout"))
        .when(kind == "order").then(pl.lit("/api/orders/") + OID)
        .otherwise(_pick(_SCANNER_PATHS, pl.col("r")))
    )
    method = pl.when(kind.is_in(["login", "cart", "checkout"])).then(pl.lit("POST")).otherwise(pl.lit("GET"))
    status = (
        pl.when(kind == "scanner").then(404)
        .when((kind == "static") & (pl.col("r2") < 0.25)).then(304)
        .when((pl.col("status") == 200) & kind.is_in(["login", "cart", "checkout"]) & (pl.col("r2") < 0.004)).then(499)
        .otherwise(pl.col("status"))
        .cast(pl.Int64)
    )
    size = (
        pl.when(status == 304).then(0)
        .when(status >= 400).then(120 + pl.col("r") % 400)
        .when(kind == "static").then(_pick_int(_STATIC_BYTES, pl.col("r")))
        .when(kind == "search").then(4000 + pl.col("r") % 30000)
        .otherwise(300 + pl.col("r") % 3000)
    )
    scanner = kind == "scanner"
    access = spans.select(
        t_us=pl.col("start_us") + pl.col("dur_us"),
        ip=pl.when(scanner).then(pl.format("45.{}.{}.{}", pl.col("r") % 200 + 10, pl.col("r") % 251, pl.col("r") % 199 + 2)).otherwise(IP),
        method=method,
        path=path,
        status=status,
        bytes=size.cast(pl.Int64),
        referer=pl.when(kind.is_in(["static", "scanner", "login"])).then(pl.lit("-")).otherwise(pl.lit("https://shop.example.com/")),
        ua=pl.when(scanner).then(_pick(_SCANNER_UAS, pl.col("r"))).otherwise(_pick(_UAS, pl.col("user"))),
        rt_ms=pl.col("dur_us") // 1000,
    )
    probes = _background(rng, start_us, end_us, every_s=30)
    probes = probes.select(
        t_us=pl.col("t_us"),
        ip=pl.format("10.42.{}.{}", pl.col("a") % 3, pl.col("b") % 250 + 2),
        method=pl.lit("GET"),
        path=pl.lit("/healthz"),
        status=pl.lit(200, dtype=pl.Int64),
        bytes=pl.lit(2, dtype=pl.Int64),
        referer=pl.lit("-"),
        ua=pl.lit("kube-probe/1.29"),
        rt_ms=pl.lit(0, dtype=pl.Int64),
    )
    return pl.concat([access, probes], how="vertical")


def db_records(rng: np.random.Generator, traffic: Traffic, plan: Plan, *, start_us: int, end_us: int) -> pl.DataFrame:
    """Postgres log records: slow queries, refused connections, checkpoints, autovacuum."""
    spans = traffic.spans.filter(pl.col("role") == "db")
    out = []
    slow = spans.filter((pl.col("err") == 0) & (pl.col("dur_us") > 150_000))
    if slow.height:
        slow = slow.with_columns(r=pl.Series(rng.integers(0, 1_000_000, slow.height)))
        out.append(slow.select(t_us=pl.col("start_us") + pl.col("dur_us"), level=pl.lit("LOG"), msg=pl.format("duration: {}.{} ms  statement: {}", pl.col("dur_us") // 1000, _z(pl.col("dur_us") % 1000, 3), _pick(_STATEMENTS, pl.col("r")))))
    down = spans.filter(pl.col("err") == ERR["down"])
    if down.height:
        text = _DB_REASON.get(plan.variant, "FATAL: sorry, too many clients already").removeprefix("FATAL: ")
        out.append(down.select(t_us=pl.col("start_us"), level=pl.lit("FATAL"), msg=pl.lit(text)))
    if plan.fault == "dependency_outage" and plan.variant == "recovery_mode" and plan.onset_us is not None and plan.end_us is not None:
        pid = int(rng.integers(20000, 60000))
        t0 = plan.onset_us - int(rng.integers(1, 4 * US))
        rows = [
            (t0, "PANIC", f'could not write to file "pg_wal/xlogtemp.{pid}": No space left on device'),
            (t0 + 40_000, "LOG", f"server process (PID {pid}) was terminated by signal 6: Aborted"),
            (t0 + 41_000, "LOG", "terminating any other active server processes"),
            (t0 + 900_000, "LOG", "all server processes terminated; reinitializing"),
            (t0 + 1_200_000, "LOG", "database system was interrupted; last known up at " + "a moment ago"),
            (plan.end_us - 500_000, "LOG", "database system is ready to accept connections"),
        ]
        out.append(pl.DataFrame({"t_us": [r[0] for r in rows], "level": [r[1] for r in rows], "msg": [r[2] for r in rows]}))
    ck = _background(rng, start_us, end_us, every_s=300)
    out.append(ck.select(t_us=pl.col("t_us"), level=pl.lit("LOG"), msg=pl.lit("checkpoint starting: time")))
    out.append(
        ck.select(
            t_us=pl.col("t_us") + 30 * US + pl.col("a") % (2 * US),
            level=pl.lit("LOG"),
            msg=pl.format(
                "checkpoint complete: wrote {} buffers ({}.{}%); 0 WAL file(s) added, 0 removed, {} recycled; write={}.{} s, sync=0.0{} s, total={}.{} s",
                pl.col("a") % 3000 + 20, pl.col("a") % 2, pl.col("b") % 10, pl.col("b") % 4, 26 + pl.col("a") % 4, _z(pl.col("b") % 1000, 3), pl.col("b") % 9, 27 + pl.col("a") % 4, _z(pl.col("a") % 1000, 3),
            ),
        )
    )
    vac = _background(rng, start_us, end_us, per_hour=5)
    out.append(vac.select(t_us=pl.col("t_us"), level=pl.lit("LOG"), msg=pl.format('automatic vacuum of table "shop.public.{}": index scans: {}', _pick(_TABLES, pl.col("a")), pl.col("b") % 2)))
    an = _background(rng, start_us, end_us, per_hour=3)
    out.append(an.select(t_us=pl.col("t_us"), level=pl.lit("LOG"), msg=pl.format('automatic analyze of table "shop.public.{}"', _pick(_TABLES, pl.col("a")))))
    frame = pl.concat(out, how="vertical_relaxed")
    return frame.filter(pl.col("t_us") < end_us)


def pods_for(rng: np.random.Generator, role: str, estate: Estate, plan: Plan) -> tuple[np.ndarray, list[list[str]]]:
    """Pod names of ``role`` per version period: (period start times, names per period)."""
    name = estate.names[role]
    starts = [0] + [c.time_us for c in plan.changes if c.role == role and c.kind == "deploy"]
    periods = []
    for _ in starts:
        rs = random_strings(rng, 1, 10, K8S_HASH)[0]
        periods.append([f"{name}-{rs}-{s}" for s in random_strings(rng, estate.pods[role], 5, K8S_HASH)])
    return np.array(starts, dtype=np.int64), periods
