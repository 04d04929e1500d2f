"""Change events: deployments, config changes, feature flags, infrastructure work.

Stage: input of correlation. Out: a frame with schema :data:`rcakit.schemas.CHANGES`
(``time, service, version, id, kind, description``), sorted by time.

Accepted files
--------------
* **CSV** with a header row (``.csv``, ``.tsv``; the delimiter is sniffed, the quoting is the standard double quote).
* **JSON**: an array of objects, or an object holding such an array under ``changes``,
  ``deployments``, ``deploys``, ``events``, ``items`` or ``data``.
* **NDJSON** (``.ndjson``, ``.jsonl``): one object per line.
* **Kubernetes events** (``kubectl get events -o json``): the deployment rollouts in them
  (``ScalingReplicaSet`` of a new replica set while the old one is scaled down), see
  ``_from_kubernetes_events``.
* **GitHub Deployments API** JSON (``GET /repos/{owner}/{repo}/deployments``): recognised by
  ``created_at`` + ``sha``/``ref`` + ``environment``; the service is ``payload.service``,
  else the repository name, the version is ``ref`` (or the short ``sha``).
* **GitLab Deployments API** JSON (``GET /projects/:id/deployments``): recognised by an
  ``environment`` object with a ``name`` and a ``deployable`` (or ``iid``); the service is
  the environment's name less its tier folder (``production/grading-api`` -> ``grading-api``),
  the id is GitLab's deployment id, the description the deployed commit's title.
* **LaunchDarkly audit log** JSON (``GET /api/v2/auditlog``, its ``items``): recognised by
  ``accesses`` + ``date``; a ``feature_flag`` change with no service (a flag switches code in
  whichever application reads its key), described as ``Turned on flag `key` (name) in env: comment``.
* **Unleash events** (``GET /api/admin/events``: ``{"version": 1, "events": [...]}`` or a bare
  list): recognised by ``createdAt`` + ``createdBy`` + ``type`` + ``featureName``/``preData``;
  a ``feature-*`` event is a ``feature_flag`` change with no service, as LaunchDarkly's, described
  as ``feature flag `key` feature-environment-enabled in production by alice``.
* **Terraform Cloud / Enterprise runs** (``GET /api/v2/workspaces/:id/runs``, JSON:API): each
  applied run an ``infra`` change of its workspace, dated when its apply finished; plans never
  applied are skipped.
* **AWX / Ansible Tower jobs** (an export of its jobs list): a ``Playbook Run`` is a ``config``
  change unless its description's words say another kind.
* **Helm release history** (``helm history <release> -o json``): each revision a ``deploy``
  (``rollback`` when Helm says so) of the chart's name, dated ``updated``, id ``<chart>#<revision>``.
* **Argo CD applications** (``kubectl get applications -o json``): each ``status.history``
  entry a ``deploy`` of the application, dated ``deployedAt``, id ``<application>#<id>``.
* **Flux HelmRelease events** (inside Kubernetes events): each install, upgrade or rollback.
* **Jenkins builds** (``/api/json?tree=jobs[name,builds[...]]`` or one job's ``api/json``):
  each build a ``deploy`` of its job's name less its deploy words, dated when it finished.

Column names are matched case-insensitively with common aliases (see :data:`ALIASES`), written
in snake case, with spaces or in camel case (``createdAt`` is ``created_at``); only
``time`` is required. A deploy history's ``History ID`` (Argo CD) counts per application: ids
repeated across applications become ``<service>#<id>``. An image reference as the version
gives its tag. ``id`` is generated from the content when missing (stable across runs),
``kind`` defaults to ``deploy`` and is normalised (``deployment`` -> ``deploy``, ``flag`` ->
``feature_flag``, ...). Unknown services are allowed.

Time zones follow the log rules: a time with an offset (``Z``, ``+02:00``) is converted to
UTC; a naive time is read in ``tz``; numbers are Unix epoch seconds (or milliseconds,
microseconds, nanoseconds, judged by magnitude).

Change files are small (a row per deploy), so they are parsed row by row in Python: that
gives exact ``file:line`` error messages at no measurable cost.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from os import PathLike
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from rcakit.errors import ConfigError, InputError, RcakitWarning
from rcakit.schemas import CHANGES

__all__ = ["ALIASES", "CHANGE_FILE_NAMES", "KIND_ALIASES", "find_change_files", "read_changes", "split_inputs"]

#: Canonical column -> accepted names (compared lower-cased, with ``-``/space as ``_``).
ALIASES: dict[str, tuple[str, ...]] = {
    "time": (
        "time", "timestamp", "ts", "@timestamp", "datetime", "date", "when", "at",
        "deployed_at", "deploy_time", "deployment_time", "created_at", "started_at",
        "start_time", "start", "changed_at", "change_time", "time_utc", "event_time",
        # an ITSM export's change request (ServiceNow: "Actual start", "Planned start date")
        "actual_start", "actual_start_date", "work_start", "planned_start", "planned_start_date", "start_date",
        # (Jira's change issues: a "Change start date" field, else when the issue was created)
        "change_start_date", "change_start", "created",
    ),
    "service": (
        "service", "service_name", "svc", "app", "application", "app_name", "component",
        "workload", "deployment", "project", "repo", "repository", "target", "system",
        "configuration_item", "cmdb_ci", "ci_name", "affected_ci",
        # (Jira Service Management's change issues: "Affected services", "Component/s")
        "affected_services", "affected_service", "impacted_service", "impacted_services", "business_service",
        "components", "component/s",
        # (Octopus Deploy's deployments export: "ProjectName", "ProjectSlug")
        "project_name", "project_slug",
    ),
    "version": (
        "version", "ver", "release", "tag", "image_tag", "image", "sha", "commit",
        "revision", "rev", "ref", "build", "to_version", "new_version",
        # (Octopus Deploy's "ReleaseVersion")
        "release_version",
    ),
    "id": (
        "id", "change_id", "deploy_id", "deployment_id", "event_id", "change", "key",
        "ticket", "change_number", "number", "uid", "issue_key", "change_request",
        # a deploy history's entry number (Argo CD's "History ID"): counted per application,
        # see _SCOPED_IDS
        "history_id",
    ),
    "kind": ("kind", "type", "change_type", "category", "event_type", "task", "action"),
    "description": (
        "description", "desc", "summary", "message", "title", "comment", "comments",
        "notes", "note", "details", "text", "reason", "short_description",
        # (an audit log's entry: Flagsmith's "log")
        "log",
    ),
}

#: Raw kind (lower-cased, ``-``/space as ``_``) -> canonical kind.
KIND_ALIASES: dict[str, str] = {
    "deploy": "deploy", "deployment": "deploy", "release": "deploy", "rollout": "deploy",
    "deploy:migrations": "deploy", "upgrade": "deploy", "rollback": "rollback",
    "config": "config", "configuration": "config", "config_change": "config", "cfg": "config",
    "feature_flag": "feature_flag", "flag": "feature_flag", "featureflag": "feature_flag",
    "feature_toggle": "feature_flag", "toggle": "feature_flag", "ff": "feature_flag",
    "infra": "infra", "infrastructure": "infra", "scaling": "infra", "scale": "infra",
    "migration": "migration", "db_migration": "migration", "schema_migration": "migration",
    "maintenance": "maintenance", "cron": "cron", "job": "cron", "batch": "cron",
}

#: File names that the CLI treats as the change file of an input directory.
CHANGE_FILE_NAMES = tuple(
    f"{stem}.{ext}"
    for stem in (
        "deploys", "changes", "deployments", "deploy", "change", "deployment", "releases", "rollouts",
        "change_events", "change-events", "deploy_events", "deploy-events", "deployment_events",
    )
    for ext in ("csv", "json", "ndjson", "jsonl")
)

_ARRAY_KEYS = ("changes", "deployments", "deploys", "events", "items", "data", "records")
_LOOKUP = {alias: canon for canon, names in ALIASES.items() for alias in names}
_NAIVE_FORMATS = (
    "%Y-%m-%d %H:%M:%S,%f",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d/%b/%Y:%H:%M:%S %z",
    "%d/%b/%Y:%H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%a, %d %b %Y %H:%M:%S %z",
    "%a %b %d %H:%M:%S %Y",
    "%b %d %Y %H:%M:%S",
    # Jira's CSV export: 21/Nov/26 9:12 AM
    "%d/%b/%y %I:%M %p",
    "%d/%b/%Y %I:%M %p",
    "%d/%b/%y %H:%M",
)
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")


def _norm_key(key: str) -> str:
    return re.sub(r"[\s\-.]+", "_", key.strip().lower())


_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_JIRA_CUSTOM = re.compile(r"(?i)^custom field \((.+)\)$")


def _key_forms(key: str) -> tuple[str, ...]:
    """A column name as :data:`ALIASES` may hold it: normalised as written (``Deployed At``
    is ``deployed_at``), then with its camel-case words apart (``createdAt`` is ``created_at``,
    ``historyId`` ``history_id``). The first form is tried first: a name that matched before
    matches the same alias. A ServiceNow custom field's ``u_`` prefix is dropped last
    (``u_version`` is ``version``)."""
    # (Jira's CSV export names a custom field "Custom field (Change start date)")
    key = _JIRA_CUSTOM.sub(r"\1", key.strip())
    plain = _norm_key(key)
    split = _norm_key(_CAMEL.sub("_", key.strip()))
    forms = (plain,) if split == plain else (plain, split)
    # (a ServiceNow custom field, "u_version", "u_application", is the field it is named for)
    return forms + tuple(f[2:] for f in forms if f.startswith("u_") and len(f) > 2)


def _alias(key: str) -> tuple[str, str] | None:
    """``(canonical column, alias matched)`` of a column name, or ``None``."""
    for form in _key_forms(key):
        if (canon := _LOOKUP.get(form)) is not None:
            return canon, form
    return None


def _zone(tz: str) -> Any:
    if tz.upper() in {"UTC", "Z"}:
        return UTC
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        msg = f"unknown time zone {tz!r}: use an IANA name such as 'UTC' or 'Europe/Berlin'"
        raise ConfigError(msg) from exc


def parse_change_time(value: Any, *, zone: Any) -> datetime | None:
    """Parse one time value to an aware UTC datetime, or return None if it is unreadable.

    Parameters
    ----------
    value
        A string (ISO 8601 and a few common log formats), a number (Unix epoch) or None.
    zone
        The ``tzinfo`` that naive times are read in.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and _NUMBER.match(value.strip())):
        num = float(value)
        for scale in (1.0, 1e3, 1e6, 1e9):
            if abs(num / scale) < 1e11:
                return datetime.fromtimestamp(num / scale, tz=UTC)
        return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        for fmt in _NAIVE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    text = str(value).strip()
    return text or None


