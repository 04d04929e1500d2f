"""The timeline of a scenario: fault window, root service and the change list.

``plan_scenario`` decides when the fault starts and ends, which role is the root, and
writes the change list (deploys, config changes, feature flags, infrastructure work):
several normal changes, the bad change (when the fault has one), a rollback or revert
that ends the incident, and a decoy change on another service minutes before the onset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rcakit.errors import ConfigError
from rcakit.simulate._estate import APP_ROLES, FAULTY_OPS, Estate, Op
from rcakit.simulate._exceptions import CONFIG_VALUES
from rcakit.simulate._traffic import FaultHook

__all__ = ["FAULT_KINDS", "HANG_TIMEOUT_MS", "SEED_ORDER", "Change", "Plan", "plan_scenario"]

US = 1_000_000
MIN = 60 * US

#: Fault kinds the generator can inject ("none" is a normal day).
FAULT_KINDS = ("new_error", "latency", "slow_leak", "config_change", "hang", "dependency_outage", "none")
# each kind's index in the scenario seed: kinds added later go at the end, so the scenarios
# of the older kinds stay the same for a given seed
SEED_ORDER = ("new_error", "latency", "slow_leak", "config_change", "dependency_outage", "none", "hang")
#: How long a caller waits for a hung service before it gives up (ms).
HANG_TIMEOUT_MS = 5000.0
_MIN_HOURS = {"slow_leak": 2.5}
_DB_VARIANTS = ("too_many_clients", "recovery_mode")


@dataclass(frozen=True)
class Change:
    """One row of ``deploys.csv``."""

    time_us: int
    role: str  # a role of the estate, or "" for infrastructure outside it
    service: str
    version: str
    id: str
    kind: str  # deploy | config | feature_flag | infra
    description: str
    purpose: str  # "normal", "cause", "decoy", "rollback", "mitigation"


@dataclass(frozen=True)
class Plan:
    """Where and when the fault acts, plus the change list."""

    fault: str
    root: str | None
    onset_us: int | None
    end_us: int | None
    share: float  # share of the root's requests the fault breaks (bug, config, outage)
    factor: float  # latency factor (latency fault)
    leak_start_us: int | None
    variant: str
    changes: tuple[Change, ...]

    def active(self, t: np.ndarray) -> np.ndarray:
        """Whether the fault is active at times ``t``."""
        if self.onset_us is None or self.end_us is None:
            return np.zeros(len(t), dtype=bool)
        return (t >= self.onset_us) & (t < self.end_us)

    def hook(self, rng: np.random.Generator, u: np.ndarray) -> FaultHook:
        """The fault hook the request walk calls for every operation (see ``_traffic``)."""

        def fault(op: Op, t: np.ndarray, req: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            err = np.zeros(len(t), dtype=np.int16)
            factor = np.ones(len(t))
            if self.root is None or op.role != self.root:
                return err, factor
            on = self.active(t)
            if self.fault in ("new_error", "config_change") and op.name in FAULTY_OPS.get(op.role, ()):
                err[on & (u[req] < self.share)] = 1 if self.fault == "new_error" else 2
            elif self.fault == "latency":
                factor = np.where(on, self.factor, 1.0)
            elif self.fault == "slow_leak" and self.leak_start_us is not None and self.onset_us is not None:
                grow = np.clip((t - self.leak_start_us) / (self.onset_us - self.leak_start_us), 0.0, None)
                factor = np.where((t >= self.leak_start_us) & (t < self.end_us), 1.0 + 0.25 * np.minimum(grow, 1.5), 1.0)
                ramp = np.clip((t - self.onset_us) / (10 * MIN), 0.0, 1.0)
                err[on & (rng.random(len(t)) < self.share * (0.35 + 0.65 * ramp))] = 3
            elif self.fault == "dependency_outage":
                err[on & (rng.random(len(t)) < self.share)] = 4
            elif self.fault == "hang":
                # every request waits until the caller's timeout; nothing is logged
                err[on] = 6
                factor = np.where(on, HANG_TIMEOUT_MS / op.median_ms, 1.0)
            return err, factor

        return fault


def _version(v: tuple[int, int, int]) -> str:
    return f"v{v[0]}.{v[1]}.{v[2]}"


def plan_scenario(
    rng: np.random.Generator,
    *,
    fault: str,
    estate: Estate,
    start_us: int,
    hours: float,
    root: str | None,
) -> Plan:
    """Draw the fault window and the change list of one scenario."""
    if fault not in FAULT_KINDS:
        msg = f"unknown fault {fault!r}; choose one of {list(FAULT_KINDS)}"
        raise ConfigError(msg)
    min_hours = _MIN_HOURS.get(fault, 1.0 if fault != "none" else 0.25)
    if hours < min_hours:
        msg = f"hours={hours!r} is too short for fault {fault!r}: use at least {min_hours} hours (the incident needs a baseline before it and a recovery after it)"
        raise ConfigError(msg)
    span = round(hours * 3600 * US)
    end_all = start_us + span
    if fault == "dependency_outage":
        root_role = "db"
    elif fault == "none":
        root_role = None
    elif root is not None:
        root_role = estate.role_of(root)
        if root_role not in APP_ROLES:
            msg = f"root={root!r}: fault {fault!r} needs an application service as root, one of {[estate.names[r] for r in APP_ROLES]}"
            raise ConfigError(msg)
    else:
        root_role = str(rng.choice(["payment", "inventory", "catalog", "auth", "checkout"], p=[0.3, 0.25, 0.2, 0.15, 0.1]))

    pending: list[dict[str, Any]] = []

    def add(t_us: int, role: str, kind: str, purpose: str, description: str = "", version: str = "") -> None:
        pending.append({"t": int(t_us), "role": role, "kind": kind, "purpose": purpose, "description": description, "version": version})

    onset = end = leak_start = None
    share, factor, variant = 0.0, 1.0, ""
    quiet: list[tuple[int, int]] = []  # windows the normal changes keep away from
    if root_role is not None:
        onset = start_us + round(rng.uniform(0.5, 0.68) * span)
        duration = min(round(rng.uniform(25, 50) * MIN), round(0.22 * span))
        end = onset + duration
        app = estate.names[root_role]
        if fault in ("new_error", "latency", "slow_leak", "hang"):
            lead = round(rng.uniform(35, 65) * MIN) if fault == "slow_leak" else round(rng.uniform(30, 150) * US)
            if fault == "slow_leak":
                lead = min(lead, onset - start_us - round(0.25 * span))
                lead = max(lead, 30 * MIN + 30 * US)
            cause_t = onset - lead
            what = {
                "new_error": "risk scoring refactor",
                "latency": "switch to synchronous audit logging",
                "slow_leak": "new connection handling in report export",
                "hang": "upgrade HTTP client pool",
            }[fault]
            add(cause_t, root_role, "deploy", "cause", what)
            add(end - round(rng.uniform(40, 90) * US), root_role, "deploy", "rollback")
            leak_start = cause_t if fault == "slow_leak" else None
            quiet.append((cause_t - 15 * MIN, end + 10 * MIN))
        elif fault == "config_change":
            key, value, _ = CONFIG_VALUES[root_role]
            rev = int(rng.integers(100, 900))
            cause_t = onset - round(rng.uniform(5, 60) * US)
            add(cause_t, root_role, "config", "cause", f"set {key}={value} for {app}", f"config-r{rev}")
            add(end - round(rng.uniform(20, 60) * US), root_role, "config", "rollback", f"revert {key} for {app} (back to config-r{rev - 1})", f"config-r{rev + 1}")
            quiet.append((cause_t - 15 * MIN, end + 10 * MIN))
        else:  # dependency outage: no change causes it; a mitigation lands during it
            variant = str(rng.choice(_DB_VARIANTS))
            what = "raise max_connections to 400" if variant == "too_many_clients" else "expand data volume to 500Gi"
            add(end - round(rng.uniform(60, 180) * US), "db", "infra", "mitigation", f"{estate.names['db']}: {what}", "-")
            quiet.append((onset - 15 * MIN, end + 10 * MIN))
        share = {"new_error": rng.uniform(0.25, 0.6), "config_change": rng.uniform(0.5, 1.0), "slow_leak": rng.uniform(0.3, 0.6), "dependency_outage": rng.uniform(0.6, 0.95)}.get(fault, 0.0)
        factor = rng.uniform(4.0, 9.0) if fault == "latency" else 1.0
        # the decoy: an unrelated change minutes before the onset
        decoy_role = str(rng.choice([r for r in APP_ROLES if r != root_role]))
        before = rng.uniform(2, 6) if fault == "slow_leak" else rng.uniform(4, 12)
        add(onset - round(before * MIN), decoy_role, "deploy", "decoy")
    else:
        mid = start_us + round(rng.uniform(0.45, 0.65) * span)
        add(mid, str(rng.choice(APP_ROLES)), "deploy", "normal")
        quiet.append((mid - 15 * MIN, mid + 15 * MIN))

    n_normal = int(rng.integers(3, 7))
    n_placed = 0
    for _ in range(50):  # place normal changes away from the incident
        if n_normal == 0:
            break
        t = start_us + round(rng.uniform(0.03, 0.97) * span)
        if any(a <= t <= b for a, b in quiet):
            continue
        quiet.append((t - 5 * MIN, t + 5 * MIN))
        # at least two ordinary releases in every scenario, then a mix of change kinds
        kind = "deploy" if n_placed < 2 else str(rng.choice(["deploy", "config", "feature_flag", "infra"], p=[0.55, 0.15, 0.15, 0.15]))
        n_placed += 1
        role = str(rng.choice(APP_ROLES))
        if kind == "deploy":
            add(t, role, "deploy", "normal")
        elif kind == "config":
            rev = int(rng.integers(100, 900))
            add(t, role, "config", "normal", f"{estate.names[role]}: raise log sampling to 10%", f"config-r{rev}")
        elif kind == "feature_flag":
            flag = str(rng.choice(["new-recommendations", "dark-mode", "one-click-reorder", "express-shipping"]))
            add(t, role, "feature_flag", "normal", f"enable {flag} for 10% of users", f"flag:{flag}=10%")
        else:
            what = str(rng.choice(["node pool upgrade to 1.29.6", "rotate TLS certificates on ingress", "CDN cache purge"]))
            add(t, str(rng.choice(["k8s-cluster", "ingress", "cdn"])), "infra", "normal", what, "-")
        n_normal -= 1
    changes = _finalize(rng, pending, estate, start_us=start_us, end_us=end_all)
    return Plan(
        fault=fault,
        root=root_role,
        onset_us=onset,
        end_us=end,
        share=float(share),
        factor=float(factor),
        leak_start_us=leak_start,
        variant=variant,
        changes=changes,
    )


def _finalize(
    rng: np.random.Generator, pending: list[dict[str, Any]], estate: Estate, *, start_us: int, end_us: int
) -> tuple[Change, ...]:
    """Sort the changes, then number them and give deploys their versions in time order."""
    rows = sorted((p for p in pending if start_us <= int(p["t"]) < end_us), key=lambda p: int(p["t"]))
    versions = {role: list(v) for role, v in estate.versions.items()}
    highest = {role: list(v) for role, v in estate.versions.items()}  # a rollback does not reuse numbers
    before_cause: dict[str, str] = {}
    number = int(rng.integers(1000, 9000))
    out = []
    for row in rows:
        role, kind, purpose = str(row["role"]), str(row["kind"]), str(row["purpose"])
        service = estate.names.get(role, role)
        version, description = str(row["version"]), str(row["description"])
        if kind == "deploy":
            v = versions[role]
            if purpose == "rollback":
                version = before_cause.get(role, _version((v[0], v[1], v[2])))
                versions[role] = [int(x) for x in version[1:].split(".")]
                description = f"rollback {service} to {version}"
            else:
                if purpose == "cause":
                    before_cause[role] = _version((v[0], v[1], v[2]))
                v = versions[role] = list(max(v, highest[role]))
                if int(rng.integers(0, 10)) < 7:
                    v[2] += 1
                else:
                    v[1], v[2] = v[1] + 1, 0
                highest[role] = list(v)
                version = _version((v[0], v[1], v[2]))
                description = f"release {service} {version}" + (f": {description}" if description else "")
        out.append(Change(int(row["t"]), role if role in estate.names else "", service, version, f"chg-{number}", kind, description, purpose))
        number += int(rng.integers(1, 40))
    return tuple(out)
