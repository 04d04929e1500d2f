"""rcakit: root-cause analysis for application logs.

Read log exports of many formats into one polars frame, mine templates with Drain3,
detect anomaly windows, correlate them with deployments and other changes, and report.

>>> import rcakit
>>> logs = rcakit.read_logs("sample_logs/")            # doctest: +SKIP
>>> events = rcakit.mine_templates(logs)               # doctest: +SKIP

Public names are imported lazily (``import rcakit`` stays cheap and side-effect free);
``__all__`` lists them and ``tests/test_public_api.py`` keeps it honest.
"""

from __future__ import annotations

import importlib
from typing import Any

from rcakit.errors import (
    ConfigError,
    InputError,
    LogFormatError,
    NotFittedError,
    RcakitError,
    RcakitWarning,
    SchemaError,
    StateFileError,
)

__version__ = "0.1.0"

# public name -> module that defines it (a literal registry: no import side effects)
_LAZY: dict[str, str] = {
    # read
    "read_logs": "rcakit.ingest",
    "scan_logs": "rcakit.ingest",
    "detect_format": "rcakit.ingest",
    # templates
    "TemplateMiner": "rcakit.templates",
    "mine_templates": "rcakit.templates",
    "summarize_templates": "rcakit.templates",
    "evaluate_parsing": "rcakit.templates",
    # detect
    "detect_anomalies": "rcakit.detect",
    "count_windows": "rcakit.detect",
    "DetectionResult": "rcakit.detect",
    "AnomalyWindow": "rcakit.detect",
    "Contribution": "rcakit.detect",
    # correlate + report
    "read_changes": "rcakit.changes",
    "analyze": "rcakit.report",
    "RcaReport": "rcakit.report",
    # sample data generator
    "generate_incident": "rcakit.simulate",
}

__all__ = [
    "AnomalyWindow",
    "ConfigError",
    "Contribution",
    "DetectionResult",
    "InputError",
    "LogFormatError",
    "NotFittedError",
    "RcaReport",
    "RcakitError",
    "RcakitWarning",
    "SchemaError",
    "StateFileError",
    "TemplateMiner",
    "__version__",
    "analyze",
    "count_windows",
    "detect_anomalies",
    "detect_format",
    "evaluate_parsing",
    "generate_incident",
    "mine_templates",
    "read_changes",
    "read_logs",
    "scan_logs",
    "summarize_templates",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'rcakit' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