def _as_name(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    return None if isinstance(value, dict | list) else _as_text(value)


#: an ITSM change's category (ServiceNow's "Category") -> what the change does
_CATEGORY_KINDS = {
    "software": "deploy", "application": "deploy", "applications": "deploy", "release": "deploy",
    "hardware": "infra", "network": "infra", "infrastructure": "infra", "storage": "infra", "dns": "infra",
    "telecom": "infra", "cloud": "infra", "database": "config", "security": "config", "configuration": "config",
}


def _said_kind(description: str | None) -> str | None:
    """What a change's description says it does (:data:`_KIND_WORDS`, the first that fits)."""
    return next((kind for kind, words in _KIND_WORDS if description and words.search(description)), None)


def _normalise_kind(
    raw: str | None, description: str | None = None, *, versioned: bool = True, category: str | None = None
) -> str:
    if raw is None:
        # (a change with neither kind nor version is what its description says it does: an
        # audit log's "Flag state ... updated for feature: x"; a versioned one is a deploy)
        if not versioned and description:
            return _said_kind(description) or "deploy"
        return "deploy"
    key = _norm_key(raw)
    if key in _AUTOMATION_TYPES:
        # an automation job (AWX / Ansible Tower's "Playbook Run") is configuration
        # management unless its description says it does something else
        key = "config"
        if description:
            key = _said_kind(description) or key
    elif key in _PROCESS_TYPES:
        # an ITSM change's type is its approval process (ServiceNow's Standard / Normal /
        # Emergency), not what it does: its description says that, else its category (which
        # also says more than an "upgrade" or "update": a SAN's firmware upgrade in
        # "Hardware" is infrastructure, not a deploy)
        said = _said_kind(description)
        by_category = _CATEGORY_KINDS.get(_norm_key(category)) if category else None
        # (a software change saying nothing of what it does stays as written: "Quarterly
        # access review" filed under Software is no deploy)
        if by_category is not None and (said == "deploy" or (said is None and by_category != "deploy")):
            return by_category
        if said is not None:
            return said
    return KIND_ALIASES.get(key, key)


#: the approval types of an ITSM change request (ServiceNow, Jira Service Management, BMC)
_PROCESS_TYPES = frozenset(
    {"standard", "normal", "emergency", "expedited", "urgent", "preapproved", "pre_approved", "minor", "major",
     "significant", "routine", "comprehensive", "latent", "retrospective"}
)
#: the job types of a configuration-management tool's export (AWX / Ansible Tower's jobs list)
_AUTOMATION_TYPES = frozenset({"playbook_run", "playbook", "workflow_job", "ansible", "ansible_job", "job_template"})
#: what a change does, in its description's words (the first that matches)
_KIND_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("rollback", re.compile(r"(?i)\broll(?:ed|ing)?[ -]?back\b|\brevert")),
    ("feature_flag", re.compile(
        r"(?i)\bfeature[ -]?(?:flag|toggle)|\b(?:enable|disable)[sd]? (?:the )?(?:flag|toggle)\b"
        r"|\b(?:new|create[ds]?|delete[ds]?|toggle[ds]?) flag\b"
        r"|\bflag (?:state|value|rule|targeting|created|deleted|toggled|enabled|disabled|updated)s?\b|\bfor feature\b"
    )),
    ("maintenance", re.compile(r"(?i)\bmaintenance\b|\bplanned (?:restart|reboot|outage|downtime)|\bpatch(?:ing|es)?\b|\breboot\b|\bcumulative update\b|\bKB\d{6,}")),
    ("migration", re.compile(r"(?i)\bmigrat(?:e|ion)|\bschema\b|\b(?:rebuild|reorgani[sz]e|create|drop)s? (?:an? |the )?index")),
    ("deploy", re.compile(r"(?i)\b(?:deploy(?:ment)?|release|upgrade|rollout|roll out|hotfix)\b|\bupdate .* to v?\d+\.\d+")),
    ("config", re.compile(r"(?i)\bconfig(?:uration)?\b|\bsettings?\b|\bparameter\b|\btimeout\b|\bpool\b|\blimit\b|\bthreshold\b|\bmax\w*\b|\brules?\b|\bcode map\b|\bschedule\b|\bTTL\b|\btime[ -]to[ -]live\b")),
    ("infra", re.compile(r"(?i)\bscal(?:e|ing)\b|\bresize\b|\bfailover\b|\bfirewall\b|\bcertificate\b|\bcert\b|\bDNS\b|\bnetwork\b|\bstorage\b|\bdisk\b")),
)


