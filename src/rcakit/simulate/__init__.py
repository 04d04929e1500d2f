"""Seeded incident generator: realistic micro-service logs with a known root cause.

Stage: test and demo data. Writes the logs of a small shop estate (an nginx edge in front
of checkout, payment, inventory, catalog and auth services and a postgres database, each
in a different log format) plus a ``deploys.csv`` change list, and returns the
:class:`Truth` of what happened: the answer key for detection and root-cause evaluation.

>>> import rcakit
>>> scenario = rcakit.generate_incident("/tmp/incident", fault="new_error", seed=3)  # doctest: +SKIP
>>> scenario.truth.root_service, scenario.truth.cause_change_id                      # doctest: +SKIP
('billing-svc', 'chg-5127')

Fault kinds (:data:`FAULT_KINDS`):

``new_error``
    A deploy adds an exception to the root service; callers retry and log failures that
    name it; the edge answers 5xx. Rolled back later.
``latency``
    A deploy makes the root several times slower; no new errors, only longer ``took``
    and response times, in the root and its callers.
``slow_leak``
    A deploy leaks pool connections: warnings grow, errors start 30+ minutes later, and an
    unrelated deploy lands a few minutes before the errors.
``config_change``
    A ``kind=config`` change sets an invalid value; the root fails, callers fail.
``hang``
    A deploy makes the root hang: it answers nothing and logs nothing (no error of its
    own), its callers time out (status 504) and log that; the edge answers 5xx.
``dependency_outage``
    The database fails with no change behind it; every service that queries it errors.
``none``
    A normal day: changes land, nothing breaks.

:func:`generate_suite` writes one scenario per fault kind and seed for evaluations;
:func:`trim_logs` cuts a written scenario's logs to a time range (an export that starts
shortly before the incident, or one taken while it goes on).
Run ``python -m rcakit.simulate OUT_DIR --fault new_error --seed 1`` for a scenario
from the shell; ``docs/sample_logs.md`` describes the estate and the formats.
"""

from __future__ import annotations

from rcakit.simulate._estate import APP_FORMATS, EXTRA_APP_FORMATS, FORMATS, ROLES
from rcakit.simulate._plan import FAULT_KINDS
from rcakit.simulate._scenario import (
    Scenario,
    ServiceLog,
    Truth,
    generate_incident,
    generate_suite,
    read_truth,
)
from rcakit.simulate._trim import trim_logs

__all__ = [
    "APP_FORMATS",
    "EXTRA_APP_FORMATS",
    "FAULT_KINDS",
    "FORMATS",
    "ROLES",
    "Scenario",
    "ServiceLog",
    "Truth",
    "generate_incident",
    "generate_suite",
    "read_truth",
    "trim_logs",
]
