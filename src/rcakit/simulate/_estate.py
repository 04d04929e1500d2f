"""The simulated micro-service estate: roles, call graph, names, formats and versions.

Roles are fixed (``edge`` -> ``checkout`` -> ``payment`` / ``inventory`` / ``auth``,
``edge`` -> ``catalog``, everything -> ``db``); the names, the log format of each
application service and the versions vary with the seed so that evaluations do not all have
the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from rcakit.errors import ConfigError

__all__ = [
    "APP_FORMATS",
    "APP_ROLES",
    "DEFAULT_FORMATS",
    "EXTRA_APP_FORMATS",
    "FORMATS",
    "LANGUAGE",
    "OPS",
    "ROLES",
    "Call",
    "Estate",
    "Op",
    "callers_of",
    "make_estate",
]

ROLES = ("edge", "checkout", "payment", "inventory", "catalog", "auth", "db")
APP_ROLES = ("checkout", "payment", "inventory", "catalog", "auth")

#: Every format the simulator can write (the name is also ``ServiceLog.format``).
FORMATS = (
    "nginx",  # nginx "combined" access log + $request_time
    "jsonl",  # JSON lines; key spellings vary with the seed
    "logback",  # log4j/logback text with multi-line Java stack traces
    "logfmt",  # key=value (Go style)
    "python",  # Python logging text with multi-line tracebacks
    "kibana_csv",  # Kibana CSV export: pod column + container-runtime JSON in the message
    "syslog5424",  # RFC 5424 syslog
    "syslog3164",  # RFC 3164 (BSD) syslog
    "cri",  # Kubernetes CRI container log lines around Python-style text
    "docker",  # docker json-file objects around Python-style text
)
APP_FORMATS = ("jsonl", "logback", "logfmt", "kibana_csv", "python")
#: Formats an application service can be given with ``formats=`` besides ``APP_FORMATS``.
EXTRA_APP_FORMATS = ("cri", "docker")
DEFAULT_FORMATS: Mapping[str, str] = {
    "edge": "nginx",
    "checkout": "jsonl",
    "payment": "logback",
    "inventory": "logfmt",
    "catalog": "kibana_csv",
    "auth": "python",
    "db": "syslog5424",
}
# Which programming language a format's service is written in (exception wording).
LANGUAGE: Mapping[str, str] = {
    "jsonl": "node",
    "logback": "java",
    "logfmt": "go",
    "python": "python",
    "kibana_csv": "python",
    "cri": "python",
    "docker": "python",
}

_NAMES: Mapping[str, tuple[str, ...]] = {
    "edge": ("frontend", "storefront", "web", "edge"),
    "checkout": ("checkout", "orders", "order", "cart"),
    "payment": ("payment", "payments", "billing", "pay"),
    "inventory": ("inventory", "stock", "warehouse", "fulfilment"),
    "catalog": ("catalog", "products", "product-catalog", "search"),
    "auth": ("auth", "identity", "accounts", "login"),
    "db": ("postgres", "orders-db", "pg-main", "shopdb"),
}
_APP_SUFFIXES = ("", "-service", "-svc", "-api")
_EDGE_SUFFIXES = ("-nginx", "-proxy", "-gateway", "")


@dataclass(frozen=True)
class Op:
    """One operation a service performs; ``calls`` are made in order."""

    role: str
    name: str
    median_ms: float
    sigma: float
    calls: tuple[Call, ...] = ()


@dataclass(frozen=True)
class Call:
    """A call from an operation to another one, with its retry policy."""

    op: Op
    prob: float = 1.0  # share of executions that make the call (e.g. cache misses)
    attempts: int = 1  # 1 + retries


DB_QUERY = Op("db", "query", 1.5, 0.9)
AUTH_LOGIN = Op("auth", "login", 45.0, 0.3, (Call(DB_QUERY, attempts=2),))
AUTH_VERIFY = Op("auth", "verify", 3.0, 0.4)
INV_CHECK = Op("inventory", "check", 4.0, 0.5, (Call(DB_QUERY, prob=0.5, attempts=2),))
INV_RESERVE = Op("inventory", "reserve", 12.0, 0.4, (Call(DB_QUERY, attempts=2),))
PAY_CHARGE = Op("payment", "charge", 180.0, 0.35, (Call(DB_QUERY, attempts=2),))
CAT_SEARCH = Op("catalog", "search", 20.0, 0.5, (Call(DB_QUERY, prob=0.7, attempts=2),))
CAT_PRODUCT = Op("catalog", "product", 6.0, 0.5, (Call(DB_QUERY, prob=0.3, attempts=2),))
CO_CART = Op("checkout", "cart_add", 8.0, 0.4, (Call(INV_CHECK, attempts=3),))
CO_PLACE = Op(
    "checkout",
    "place_order",
    25.0,
    0.4,
    (
        Call(AUTH_VERIFY, attempts=2),
        Call(INV_RESERVE, attempts=3),
        Call(PAY_CHARGE, attempts=4),
        Call(DB_QUERY, attempts=2),
    ),
)
CO_GET = Op("checkout", "get_order", 5.0, 0.4, (Call(DB_QUERY, attempts=2),))


def _edge(kind: str, upstream: Op | None) -> Op:
    calls = () if upstream is None else (Call(upstream),)
    return Op("edge", kind, 0.6, 0.5, calls)


#: Request kinds at the edge: name -> (share of traffic, edge operation tree).
OPS: Mapping[str, tuple[float, Op]] = {
    "static": (0.12, _edge("static", None)),
    "search": (0.18, _edge("search", CAT_SEARCH)),
    "product": (0.26, _edge("product", CAT_PRODUCT)),
    "login": (0.07, _edge("login", AUTH_LOGIN)),
    "cart": (0.14, _edge("cart", CO_CART)),
    "checkout": (0.12, _edge("checkout", CO_PLACE)),
    "order": (0.09, _edge("order", CO_GET)),
    "scanner": (0.02, _edge("scanner", None)),
}

#: Operations of each role that a per-request fault (a bug, a bad config) breaks.
FAULTY_OPS: Mapping[str, tuple[str, ...]] = {
    "payment": ("charge",),
    "inventory": ("reserve", "check"),
    "catalog": ("product", "search"),
    "auth": ("verify", "login"),
    "checkout": ("place_order",),
}


def callers_of(role: str) -> tuple[str, ...]:
    """Every role that (transitively) calls ``role``, in ``ROLES`` order."""
    found: set[str] = set()

    def visit(op: Op, path: tuple[str, ...]) -> None:
        if op.role == role:
            found.update(r for r in path if r != role)
        for call in op.calls:
            visit(call.op, (*path, op.role))

    for _share, op in OPS.values():
        visit(op, ())
    return tuple(r for r in ROLES if r in found)


@dataclass(frozen=True)
class Estate:
    """Names, formats and versions of the services of one scenario."""

    names: Mapping[str, str]
    formats: Mapping[str, str]
    versions: Mapping[str, tuple[int, int, int]]
    json_style: str
    pods: Mapping[str, int] = field(default_factory=dict)

    def role_of(self, service: str) -> str:
        """Role of a service name (or the role itself)."""
        for role, name in self.names.items():
            if service in (name, role):
                return role
        msg = f"unknown service {service!r}; the estate has {sorted(self.names.values())} (roles {list(ROLES)})"
        raise ConfigError(msg)


def make_estate(
    rng: np.random.Generator,
    *,
    formats: str | Mapping[str, str] | None,
    canonical: bool,
) -> Estate:
    """Draw the estate of a scenario.

    ``canonical`` keeps the first name choice of every role and the default formats
    (used by seed 0 so the demo reads naturally); otherwise names and the assignment of
    application formats to services are drawn from ``rng``.
    """
    if canonical:
        names = {role: _NAMES[role][0] for role in ROLES}
        names["edge"] = "frontend-nginx"
        assignment = dict(DEFAULT_FORMATS)
    else:
        app_suffix = _APP_SUFFIXES[int(rng.integers(len(_APP_SUFFIXES)))]
        names = {role: str(rng.choice(_NAMES[role])) for role in ROLES}
        for role in APP_ROLES:
            names[role] += app_suffix
        names["edge"] += _EDGE_SUFFIXES[int(rng.integers(len(_EDGE_SUFFIXES)))]
        if len(set(names.values())) != len(names):  # e.g. "search" as catalog and edge
            names = {role: f"{role}{app_suffix}" for role in ROLES}
            names["edge"] = "frontend-nginx"
        shuffled = [str(f) for f in rng.permutation(APP_FORMATS)]
        assignment = {"edge": "nginx", "db": "syslog5424", **dict(zip(APP_ROLES, shuffled, strict=True))}
    if formats is not None:
        assignment = _apply_formats(assignment, formats, names)
    versions = {
        role: (int(rng.integers(1, 5)), int(rng.integers(0, 20)), int(rng.integers(0, 10)))
        for role in ROLES
    }
    json_style = "ts" if canonical else str(rng.choice(["ts", "ecs", "timestamp"]))
    pods = {role: 1 if role == "db" else int(rng.integers(2, 4)) for role in ROLES}
    return Estate(names=names, formats=assignment, versions=versions, json_style=json_style, pods=pods)


def _apply_formats(
    assignment: dict[str, str], formats: str | Mapping[str, str], names: Mapping[str, str]
) -> dict[str, str]:
    out = dict(assignment)
    if isinstance(formats, str):
        if formats not in APP_FORMATS + EXTRA_APP_FORMATS:
            msg = f"formats={formats!r}: a single format applies to every application service and must be one of {list(APP_FORMATS + EXTRA_APP_FORMATS)}"
            raise ConfigError(msg)
        out.update(dict.fromkeys(APP_ROLES, formats))
        return out
    by_name = {name: role for role, name in names.items()}
    for key, fmt in formats.items():
        role = key if key in ROLES else by_name.get(key)
        if role is None:
            msg = f"formats: unknown service or role {key!r}; use one of the roles {list(ROLES)}"
            raise ConfigError(msg)
        allowed = {"edge": ("nginx",), "db": ("syslog5424", "syslog3164")}.get(role, APP_FORMATS + EXTRA_APP_FORMATS)
        if fmt not in allowed:
            msg = f"formats: {key!r} cannot be written as {fmt!r}; choose one of {list(allowed)}"
            raise ConfigError(msg)
        out[role] = fmt
    return out