def _looks_like_github(obj: Mapping[str, Any]) -> bool:
    keys = set(obj)
    return "created_at" in keys and ("sha" in keys or "ref" in keys) and (
        "environment" in keys or "task" in keys or "statuses_url" in keys
    )


def _looks_like_gitlab(obj: Mapping[str, Any]) -> bool:
    env = obj.get("environment")
    return "created_at" in obj and isinstance(env, dict) and "name" in env and ("deployable" in obj or "iid" in obj)


#: environment names that say a tier, not a service (GitLab's ``production`` of one
#: application's project, or the folder of ``production/grading-api``)
_TIERS = frozenset(
    {"production", "prod", "prd", "live", "staging", "stage", "stg", "preprod", "pre-prod", "uat", "qa", "test",
     "testing", "dev", "development", "review", "sandbox", "canary", "other"}
)


def _looks_like_launchdarkly(obj: Mapping[str, Any]) -> bool:
    return "accesses" in obj and "date" in obj and ("_id" in obj or "titleVerb" in obj)


_LD_RESOURCE = re.compile(r"(?:^|:)(?P<what>flag|segment)/(?P<key>[^:]+)")
_LD_ENV = re.compile(r"(?:^|:)env/(?P<env>[^:]+)")


def _from_launchdarkly(obj: Mapping[str, Any]) -> dict[str, Any]:
    """One entry of LaunchDarkly's audit log (``GET /api/v2/auditlog``): a flag turned on or
    off, its targeting or rollout changed. The flag's key is quoted in the description, as a
    flag's key is what the application logs (``Turned on flag `checkout-split-pay` (Checkout:
    split pay) in production: <comment>``); the project is no service (a flag switches code in
    whichever application reads it)."""
    resources = [str(a.get("resource") or "") for a in obj.get("accesses") or () if isinstance(a, dict)]
    target = _mapping(obj.get("target"))
    resources += [str(r) for r in target.get("resources") or ()]
    key = env = None
    for res in resources:
        if key is None and (m := _LD_RESOURCE.search(res)):
            key = m.group("key")
        if env is None and (m := _LD_ENV.search(res)):
            env = m.group("env")
    raw_kind = str(obj.get("kind") or "")
    verb = str(obj.get("titleVerb") or obj.get("description") or "changed").strip().lstrip("- ").strip()
    verb = re.sub(r"(?i)\s+the flag$", "", verb)
    what = f"{verb[:1].upper()}{verb[1:]} {raw_kind or 'flag'}"
    if key:
        what += f" `{key}`"
    if obj.get("name") and obj.get("name") != key:
        what += f" ({obj['name']})"
    if env:
        what += f" in {env}"
    if obj.get("comment"):
        what += f": {obj['comment']}"
    return {
        "time": obj.get("date"),
        "service": None,
        "version": None,
        "id": obj.get("_id"),
        "kind": "feature_flag" if raw_kind in ("flag", "segment", "") else raw_kind,
        "description": what,
    }


def _looks_like_unleash(obj: Mapping[str, Any]) -> bool:
    """An event of Unleash's event log (``GET /api/admin/events``, its ``events``)."""
    return (
        "createdAt" in obj and "createdBy" in obj and isinstance(obj.get("type"), str)
        and ("featureName" in obj or "preData" in obj)
    )


#: Unleash events that change nothing (a user's favourites), not read as changes
_UNLEASH_NO_CHANGE = frozenset({"feature-favorited", "feature-unfavorited", "project-favorited", "project-unfavorited"})


def _from_unleash(obj: Mapping[str, Any]) -> dict[str, Any]:
    """One event of Unleash's event log (``GET /api/admin/events``): a flag enabled or disabled
    in an environment, its strategy (rollout) added or changed, the flag created, updated or
    archived. As for LaunchDarkly's audit log (:func:`_from_launchdarkly`), a flag's event is a
    ``feature_flag`` change with no service (the project is no service: a flag switches code in
    whichever application reads it) whose description quotes the flag's key, as the application
    logs it: ``feature flag `substitution-v2` feature-environment-enabled in production by
    alice``; a strategy event adds the strategy and its rollout (``: flexibleRollout rollout
    25% (was 10%)``). A segment's event is a flag change too (LaunchDarkly's are); another
    resource's (``project-created``, ``api-token-deleted``) has that resource as its kind."""
    etype = str(obj.get("type") or "").strip()
    key = _as_name(obj.get("featureName"))
    data, before = _mapping(obj.get("data")), _mapping(obj.get("preData"))
    resource = etype.rsplit("-", 1)[0] if "-" in etype else etype
    kind = "feature_flag" if key or resource.startswith(("feature", "segment")) else resource
    name = _as_name(data.get("name")) or _as_name(before.get("name"))
    if key:
        what = f"feature flag `{key}` {etype}"
    else:
        what = f"{resource} `{name}` {etype}" if name else etype
    if obj.get("environment"):
        what += f" in {obj['environment']}"
    if obj.get("createdBy"):
        what += f" by {obj['createdBy']}"
    if "strategy" in etype and (strategy := data.get("name") or before.get("name")):
        rollout = _mapping(data.get("parameters")).get("rollout")
        was = _mapping(before.get("parameters")).get("rollout")
        what += f": {strategy}"
        if rollout not in (None, ""):
            what += f" rollout {rollout}%"
            if was not in (None, "") and str(was) != str(rollout):
                what += f" (was {was}%)"
    return {
        "time": obj.get("createdAt"),
        "service": None,
        "version": None,
        "id": str(obj["id"]) if obj.get("id") is not None else None,
        "kind": kind,
        "description": what,
    }


def _looks_like_terraform_run(obj: Mapping[str, Any]) -> bool:
    return obj.get("type") == "runs" and isinstance(obj.get("status-timestamps"), dict)


def _terraform_applied(obj: Mapping[str, Any]) -> bool:
    """Whether a Terraform Cloud run changed anything: its apply began (a plan that was
    discarded, errored or had no changes changed nothing)."""
    stamps = _mapping(obj.get("status-timestamps"))
    return bool(stamps.get("applied-at") or stamps.get("applying-at"))


def _from_terraform_run(obj: Mapping[str, Any]) -> dict[str, Any]:
    """One run of Terraform Cloud / Enterprise (``GET /api/v2/workspaces/:id/runs``, JSON:API,
    flattened by :func:`_records_json`): dated when its apply finished (or began), of its
    workspace, described by its message."""
    stamps = _mapping(obj.get("status-timestamps"))
    status = str(obj.get("status") or "")
    desc = str(obj.get("message") or "").strip() or "Terraform run"
    if status and status != "applied":
        desc += f" (status {status})"
    if obj.get("is-destroy"):
        desc += " (destroy)"
    return {
        "time": stamps.get("applied-at") or stamps.get("applying-at") or obj.get("created-at"),
        "service": obj.get("workspace"),
        "version": None,
        "id": obj.get("id"),
        "kind": "infra",
        "description": desc,
    }


def _looks_like_helm_release(obj: Mapping[str, Any]) -> bool:
    return {"revision", "updated", "chart"} <= set(obj)


#: a chart's version at the end of its "chart" field, "booking-api-2.13.4" (SemVer, as Helm
#: requires)
_CHART_VERSION = re.compile(r"-v?\d+\.\d+\.\d+(?:[-+][\w.\-+]*)?$")


