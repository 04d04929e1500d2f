"""Shared fixtures.

``shared_data`` points at ``../shared/data`` (the Loghub and HDFS evaluation data that sits
beside a checkout in CI). Tests that need it skip with a clear reason on a user's clone.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE_LOGS = REPO / "sample_logs"
SHARED_DATA = Path(os.environ.get("RCAKIT_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``, or skip when this checkout has no shared data beside it."""
    if not (SHARED_DATA / "loghub-2k").is_dir():
        pytest.skip(f"evaluation data not found at {SHARED_DATA} (only present in CI / dev checkouts)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def sample_logs() -> Path:
    """The committed demo incident."""
    return SAMPLE_LOGS
