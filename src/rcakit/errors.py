"""rcakit exceptions and warnings.

The tree, so callers can catch broadly or narrowly::

    RcakitError                 base of everything rcakit raises on purpose
    ├── ConfigError             invalid or unknown option / configuration (also ValueError)
    ├── InputError              data that cannot be processed (a file, a column, a value)
    │   ├── LogFormatError      a log file does not match the declared format
    │   ├── SchemaError         a frame violates a stage contract (see ``rcakit.schemas``)
    │   └── StateFileError      a saved state file is foreign, tampered or of an unknown version
    └── NotFittedError          an estimator used before ``fit`` (also ValueError, AttributeError)

    RcakitWarning(UserWarning)  a degraded but usable result (e.g. a truncated ``.gz``)

The CLI maps every ``RcakitError`` to exit code 2 with a one-line message and no
traceback (see ``rcakit.cli``).
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "InputError",
    "LogFormatError",
    "NotFittedError",
    "RcakitError",
    "RcakitWarning",
    "SchemaError",
    "StateFileError",
]


class RcakitError(Exception):
    """Base class of every error rcakit raises on purpose."""


class ConfigError(RcakitError, ValueError):
    """An option or configuration value is invalid or unknown."""


class InputError(RcakitError):
    """Input data cannot be processed; the message names the file/line and what was expected."""


class LogFormatError(InputError):
    """A log file does not match its declared format (only raised where strictness is asked for)."""


class SchemaError(InputError):
    """A frame is missing columns or has wrong dtypes for the stage it is passed to."""


class StateFileError(InputError):
    """A saved state file is not an rcakit state file, was tampered with, or has an unknown version."""


class NotFittedError(RcakitError, ValueError, AttributeError):
    """An estimator was used before ``fit`` was called."""


class RcakitWarning(UserWarning):
    """A result is usable but degraded (lines replaced, a file truncated, too little data)."""