def _from_helm_release(obj: Mapping[str, Any]) -> dict[str, Any]:
    """One revision of ``helm history <release> -o json``: dated when it was last updated
    (its install, upgrade or rollback), of the chart's name (the release's name is not in
    the file), the app's version (else the chart's), a rollback when Helm says so."""
    chart = str(obj.get("chart") or "")
    name = _CHART_VERSION.sub("", chart) or None
    app = str(obj.get("app_version") or "").strip()
    desc = str(obj.get("description") or "").strip()
    status = str(obj.get("status") or "")
    if status in {"failed", "pending-install", "pending-upgrade", "pending-rollback"}:
        desc = f"{desc} (status {status})".strip()
    return {
        "time": obj.get("updated"),
        "service": name,
        "version": app or (chart[len(name) + 1 :] if name and chart != name else None),
        "id": f"{name}#{obj.get('revision')}" if name else str(obj.get("revision")),
        "kind": "rollback" if desc.lower().startswith("rollback") else "deploy",
        "description": f"Helm {chart}: {desc}" if desc else f"Helm {chart}",
    }


#: a Jenkins job name's words that say what it does, not what it deploys
_JOB_WORDS = re.compile(r"(?i)^(?:deploy|release|rollout|cd)[-_]|[-_](?:deploy|release|rollout|cd|pipeline|job)$")


def _looks_like_awx_job(obj: Mapping[str, Any]) -> bool:
    return obj.get("type") in {"job", "workflow_job"} and isinstance(obj.get("summary_fields"), dict) and (
        "playbook" in obj or "job_template" in obj or "workflow_job_template" in obj
    )


def _from_awx_job(obj: Mapping[str, Any]) -> dict[str, Any]:
    """One job of AWX / Ansible Tower's API (``/api/v2/jobs/``): a run of its job template,
    dated when it started (else created), of the one host its ``limit`` names (its short
    name: ``portal-app01.tax.local`` is ``portal-app01``; several hosts, or none, name no
    service), a ``config`` change unless its name says another kind; its extra variables
    (the settings it applied) in the description."""
    summary = _mapping(obj.get("summary_fields"))
    name = str(obj.get("name") or _mapping(summary.get("job_template")).get("name") or "")
    hosts = [h.strip() for h in re.split(r"[,:;\s]+", str(obj.get("limit") or "")) if h.strip()]
    service = hosts[0].split(".", 1)[0] if len(hosts) == 1 and not re.search(r"[*!&\[]", hosts[0]) else None
    desc = f"AWX job {name}"
    if (said := str(obj.get("description") or "").strip()) and said != name:
        desc += f" ({said})"
    if obj.get("playbook"):
        desc += f" ({obj['playbook']})"
    if hosts:
        desc += f" on {', '.join(hosts)}"
    extra = obj.get("extra_vars")
    try:
        settings = json.loads(extra) if isinstance(extra, str) and extra.strip() else extra
    except ValueError:
        settings = None
    if isinstance(settings, dict) and settings:
        desc += ": " + ", ".join(f"{k}={v}" for k, v in settings.items() if not isinstance(v, dict | list))
    status = str(obj.get("status") or "")
    if status and status != "successful":
        desc += f" (status {status})"
    return {
        "time": obj.get("started") or obj.get("created"),
        "service": service,
        "version": None,
        "id": _as_text(obj.get("id")),
        "kind": _normalise_kind("playbook_run", name),
        "description": desc,
    }


def _looks_like_pagerduty_change(obj: Mapping[str, Any]) -> bool:
    return obj.get("type") == "change_event" and "timestamp" in obj


def _from_pagerduty_change(obj: Mapping[str, Any]) -> dict[str, Any]:
    """One of PagerDuty's change events (``/change_events``): of its one service (the
    reference's name), its custom details' version, what its summary says it does."""
    services = [_mapping(s).get("summary") or _mapping(s).get("name") for s in obj.get("services") or ()]
    details = _mapping(obj.get("custom_details"))
    summary = _as_text(obj.get("summary"))
    version = _as_text(details.get("version") or details.get("release") or details.get("tag"))
    return {
        "time": obj.get("timestamp"),
        "service": services[0] if len(services) == 1 else None,
        "version": version,
        "id": _as_text(obj.get("id")),
        "kind": _normalise_kind(None, summary, versioned=version is not None),
        "description": summary,
    }


def _looks_like_cloudflare_audit(obj: Mapping[str, Any]) -> bool:
    return isinstance(obj.get("action"), dict) and isinstance(obj.get("actor"), dict) and "when" in obj


def _from_cloudflare_audit(obj: Mapping[str, Any]) -> dict[str, Any]:
    """One entry of Cloudflare's audit log (``/accounts/<id>/audit_logs``): what its action
    says (``TXT pm2026a._domainkey.example.net updated``) on which resource (a DNS record is
    a change to name resolution), dated ``when``, of no service."""
    action = _mapping(obj.get("action"))
    resource = str(_mapping(obj.get("resource")).get("type") or "").replace("_", " ")
    info = str(action.get("info") or action.get("type") or "")
    desc = f"Cloudflare {resource + ': ' if resource else ''}{info}".strip()
    if action.get("result") is False:
        desc += " (failed)"
    return {
        "time": obj.get("when"),
        "service": None,
        "version": None,
        "id": _as_text(obj.get("id")),
        "kind": _normalise_kind(None, desc, versioned=False),
        "description": desc,
    }


def _looks_like_ado_release(obj: Mapping[str, Any]) -> bool:
    return isinstance(obj.get("releaseDefinition"), dict) and isinstance(obj.get("releaseEnvironment"), dict)


def _ado_deployed(obj: Mapping[str, Any]) -> bool:
    return str(obj.get("deploymentStatus") or "").lower() not in {"notdeployed", "undefined"}


def _from_ado_release(obj: Mapping[str, Any]) -> dict[str, Any]:
    """One deployment of Azure DevOps' classic releases (``_apis/release/deployments``):
    dated when it started (else queued), of its release definition's name less its deploy
    words (``eid-gateway-release`` is ``eid-gateway``), the version of its first artifact's
    build (else the release's name). One never deployed is skipped (:func:`_ado_deployed`)."""
    status = str(obj.get("deploymentStatus") or "")
    release = _mapping(obj.get("release"))
    definition = str(_mapping(obj.get("releaseDefinition")).get("name") or "")
    env = _mapping(obj.get("releaseEnvironment")).get("name")
    artifacts = release.get("artifacts") or []
    first = _mapping(artifacts[0]) if isinstance(artifacts, list) and artifacts else {}
    build = _mapping(_mapping(first.get("definitionReference")).get("version")).get("name")
    desc = f"Azure DevOps {release.get('name') or 'release'} of {definition}" + (f" to {env}" if env else "")
    if status and status != "succeeded":
        desc += f" ({status})"
    return {
        "time": obj.get("startedOn") or obj.get("queuedOn") or obj.get("completedOn"),
        "service": _JOB_WORDS.sub("", definition) or None,
        "version": _as_text(build) or _as_text(release.get("name")),
        "id": _as_text(obj.get("id")),
        "kind": "deploy",
        "description": desc,
    }


