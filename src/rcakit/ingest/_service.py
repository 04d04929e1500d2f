"""Which service a record belongs to.

Precedence (see ``docs/reading.md``): the record's own service field, else the
``service=`` argument of :func:`rcakit.read_logs`, else a name derived from the file name
(:func:`service_from_path`). Kubernetes pod names are reduced to their workload with
:func:`workload_from_pod` so that the replicas of one Deployment count as one service.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path, PurePath

import polars as pl

__all__ = [
    "POD_SUFFIX", "file_services", "one_group_service", "service_from_log_group", "service_from_path", "workload_from_pod",
    "workload_name",
]

# Kubernetes generated suffixes, tried from the longest:
#   Deployment pod   <name>-<replicaset hash 5-10>-<pod hash 5>   ts-travel-service-64469b5b48-25zj6
#   ReplicaSet / DaemonSet / Job pod  <name>-<hash 5>             node-exporter-x7k2p
#   StatefulSet pod  <name>-<ordinal>                             kafka-0, redis-master-12
#   CronJob pod      <name>-<schedule, minutes since 1970>-<pod hash 5>   order-reconcile-28551840-k2x7p
# The pod hash alphabet is "bcdfghjklmnpqrstvwxz2456789" (no vowels, no 0/1/3); the
# replicaset hash uses the same alphabet. Requiring that alphabet keeps ordinary words such
# as "-proxy" or "-admin" (they have vowels) from being cut.
_HASH = "[bcdfghjklmnpqrstvwxz2456789]"
POD_SUFFIX = rf"-(?:{_HASH}{{5,10}}-{_HASH}{{5}}|\d{{8,10}}(?:-{_HASH}{{5}})?|{_HASH}{{5}}|\d{{1,4}})$"

# Log-ish suffixes dropped from file names, repeatedly: payment.log.1.gz -> payment (and the
# JVM's rotation mark: gc.log.0.current)
_FILE_SUFFIXES = re.compile(
    r"(?:\.(?:gz|bz2|xz|zst|zip|\d+|log|logs|txt|out|err|json|jsonl|ndjson|csv|tsv|"
    r"access|error|stdout|stderr|current))+$",
    re.IGNORECASE,
)
# A date or timestamp stamped into the name: checkout-2024-01-02, app_20240102T0304
# (and log4j2's index after it, %d{yyyy-MM-dd}-%i: pacing-2026-11-18-1.log.gz)
_FILE_DATE = re.compile(r"[-_.]?\d{4}-?\d{2}-?\d{2}(?:[T_-]?\d{2,6}Z?)?(?:[-_.]\d{1,3})?$")
# ... or a weekday, for logs kept a week (PostgreSQL's postgresql-%a.log: postgresql-Wed)
_FILE_WEEKDAY = re.compile(r"(?i)(?<=\w)[-_.](?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?$")
_POD_SUFFIX_RE = re.compile(POD_SUFFIX)
# file names that name no service: their directory does (payment/app.log, nginx/access.log)
_GENERIC_NAMES = frozenset({
    "app", "application", "server", "service", "main", "output", "out", "stdout", "stderr", "console",
    "current", "log", "logs", "all", "combined", "debug", "info", "warn", "warning", "error", "errors",
    "trace", "access", "audit", "system", "catalina", "run", "daemon", "default", "container",
    "systemout", "systemerr", "messages", "native_stdout", "native_stderr",  # WebSphere
    # Rails' per-environment logs, a database's slow and general query logs, a job runner's
    "production", "development", "staging", "slow", "general", "query", "worker",
    # a JVM's garbage-collection log beside its application's (-Xlog:gc*:file=gc.log)
    "gc", "verbosegc", "gclog", "jvm",
    # a gateway plugin's file named by the plugin (Kong's file-log: kong/file-log.json)
    "file-log", "file_log", "filelog",
    # a container's name where it names the role, not the workload: ingress-nginx's pods run
    # their controller in a container named "controller" (kubectl logs saved by container name)
    "controller",
})
# ... and the default names some servers give their logs: IIS's daily u_ex240303.log (W3C),
# SQL Server's ERRORLOG, a RabbitMQ node's rabbit@mq01.log, an Oracle instance's
# alert_<SID>.log, an IBM MQ queue manager's error logs AMQERR01.LOG to AMQERR03.LOG
_GENERIC_NAME_RE = re.compile(
    r"(?i)^(?:u_(?:ex|in|nc)\d{6,8}|ex\d{6}|errorlog|sqlagent|rabbit@[\w-]+|alert_[a-z][\w$#]*|amqerr\d\d"
    # (Apache httpd's own names on Red Hat: /var/log/httpd/access_log, error_log, ssl_access_log)
    r"|(?:ssl_)?(?:access|error|request)_log"
    # (and IIS's folder of a site's logs, W3SVC1: the site's number, not a service)
    r"|w3svc\d+)$"
)
# the fixed default names products give their own log files wherever they run, naming the
# product, not the deployment: Laravel's laravel.log (its daily channel's
# laravel-2024-03-05.log), PostgreSQL's postgresql-%Y-%m-%d_%H%M%S.log (postgresql-Mon.log,
# Amazon RDS' postgresql.log.2024-03-05-10 exports, Debian's postgresql-16-main.log), MySQL's
# mysqld.log and MariaDB's mariadb.log (Red Hat), MongoDB's mongod.log, Redis' redis.log,
# redis-server.log (Debian), redis_6379.log (its install script); the application server an
# app runs in (gunicorn.log, uwsgi.log, puma.log, php-fpm.log) and a blockchain node's
# daemon (geth.log); the Java Service Wrapper's wrapper.log (Tanuki's default
# wrapper.logfile, which Ignition and other Java services write their log through): see
# file_services
_PRODUCT_FILE_RE = re.compile(
    r"(?i)^(?:laravel|postgresql(?:-\d+(?:\.\d+)?-[a-z0-9_]+)?|mysqld|mariadb|mongod|redis(?:-server|_\d+)?"
    # (the application server an app runs in, its log named after it: media-upload/gunicorn.log,
    # uwsgi.log, puma.log, php-fpm.log; a blockchain node's daemon: eth-node/geth.log)
    r"|gunicorn|uwsgi|uvicorn|hypercorn|puma|unicorn|php-fpm|php\d[.\d]*-fpm|geth"
    # (the Java Service Wrapper's: ignition/wrapper.log is Ignition's)
    r"|wrapper)$"
)
# directories that name no service either (logs/2024-03-01/app.log stays "app")
_GENERIC_DIRS = frozenset({"log", "logs", "var", "tmp", "export", "exports", "data", "archive", "old", "rotated", "dump", "dumps"})
# a path component "key=value" names no service: Airflow's task-log layout
# <base>/dag_id=<dag>/run_id=<run>/task_id=<task>/attempt=<n>.log, Hive-style partitions (dt=2024-03-01)
_KEY_VALUE = re.compile(r"^[A-Za-z_][\w.-]*=")
# (also flattened into one file name: airflow__dag_id=etl__run_id=...__task_id=load__attempt=1.log)
_AIRFLOW_DAG = re.compile(r"(?:^|_)dag_id=(?P<dag>[^/]+?)(?:__[A-Za-z_]+=|$)")
# the daemon scripts of the Hadoop family name a daemon's log
# <product>-<user>-<daemon>[-<instance>]-<host>.log (hadoop-hdfs-namenode-nn1.log,
# hbase-hbase-regionserver-rs2.example.com.log, flink-flink-taskexecutor-0-tm-3.log,
# spark-spark-org.apache.spark.deploy.worker.Worker-1-w1.out, zookeeper-zk-server-zk1.out):
# the service is the product's daemon, not a name ending in the host
_DAEMON_SCRIPT_FILE = re.compile(
    r"(?i)^(?P<product>hadoop|yarn|mapred|hdfs|hbase|flink|spark|zookeeper|kafka|storm|accumulo|livy)"
    r"-[a-z_]\w*-(?:[a-z]+\.)*(?P<daemon>(?:secondary)?namenode|datanode|journalnode|zkfc|resourcemanager|nodemanager"
    r"|historyserver|timelineserver|proxyserver|master|regionserver|thrift2?|rest|standalonesession|taskexecutor"
    r"|taskmanager|jobmanager|sql-gateway|server|worker|externalshuffleservice|hivethriftserver2)"
    r"(?:-\d{1,3})?-\w[\w.-]*$"
)
# the kubelet's file names: /var/log/containers/<pod>_<namespace>_<container>-<container id>.log
_K8S_CONTAINER_FILE = re.compile(
    r"^(?P<pod>[a-z0-9][-a-z0-9.]*)_[a-z0-9][-a-z0-9]*_[a-z0-9][-a-z0-9]*-[0-9a-f]{64}(?:\.log)?"
)
# ... and /var/log/pods/<namespace>_<pod>_<pod uid>/<container>/<restart count>.log
_K8S_POD_DIR = re.compile(
    r"^[a-z0-9][-a-z0-9]*_(?P<pod>[a-z0-9][-a-z0-9.]*)_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)


def workload_name(pod: str) -> str:
    """Python twin of :func:`workload_from_pod` for one name (used on file names)."""
    m = _POD_SUFFIX_RE.search(pod)
    if m is None or m.start() == 0:
        return pod
    return pod[: m.start()]


def workload_from_pod(expr: pl.Expr | str) -> pl.Expr:
    """Reduce Kubernetes pod names to their workload name.

    ``ts-travel-service-64469b5b48-25zj6`` -> ``ts-travel-service`` (Deployment),
    ``kafka-0`` -> ``kafka`` (StatefulSet), ``fluentd-x7k2p`` -> ``fluentd`` (DaemonSet /
    bare ReplicaSet), ``order-reconcile-28551840-k2x7p`` -> ``order-reconcile`` (a CronJob's
    run: every run is a new Job named after its schedule). Names without such a suffix are returned unchanged (``envoy-proxy``:
    pod hashes never contain vowels).

    Parameters
    ----------
    expr
        String expression (or column name) holding pod names.

    Returns
    -------
    pl.Expr
        String expression with the workload names (null stays null).

    Examples
    --------
    >>> import polars as pl
    >>> s = pl.Series("pod", ["ts-travel-service-64469b5b48-25zj6", "kafka-0", "envoy-proxy"])
    >>> s.to_frame().select(workload_from_pod("pod"))["pod"].to_list()
    ['ts-travel-service', 'kafka', 'envoy-proxy']
    """
    col = pl.col(expr) if isinstance(expr, str) else expr
    # at least one character must remain before the suffix
    return col.str.replace(rf"^(.+?){POD_SUFFIX}", "$1")


def pod_workload(pod: pl.Expr, container: pl.Expr | None) -> pl.Expr:
    """The workload of a pod name (:func:`workload_from_pod`); a pod name whose suffix is no
    Kubernetes hash but which starts with the record's container name and a dash
    (``orders-6d5f7c8b9-abcde`` in container ``orders``) gives the container name."""
    workload = workload_from_pod(pod)
    if container is None:
        return workload
    named = (workload == pod) & pod.str.starts_with(pl.concat_str(container, pl.lit("-"))).fill_null(False)
    return pl.when(named).then(container).otherwise(workload)


def service_from_log_group(expr: pl.Expr | str) -> pl.Expr:
    """The service a CloudWatch log group names: its last path segment.

    ``123456789012:/aws/lambda/payment-fn`` (Logs Insights' ``@log``) -> ``payment-fn``,
    ``/ecs/checkout`` -> ``checkout``. Used only when the record names no service, pod or
    container: a shared group (``/aws/containerinsights/<cluster>/application``) says less.

    Examples
    --------
    >>> import polars as pl
    >>> s = pl.Series("g", ["123456789012:/aws/lambda/payment-fn", "/ecs/checkout/", None])
    >>> s.to_frame().select(service_from_log_group("g"))["g"].to_list()
    ['payment-fn', 'checkout', None]
    """
    col = pl.col(expr) if isinstance(expr, str) else expr
    return col.str.replace(r"^\d{12}:", "").str.strip_chars_end("/").str.extract(r"([^/]+)$", 1)


def one_group_service(own: pl.Expr, group: pl.Expr) -> pl.Expr:
    """Per ``group`` (a CloudWatch log group), the one service its records' ``own`` names
    name, for the records that name none (AWS Lambda's START/REPORT lines and timeouts beside
    Powertools' ``"service": "checkin"``); null where they name none or several."""
    named = own.drop_nulls()
    return pl.when(named.n_unique().over(group) == 1).then(named.first().over(group))


def service_from_path(path: str) -> str | None:
    """Derive a service name from a file name.

    ``payment.log`` -> ``payment``, ``frontend.access.log`` -> ``frontend``,
    ``checkout-2024-01-02.jsonl.gz`` -> ``checkout``, ``ts-order-service-5d9c7b7f6-x2x9z.log``
    -> ``ts-order-service``. The kubelet's layouts name the pod's workload:
    ``/var/log/containers/<pod>_<namespace>_<container>-<id>.log`` and
    ``/var/log/pods/<namespace>_<pod>_<uid>/<container>/0.log``; a file named by a number
    only (a restart count) is named by its directory. Returns None when nothing sensible is
    left.
    """
    p = PurePath(path)
    name = p.name
    kubelet = _K8S_CONTAINER_FILE.match(name)
    if kubelet is not None:
        return workload_name(kubelet["pod"])
    if _KEY_VALUE.match(name):
        # Airflow's attempt=1.log is named by its DAG (the DAG is the job a change or an
        # alert names; its tasks are steps of it), a partition file by its first folder
        # that is no key=value
        for part in (p.name, *(parent.name for parent in list(p.parents)[:4])):
            dag = _AIRFLOW_DAG.search(part)
            if dag is not None:
                return dag["dag"]
        return _directory_service(p)
    prev = None
    while prev != name:
        prev = name
        name = _FILE_SUFFIXES.sub("", name)
        name = _FILE_DATE.sub("", name)
        name = _FILE_WEEKDAY.sub("", name)
    daemon = _DAEMON_SCRIPT_FILE.match(name)
    if daemon is not None:
        return f"{daemon['product']}-{daemon['daemon']}".lower()
    # anything after the first dot is a role, not the service (frontend.access, app.worker)
    name = name.split(".", 1)[0].strip(" -_")
    if name.isdigit():
        # a number is never a service: a kubelet restart count (pods/<ns>_<pod>_<uid>/<container>/0.log)
        # names the pod's workload, else the directory names it (orders/0.log)
        pod_dir = _K8S_POD_DIR.match(p.parent.parent.name)
        if pod_dir is not None:
            return workload_name(pod_dir["pod"])
        name = _directory_service(p) or name
    if not name:
        # a name that was only a date (NLog's ${shortdate}.log: label-service/2025-04-06.log)
        # is named by its directory
        return _directory_service(p)
    return workload_name(name)


def file_services(paths: Sequence[str]) -> dict[str, str | None]:
    """:func:`service_from_path` for every file read together, with two more rules for a
    file in a folder below the folder that holds all the files:

    - a file whose name names no service (``app.log``, ``access.log``, ``stdout.log``) is
      named by that folder (``incident/payment/app.log`` -> ``payment``,
      ``incident/nginx/access.log`` -> ``nginx``), not all ``app``;
    - a file whose folder's name is its own name spelled differently or made more specific
      is named by the folder (``incident/fraud-scoring/fraud_scoring.log`` ->
      ``fraud-scoring``, ``incident/redis-session/redis.log`` -> ``redis-session``), unless
      the folder holds files of other names too (``incident/shop/checkout.log`` and
      ``incident/shop/payment.log`` keep theirs).

    Files in the common folder itself keep their names (``~/Downloads/app.log`` is ``app``)."""
    names = {path: service_from_path(path) for path in paths}
    generic = [path for path, name in names.items() if name is not None and _generic_name(name)]
    if len(paths) < 2:  # one file: its own folder is the common folder
        return names
    # absolute paths: a relative folder read with a zip beside gives relative paths and the
    # absolute ones of the zip's unpack folder, which have no common folder as written
    full = {path: Path(path).absolute() for path in paths}  # not resolve(): links name folders
    try:
        root = PurePath(os.path.commonpath([str(f.parent) for f in full.values()]))
    except ValueError:  # different drives
        return names
    for path in generic:
        names[path] = _directory_service(full[path], below=root) or names[path]
    # A deployment's folder often names the service more exactly than the program's own log
    # file: Redis writes redis.log wherever it runs, so the session store's folder
    # redis-session/ is the name the change list and the clients (redis-session.bank.internal)
    # use; named "redis", its errors matched no change and the report invented a log-less
    # redis-session instead.
    named: dict[PurePath, list[str]] = {}
    skip = set(generic)
    for path, name in names.items():
        folder = full[path].parent
        if name is not None and path not in skip and root in folder.parents:
            named.setdefault(folder, []).append(path)
    for parent, files in named.items():
        own = {names[path] or "" for path in files}
        service = _folder_service(parent, own)
        if service is None and len(own) == 1 and _PRODUCT_FILE_RE.match(next(iter(own))):
            # a product's own default file name (laravel-2024-03-05.log, postgresql.log) in a
            # folder of its own: the deployment's folder names it (fiat-onramp/, ledger-db/),
            # not a host's (ip-10-0-1-5/, db01/)
            service = _product_folder_service(full[files[0]], root)
        if service is not None:
            names.update(dict.fromkeys(files, service))
    names.update(_nodes_of_one_role(names, full, root))
    return names


def _words(name: str) -> list[str]:
    """A name's words, lower case: ``fraud_scoring`` and ``Fraud-Scoring`` are ``fraud scoring``."""
    return [w for w in re.split(r"[^0-9a-z]+", name.lower()) if w]


def _folder_service(folder: PurePath, names: set[str]) -> str | None:
    """The folder's name when it names the one service its files name, spelled differently,
    more specifically or longer: its words start or end with all of the file name's words
    (``redis-session`` for ``redis``, ``checkout-service`` for ``checkout``,
    ``selfcare-portal`` for ``portal``), or, written as one word, one name starts with the
    other, the shorter of at least 5 characters (``postgres`` for ``postgresql``); else None.
    A folder sharing no word with the file names another thing (a host: ``kannel/bearerbox.log``)."""
    stem = _naming_stem(folder.name)
    if stem is None:
        return None
    service = workload_name(stem)
    words = _words(service)
    if len(names) != 1:
        return None
    own = _words(next(iter(names)))
    if own and (words[: len(own)] == own or words[-len(own) :] == own or _one_word_prefix(words, own)):
        return service
    return None


def _one_word_prefix(words: list[str], own: list[str]) -> bool:
    """Whether one name, its words run together, starts with the other, is longer and ends
    inside a word of it, the shorter of at least 5 characters (``postgres`` and
    ``postgresql``; not ``clickhouse`` and ``clickhouse-server``: a file name more specific
    by a word keeps its own; nor ``head-end`` and ``headend``, the same name)."""
    (short, _), (long, long_words) = sorted((("".join(words), words), ("".join(own), own)), key=lambda x: len(x[0]))
    ends = {sum(len(w) for w in long_words[: i + 1]) for i in range(len(long_words) - 1)}
    # (the same letters spelled apart, head-end of headend.log, say nothing more: the file's
    # name is the one other sources use, Kubernetes' headend-7f9c4 pods, the change list's HeadEnd)
    return len(short) >= 5 and len(short) < len(long) and long.startswith(short) and len(short) not in ends


def _generic_name(name: str) -> bool:
    """Whether a file's name names no service (``app``, ``access``, ``u_ex240303``)."""
    return name.lower() in _GENERIC_NAMES or _GENERIC_NAME_RE.match(name) is not None


def _naming_stem(name: str) -> str | None:
    """A folder's name without a date, when it can name a service: not a number, a generic
    folder (``logs``), a generic file name's (``W3SVC1``) nor a ``key=value`` partition."""
    stem = _FILE_DATE.sub("", name).strip(" -_.")
    if not stem or stem.isdigit() or stem.lower() in _GENERIC_DIRS or _generic_name(stem) or _KEY_VALUE.match(stem):
        return None
    return stem


def _directory_service(path: PurePath, below: PurePath | None = None) -> str | None:
    """The nearest of a file's (up to three) directories whose name names a service (only
    directories below ``below``, when given)."""
    for parent in list(path.parents)[:3]:
        if below is not None and (parent == below or below not in parent.parents):
            break
        if (stem := _naming_stem(parent.name)) is not None:
            return _node_folder_service(parent, below) or workload_name(stem)
    return None


def _product_folder_service(path: PurePath, root: PurePath) -> str | None:
    """The deployment a product's default log file (``fiat-onramp/laravel-2024-03-05.log``)
    belongs to: its nearest folder below ``root`` that names a service (``logs`` and date
    folders skipped), unless that folder is a host's or a node's, whose name holds a number
    (``ip-10-0-1-5``, ``db01``, ``pg-3.example.com``: it is a node of the service in the folder
    above it when its role is a word of that one's, ``ledger-db/db01/``); else None."""
    for parent in list(path.parents)[:3]:
        if parent == root or root not in parent.parents:
            return None
        if (stem := _naming_stem(parent.name)) is None:
            continue
        if any(c.isdigit() for c in stem):
            return _node_folder_service(parent, root)
        return workload_name(stem)
    return None


#: a node's folder: a role and its number (calc01, web-2, node_3)
_NODE_FOLDER = re.compile(r"(?i)^([a-z][a-z-_]*?)[-_]?\d{1,3}$")


def _node_folder_service(folder: PurePath, below: PurePath | None) -> str | None:
    """The service a node's folder is one node of: its parent's name when the node's role is a
    word of it (``tax-calc/calc01/`` is ``tax-calc``'s first node, ``payments/payments-2/``
    ``payments``'), else None."""
    if (m := _NODE_FOLDER.match(folder.name)) is None:
        return None
    parent = folder.parent
    if below is not None and (parent == below or below not in parent.parents):
        return None
    stem = _FILE_DATE.sub("", parent.name).strip(" -_.")
    if not stem or stem.lower() in _GENERIC_DIRS or _generic_name(stem) or _KEY_VALUE.match(stem):
        return None
    role, words = _words(m.group(1)), _words(stem)
    # (or its words run together: hr-db/hrdb01/, ess-web/ESSWEB01/)
    if role and (words[-len(role) :] == role or words[: len(role)] == role or "".join(role) == "".join(words)):
        return workload_name(stem)
    return None


def _nodes_of_one_role(names: dict[str, str | None], full: dict[str, Path], root: PurePath) -> dict[str, str]:
    """Files named by a node's folder (``payroll-engine/calc01/server.log`` named ``calc01``)
    whose parent folder, below ``root``, holds two nodes or more of the same role
    (``calc01``, ``calc02``): named by that parent, the service those nodes run, whatever
    its words (a single node whose role is no word of its folder keeps its own name: the
    folder may group several services)."""
    nodes: dict[tuple[PurePath, tuple[str, ...]], dict[str, str]] = {}
    for path, name in names.items():
        folder = next(
            (f for f in full[path].parents if not _generic_name(f.name) and f.name.lower() not in _GENERIC_DIRS), None
        )
        # (the node's folder names the file, as itself or as a pod's name without its
        # ordinal: cassandra/cass-msg-1/system.log is "cass-msg")
        if name is None or folder is None or name not in (folder.name, workload_name(folder.name)):
            continue
        if (m := _NODE_FOLDER.match(folder.name)) is None:
            continue
        parent = folder.parent
        if parent == root or root not in parent.parents:
            continue
        nodes.setdefault((parent, tuple(_words(m.group(1)))), {})[path] = folder.name
    out: dict[str, str] = {}
    for (group, _role), paths in nodes.items():
        # (two nodes at least)
        if len(set(paths.values())) >= 2 and (stem := _naming_stem(group.name)) is not None:
            out.update(dict.fromkeys(paths, workload_name(stem)))
    return out
