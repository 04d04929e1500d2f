"""Vectorised random identifiers and value pools for the simulator.

Every helper takes the scenario's ``numpy.random.Generator`` so a seed fixes every byte.
Strings are built as fixed-width unicode arrays (no per-value Python loop).
"""

from __future__ import annotations

import numpy as np
import polars as pl

__all__ = [
    "HEX",
    "K8S_HASH",
    "random_strings",
    "zipf_choice",
]

HEX = "0123456789abcdef"
# The alphabet Kubernetes uses for ReplicaSet and pod name suffixes (no vowels, no 0/1/3).
K8S_HASH = "bcdfghjklmnpqrstvwxz2456789"
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def random_strings(rng: np.random.Generator, n: int, width: int, alphabet: str = HEX) -> pl.Series:
    """Return ``n`` random strings of ``width`` ASCII characters drawn from ``alphabet``."""
    if n == 0:
        return pl.Series([], dtype=pl.String)
    chars = np.frombuffer(alphabet.encode("ascii"), dtype=np.uint8)
    if alphabet == HEX:  # two hex digits per random byte
        raw = np.frombuffer(rng.bytes(n * ((width + 1) // 2)), dtype=np.uint8)
        idx = np.stack([raw >> 4, raw & 15], axis=1).reshape(n, -1)[:, :width]
    else:
        idx = rng.integers(0, len(alphabet), size=(n, width), dtype=np.uint8)
    codes = np.ascontiguousarray(chars[idx])
    # fixed-width byte strings (never NUL, so nothing is stripped) cast to UTF-8 strings
    return pl.Series(codes.view(f"S{width}").ravel()).cast(pl.String)


def zipf_choice(rng: np.random.Generator, n: int, k: int, *, a: float = 1.1) -> np.ndarray:
    """Indices in ``[0, k)`` with a Zipf-like popularity (a few items are very popular)."""
    weights = 1.0 / np.arange(1, k + 1) ** a
    weights /= weights.sum()
    return rng.choice(k, size=n, p=weights)