def _jenkins_builds(data: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The builds of a Jenkins JSON API export (``/api/json?tree=jobs[name,builds[...]]``,
    or one job's ``/job/<name>/api/json``) as changes (:func:`_from_jenkins_build`), or None."""
    jobs: list[Any] = data["jobs"] if isinstance(data.get("jobs"), list) else [data]
    out: list[dict[str, Any]] = []
    for job in jobs:
        if not isinstance(job, dict) or not isinstance(job.get("builds"), list):
            continue
        name = str(job.get("fullName") or job.get("name") or "")
        out.extend(
            _from_jenkins_build(build, name)
            for build in job["builds"]
            if isinstance(build, dict) and "timestamp" in build and "number" in build
        )
    return out or None


def _from_jenkins_build(obj: Mapping[str, Any], job_name: str) -> dict[str, Any]:
    """One build of the Jenkins job ``job_name``: dated when it finished (``timestamp`` is
    its start, in epoch milliseconds, plus its ``duration``), of the job's name less its
    deploy words (``deploy-video-session`` is ``video-session``), the version its display
    name gives after the build number (``#303 1.8.0``)."""
    job = job_name.rsplit("/", 1)[-1]
    start = obj.get("timestamp")
    duration = obj.get("duration")
    when = start + duration if isinstance(start, int | float) and isinstance(duration, int | float) else start
    shown = str(obj.get("displayName") or "")
    version = re.sub(r"^#\d+\s*", "", shown).strip() or None
    desc = str(obj.get("description") or "").strip() or f"Jenkins {job} #{obj.get('number')}"
    result = str(obj.get("result") or "")
    if result and result != "SUCCESS":
        desc += f" (result {result})"
    return {
        "time": when,
        "service": _JOB_WORDS.sub("", job) or None,
        "version": version,
        "id": f"{job}#{obj.get('number')}",
        "kind": "deploy",
        "description": desc,
    }


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _from_gitlab(obj: Mapping[str, Any]) -> dict[str, Any]:
    """One deployment of GitLab's Deployments API (``GET /projects/:id/deployments``): the
    service is the environment's name less its tier folder (``production/grading-api`` is
    ``grading-api``, GitLab's way of listing one environment per service), none when the name
    is a tier alone (``production``: the project is not in the record); dated when it
    finished (its job's end), not when it was created; the description is the deployed
    commit's title, the environment and who deployed it."""
    env = obj.get("environment") or {}
    name = str(env.get("name") or "").strip()
    parts = [p for p in name.split("/") if p]
    if len(parts) > 1 and parts[0].lower() in _TIERS:
        parts = parts[1:]
    service = "/".join(parts) if parts and parts[-1].lower() not in _TIERS else None
    ref = obj.get("ref")
    sha = str(obj.get("sha") or "")
    deployable = _mapping(obj.get("deployable"))
    commit = _mapping(deployable.get("commit"))
    user = _mapping(obj.get("user"))
    desc_parts = [str(p) for p in (commit.get("title"), name) if p]
    if user.get("username"):
        desc_parts.append(f"by {user['username']}")
    status = str(obj.get("status") or "")
    if status and status != "success":
        desc_parts.append(f"status {status}")
    # (it takes effect when its job finishes: GitLab's "finished_at", the job's, or the
    # last update of a finished deployment; "created_at" is when the job was queued)
    done = status in {"success", "failed", "canceled"}
    when = obj.get("finished_at") or deployable.get("finished_at") or (obj.get("updated_at") if done else None)
    return {
        "time": when or obj.get("created_at"),
        "service": service,
        "version": (ref if ref and ref != sha else None) or (sha[:12] or None),
        "id": str(obj["id"]) if obj.get("id") is not None else None,
        "kind": "deploy",
        "description": " / ".join(desc_parts) or None,
    }


def _from_github(obj: Mapping[str, Any]) -> dict[str, Any]:
    payload = obj.get("payload")
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            payload = {}
    if not isinstance(payload, dict):
        payload = {}
    service = payload.get("service") or payload.get("app") or payload.get("component")
    if not service:
        repo_url = str(obj.get("repository_url") or "")
        service = repo_url.rstrip("/").rsplit("/", 1)[-1] or None
    ref = obj.get("ref")
    sha = str(obj.get("sha") or "")
    version = payload.get("version") or (ref if ref and ref != sha else None) or (sha[:12] or None)
    task = str(obj.get("task") or "deploy")
    desc_parts = [p for p in (obj.get("description"), obj.get("environment")) if p]
    creator = obj.get("creator")
    if isinstance(creator, dict) and creator.get("login"):
        desc_parts.append(f"by {creator['login']}")
    return {
        "time": obj.get("created_at"),
        "service": service,
        "version": version,
        "id": f"gh-deploy-{obj['id']}" if obj.get("id") is not None else None,
        "kind": task.split(":", 1)[0],
        "description": " / ".join(str(p) for p in desc_parts) or None,
    }


def _looks_like_kubernetes_event(obj: Mapping[str, Any]) -> bool:
    return "reason" in obj and ("involvedObject" in obj or "regarding" in obj)


_SCALED = re.compile(r"^Scaled (up|down) replica set (\S+?)(?: from \d+)? to (\d+)")


class _Scaling(NamedTuple):
    """One ``ScalingReplicaSet`` event of a Deployment."""

    when: datetime
    where: str
    deployment: str
    namespace: str | None
    up: bool
    replica_set: str
    text: str
    uid: str | None


def _from_kubernetes_events(events: Sequence[tuple[str, Mapping[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """Deployment rollouts from Kubernetes events (``kubectl get events -o json``).

    A rollout shows as ``ScalingReplicaSet`` events on a Deployment: the new replica set is
    scaled up while the old one is scaled down. A replica set's first scale-up is a rollout
    when it is not the first replica set of the deployment in the list; the first one is
    new only when the next other replica set of the deployment is being scaled down (the old
    one retired). The version is the replica set's pod-template hash. Scaling the same
    replica set up or down (an autoscaler, a manual scale) and every other event (pulls,
    restarts, probes) are not changes here: they are symptoms, and ``read_logs`` reads them
    as logs.
    """
    scaled: list[_Scaling] = []
    for where, obj in events:
        if obj.get("reason") != "ScalingReplicaSet":
            continue
        target = obj.get("involvedObject") or obj.get("regarding") or {}
        if not isinstance(target, Mapping) or target.get("kind") != "Deployment":
            continue
        text = str(obj.get("message") or obj.get("note") or "")
        match = _SCALED.match(text)
        stamp = next(
            (obj[k] for k in ("firstTimestamp", "eventTime", "deprecatedFirstTimestamp", "lastTimestamp") if obj.get(k)),
            (obj.get("metadata") or {}).get("creationTimestamp"),
        )
        when = parse_change_time(stamp, zone=UTC)
        if match is None or when is None:
            continue
        scaled.append(
            _Scaling(
                when, where, str(target.get("name") or ""), target.get("namespace"), match.group(1) == "up",
                match.group(2), text, (obj.get("metadata") or {}).get("uid"),
            )
        )
    scaled.sort(key=lambda e: e.when)
    out: list[tuple[str, dict[str, Any]]] = list(_flux_releases(events))
    first_set: dict[str, str] = {}
    for e in scaled:
        first_set.setdefault(e.deployment, e.replica_set)
    rolled: set[str] = set()
    for i, e in enumerate(scaled):
        if not e.up or e.replica_set in rolled:
            continue
        if e.replica_set == first_set[e.deployment]:
            later = next((t for t in scaled[i + 1 :] if t.deployment == e.deployment and t.replica_set != e.replica_set), None)
            if later is None or later.up:
                continue
        rolled.add(e.replica_set)
        out.append(
            (
                e.where,
                {
                    "time": e.when.isoformat(),
                    "service": e.deployment,
                    "version": e.replica_set.removeprefix(f"{e.deployment}-"),
                    "id": f"k8s-{e.uid}" if e.uid else None,
                    "kind": "deploy",
                    "description": f"rollout of deployment {e.namespace + '/' if e.namespace else ''}{e.deployment}: {e.text}",
                },
            )
        )
    return out


#: Flux's helm-controller and kustomize-controller events that say a release was applied
#: (``UpgradeSucceeded``, ``InstallSucceeded``, ``RollbackSucceeded``; a Kustomization's
#: ``ReconciliationSucceeded`` is every sync, changed or not, and is left out)
_FLUX_APPLIED = {"InstallSucceeded": "deploy", "UpgradeSucceeded": "deploy", "RollbackSucceeded": "rollback",
                 "UpgradeFailed": "deploy", "InstallFailed": "deploy"}
#: "... with chart mqtt-broker@2.0.18": the chart's version
_FLUX_CHART = re.compile(r"\bwith chart [^@\s]+@(\S+)")


def _flux_releases(events: Sequence[tuple[str, Mapping[str, Any]]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Flux's HelmRelease events in Kubernetes events (``kubectl get events -o json``): each
    install, upgrade or rollback a change of the release (the service), dated by the event,
    its version the chart's (or the revision annotation)."""
    for where, obj in events:
        kind = _FLUX_APPLIED.get(str(obj.get("reason") or ""))
        target = obj.get("involvedObject") or obj.get("regarding") or {}
        if kind is None or not isinstance(target, Mapping) or target.get("kind") != "HelmRelease":
            continue
        text = str(obj.get("message") or obj.get("note") or "")
        meta = obj.get("metadata") or {}
        stamp = next(
            (obj[k] for k in ("firstTimestamp", "eventTime", "deprecatedFirstTimestamp", "lastTimestamp") if obj.get(k)),
            meta.get("creationTimestamp"),
        )
        chart = _FLUX_CHART.search(text)
        revision = (meta.get("annotations") or {}).get("helm.toolkit.fluxcd.io/revision")
        failed = str(obj.get("reason")).endswith("Failed")
        yield where, {
            "time": stamp,
            "service": target.get("name"),
            "version": chart.group(1) if chart else revision,
            "id": f"k8s-{meta['uid']}" if meta.get("uid") else None,
            "kind": kind,
            "description": f"Flux HelmRelease {f'{namespace}/' if (namespace := target.get('namespace')) else ''}"
            f"{target.get('name')}: {text}" + (" (failed)" if failed and "fail" not in text.lower() else ""),
        }


def _argo_history(data: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    """The deploy history of Argo CD Applications (``kubectl get applications -o json``, one
    application's JSON, or the API's list): each ``status.history`` entry a deploy of the
    application, dated ``deployedAt``, its version the source's target revision (a tag, a
    chart's version), else, when there is none or it is a branch (no digit: ``main``,
    ``HEAD``), the git revision's first 12 characters; its id ``<application>#<history id>``; or None."""
    apps: list[Any] = data["items"] if isinstance(data.get("items"), list) else [data]
    out: list[dict[str, Any]] = []
    for app in apps:
        if not isinstance(app, dict) or app.get("kind") != "Application" or "argoproj.io" not in str(app.get("apiVersion")):
            continue
        name = _mapping(app.get("metadata")).get("name")
        for entry in _mapping(app.get("status")).get("history") or ():
            if not isinstance(entry, dict):
                continue
            source = _mapping(entry.get("source"))
            revision = str(entry.get("revision") or "")
            who = _mapping(entry.get("initiatedBy")).get("username")
            target = str(source.get("targetRevision") or "")
            # (a target that is a branch, `main`, `HEAD`, says nothing of what was deployed:
            # the commit synced does; a tag or a chart's version says it)
            branch = bool(target) and not re.search(r"\d", target) and bool(revision)
            version = revision[:12] if branch or not target else target
            out.append({
                "time": entry.get("deployedAt") or entry.get("deployStartedAt"),
                "service": name,
                "version": version or None,
                "id": f"{name}#{entry.get('id')}",
                "kind": "deploy",
                "description": f"Argo CD sync of {name} to {f'{target} ({version})' if branch else version}"
                + (f" by {who}" if who else ""),
            })
    return out or None


#: a tool's own record shape and how it reads, tried in this order before the aliases
_TOOL_RECORDS: tuple[tuple[Callable[[Mapping[str, Any]], bool], Callable[[Mapping[str, Any]], dict[str, Any]]], ...] = (
    (_looks_like_gitlab, _from_gitlab),
    (_looks_like_launchdarkly, _from_launchdarkly),
    (_looks_like_terraform_run, _from_terraform_run),
    (_looks_like_github, _from_github),
    (_looks_like_unleash, _from_unleash),
    (_looks_like_helm_release, _from_helm_release),
    (_looks_like_awx_job, _from_awx_job),
    (_looks_like_ado_release, _from_ado_release),
    (_looks_like_pagerduty_change, _from_pagerduty_change),
    (_looks_like_cloudflare_audit, _from_cloudflare_audit),
)


def _canonical(obj: Mapping[str, Any], *, where: str) -> dict[str, Any]:
    """Map one raw record (a tool's own shape, else any aliases) onto the canonical change columns."""
    for looks, read in _TOOL_RECORDS:
        if looks(obj):
            return read(obj)
    out: dict[str, Any] = {}
    # exact canonical names win over aliases; earlier aliases win over later ones
    ranked: list[tuple[int, str, str, Any]] = []
    for key, value in obj.items():
        found = _alias(str(key))
        if found is None:
            continue
        canon, form = found
        ranked.append((ALIASES[canon].index(form), canon, form, value))
    matched: dict[str, str] = {}
    for _rank, canon, form, value in sorted(ranked, key=lambda t: t[0]):
        if canon not in out or out[canon] in (None, ""):
            out[canon] = value
            matched[canon] = form
    # (which alias gave the id and the version: a per-application history id, an image reference)
    if (category := next((v for k, v in obj.items() if _key_forms(str(k))[-1] == "category"), None)) is not None:
        out["_category"] = category
    if "time" not in out and (dated := _time_by_name(obj)) is not None:
        out["time"], matched["time"] = dated
    out["_matched"] = matched
    if "time" not in out:
        present = ", ".join(repr(k) for k in obj) or "none"
        msg = (
            f"{where}: no time column; expected one of {', '.join(ALIASES['time'][:8])}, ... "
            f"(columns present: {present})"
        )
        raise InputError(msg)
    return out


#: a column named as a moment (``created_date``, ``occurredAt``, ``executed_on``) when no
#: alias names the time; ranked by what it dates: the change's start before its end
_MOMENT_NAME = re.compile(r"(?:^|_)(?:at|on|date|time|timestamp|datetime)$")
_STARTS = re.compile(r"start|begin|creat|deploy|execut|trigger|occur|happen|perform|appl|launch|run|submit")
_ENDS = re.compile(r"end|finish|complet|clos|resolv|stop")
#: names of a record's own bookkeeping, not of the change: when the entry was last edited
_NOT_THE_CHANGE = re.compile(r"updat|modif|edit|expir|due|seen")


def _time_by_name(obj: Mapping[str, Any]) -> tuple[Any, str] | None:
    """``(value, column)`` of the column that reads as the change's time by its name alone
    when no :data:`ALIASES` time matched (Flagsmith's audit log dates an entry
    ``created_date``): a scalar value under a name ending in ``at``, ``on``, ``date`` or
    ``time``, one naming a start first, one naming an end last, none naming when the record
    itself was last edited (``updatedAt``); or None."""
    ranked: list[tuple[int, int, Any, str]] = []
    for n, (key, value) in enumerate(obj.items()):
        if value in (None, "") or isinstance(value, dict | list | bool):
            continue
        form = _key_forms(str(key))[-1]
        if not _MOMENT_NAME.search(form) or _NOT_THE_CHANGE.search(form):
            continue
        rank = 0 if _STARTS.search(form) else 2 if _ENDS.search(form) else 1
        ranked.append((rank, n, value, form))
    if not ranked:
        return None
    _rank, _n, value, form = min(ranked, key=lambda t: t[:2])
    return value, form


def _csv_rows(text: str) -> Any:
    """A CSV reader over ``text`` with its sniffed delimiter (``,``, ``;``, tab or ``|``) and
    the standard quoting (double quotes, doubled inside): the sniffer's guess of a quote
    character is not taken (two descriptions quoting a name in single quotes, ``service
    'news-www'``, made it read ``'`` as the quote and split a double-quoted comma)."""
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    return csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter)


def _is_blank(row: Sequence[str]) -> bool:
    return not row or all(not c.strip() for c in row)


def _header(row: Sequence[str]) -> list[str]:
    return [c.strip().lstrip("\ufeff") for c in row]


def _records_csv(path: Path, text: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    reader = _csv_rows(text)
    header: list[str] | None = None
    for row in reader:
        if _is_blank(row):
            continue
        if header is None:
            header = _header(row)
            if not any(_alias(h) for h in header):
                first = ", ".join(header)[:80]
                msg = (
                    f"{path}:{reader.line_num}: not a change list: its first line ({first!r}) is no header naming "
                    f"the changes' columns; expected a CSV header with a time column ({', '.join(ALIASES['time'][:6])}, "
                    "...) or a JSON export of changes"
                )
                raise InputError(msg)
            continue
        where = f"{path}:{reader.line_num}"
        if len(row) > len(header):
            msg = (
                f"{where}: {len(row)} fields but the header has {len(header)}; "
                "quote values that contain the delimiter"
            )
            raise InputError(msg)
        yield where, dict(zip(header, row, strict=False))


def _records_ndjson(path: Path, text: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            obj = json.loads(line)
        except ValueError as exc:
            msg = f"{where}: not a JSON object ({getattr(exc, 'msg', exc)}); expected one change per line"
            raise InputError(msg) from exc
        if not isinstance(obj, dict):
            msg = f"{where}: expected a JSON object, got {type(obj).__name__}"
            raise InputError(msg)
        yield where, obj


def _records_json(path: Path, text: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        # maybe NDJSON with a .json extension
        first = text.lstrip()[:1]
        if first == "{" and "\n{" in text.strip():
            yield from _records_ndjson(path, text)
            return
        lineno = getattr(exc, "lineno", "?")
        msg = f"{path}:{lineno}: invalid JSON ({getattr(exc, 'msg', exc)})"
        raise InputError(msg) from exc
    items: Any = data
    if isinstance(data, dict) and _is_json_api(data):
        items = _flatten_json_api(data)
    elif isinstance(data, dict) and (builds := _jenkins_builds(data)) is not None:
        items = builds
    elif isinstance(data, dict) and (history := _argo_history(data)) is not None:
        items = history
    elif isinstance(data, dict):
        for key in _ARRAY_KEYS:
            if isinstance(data.get(key), list):
                items = data[key]
                break
        else:
            # (a paginated API's page: {"count": 1, "next": null, "results": [...]}, Django
            # REST framework's and Flagsmith's; Bitbucket's "values"): its one list of objects
            lists = [v for v in data.values() if isinstance(v, list) and v and all(isinstance(i, dict) for i in v)]
            items = lists[0] if len(lists) == 1 else [data]
    if not isinstance(items, list):
        msg = f"{path}: expected a JSON array of change objects (or an object with a 'changes' array)"
        raise InputError(msg)
    for i, obj in enumerate(items):
        where = f"{path}: item {i}"
        if not isinstance(obj, dict):
            msg = f"{where}: expected a JSON object, got {type(obj).__name__}"
            raise InputError(msg)
        yield where, obj


def _is_json_api(data: Mapping[str, Any]) -> bool:
    items = data.get("data")
    return isinstance(items, list) and bool(items) and all(
        isinstance(i, dict) and "type" in i and isinstance(i.get("attributes"), dict) for i in items
    )


def _flatten_json_api(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A JSON:API document's resources as flat records (Terraform Cloud's runs): ``id``,
    ``type``, the attributes, and each to-one relationship as the related resource's name
    (from ``included``) or id: a run's ``workspace`` is ``prod-dns-public``."""
    names = {
        (inc.get("type"), inc.get("id")): _mapping(inc.get("attributes")).get("name")
        for inc in data.get("included") or ()
        if isinstance(inc, dict)
    }
    out = []
    for item in data["data"]:
        rec: dict[str, Any] = {"id": item.get("id"), "type": item.get("type"), **item["attributes"]}
        for rel, body in _mapping(item.get("relationships")).items():
            ref = _mapping(body).get("data") if isinstance(body, dict) else None
            if isinstance(ref, dict) and rel not in rec:
                rec[rel] = names.get((ref.get("type"), ref.get("id"))) or ref.get("id")
        out.append(rec)
    return out


def _iter_file(path: Path) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if path.is_dir():
        msg = f"{path}: is a directory; pass the change file itself (e.g. {path / 'deploys.csv'})"
        raise InputError(msg)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        msg = f"{path}: not UTF-8 text (byte {exc.start}); export the change list as UTF-8 CSV or JSON"
        raise InputError(msg) from exc
    suffix = path.suffix.lower()
    if suffix in {".ndjson", ".jsonl"}:
        yield from _records_ndjson(path, text)
    elif suffix == ".json":
        yield from _records_json(path, text)
    elif suffix in {".csv", ".tsv", ".txt"}:
        yield from _records_csv(path, text)
    else:
        head = text.lstrip()[:1]
        if head in {"[", "{"}:
            yield from _records_json(path, text)
        else:
            yield from _records_csv(path, text)


def _stable_id(row: Mapping[str, Any]) -> str:
    key = "\x1f".join(
        str(row.get(c) or "") for c in ("time", "service", "version", "kind", "description")
    )
    return "chg-" + hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


#: id columns that count entries per application, not across the list (Argo CD's deploy
#: history: each application's ``History ID`` runs 1, 2, 3...)
_SCOPED_IDS = frozenset({"history_id"})

#: an image reference: ``[registry[:port]/]repository[:tag][@digest]``
_IMAGE_REF = re.compile(
    r"^(?P<repo>[\w.-]+(?::\d+(?=/))?(?:/[\w.-]+)*)(?::(?P<tag>\w[\w.-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{12,}))?$"
)


def _image_version(value: str | None, *, from_image: bool) -> str | None:
    """The version an image reference names: its tag (``registry.example/inventory-svc:2.30.2``
    is ``2.30.2``), else its digest's first 12 hex digits. Only a reference with a repository
    path (a ``/``), or any value of an ``image`` column, is taken apart: ``payment:v2`` of a
    version column stays as written; a value with neither tag nor digest stays whole."""
    if not value or (match := _IMAGE_REF.match(value)) is None:
        return value
    if not (match["tag"] or match["digest"]) or ("/" not in match["repo"] and not from_image):
        return value
    return match["tag"] or match["digest"][: len("sha256:") + 12]


def _scope_ids(rows: list[dict[str, Any]], scoped: list[bool]) -> None:
    """Per-application ids (:data:`_SCOPED_IDS`) of one file that repeat across applications
    become ``<service>#<id>`` (``inventory-svc#3``), all of that file's at once; ids unique
    in the file stay as they are."""
    owners: dict[str, set[str | None]] = {}
    for row, is_scoped in zip(rows, scoped, strict=True):
        if is_scoped and row["id"] is not None:
            owners.setdefault(row["id"], set()).add(row["service"])
    if not any(len(services) > 1 for services in owners.values()):
        return
    for row, is_scoped in zip(rows, scoped, strict=True):
        if is_scoped and row["id"] is not None and row["service"]:
            row["id"] = f"{row['service']}#{row['id']}"


def _rows(paths: Iterable[Path], zone: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in paths:
        records: list[tuple[str, Mapping[str, Any]]] = list(_iter_file(path))
        if records and all(_looks_like_kubernetes_event(raw) for _, raw in records):
            events = len(records)
            records = list(_from_kubernetes_events(records))
            if not records:
                # (a file the user passed that gives nothing must say so: pod events only, or
                # a controller's events this reader does not take as changes)
                warnings.warn(
                    f"{path}: {events} Kubernetes event(s), none of them a change (a Deployment's "
                    "ScalingReplicaSet rollout or a Flux HelmRelease install, upgrade or rollback)",
                    RcakitWarning,
                    stacklevel=3,
                )
        file_rows: list[dict[str, Any]] = []
        scoped: list[bool] = []
        for where, raw in records:
            if _looks_like_terraform_run(raw) and not _terraform_applied(raw):
                continue  # (a plan that was never applied changed nothing)
            if _looks_like_unleash(raw) and raw.get("type") in _UNLEASH_NO_CHANGE:
                continue  # (a user's favourite changed nothing)
            if _looks_like_ado_release(raw) and not _ado_deployed(raw):
                continue  # (a release never deployed to its stage changed nothing)
            rec = _canonical(raw, where=where)
            matched = rec.get("_matched") or {}
            when = parse_change_time(rec.get("time"), zone=zone)
            if when is None:
                msg = (
                    f"{where}: cannot read the time {rec.get('time')!r}; expected ISO 8601 "
                    "(2024-05-01T14:03:00Z), 'YYYY-MM-DD HH:MM:SS' or Unix epoch seconds"
                )
                raise InputError(msg)
            row = {
                "time": when,
                # (a nested object is never a name: an export's "target": {...} or
                # "environment": {...} that the aliases matched)
                "service": _as_name(rec.get("service")),
                "version": _image_version(_as_name(rec.get("version")), from_image=matched.get("version") == "image"),
                "id": _as_name(rec.get("id")),
                "kind": _normalise_kind(
                    # (an object is no kind: its type is, an audit entry's "action": {"type": ...})
                    _as_name(_mapping(rec.get("kind")).get("type")) if isinstance(rec.get("kind"), dict) else _as_text(rec.get("kind")),
                    _as_text(rec.get("description")),
                    versioned=rec.get("version") is not None,
                    category=_as_text(rec.get("_category")),
                ),
                "description": _as_text(rec.get("description")),
            }
            file_rows.append(row)
            scoped.append(matched.get("id") in _SCOPED_IDS)
        _scope_ids(file_rows, scoped)
        rows.extend(file_rows)
    return rows


def read_changes(
    path_or_paths: str | PathLike[str] | Sequence[str | PathLike[str]], *, tz: str = "UTC"
) -> pl.DataFrame:
    """Read change events (deploys, config changes, flags, ...) into one frame.

    Parameters
    ----------
    path_or_paths
        One change file or several (CSV, JSON, NDJSON, GitHub Deployments API JSON or
        Kubernetes events).
    tz
        Time zone for times without an offset (IANA name), as for logs.

    Returns
    -------
    pl.DataFrame
        Schema :data:`rcakit.schemas.CHANGES`, sorted by ``time`` then ``id``. Ids are
        unique: a missing id is derived from the content (``chg-<10 hex>``), a repeated id
        gets a ``-2``, ``-3``... suffix.

    Raises
    ------
    InputError
        A file is unreadable or a row has no readable time (the message names file and line).
    ConfigError
        ``tz`` is not a known time zone.

    Examples
    --------
    >>> import rcakit, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "deploys.csv"
    >>> _ = p.write_text("deployed_at,app,release\\n2024-05-01 14:03:00,payment,v2.3.1\\n")
    >>> rcakit.read_changes(p).select("service", "version", "kind").row(0)
    ('payment', 'v2.3.1', 'deploy')
    """
    zone = _zone(tz)
    if isinstance(path_or_paths, str | PathLike):
        paths = [Path(path_or_paths)]
    else:
        paths = [Path(p) for p in path_or_paths]
    _check_exist(paths)
    return _frame(_rows(paths, zone))


def read_changes_skipping(
    paths: Sequence[Path], *, tz: str = "UTC"
) -> tuple[pl.DataFrame | None, list[tuple[Path, str]]]:
    """:func:`read_changes` of the files that can be read (None when none can), each file
    read once, and ``(file, why)`` of those that cannot: the :class:`InputError` each would
    raise. A file that does not exist is still an error."""
    zone = _zone(tz)
    _check_exist(paths)
    rows: list[dict[str, Any]] = []
    unread: list[tuple[Path, str]] = []
    for p in paths:
        try:
            rows.extend(_rows([p], zone))
        except InputError as exc:
            unread.append((p, str(exc)))
    return (_frame(rows) if len(unread) < len(paths) else None), unread


def _check_exist(paths: Sequence[Path]) -> None:
    for p in paths:
        if not p.exists():
            msg = f"{p}: change file not found"
            raise InputError(msg)


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """The ``CHANGES`` frame of canonical rows: ids made unique, sorted by time then id."""
    seen: dict[str, int] = {}
    for row in rows:
        base = row["id"] or _stable_id(row)
        n = seen.get(base, 0) + 1
        seen[base] = n
        row["id"] = base if n == 1 else f"{base}-{n}"
    frame = pl.DataFrame(rows, schema=CHANGES, orient="row") if rows else pl.DataFrame(schema=CHANGES)
    return frame.sort("time", "id")


def find_change_files(paths: Iterable[str | PathLike[str]]) -> list[Path]:
    """Change files lying directly in input directories: by name (:data:`CHANGE_FILE_NAMES`),
    else a small CSV whose header reads as a change list (a time, a service, and a version,
    id or kind column: ``deploy_history_march.csv``)."""
    found: list[Path] = []
    for p in paths:
        d = Path(p)
        if not d.is_dir():
            continue
        named = [d / name for name in CHANGE_FILE_NAMES if (d / name).is_file()]
        found.extend(named or sorted(f for f in d.iterdir() if _looks_like_change_csv(f)))
    return found


#: a CSV larger than this is a log export, not a change list
_CHANGE_CSV_MAX_BYTES = 5 * 1024 * 1024


def _looks_like_change_csv(path: Path) -> bool:
    if path.suffix.lower() not in {".csv", ".tsv"} or not path.is_file() or path.stat().st_size > _CHANGE_CSV_MAX_BYTES:
        return False
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            sample = fh.read(4096)
    except OSError:
        return False
    # the header as read_changes would read it (same dialect sniffing)
    header: list[str] = next((row for row in _csv_rows(sample) if not _is_blank(row)), [])
    raw = {form for c in _header(header) for form in _key_forms(c)}
    if raw & _LOG_COLUMNS:  # a level or a log line: a structured log export
        return False
    columns = {found[0] for c in _header(header) if (found := _alias(c)) is not None}
    return {"time", "service"} <= columns and bool(columns & {"version", "id", "kind"})


#: columns a log export has (a level, a log line) and a change list seldom does: when in
#: doubt the file stays a log (a change list it was is still read with --deploys)
_LOG_COLUMNS = frozenset({
    "level", "severity", "loglevel", "log_level", "severity_text", "content", "_raw", "log", "line", "body",
    "message", "msg", "event_original", "_source",
})


def split_inputs(paths: Sequence[str | PathLike[str]], *, exclude: Iterable[Path]) -> list[str]:
    """Expand directories that contain an excluded file (a change file) so it is not read as a log."""
    from rcakit.ingest._files import walk_files

    skip = {Path(p).resolve() for p in exclude}
    out: list[str] = []
    for p in paths:
        d = Path(p)
        if d.is_dir() and any(Path(x).resolve().parent == d.resolve() for x in skip):
            out.extend(str(f) for f in walk_files(d) if f.resolve() not in skip)
        elif Path(p).resolve() not in skip:
            out.append(str(p))
    if not out:
        msg = f"no log files left in {[str(p) for p in paths]} after setting aside the change file(s)"
        raise InputError(msg)
    return out
