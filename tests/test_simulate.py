"""The seeded incident generator: determinism, truth, formats, and the committed sample."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import rcakit
from rcakit.errors import ConfigError
from rcakit.simulate import FAULT_KINDS, generate_incident


def _digest(directory: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(directory.iterdir()):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def test_fault_kinds_are_the_documented_ones():
    assert set(FAULT_KINDS) >= {"new_error", "latency", "slow_leak", "config_change", "dependency_outage", "none"}
    assert rcakit.generate_incident is generate_incident


def test_same_seed_same_bytes(tmp_path):
    a = generate_incident(tmp_path / "a", fault="new_error", seed=11, hours=2, rate=0.5)
    b = generate_incident(tmp_path / "b", fault="new_error", seed=11, hours=2, rate=0.5)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert a.truth == b.truth
    generate_incident(tmp_path / "c", fault="new_error", seed=12, hours=2, rate=0.5)
    assert _digest(tmp_path / "c") != _digest(tmp_path / "a")


def test_bad_arguments_raise_config_error(tmp_path):
    with pytest.raises(ConfigError, match="unknown fault"):
        generate_incident(tmp_path, fault="meteor")
    with pytest.raises(ConfigError, match="rate"):
        generate_incident(tmp_path, rate=0)
    with pytest.raises(ConfigError, match="too short"):
        generate_incident(tmp_path, fault="slow_leak", hours=1)
    with pytest.raises(ConfigError, match="formats"):
        generate_incident(tmp_path, formats={"payment": "nginx"})
