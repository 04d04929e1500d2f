"""Service names: which services a text names, a change's logging service, who calls whom."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

import polars as pl

from rcakit.correlate._units import _num

_GENERIC_SUFFIXES = (
    "-service", "-svc", "-api", "-app", "-server", "-nginx", "-proxy", "-gateway", "_service", "_svc", "_api",
    # a service named after its access log's file ("ingress-nginx-access.log")
    "-access", "_access",
)


#: a process out of memory, in the words of the common runtimes and of the kernel / kubelet
MEMORY_EXHAUSTED = (
    r"(?i)OutOfMemory(?:Error|Exception)|out of memory|\bOOM[ -]?kill\w*|GC overhead limit exceeded|"
    r"heap space|heap limit|Allowed memory size of \d+ bytes exhausted|\bMemoryError\b|"
    r"std::bad_alloc|Cannot allocate memory|memory exhausted|"
    # (Rust's allocator when it fails: "memory allocation of 4194304 bytes failed")
    r"\bmemory allocation of \d+ bytes failed|"
    # (the Erlang VM's: "eheap_alloc: Cannot allocate 3936326656 bytes of memory")
    r"\bCannot allocate \d+ bytes of memory|"
    # (NumPy's: "numpy.core._exceptions._ArrayMemoryError: Unable to allocate 1.12 GiB for an array")
    r"_ArrayMemoryError\b|\bUnable to allocate [\d.]+ [KMGTP]?i?B for an array"
)

#: stems too generic to stand for a service ("api-gateway" is not named by every "/api/")
_GENERIC_STEMS = frozenset(("api", "app", "svc", "service", "server", "srv"))
#: ... and the words log lines use for their own work ("query failed", "request timed out"):
#: ``query-svc`` is named by its full name, not by every query's failure (probe BC)
_WORK_STEMS = frozenset(("query", "request", "response", "message", "event", "job", "task", "data", "file", "session", "connection", "process", "status"))


def _service_aliases(name: str, *, in_text: bool = False) -> tuple[str, ...]:
    """The name and, when it carries a generic suffix (``-service``, ``-api``... or a Windows
    service's ``Svc`` / ``Service``: ``RxDispenseSvc``), its stem; ``in_text``: the names
    a log line may call it by, where a stem that is a word for the line's own work
    (:data:`_WORK_STEMS`) is not one."""
    low = name.lower()
    generic = _GENERIC_STEMS | _WORK_STEMS if in_text else _GENERIC_STEMS
    stems = [
        name[: -len(suf)]
        for suf in _GENERIC_SUFFIXES
        if low.endswith(suf) and len(name) - len(suf) >= 3 and low[: -len(suf)] not in generic
    ]
    camel = _CAMEL_SUFFIX.search(name)
    if camel is not None and camel.start() >= 3 and name[: camel.start()].lower() not in generic:
        stems.append(name[: camel.start()])
    return (name, *stems)


# a CamelCase name's service suffix (a Windows service or an event source: RxDispenseSvc)
_CAMEL_SUFFIX = re.compile(r"(?<=[a-z0-9])(?:Svc|Service|Server)$")
# where a CamelCase name's words meet (RoutePlanner, TrackingAPI, ParcelWMS)
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
# words a change ticket adds to a service's name: "cluster", the environment
_FILLER = re.compile(r"(?i)(?:^|[-_.])(?:cluster|prod|production|prd|live)(?=$|[-_.])")
# what follows an app's stage in a function's name: booking-prod-checkin -> checkin
_STAGE_FUNCTION = re.compile(r"(?i)^[a-z0-9]+(?:[-_][a-z0-9]+)*?[-_](?:prod|production|prd|live|staging|stage|stg|dev|test|qa|uat)[-_]([a-z][a-z0-9]*(?:[-_][a-z0-9]+)*)$")
# a node number ending a server's name (REDIS01, sql-02)
_NODE_NUMBER = re.compile(r"[-_]?\d{1,3}$")
# a node's own name after the last dash: its role and number (PORTAL-WEB02 -> WEB02)
_NODE_PART = re.compile(r"[-_.]([A-Za-z]{2,}\d{1,3})$")
# an environment word or a node number glued to a name (sqlprod01, redis01)
_GLUED_ENV = re.compile(r"(?<=[a-z]{3})(prod|prd|live)(?=$|\d)")
_GLUED_NUMBER = re.compile(r"(?<=[a-z])(?=\d+$)")
# a gateway's short name (scan-gw)
_GW = re.compile(r"(?i)(?<=[-_.])gw\b")
_IP = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def node_services(name: str | None, services: Sequence[str]) -> list[str]:
    """The services that are numbered nodes of ``name`` (``ehr-web01``, ``ehr-web-2`` of a
    change list's ``ehr-web``): a change of the application is a change of each."""
    if not name:
        return []
    node = re.compile(re.escape(name) + r"[-_.]?\d{1,3}", re.IGNORECASE)
    return sorted(s for s in services if node.fullmatch(s))


@functools.lru_cache(maxsize=4096)
def _service_pattern(name: str) -> re.Pattern[str]:
    """A service name as a word, not as an entity or a field.

    "payment call failed" and "dependency payment-svc unavailable" name a service; "for order
    <ID>", "order=ord_8f3a", "order_id", "order #12" use the same word for a business entity,
    and "com.shop.web.Handler" is a package name.
    """
    parts = [re.escape(p) for p in re.split(r"[-_.\s]+", name) if p]
    sep = r"[-_.\s]?"
    word = sep.join(parts)
    # ... nor one word of a snake_case identifier ("payments_idempotency_key", an index), nor
    # a login ("orders@ordersdb": PostgreSQL's user@database prefix)
    # ... nor an entity before its masked id ("order ord-<NUM> marked as PAID"), nor SQL's
    # "ORDER BY"
    # ... nor a .NET namespace or a class ("Claims.Api.Services.IntakeService")
    # ... nor an entity before its id of a short prefix and digits ("driver D-1424", "ORD-77")
    not_entity = (
        r"(?!\s*[=:#<@]|_?ids?\b|_[A-Za-z]|\s+[A-Za-z]{0,6}[_-]?[0-9a-fA-F]{5,}|\s+\d"
        r"|\s+[A-Za-z]{1,6}-\d+\b|\s+[A-Z]{1,3}\d{3,}\b"
        r"|\s+(?:[A-Za-z]{1,6}[_-])?#?<(?:NUM|ID|HEX|UUID|\*)>|\s+by\b|(?-i:\.[A-Z][A-Za-z]))"
    )
    # a table in an SQL statement ("SELECT ... FROM orders", "INSERT INTO payments") is
    # named like the service that owns it: the database does not call that service; nor does
    # a database or a broker call the client it names as a login ("Login failed for user
    # 'claims-api'", "user 'claims-api' authenticated"), nor the objects it holds (database
    # 'Claims', queue claims.submitted, vhost, exchange, topic)
    not_table = "".join(
        rf"(?<!{kw}\s)(?<!{kw}\s\")(?<!{kw}\s`)(?<!{kw}\s')"
        for kw in ("from", "into", "join", "update", "table", "database", "schema", "user", "login", "vhost", "queue",
                   "exchange", "topic")
    ) + "".join(
        # (as a field: "user: 'claims-api'", "user=claims-api", "login='claims-api'"; nor the
        # caller a server names, "session opened client=10.0.0.5 cn=card-auth.retail.svc")
        rf"(?<!{kw}:\s)(?<!{kw}:\s')(?<!{kw}:\s\")(?<!{kw}=)(?<!{kw}=')(?<!{kw}=\")"
        for kw in ("user", "login", "username", "database", "vhost", "queue", "cn", "client", "caller")
    )
    # "com.shop.web.Controller" (a package in a stack trace) is not the service "web"; the host
    # of a URL ("http://payments:8080/v1", "//payments/") is a service even before its port
    # ... and so is a host before its port without a scheme ("connecting to redis-cache:6379",
    # "dial tcp payments:8080"; "payments:42" is a field)
    # ... and so is one of its numbered nodes ("hss02.ims.example.org", "kafka-1",
    # "redis-0:6379": a StatefulSet's pods, a cluster's members)
    node = r"(?:-?\d{1,3})?" if len(name) >= 3 else ""
    # ... and so is the client of it that failed ("app/services/inventory_client.rb:42:in
    # `reserve!'", "InventoryClient.reserve", "payments-client"), however snake_case or
    # CamelCase its name
    client = rf"|(?<![A-Za-z0-9.]){word}(?=[_-]?client(?![a-z]))" if len(name) >= 3 else ""
    return re.compile(
        rf"//{word}{node}(?=[:/.\s\"']|$)|(?<![A-Za-z0-9.]){word}{node}(?=:(?:\d{{4,5}}|80|443)\b){client}"
        rf"|{not_table}(?<![A-Za-z0-9.]){word}{node}(?![A-Za-z0-9]){not_entity}",
        re.IGNORECASE,
    )


#: the client's request quoted in a proxy's error line (nginx: ``request: "GET /api/cart
#: HTTP/1.1"``): its path is what the client asked for, not a service that failed (the
#: ``upstream:`` field says where the proxy went)
_QUOTED_REQUEST = re.compile(r'"[A-Z]{3,7} \S+ HTTP/[\d.]+"')


#: a source file's path in a stack frame (.NET's ``in /src/Bank.Api/Payments/Eligibility.cs:line
#: 48``, Python's ``File "/app/payments/x.py"``): its folders are the code's, not services called
_SOURCE_FILE = re.compile(
    r"[\w.\-]*(?:/[\w.\-]+)+\.(?:cs|vb|fs|py|java|kt|scala|groovy|go|rb|js|mjs|cjs|ts|tsx|jsx|php|rs|c|cc|cpp|h|hpp|ex|exs|erl|swift)\b"
)


#: a source file holding the client of a service (``inventory_client.rb``, ``PaymentsClient.java``)
_CLIENT_FILE = re.compile(r"(?i)^[a-z0-9]+(?:[-_][a-z0-9]+)*[-_]?client$")


@functools.lru_cache(maxsize=1024)
def _client_class(service: str, services: tuple[str, ...]) -> re.Pattern[str] | None:
    """The CamelCase class of ``service``'s client (``DeviceShadowClient``, and
    ``ShadowClient`` when no other service's name holds ``shadow``; ``InventoryClient`` of
    ``inventory-service``), or ``None`` when its words are too generic to tell it."""
    words = [w for w in re.split(r"[-_.\s]+", _CAMEL_BOUNDARY.sub("-", service).lower()) if w]
    words = [w for w in words if w not in _GENERIC_STEMS] or words
    if not words or len(words[-1]) < 4 or words[-1] in _WORK_STEMS:
        return None
    names = ["".join(w.capitalize() for w in words)]
    last = words[-1]
    if len(words) > 1 and sum(last in _words(other) for other in services) == 1:
        names.append(last.capitalize())
    return re.compile(rf"(?<![A-Za-z0-9])(?:{'|'.join(map(re.escape, names))})Client\b")


def _client_file(match: re.Match[str]) -> str:
    """A source file's path: out of the text, its folders being the code's, but for a file
    holding a service's client (``app/services/inventory_client.rb:42:in `reserve!'`, a
    failed call to inventory), whose name stays."""
    stem = match.group().rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return f" {stem} " if _CLIENT_FILE.match(stem) else " "


#: a datastore named by its clients' libraries and errors: a service whose name holds the
#: product's word (``mysql``, ``orders-postgres``) is named by them (``Mysql2::Error``,
#: ``pymysql.err.OperationalError``, ``org.postgresql.util.PSQLException``, ``Jedis``; a
#: ``scylla`` service by Cassandra's drivers, ``cassandra.Unavailable``)
_PRODUCT_WORDS = {
    "mysql": r"Mysql2::|pymysql\.|MySQLdb\.|com\.mysql\.|MySQL(?:Transaction\w*|NonTransient\w*|Syntax\w*)?Exception"
    r"|MySQL server\b|\bmysql\.connector\.",
    "mariadb": r"org\.mariadb\.|MariaDB server\b|\bmariadb\.",
    "postgres": r"\bPG::|psycopg2?\.|asyncpg\.|org\.postgresql\.|\bPSQLException|\bpq: |PostgreSQL server\b",
    # (and Redis's own error replies, which its clients quote: "OOM command not allowed when
    # used memory > 'maxmemory'", "MISCONF Redis is configured to save RDB snapshots")
    "redis": r"\bJedis\w*Exception|io\.lettuce\.|\bRedis\w*Exception|redis\.exceptions\.|\bioredis\b|\bReplyError: "
    r"|\bOOM command not allowed\b|\bMISCONF Redis\b|\bREADONLY You can't write\b|\bLOADING Redis is loading\b"
    r"|\bBUSY Redis is busy\b|\bCLUSTERDOWN\b",
    "mongo": r"pymongo\.|\bMongo\w*(?:Error|Exception)\b|com\.mongodb\.",
    "mssql": r"(?:System|Microsoft)\.Data\.SqlClient\.|\bSqlException\b|com\.microsoft\.sqlserver\.|\bSQL Server\b",
    # (and RabbitMQ blocking its publishers on a resource alarm: AMQP's connection.blocked,
    # "low on disk", a client's "channel blocked by broker (resource-alarm: disk)")
    "rabbitmq": r"RabbitMQ\.Client\.|com\.rabbitmq\.|\bpika\.exceptions\.|\bBunny::|\bAmqpException\b"
    r"|\bAMQPConnectionError\b|\bBrokerUnreachableException\b|\bconnection\.blocked\b|\bresource[- ]alarm\b"
    r"|\blow on (?:disk|memory)\b",
    "kafka": r"org\.apache\.kafka\.|\bKafkaException\b|\bconfluent_kafka\.|\bKafkaJS\w*Error\b|\bkafka\.errors\.",
    # (ScyllaDB speaks Cassandra's protocol: its clients are Cassandra's drivers)
    "cassandra": r"\bcassandra\.(?:[A-Z]\w+|cluster\.|protocol\.)|com\.datastax\.|\bNoHostAvailable(?:Exception)?\b"
    r"|\bgocql\b|\bCassandra\w*Exception\b|\bXandra\.|\bCannot achieve consistency level\b",
    "elasticsearch": r"\belasticsearch\.exceptions\.|org\.elasticsearch\.|co\.elastic\.clients\.|\bElasticsearchException\b",
    # (PgBouncer answers a client it cannot serve with errors of its own: a pool with no
    # server connection free in time, "ERROR: query_wait_timeout (SQLSTATE 08P01)")
    "pgbouncer": r"\bquery_wait_timeout\b|\bclient_login_timeout\b|\bno more connections allowed \(max_client_conn\)"
    r"|\bpgbouncer cannot connect to server\b|\bserver login has been failing\b",
    # (Aerospike's clients: Java's AerospikeException, Python's aerospike.exception, C's
    # AEROSPIKE_ERR_*, Go's "ResultCode: TIMEOUT, Iteration: 1, InDoubt: false, Node: ...")
    "aerospike": r"\bcom\.aerospike\.|\bAerospikeException\b|\baerospike\.exception\.|\bAEROSPIKE_ERR_\w+"
    r"|\bResultCode: \w+, Iteration: \d+, InDoubt: ",
    # (Oracle's errors carry its ORA- codes whichever client library reports them)
    "oracle": r"\bORA-\d{5}\b|\boracle\.jdbc\.|\bcx_Oracle\.|\boracledb\.|Oracle\.ManagedDataAccess\.|\bOracleException\b",
}
_PRODUCT_RES = {word: re.compile(pat) for word, pat in _PRODUCT_WORDS.items()}


@functools.lru_cache(maxsize=1024)
def _role_named_products(services: tuple[str, ...], exclude: str | None) -> list[tuple[str, re.Pattern[str]]]:
    """The client-library words of a product no service's name holds, for the one service
    named by a role that product plays (``mq`` of a RabbitMQ: its clients'
    ``connection.blocked`` names it)."""
    held = {lib.pattern for s in services if s and (lib := _product_of(s)) is not None}
    out = []
    for word, lib in _PRODUCT_RES.items():
        if lib.pattern in held:
            continue
        playing = [s for s in services if s and word in _role_products(s)]
        if len(playing) == 1 and playing[0] != exclude:
            out.append((playing[0], lib))
    return out


#: words naming a program beside a datastore, not the datastore (kafka-connect, redis-exporter)
_BESIDE_THE_SERVER = frozenset({
    "connect", "exporter", "operator", "ui", "admin", "proxy", "mirror", "mirrormaker", "bridge", "sink", "source",
    "client", "agent", "commander", "insight", "insights", "manager", "streams", "rest", "registry", "schema",
    "backup", "restore", "migrator", "migrations", "console", "dashboard", "monitor",
})
#: what else a ticket's name of a datastore may hold: its role, environment or node number
_ROLE_ONLY = re.compile(
    r"\d+|[a-z]|[a-z]?\d+|cache|db|database|cluster|prod|production|prd|live|primary|master|replica|main|server|srv|node|broker|store|data|search|index|queue|session|sessions"
)


@functools.lru_cache(maxsize=4096)
def _product_of(service: str) -> re.Pattern[str] | None:
    """The client-library words of the one datastore product a service's name holds."""
    parts = {p for p in re.split(r"[-_.\s]+", service.lower()) if p}
    parts |= {"postgres" for p in parts if p in ("postgresql", "pg", "psql")} | {"mongo" for p in parts if p == "mongodb"}
    parts |= {"mssql" for p in parts if p in ("sqlserver", "mssqlserver", "sql")} | {"rabbitmq" for p in parts if p == "rabbit"}
    parts |= {"cassandra" for p in parts if p in ("scylla", "scylladb")} | {"elasticsearch" for p in parts if p in ("elastic", "es", "opensearch")}
    parts |= {"oracle" for p in parts if p in ("ora", "oradb", "orcl")} | {"postgres" for p in parts if p in ("timescaledb", "timescale")}
    # (a cloud's managed Redis, MongoDB or Kafka: ElastiCache, Memorystore, Valkey, DocumentDB, MSK)
    parts |= {"redis" for p in parts if p in ("elasticache", "memorystore", "valkey")}
    parts |= {"mongo" for p in parts if p in ("docdb", "documentdb")} | {"kafka" for p in parts if p == "msk"}
    found = [w for w in _PRODUCT_RES if w in parts]
    return _PRODUCT_RES[found[0]] if len(found) == 1 else None


#: the requester of a request a server logs (a user agent, a client id, a caller): who
#: called, not a dependency (HAPI FHIR's ``UA[lab-worker]``, Keycloak's ``clientId=
#: "patient-portal"``, ``caller=billing``)
_REQUESTER = re.compile(
    r"""(?i)\b(?:UA|user[-_ ]?agent|client[-_ ]?id|caller|requester)(?:\[|\s*[=:]\s*)["']?[\w.\-/]+"""
    # (a mail server's client, the host before its address in brackets: Postfix's "connect
    # from sender-6c4f8[10.2.3.39]", "NOQUEUE: reject: MAIL from sender-6c4f8[10.2.3.39]: 452 ...")
    r"""|\b(?:connect|MAIL|RCPT|DATA|EHLO|HELO|[Ll]ost connection after \w+) from [\w.\-<>*]+(?=\[)"""
    r"""|\bclient=[\w.\-<>*]+(?=\[)|\bhelo=<[^\s>]*(?:<[^\s>]*>[^\s>]*)*>"""
    # (a broker's connection, RabbitMQ's "(10.42.1.23:34600 -> 10.20.0.31:5672 - mes-orders)":
    # the name after the addresses is the client's)
    r"""|(?:<IP>|\d[\d.:]*\d)\s*->\s*(?:<IP>|\d[\d.:]*\d)\s+-\s+[\w.\-<>*]+"""
)


#: a mailbox address (``erin@oldcorp-mail.net``): the domain of someone's mail, never a service called
_MAILBOX = re.compile(r"[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.IGNORECASE)

#: the words a server's own lines use for its own work, whatever the services are called:
#: a mail server's "mail", "sender", "recipient" (Postfix's "not enough free space in mail
#: queue", a provider's reply "This mail has been blocked because the sender is
#: unauthenticated") name neither ``mail-api`` nor a service called ``sender``
_MAIL_SERVERS = frozenset({
    "postfix", "exim", "sendmail", "haraka", "opendkim", "opendmarc", "dovecot", "rspamd", "mta", "smtp", "smtpd",
    "mail", "mailer", "courier", "qmail", "opensmtpd", "zimbra", "spamassassin", "amavis",
})
_MAIL_WORDS = frozenset({"mail", "email", "sender", "recipient", "mailbox", "message", "relay", "bounce", "delivery", "queue", "spam"})


@functools.lru_cache(maxsize=1024)
def _own_domain_words(service: str) -> frozenset[str]:
    """The words of a mail server's own work (:data:`_MAIL_WORDS`) when ``service``'s name
    holds a mail server's (:data:`_MAIL_SERVERS`)."""
    return _MAIL_WORDS if _words(service) & _MAIL_SERVERS else frozenset()


def _names(text: str, services: Sequence[str], *, exclude: str | None, stems: bool = True) -> tuple[str, ...]:
    """Services whose name (or stem) appears in ``text``; longer names win overlaps. A
    datastore's service is named by its clients' libraries too (:data:`_PRODUCT_WORDS`),
    when one service only holds that product's word. A datastore's own text (``exclude``
    one) names only other datastores: the applications it names are its clients. Without
    ``stems``, a service is named by its whole name only (``order-gateway``, not
    ``order``)."""
    text = _REQUESTER.sub(" ", _SOURCE_FILE.sub(_client_file, _QUOTED_REQUEST.sub(" ", text)))
    if "@" in text:
        text = _MAILBOX.sub(" ", text)
    if "." in text:
        # (a provider's host whose first label holds a service's word names the provider:
        # "host=checkout-live.pspgate.example.com" is not the checkout service)
        text = _DOTTED_HOST.sub(
            lambda m: " " if _outside_label(m.group(), m.group(1), services) and not _LOCAL_SUFFIX.search(m.group()) else m.group(),
            text,
        )
    spans: list[tuple[int, str]] = []
    for s in services:
        if s and len(s) >= 2:
            spans.extend((len(a), s) for a in (_service_aliases(s, in_text=True) if stems else (s,)))
    found: list[str] = []
    masked = text
    excluded = set(_service_aliases(exclude, in_text=True)) if exclude else set()
    # (a stem that is a word of the service's own name is its own domain's: the order
    # router's "order routed" names no order-service; a service named "order" still is)
    own_words = _words(exclude) if exclude else set()
    # (nor, whatever its own name, a word its product uses for its own work: a mail server's
    # "mail" and "sender")
    product_words = _own_domain_words(exclude) if exclude else frozenset()
    for _n, s in sorted(spans, key=lambda t: -t[0]):
        for alias in _service_aliases(s, in_text=True) if stems else (s,):
            pat = _service_pattern(alias)
            if pat.search(masked):
                own = (alias != s and alias.lower() in own_words) or alias.lower() in product_words
                if s != exclude and alias not in excluded and not own and s not in found:
                    found.append(s)
                masked = pat.sub(" ", masked)
    # (a client class in a stack frame, ``at Acme.Voice.Shadow.ShadowClient.SetDesired``,
    # ``com.shop.clients.InventoryClient.reserve``: the service it calls, by its CamelCase name
    # or by the last word of it that no other service's name holds)
    if "Client" in text:
        listed = tuple(services)
        for s in listed:
            if s and s != exclude and s not in found and (cls := _client_class(s, listed)) is not None and cls.search(text):
                found.append(s)
    products = [(s, lib) for s in services if s and s != exclude and (lib := _product_of(s)) is not None]
    products += _role_named_products(tuple(services), exclude)
    # (a product two services hold, two mysql services: which? it names neither; the others
    # still name theirs)
    held = Counter(lib.pattern for _, lib in products)
    found.extend(s for s, lib in products if held[lib.pattern] == 1 and s not in found and lib.search(text))
    if exclude and _product_of(exclude) is not None:
        # a datastore's or broker's own lines name its clients (MySQL's "Aborted connection
        # 1234 to db: 'booking' user: 'booking_app'", a consumer group's member), never a
        # service it calls: only another datastore (a replica, PgBouncer's PostgreSQL)
        found = [s for s in found if _product_of(s) is not None]
    return tuple(sorted(found))


#: a datastore's or broker's answer refusing a command for a state of its own: out of memory
#: (Redis' "OOM command not allowed when used memory > 'maxmemory'"), out of disk, a read-only
#: replica, still loading, its cluster down, no connection slots left. It logs none of
#: the commands it refuses, so "it logs as usual" says nothing about it
REFUSED_FOR_STATE = re.compile(
    r"(?i)\bOOM command not allowed\b|used memory > 'maxmemory'|\bREADONLY You can't write\b|\bMISCONF\b"
    r"|\bLOADING Redis is loading\b|\b(?:MASTERDOWN|CLUSTERDOWN)\b|\bmax number of clients reached\b"
    r"|\bremaining connection slots are reserved\b|\btoo many (?:clients|connections)\b"
    r"|\bthe database system is (?:starting up|shutting down|in recovery mode)\b|\bcannot execute \w+ in a read-only transaction\b"
    r"|\bNOT_ENOUGH_REPLICAS\b|\bKafkaStorageException\b|\bdisk (?:is )?full\b"
    r"|\bconnection\.blocked\b|\bresource[- ]alarm\b|\blow on (?:disk|memory)\b"
)


#: An answer saying the server is unavailable (HTTP 502, 503, 504: overloaded, down, or
#: its own upstream failing), not that the request was wrong
UNAVAILABLE = re.compile(r"(?i)\b50[234]\b|\bservice unavailable\b|\bbad gateway\b|\bgateway time-?out\b")
#: ... or not answering at all: a call to it timing out or refused (Java's
#: "SocketTimeoutException: Read timed out", "connect timed out", Node's ETIMEDOUT /
#: ECONNREFUSED, .NET's "actively refused it"; Python httpx's and requests' ReadTimeout /
#: ConnectTimeout, Go's "context deadline exceeded (Client.Timeout exceeded ...)" and "i/o
#: timeout", .NET's "configured HttpClient.Timeout ... elapsing")
NOT_ANSWERING = re.compile(
    r"(?i)\bread timed out\b|\bconnect(?:ion)? timed out\b|\b(?:ETIMEDOUT|ECONNREFUSED|ECONNRESET)\b"
    r"|\bconnection refused\b|\bactively refused\b|\bconnection reset\b"
    # (a session's peer silent: QuickFIX's "Logon timeout: no Logon response from ...")
    r"|\bno (?:[A-Za-z]+ )?response from\b|\btimed out waiting for (?:a |the )?(?:[A-Za-z]+ )?(?:response|reply)\b"
    r"|\b(?:Read|Connect|Write|Pool)Timeout\b|\bClient\.Timeout exceeded\b|\bcontext deadline exceeded\b"
    r"|\bi/o timeout\b|\bHttpClient\.Timeout\b"
    # (libcurl's "Timeout was reached (curl code 28)" / "Operation timed out after 250
    # milliseconds", ssh2's "Timed out while waiting for handshake")
    r"|\bTimeout was reached\b|\bcurl (?:code|error) 28\b|\bOperation timed out after\b"
    r"|\bTimed out while waiting for (?:handshake|banner)\b"
)

#: A TLS peer outside saying the certificate we presented expired (mutual TLS: a partner's
#: gateway rejecting our client certificate; Java's "SSLHandshakeException: Received fatal
#: alert: certificate_expired", OpenSSL's "tlsv1 alert certificate expired")
OUR_CERTIFICATE_EXPIRED = re.compile(r"(?i)\breceived fatal alert: certificate_expired\b|\balert certificate expired\b")
#: ... or our side finding the peer's certificate expired (Go's "x509: certificate has
#: expired or is not yet valid", Java's CertificateExpiredException, "certificate expired",
#: .NET's "The remote certificate is invalid because of errors in the certificate chain: NotTimeValid")
THEIR_CERTIFICATE_EXPIRED = re.compile(
    r"(?i)\bcertificate has expired\b|\bCertificateExpiredException\b|\bcertificate (?:is )?expired\b"
    r"|remote certificate is invalid\b.*\bNotTimeValid\b"
    # (Java's PKIX validator on an expired or not yet valid certificate)
    r"|\bCertPathValidatorException: validity check failed\b"
)
#: A TLS server's handshakes failing because its clients reject its certificate, in the alert
#: they send back: rustls' "tls handshake failed error=\"received fatal alert:
#: CertificateUnknown\"", Go's "TLS handshake error from 10.0.0.5:4711: remote error: tls: bad
#: certificate", OpenSSL's "SSL_do_handshake() failed (... sslv3 alert certificate unknown)",
#: Java's "SSLHandshakeException: Received fatal alert: certificate_unknown"
CLIENTS_REJECT_CERTIFICATE = re.compile(
    r"(?i)handshake.*?(?:alert:?\s*(?:CertificateUnknown|BadCertificate|CertificateExpired|UnknownCA"
    r"|certificate[ _](?:unknown|expired)|bad[ _]certificate|unknown[ _]ca)\b"
    r"|remote error: tls: (?:bad certificate|unknown certificate authority|expired certificate))"
)


#: A host name a caller could not resolve (Java's UnknownHostException, glibc's "Name or
#: service not known" / "Temporary failure in name resolution", Go's "no such host", Node's
#: getaddrinfo ENOTFOUND, librdkafka's "DNS resolution failed", libpq's "could not
#: translate host name", curl's "Could not resolve host", .NET's "Resource temporarily
#: unavailable (host:port)")
NAME_RESOLUTION = re.compile(
    r"(?i)UnknownHostException|\bname resolution\b|\bname or service not known\b|\bno such host\b"
    r"|\bNXDOMAIN\b|\bgetaddrinfo (?:ENOTFOUND|EAI_AGAIN)\b|\bcould(?: not|n't) resolve (?:host|server)\b"
    r"|\bDNS resolution failed\b|\bcould not translate host name\b|\bunable to resolve host\b"
    # (.NET on Linux, getaddrinfo's EAI_AGAIN: "HttpRequestException: Resource temporarily
    # unavailable (device-shadow.prod.svc.cluster.local:8080) ---> SocketException (11)")
    r"|\bResource temporarily unavailable \([\w.-]+:\d+\)"
)

#: A request refused as invalid (the fault of whoever sent it, not of the service refusing
#: it), a host name the caller could not resolve (its resolver's fault: the named service
#: was never reached), a client certificate the callee rejected (mutual TLS: a TLS alert
#: the upstream sent nginx, a Go/Java server failing to verify its client's certificate),
#: or a transaction chosen as a deadlock's victim
_CALLERS_FAULT = re.compile(
    # (a certificate's "PKIX path validation failed" is the server's certificate, not a request)
    r"(?i)\bbad request\b|\bunprocessable\b|(?<!path )\bvalidation (?:failed|error)|\bfailed validation\b"
    r"|\bmalformed (?:request|payload|json|body)|\binvalid (?:request|payload|argument|input|parameter)"
    r"|\b(?:status|code|http|answered|returned|responded)[ =:/]*4(?:00|22)\b"
    rf"|{NAME_RESOLUTION.pattern.removeprefix('(?i)')}"
    r"|alert (?:unknown ca|bad certificate|certificate (?:unknown|expired|revoked|required))\b.*\bto upstream\b"
    r"|\bTLS handshake error from \S+ ?tls: failed to verify certificate"
    r"|\b(?:client|peer) certificate (?:verification|verify) (?:failed|error)"
    # a deadlock is the clients' transactions taking locks in opposite orders: the database
    # that detects it and picks a victim is doing its job ("chosen as the deadlock victim",
    # "Deadlock found when trying to get lock", "deadlock detected")
    r"|\bdeadlock(?:ed| victim| found| detected)\b"
    # a connection pool of the caller's own that ran dry: .NET's "Timeout expired. The timeout
    # period elapsed prior to obtaining a connection from the pool", HikariCP's "Connection is
    # not available, request timed out", SQLAlchemy's "QueuePool limit of size 10 overflow 0
    # reached", DBCP's "Timeout waiting for idle object", Npgsql's "The connection pool has
    # been exhausted": the database never saw those requests
    r"|\bprior to obtaining a connection from the pool\b|\bConnection is not available, request timed out\b"
    r"|\bQueuePool limit of size \d+\b|\bTimeout waiting for idle object\b|\bconnection pool (?:has been |is )?exhausted\b"
    # a server refusing a request it cannot read or bind (Spring MVC's 4xx resolutions:
    # "Resolved [...HttpMessageNotReadableException: JSON parse error: Unrecognized field
    # ...]", a failed @Valid, a missing or mistyped parameter, an unsupported media type)
    r"|\b(?:HttpMessageNotReadable|MethodArgumentNotValid|MissingServletRequestParameter|MethodArgumentTypeMismatch"
    r"|HttpMediaTypeNotSupported|HttpRequestMethodNotSupported|ServerWebInput|WebExchangeBind)Exception\b"
)


def callers_fault(text: str) -> bool:
    """Whether ``text`` reports a failure that is the caller's, not the named service's: a
    request refused as invalid (HTTP 400/422, a failed validation; a caller logging it sent
    the bad request, a callee logging it is doing its job) or a host name that did not
    resolve (DNS: the named service was never reached)."""
    return bool(_CALLERS_FAULT.search(text))


#: a failure of a dependency the message does not name: an upstream's answer, a call that
#: got none ("upstream request failed", "upstream responded 500", "downstream call failed:
#: read timed out", "502 Bad Gateway", "connect ECONNREFUSED 10.0.0.7:8080"), and an RPC
#: client's exception for a call the server failed (gRPC Java's ``StatusRuntimeException:
#: INTERNAL``, Go's ``rpc error: code = Unavailable``, .NET's ``RpcException: Status(
#: StatusCode="Internal"``, Python's ``_InactiveRpcError ... StatusCode.UNAVAILABLE``,
#: Spring's ``HttpServerErrorException$ServiceUnavailable``, Feign's ``FeignException$
#: InternalServerError``)
_DEPENDENCY_FAILED = re.compile(
    r"(?i)\b(?:upstream|downstream|dependency|remote (?:service|server|host|end))\b[^\n]{0,60}?"
    r"\b(?:fail\w*|errors?|refused|reset|unavailable|unreachable|timed? ?out|timeout"
    r"|(?:respon\w*|returned|answered)\W+(?:with\W+)?(?:status\W+)?5\d\d)\b"
    r"|\bbad gateway\b|\bgateway time-?out\b|\bECONNREFUSED\b|\bECONNRESET\b"
    r"|\bStatus(?:Runtime)?Exception: (?:UNKNOWN|INTERNAL|UNAVAILABLE|DEADLINE_EXCEEDED|DATA_LOSS)\b"
    r"|\brpc error: code = (?:Unknown|Internal|Unavailable|DeadlineExceeded|DataLoss)\b"
    r"|\bStatusCode\W{1,3}(?:Unknown|Internal|Unavailable|DeadlineExceeded|DataLoss"
    r"|UNKNOWN|INTERNAL|UNAVAILABLE|DEADLINE_EXCEEDED|DATA_LOSS)\b"
    r"|\b(?:HttpServerError|WebClientResponse|Feign)Exception\$(?:InternalServerError|BadGateway"
    r"|ServiceUnavailable|GatewayTimeout)\b"
    # an HTTP client's error for a 5xx answer: got's "HTTPError: Response code 503 (Service
    # Unavailable)", axios's "Request failed with status code 502", requests' "503 Server
    # Error: Service Unavailable for url", urllib's "HTTP Error 500"
    r"|\b(?:response|status) code:? ?5\d\d\b|\b5\d\d Server Error\b|\bHTTP Error 5\d\d\b"
    # ... or a client's own words for a call that got a 5xx: "Scheduler call POST /api/bookings
    # failed with 503", "Results service returned 502 for /api/results/77"
    r"|\b(?:call|request)\b[^\n]{0,80}?\bfailed with (?:status(?: code)?:? )?5\d\d\b"
    # a wait for another party's work that timed out ("Timed out after 10 s waiting for label
    # of shipment ...", "timeout waiting for reply from ..."); not one for a resource of its
    # own (a pooled connection, a lock, a permit), which is its own capacity
    r"|\btime(?:d ?out|out)\b[^\n]{0,40}?\bwaiting for (?!(?:an? |the )?(?:\w+ )?(?:connections?|locks?|permits?"
    r"|semaphores?|slots?|threads?|capacity|leases?|pool|idle object|objects?|resources?)\b)"
    r"|\b(?:service|server|api|backend)\W+returned (?:status(?: code)?:? )?5\d\d\b"
)
#: A TLS client that rejects the server's certificate: the server's (expired, untrusted)
#: certificate, not the client's request (Java's "PKIX path validation failed" and
#: "CertificateExpiredException", Go's "x509: certificate has expired")
_SERVER_CERTIFICATE_REJECTED = re.compile(
    r"(?i)\bPKIX path (?:validation|building) failed\b|\bCertificateExpiredException\b|\bx509: certificate has expired\b"
)


def reports_dependency_failure(text: str, *, certificates: bool = True) -> bool:
    """Whether ``text`` reports the failure of a dependency it does not name (an upstream's
    error answer, a call that got no answer, with ``certificates`` the server's certificate
    rejected): a caller's report, not its own failure."""
    return bool(_DEPENDENCY_FAILED.search(text) or (certificates and _SERVER_CERTIFICATE_REJECTED.search(text)))


def rejects_certificate_only(text: str) -> bool:
    """Whether the only dependency failure ``text`` reports is a server's certificate its TLS
    call rejected (PKIX, an expired x509 certificate): no error answer, no call unanswered."""
    return bool(_SERVER_CERTIFICATE_REJECTED.search(text)) and not _DEPENDENCY_FAILED.search(text)


def calls_no_anomalous(graph: dict[str, set[str]], service: str, anomalous: set[str]) -> bool:
    """Whether no service ``service`` calls (``graph``, directly or not) is anomalous: the
    server whose certificate its TLS calls reject is then outside the logs (a partner's API,
    a SaaS), and those failures show first in ``service`` itself."""
    return not any(t in anomalous and t != service for t in _reach(graph, service))


def match_service(name: str | None, services: Sequence[str]) -> str | None:
    """The logging service a change names: exact, case-insensitive, or same stem.

    ``payment-service``, ``Payment`` and ``payment_svc`` all match a log service ``payment``.
    A change to the edge named by its role (``ingress``, ``api-gateway``, ``lb``) matches the
    one logging service whose name says it is the edge (``frontend-nginx``, ``web-proxy``).
    A name that matches none (or several) is returned unchanged.
    """
    if name is None or name in services:
        return name
    low = {s.lower(): s for s in services}
    if name.lower() in low:
        return low[name.lower()]

    def stems(x: str) -> set[str]:
        # (a CamelCase spelling is the dashed one, RoutePlanner / TrackingAPI of route-planner /
        # tracking-api, and a gateway may be a "gw": scan-gw of scan-gateway)
        spellings = {x, _CAMEL_BOUNDARY.sub("-", x), _GW.sub("gateway", x)}
        # (and a change ticket may add the words "cluster" or the environment: redis-cluster-b,
        # payments-prod, of the logs' redis-b and payments)
        spellings |= {_FILLER.sub("", w).strip("-_.") for w in list(spellings)} - {""}
        # (and a function deployed as <app>-<stage>-<function>, the Serverless Framework's and
        # SAM's naming: booking-prod-checkin is checkin's)
        spellings |= {m.group(1) for w in list(spellings) if (m := _STAGE_FUNCTION.search(w))}
        return {re.sub(r"[-_.\s]+", "-", a.lower()) for w in spellings for a in _service_aliases(w)}

    mine = stems(name)
    hits = [s for s in services if stems(s) & mine]
    if len(hits) == 1:
        return hits[0]
    if not hits and "." in name.strip(".") and not _IP.fullmatch(name):
        # a host's fully qualified name (trk-api02.parcelco.internal): its first label
        first = match_service(name.split(".")[0], services)
        if first in services:
            return first
    if not hits and len(nodes := node_services(name, services)) == 1:
        return nodes[0]  # (its one node in these logs)
    if not hits and (bare := _NODE_NUMBER.sub("", name)) != name and len(bare) >= 3:
        # a server named by its role and node number, the logs by the role (REDIS01,
        # RABBITMQ01 of the logs' redis and rabbitmq)
        by_role = match_service(bare, services)
        if by_role in services:
            return by_role
    if not hits and (node := _NODE_PART.search(name)) is not None:
        # ... or the logs by another prefix on the same node (PORTAL-WEB02 of iis-web02)
        same_node = [s for s in services if (m := _NODE_PART.search(s)) and m.group(1).lower() == node.group(1).lower()]
        if len(same_node) == 1:
            return same_node[0]
    if not hits and " " in name.strip():
        # a product's display name, "Mirth Connect PROD": its first word
        first = match_service(name.split()[0], services)
        if first in services:
            return first
        # ... or a CMDB item's, "SubsDB PostgreSQL": the one service one of its words names
        by_word = {match_service(w, services) for w in name.split()[1:] if len(w) >= 3} & set(services)
        if len(by_word) == 1:
            return str(by_word.pop())
    # (a Windows server's name glues its parts: SQLPROD01 is sql-prod-01)
    glued = _GLUED_NUMBER.sub("-", _GLUED_ENV.sub(r"-\1", name.lower()))
    if not hits and (product := _product_of(glued)) is not None and all(
        # (a word no service holds may be the estate's prefix: tix-elasticache, acme-redis)
        _ROLE_ONLY.fullmatch(p) or _product_of(p) is product
        or (len(p) >= 2 and p not in _BESIDE_THE_SERVER and p not in _service_words(tuple(services)))
        for p in re.split(r"[-_.\s]+", glued) if p
    ):
        # a ticket names a datastore by its product and role (redis-cache-01, timescaledb-prod;
        # not kafka-connect, another product): the one logging service of that product
        same = [s for s in services if _product_of(s) is product]
        if len(same) == 1:
            return same[0]
    if not hits and len(within := _words_within(name, services)) == 1:
        # a CMDB item's name adds words to the application's (OLB-Web-Liberty of the logs'
        # olb-liberty): the one logging service all of whose words (two or more) it holds
        return within[0]
    if not hits and (head := _head_word_service(name, services)) is not None:
        # a repository or an application named with the estate's prefix (rtb-bidder of the
        # logs' bidder): its last word, the thing it is, one service's whole name
        return head
    if not hits and (role_products := _role_products(name)):
        # a ticket names a server by its role ("mqtt-broker", "cache", "search-cluster"), the
        # logs by its product ("mosquitto", "redis", "opensearch"): the one logging service of
        # a product that plays that role
        playing = [s for s in services if _words(s) & role_products]
        if len(playing) == 1:
            return playing[0]
    if not hits and _edge_words(name):
        # the change list names the front door by its role ("ingress", "api-gateway",
        # "lb"), the logs by their product ("frontend-nginx", "edge-envoy"): the one
        # logging service whose name says it is the edge
        edges = [s for s in services if _edge_words(s)]
        if len(edges) == 1:
            return edges[0]
    return name


#: the servers' products that play a role a change list may name them by
_ROLE_PRODUCTS: dict[str, frozenset[str]] = {
    "mqtt": frozenset({"mosquitto", "emqx", "hivemq", "vernemq", "nanomq"}),
    "broker": frozenset({"mosquitto", "emqx", "hivemq", "vernemq", "rabbitmq", "kafka", "activemq", "artemis", "nats", "pulsar", "redpanda"}),
    "mq": frozenset({"rabbitmq", "activemq", "artemis", "mosquitto", "emqx", "ibmmq"}),
    "queue": frozenset({"rabbitmq", "activemq", "artemis", "sqs", "nats", "kafka"}),
    "cache": frozenset({"redis", "memcached", "valkey", "keydb", "varnish", "hazelcast"}),
    "search": frozenset({"elasticsearch", "opensearch", "solr", "meilisearch", "typesense"}),
    "dns": frozenset({"coredns", "bind", "named", "unbound", "dnsmasq", "pdns", "powerdns"}),
    "resolver": frozenset({"coredns", "unbound", "dnsmasq", "pdns", "powerdns"}),
    "tsdb": frozenset({"influxdb", "timescaledb", "victoriametrics", "prometheus"}),
    "db": frozenset({"postgres", "postgresql", "mysql", "mariadb", "mongodb", "mongo", "mssql", "oracle", "timescaledb", "cockroachdb", "cassandra", "scylla"}),
    "database": frozenset({"postgres", "postgresql", "mysql", "mariadb", "mongodb", "mongo", "mssql", "oracle", "timescaledb", "cockroachdb", "cassandra", "scylla"}),
}


#: the server products whose own logs a service may be (a database, a pooler, a broker, a
#: cache, a proxy): no application's feature flag switches their code
SERVER_PRODUCTS = frozenset(
    {*_PRODUCT_WORDS, *(p for products in _ROLE_PRODUCTS.values() for p in products)}
    | {"postgresql", "pgbouncer", "pgpool", "nginx", "haproxy", "envoy", "traefik", "zookeeper", "etcd", "memcached"}
)


def server_product(service: str | None) -> bool:
    """Whether ``service`` is named as a server product's logs (``pgbouncer``,
    ``redis-odds-cache``, ``kafka``, ``postgres-bets``)."""
    return service is not None and any(w in SERVER_PRODUCTS for w in re.split(r"[-_.\s]+", service.lower()))


def _role_products(name: str) -> frozenset[str]:
    """The products that play the role ``name`` names when its words are a role and fillers
    only ("mqtt-broker": mosquitto, EMQX; "redis-cache" names a product, "cart-cache" an
    application: neither is a role alone). Empty otherwise."""
    words = _words(name)
    roles = [w for w in words if w in _ROLE_PRODUCTS]
    if not roles or any(w not in _ROLE_PRODUCTS and not _ROLE_ONLY.fullmatch(w) for w in words):
        return frozenset()
    return frozenset.intersection(*(_ROLE_PRODUCTS[w] for w in roles))


@functools.lru_cache(maxsize=256)
def _service_words(services: tuple[str, ...]) -> frozenset[str]:
    """Every word of the services' names."""
    return frozenset(w for s in services for w in _words(s))


def _words(name: str) -> set[str]:
    return {w for w in re.split(r"[-_.\s]+", _CAMEL_BOUNDARY.sub("-", name).lower()) if w}


def _head_word_service(name: str, services: Sequence[str]) -> str | None:
    """The one service named by the last word of ``name`` alone (``bidder`` of ``rtb-bidder``),
    the words before it no service's, no role's nor a product's (a prefix of the estate or
    the team, not ``payments-worker`` beside a payments service, nor ``orders-db``)."""
    # (its own separators only: a product's CamelCase name, FreeRADIUS, is one word)
    parts = [w for w in re.split(r"[-_.\s]+", name.lower()) if w]
    if len(parts) < 2 or len(parts[-1]) < 4:
        return None
    heads = [s for s in services if _words(s) == {parts[-1]}]
    others = parts[:-1]
    if len(heads) != 1 or any(
        p in _service_words(tuple(services)) or _ROLE_ONLY.fullmatch(p) or p in _BESIDE_THE_SERVER or _product_of(p) is not None
        for p in others
    ):
        return None
    return heads[0]


def _words_within(name: str, services: Sequence[str]) -> list[str]:
    """The services whose words all appear in ``name``: ``olb-liberty`` of ``OLB-Web-Liberty``.
    Empty when one of them is a single word ("payments" in "payments-db" says little) or when
    two services qualify (the name is ambiguous)."""
    mine = _words(name)
    within = [s for s in services if (theirs := _words(s)) and theirs <= mine]
    return within if len(within) == 1 and len(_words(within[0])) >= 2 else []


def named_in_change(
    name: str,
    description: str | None,
    services: Sequence[str],
    *,
    sources: Mapping[str, Sequence[str]] | None = None,
    weights: Mapping[str, int] | None = None,
) -> str | None:
    """The logging service a change names elsewhere than in its service field, when that
    field (a CMDB item: an Oracle SID, a queue manager) matches none (see :func:`match_service`).

    Its description names exactly one service as a whole name ("Release olb-liberty 8.14.7
    via Azure DevOps pipeline" of a change to ``OLB-Web-Liberty``), or the item is a word of
    exactly one service's log file names or their directories' (``OLBPRD1`` of
    ``oracle-olbprd/alert_OLBPRD1.log``, ``wordpress`` of the ``php-error`` service read from
    ``wordpress/php-error.log``; ``sources``: each service's ``source`` values). ``None`` when nothing or two services match,
    unless one of them holds most of their records (``weights``: records per service): the
    validators' daemon of ``fare-validators/validators.log``, a syslog file whose kernel,
    systemd and gpsd lines are services of their own.
    """
    if description:
        said = [
            s for s in services
            if re.search(rf"(?i)(?<![\w.-]){_SEPARATED.sub('[-_.]', re.escape(s))}(?![\w-]|\.\w)", description)
        ]
        if len(said) == 1:
            return said[0]
    if sources:
        key = name.lower()
        files = [s for s in services if any(key in _file_words(f) for f in sources.get(s, ()))]
        if len(files) == 1:
            return files[0]
        if len(files) > 1 and weights:
            top = max(files, key=lambda s: (weights.get(s, 0), s))
            if 2 * weights.get(top, 0) > sum(weights.get(s, 0) for s in files):
                return top
    return None


def _file_words(path: str) -> set[str]:
    """The words of a log file's name and of its directory's: ``alert``, ``olbprd1``, ``log``
    and ``oracle``, ``olbprd`` of ``oracle-olbprd/alert_OLBPRD1.log``; ``wordpress`` of
    ``wordpress/php-error.log`` (a service read from its file's name, ``php-error``, is the
    application its directory names)."""
    parts = re.split(r"[\\/]", path)
    if len(parts) < 2:
        return _words(parts[-1])
    # (the directory's whole name too: ``grading-worker`` of ``grading-worker/celery.log``, an
    # export holding a folder per application whose worker's file the reader names ``celery``)
    # (and the whole names of the two folders above it: ``gate-controller`` of
    # ``gate-controller/markt/gatectl.log``, a folder per station of one application)
    return _words(parts[-1]) | _words(parts[-2]) | {p.lower() for p in parts[-4:-1] if p}


# a separator in a service's name, as re.escape writes it ("olb\-liberty", "fraud_scoring")
_SEPARATED = re.compile(r"\\?[-_.]")


#: words that name the edge of an estate (ingress controller, gateway, load balancer, proxy)
_EDGE_WORDS = frozenset(
    ("ingress", "nginx", "gateway", "apigateway", "apigw", "proxy", "edge", "lb", "alb", "elb", "loadbalancer",
     "envoy", "traefik", "haproxy")
)


def _edge_words(name: str) -> set[str]:
    return set(re.split(r"[-_.\s]+", name.lower())) & _EDGE_WORDS


# a URL to an in-cluster service: "http://ts-price-service:16579/api/...", "http://payment.shop.svc.cluster.local/"
_URL_HOST = r"(?i)\bhttps?://([a-z][a-z0-9-]*[a-z0-9])((?:\.[a-z0-9-]+)*)(?::\d+)?(?:[/\s\"']|$)"


#: a one-label suffix that is a top-level domain, not a Kubernetes namespace
#: ("https://sqlalche.me/e/20/3o7r" in every SQLAlchemy error names no service)
_PUBLIC_SUFFIX = (
    r"^\.(?:com|org|net|edu|gov|io|dev|app|me|co|ai|cloud|info|biz|us|eu|uk|de|fr|nl|es|it|ch|at|be|se|no|dk|fi"
    r"|pl|cz|ru|cn|jp|kr|in|br|au|ca|nz|tv|sh|gg|ly|to|so|xyz|site|online|tech|store|page|link|local|internal"
    # (link shorteners' and other common country domains: aka.ms, goo.gl, last.fm)
    r"|ms|gl|fm|am|im|is|ws|gd|cc|vc|la|mx|ar|cl|za|ie|pt|gr|hu|ro|tr|il|sg|hk|tw|id|th|vn|ph|my|lu|li|lt|lv|ee|sk|si|hr|bg|rs|ua"
    r"|example|test|invalid)$"
)


def url_services(records: pl.DataFrame, *, min_count: int = 5) -> list[str]:
    """Services named as the host of in-cluster URLs in the messages (``http://ts-price-service:16579/``).

    A dependency that writes no logs of its own (or whose logs are not in the export) is
    still named by its callers' request URLs. Only cluster-local hosts count: a bare name,
    or ``<name>.<namespace>[.svc[.cluster.local]]``; ``localhost``, IP addresses and
    public domains (``shop.example.com``) are not services.
    """
    if records.height == 0:
        return []
    hosts = (
        records.select(url=pl.col("body").str.extract_all(_URL_HOST))
        .explode("url")
        .drop_nulls("url")
        .select(
            host=pl.col("url").str.extract(_URL_HOST, 1).str.to_lowercase(),
            rest=pl.col("url").str.extract(_URL_HOST, 2).str.to_lowercase().fill_null(""),
        )
        .filter(
            (pl.col("rest") == "")
            | pl.col("rest").str.contains(r"^\.[a-z0-9-]+(?:\.svc(?:\.cluster\.local)?)?$")
            & ~pl.col("rest").str.contains(_PUBLIC_SUFFIX)
        )
        .filter(pl.col("host") != "localhost")
        .group_by("host")
        .len()
        .filter(pl.col("len") >= min_count)
    )
    return sorted(hosts["host"].to_list())


#: a host name with a dot in a URL ("https://api.psp.example.com/v1/charges") or a client
#: library's message ("HTTPSConnectionPool(host='api.psp.example.com', port=443)")
_URL_DOTTED_HOST = re.compile(r"(?i)(?:\bhttps?://|\bhost=['\"]?)([a-z0-9-]+(?:\.[a-z0-9-]+)+)")
#: ... or a lower-case dotted name outside a URL that a message shows is a host: with a port
#: (.NET's "actively refused it. (lis-api.labnet.local:443)", "dial tcp api.fx.example.net:443"),
#: or after a word that says so ("e-mail via api.sendgrid.com failed", "connect to
#: mq.vendor.io"); not followed by more of a dotted or slashed name (a Java package, a path)
_NAMED_HOST = re.compile(
    r"(?:\b(?:via|to|host|server|endpoint|upstream|calling)\s+([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+)(?::\d{2,5}\b)?"
    r"|(?<![\w.:/@-])([a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)+):\d{2,5}\b)(?![\w./(-])"
)
#: a name's last label that makes it a host (a generic top-level domain, an intranet's, or a
#: country's two letters), not a file ("handler.go:57", "app.yaml")
_HOST_TLD = re.compile(
    r"\.(?:com|net|org|io|info|biz|cloud|app|dev|ai|co|me|tech|online|site|local|internal|corp|lan|intra|"
    r"gov|edu|[a-z]{2})$"
)
_FILE_SUFFIX = re.compile(
    r"\.(?:go|py|rs|js|ts|rb|cs|kt|ex|pl|pm|sh|hs|ml|mm|cc|hh|vb|fs|md|db|gz|xz|so|jar|war|ear|id|js|"
    r"java|scala|php|cpp|hpp|exs|erl|lua|swift|jsx|tsx|mjs|cjs|groovy|clj|dart|yaml|yml|json|xml|conf|ini|"
    r"toml|log|txt|sql|html|jsp|aspx|class|dll|exe|csv|zip|tar|pem|crt|key|lock|pid|sock|tmp|bak)$"
)
#: names inside the estate: a cluster's own DNS, a node's cloud-given name, an address
_LOCAL_SUFFIX = re.compile(
    r"(?i)\.(?:svc|cluster\.local|localdomain|ec2\.internal|compute\.internal)$|^localhost\b|^\d+(?:\.\d+){3}$"
)


@functools.lru_cache(maxsize=4096)
def _exactly_a_service(label: str, services: tuple[str, ...]) -> bool:
    """Whether a host's first label is a service's name or the stem it goes by (``payments``,
    ``payment`` of payment-service, a node of it: ``hss02``), not a word of it with more
    (``checkout-live``)."""
    norm = re.sub(r"[-_]+", "-", label.lower())
    # (or a node of it, hss02 of hss)
    forms = {norm, _NODE_NUMBER.sub("", norm)}
    return any(re.sub(r"[-_]+", "-", a.lower()) in forms for s in services for a in _service_aliases(s))


def _outside_label(host: str, first: str, services: Sequence[str]) -> bool:
    """A public host (``checkout-live.pspgate.example.com``, a provider's API) whose first
    label holds a service's word with more than its name: the provider's, not that
    service's (Adyen's ``checkout-live``). An intranet's name of it (``.internal``,
    ``.corp``, ``.local``) is the service's."""
    return bool(_PUBLIC_HOST.search(host)) and host.count(".") >= 2 and not _exactly_a_service(first, tuple(services))


#: a host under a public top-level domain (a provider's), not an intranet's
_PUBLIC_HOST = re.compile(r"\.(?:com|net|org|io|info|biz|cloud|app|dev|ai|co|me|tech|online|site|example|[a-z]{2})$")
#: a lower-case dotted host name in a message (:func:`_names` takes a provider's out)
_DOTTED_HOST = re.compile(r"(?<![\w.-])([a-z0-9][a-z0-9-]*)(?:\.[a-z0-9-]+){2,}(?![\w-]|\.\w)")


#: a link an error message points the reader to (SQLAlchemy's "(Background on this error at:
#: https://sqlalche.me/e/20/3o7r)", "For more information, go to ..."): documentation, not a
#: host the service calls (a "see https://status.stripe.com" still names the provider)
_REFERENCE_URL = re.compile(
    r"(?i)\b(?:background on this error at|for (?:more )?(?:information|info|details|help)[\w ,]*?"
    r"|more (?:information|info|details)|details|documentation|docs|go to|visit|refer to|learn more|read more|help)"
    r"\s*(?:at|in|on)?\s*:?\s*[(<\[]?(?:\d[\d.\-]*\s+)*https?://\S+"
    # ... or a page of documentation a message says to see (libcurl's "(see
    # https://curl.haxx.se/libcurl/c/libcurl-errors.html)", as PHP's Guzzle quotes it)
    r"|\bsee:?\s+https?://[^\s)\]>]*(?:\.html?|\.md|/docs?/|/wiki/|/manual/|/errors?\b)[^\s)\]>]*"
)


def external_hosts(texts: Sequence[str], services: Sequence[str]) -> list[str]:
    """Hosts outside the estate that ``texts`` name, most named first: in a URL (a payment
    provider, a SaaS API) or as a host a message calls (``(lis-api.labnet.local:443)``,
    ``via api.sendgrid.com``); a domain name (public or an intranet's), not cluster-local,
    not an IP address, and not the name of a known service."""
    known = {s.lower() for s in services}
    counts: dict[str, int] = {}
    for raw in texts:
        text = _REFERENCE_URL.sub(" ", raw) if raw and "://" in raw else raw
        urls = [h.lower() for h in _URL_DOTTED_HOST.findall(text or "")]
        named = [
            h for m in _NAMED_HOST.findall(text or "") if (h := m[0] or m[1])
            and _HOST_TLD.search(h) and not _FILE_SUFFIX.search(h)
        ]
        for low in dict.fromkeys(urls + named):
            first = low.split(".")[0]
            if (
                _LOCAL_SUFFIX.search(low)
                or not re.search(r"\.[a-z]{2,}$", low)
                or first in known
                or (match_service(first, services) in services and not _outside_label(low, first, services))
            ):
                continue
            counts[low] = counts.get(low, 0) + 1
    return sorted(counts, key=lambda h: (-counts[h], h))


#: labels of a host name that say nothing of whose host it is (``api`` of
#: api.stripe.com, ``example`` of api.sms-provider.example.com)
_GENERIC_LABELS = frozenset({
    "api", "apis", "www", "www2", "gw", "gateway", "edge", "cdn", "app", "apps", "service", "services", "svc",
    "prod", "production", "staging", "stage", "dev", "test", "sandbox", "internal", "int", "ext", "external",
    "public", "private", "example", "local", "com", "net", "org", "io", "co", "cloud", "web", "rest", "grpc",
    "v1", "v2", "v3", "m", "mobile", "static", "assets", "ws", "secure", "eu", "us", "uk", "global", "my",
})


def host_named(host: str, text: str) -> bool:
    """Whether ``text`` names ``host``: the whole name, or a label of it that says whose it is
    (``stripe`` of api.stripe.com, ``voltmarket`` of api.voltmarket.example), as a word; never
    a generic one (``api``, which "billing-api" holds)."""
    low = text.lower()
    host = host.lower()
    if host in low:
        return True
    labels = [x for x in host.split(".")[:-1] if len(x) >= 3 and x not in _GENERIC_LABELS]
    return any(re.search(rf"(?<![a-z0-9]){re.escape(x)}(?![a-z0-9])", low) for x in labels)


#: attribute keys whose value is the service a record's call went to (structured logs put
#: it there, not in the message: ``msg="upstream error" upstream=order-service``)
_PEER_KEYS = (
    r'"(?:upstream|upstream_name|upstream_service|upstream\.service|peer\.service|peer_service|peer|'
    r'target|target_service|remote_service|dependency|downstream|backend|callee|destination|'
    r'destination\.service|server\.address|net\.peer\.name|'
    # (a proxy's access log: HAProxy's backend and server, Envoy's upstream cluster)
    r'haproxy\.backend|haproxy\.server|upstream_cluster)":"[^"]*"'
)


#: ... and keys whose value is an error's text, which names the peer the way a message
#: would (Go's convention: ``msg="query failed" err="dial tcp catalog-db:5432: refused"``)
_ERROR_KEYS = (
    r'"(?:err|error|error\.message|error\.msg|errorMessage|error_message|exception|exception\.message|'
    r'exc_info|cause)":"(?:[^"\\]|\\.)*"'
)


#: ... and keys whose value is the absolute URL a call went to (got's and axios's errors:
#: ``err.url="https://drm-license:8443/v1/keys"``; OpenTelemetry's ``url.full``); a path
#: alone (an access log's own ``url="/api/x"``) names no peer
_URL_KEYS = r'"(?:[\w\-]+\.)*(?:url|uri|href)(?:\.full|\.original)?":"[a-zA-Z][a-zA-Z0-9+.\-]*://[^"]*"'


def peers_expr(attributes: pl.Expr) -> pl.Expr:
    """The ``"key":"value"`` members of a flat attributes object that name a call's peer
    (by name or by the URL called) or hold an error's text, space-separated (empty when
    there are none): text for :func:`_names`."""
    return attributes.fill_null("").str.extract_all(f"{_PEER_KEYS}|{_ERROR_KEYS}|{_URL_KEYS}").list.join(" ")


def dependency_graph(records: pl.DataFrame, services: Sequence[str], *, min_count: int = 3) -> dict[str, set[str]]:
    """Who calls whom, from the logs: ``graph[a]`` holds the services that ``a``'s messages name.

    A caller logs the names of what it calls ("payment call took 80ms", "GET
    /api/inventory/..."); one pass over the distinct (service, template) pairs.
    """
    if records.height == 0:
        return {}
    # the template and one of its records: a template masks the URLs and paths that name
    # the callee ("calling <URL>", "GET <PATH> 200"), its record keeps them
    peers = peers_expr(pl.col("attributes")) if "attributes" in records.columns else pl.lit("")
    pairs = (
        records.group_by("service", "template_id")
        .agg(
            n=pl.len(),
            text=pl.concat_str(
                pl.col("template").first(), pl.col("body").first(), peers.first(), separator=" ", ignore_nulls=True
            ),
        )
        .filter(pl.col("n") >= min_count)
    )
    graph: dict[str, set[str]] = {}
    for svc, text in pairs.select("service", "text").iter_rows():
        if not svc or not text:
            continue
        named = _names(text, services, exclude=svc)
        if named:
            graph.setdefault(svc, set()).update(named)
    return graph


#: a service's traces hold nearly every trace of another (share), and at least this many;
#: and the other's hold clearly fewer of its own (see :func:`trace_cover`)
_TRACE_COVER = 0.9
_TRACE_MIN = 5
#: traces read for the graph, at most (a deterministic sample by hash)
_TRACE_SAMPLE = 50_000


def trace_cover(records: pl.DataFrame, *, min_shared: int = _TRACE_MIN, mutual: bool = False) -> dict[str, set[str]]:
    """Services that log only within others' requests, from trace ids several services log.

    A trace is one request across every service it reaches, so sharing traces does not say
    which way the calls go; containment says who stands behind whom: when nearly every
    trace that ``b`` logs is also in ``a``'s logs, and ``a`` logs many traces without
    ``b``, ``b`` works only for requests that ``a`` handles (``a`` calls it, directly, or
    ``a``'s caller calls both). ``cover[a]`` holds those ``b``. Services that always appear
    together are left out, or, with ``mutual``, kept both ways (``cover[a]`` then holds every
    ``b`` whose traces nearly all are ``a``'s: what a service handles alone with another it
    always calls). A caller's messages may name no callee (an estate whose logs name only
    entities and endpoints): the traces still link them.
    """
    if records.height == 0 or "trace_id" not in records.columns:
        return {}
    pairs = records.filter(pl.col("trace_id").is_not_null() & (pl.col("trace_id") != "")).select(
        "trace_id", "service"
    ).unique()
    if pairs.height == 0:
        return {}
    n_traces = pairs["trace_id"].n_unique()
    if n_traces > _TRACE_SAMPLE:
        pairs = pairs.filter(pl.col("trace_id").hash(seed=0) % (n_traces // _TRACE_SAMPLE + 1) == 0)
    multi = pairs.filter(pl.len().over("trace_id") >= 2)
    if multi.height == 0:
        return {}
    per = pairs.group_by("service").agg(n=pl.len())
    shared = (
        multi.join(multi, on="trace_id", suffix="_b")
        .filter(pl.col("service") != pl.col("service_b"))
        .group_by("service", "service_b")
        .agg(shared=pl.len())
        .filter(pl.col("shared") >= min_shared)
        .join(per, on="service")
        .join(per.rename({"service": "service_b", "n": "n_b"}), on="service_b")
        .filter(
            (pl.col("shared") >= _TRACE_COVER * pl.col("n_b"))
            & ((pl.col("shared") < _TRACE_COVER * pl.col("n")) | pl.lit(mutual))
        )
        .sort("service", "service_b")
    )
    cover: dict[str, set[str]] = {}
    for a, b in shared.select("service", "service_b").iter_rows():
        cover.setdefault(a, set()).add(b)
    return cover


def _reach(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        n = todo.pop()
        if n in seen or n == start:
            continue
        seen.add(n)
        todo.extend(graph.get(n, ()))
    return seen


def restart_after(frame: pl.DataFrame, at: datetime, until: datetime) -> tuple[datetime, str] | None:
    """``(when, the start line)`` of the service's first restart in ``[at, until]``, else
    ``None``.

    A restart is a start line (``Starting ...``, ``listening on``, ``startup complete``)
    whose template the service did not log in the half hour before ``at``, after a stop
    line new in the same way (``graceful shutdown``, ``SIGTERM``) or a pause of 5 s and
    three times the service's longest usual pause before it; or a start line it never
    logged before at all (one pod of several restarting: the others go on logging). A
    service with fewer than 20 records in that half hour is not judged (its usual lines
    are not known).
    """
    if "template_id" not in frame.columns:
        return None
    ts = pl.col("timestamp")
    before = frame.filter((ts >= at - _USUAL_SPAN) & (ts < at))
    if before.height < 20:
        return None
    usual = before["template_id"].drop_nulls().unique().to_list()
    after = (
        frame.filter((ts >= at) & (ts <= until))
        .sort("timestamp", maintain_order=True)
        .with_columns(
            new=~pl.col("template_id").is_in(usual),
            gap=(ts - ts.shift(1)).dt.total_microseconds() / 1e6,
        )
    )
    starts = after.filter(pl.col("new") & pl.col("body").str.contains(_START_LINE))
    if starts.is_empty():
        return None
    first = starts.row(0, named=True)
    s_time, s_body = first["timestamp"], first["body"]
    stops = after.filter(pl.col("new") & pl.col("body").str.contains(_STOP_LINE) & (ts <= s_time))
    pause = _num(before.select(ts.sort().diff().dt.total_microseconds().max()).item()) / 1e6
    gap = after.filter(ts <= s_time)["gap"].drop_nulls()
    paused = gap.len() > 0 and _num(gap.max()) >= max(5.0, 3 * pause)
    ever = frame.filter(ts < at)["template_id"].drop_nulls().unique().to_list()
    unseen = starts.filter(~pl.col("template_id").is_in(ever))
    if not (stops.height or paused):
        if unseen.is_empty():
            return None
        first = unseen.row(0, named=True)
        s_time, s_body = first["timestamp"], first["body"]
    return s_time, str(s_body).splitlines()[0][:120]


#: how long before a point a service's lines count as its usual ones (:func:`restart_after`)
_USUAL_SPAN = timedelta(minutes=30)
#: a line that tells of a process starting, or stopping (:func:`restart_after`)
#: ("starting" that is the process's: the message starts with it, "Starting orders-api
#: v1.2", "store: starting store-service version=0.50.0", or it follows or precedes the
#: server, application, version, pid or port; not a task of the running process, MongoDB's
#: "Index build: starting", PostgreSQL's "checkpoint starting", a job's "Reconciliation run
#: started")
_START_LINE = (
    r"(?i)^\W*(?:[\w.\-]+: )?start(?:ing|ed)\b"
    r"|\b(?:server|application|app|service|process|worker|instance|daemon|listener|container|jvm|pod|tomcat|jetty|kestrel)\b"
    r"[^.;]{0,40}\bstart(?:ing|ed)\b"
    r"|\bstart(?:ing|ed)\b[^.;]{0,40}\b(?:server|application|service|version|pid|port)"
    r"|\bstartup\b|\blistening\b|\bready to (?:accept|serve)|\binitiali[sz]ed\b|\bbooted\b"
)
_STOP_LINE = (
    r"(?i)shutting down|\bshut ?down\b|\bgraceful|\bsigterm\b|\breceived signal|\bterminat(?:ing|ed)\b"
    r"|\bstopp(?:ing|ed)\b|\bexiting\b"
)


#: a key quoted in a change's description: a word with a dash, dot, colon or underscore inside
#: (a feature flag's key, a setting's name), not a plain word (`Production`)
QUOTED_KEY = re.compile(r"[`'\"]([A-Za-z][\w.:-]*[-_.:][\w.:-]*\w)[`'\"]")
#: ... or one a flag tool names after "feature:" / "flag:" (Flagsmith's audit log: "Flag state
#: / Remote config value updated for feature: loyalty_double_points")
NAMED_KEY = re.compile(r"(?i)\b(?:feature|flag|toggle|key)s?:\s+([A-Za-z][\w.-]*[-_.][\w.-]*\w)\b")


def change_keys(description: str | None) -> list[str]:
    """The keys a change's description quotes or names (a feature flag's, a setting's)."""
    return QUOTED_KEY.findall(description or "") + NAMED_KEY.findall(description or "")
