"""The options of one load: operations, policies and ``WriteOptions`` (a leaf of ``write``)."""

from __future__ import annotations

import numbers
import os
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from vault_pandas.config import MAX_WORKERS_LIMIT
from vault_pandas.errors import ConfigurationError

Operation = Literal["create", "upsert", "update", "delete", "action"]
OnInvalid = Literal["mark", "raise"]
BodyFormat = Literal["csv", "json"]
Nulls = Literal["keep", "clear"]
IDEMPOTENT = frozenset({"upsert", "update", "delete"})  # safe to repeat when an answer is lost


@dataclass(frozen=True)
class WriteOptions:
    """Everything that shapes one load besides the frame and the client."""

    operation: Operation
    object_name: str
    id_param: str | None = None
    action_name: str | None = None
    id_column: str = "id"
    schema: Any = None
    on_invalid: OnInvalid = "mark"
    dry_run: bool = False
    body_format: BodyFormat = "csv"
    assume_timezone: str | None = None
    max_workers: int | None = None
    progress: bool | None = None
    migration_mode: bool = False
    no_triggers: bool = False
    reconcile: bool | str = True
    checkpoint: str | os.PathLike[str] | None = None
    nulls: Nulls = "keep"  # update/upsert: a missing value keeps the stored one, or clears it
    assign_ids: bool = False  # create in migration mode: rows without an id get one made here
    params: Mapping[str, str] | None = None  # action: extra form fields sent with the ids

    def __post_init__(self) -> None:
        """Check every argument before anything is sent: a wrong one is a ConfigurationError."""
        if self.on_invalid not in ("mark", "raise"):
            raise ConfigurationError(f"on_invalid must be 'mark' or 'raise': {self.on_invalid!r}")
        if self.body_format not in ("csv", "json"):
            raise ConfigurationError(f"body_format must be 'csv' or 'json': {self.body_format!r}")
        _check_workers(self.max_workers)
        for name in ("dry_run", "migration_mode", "no_triggers"):
            _check_flag(name, getattr(self, name))
        if self.progress is not None:
            _check_flag("progress", self.progress, "True, False or None (automatic)")
        if not isinstance(self.reconcile, str):
            _check_flag("reconcile", self.reconcile, "True, False or the name of a unique field")
        _check_timezone(self.assume_timezone)
        _check_checkpoint(self.checkpoint)
        if self.no_triggers and not self.migration_mode:
            raise ConfigurationError("no_triggers=True needs migration_mode=True (a Vault rule)")
        if self.nulls not in ("keep", "clear"):
            raise ConfigurationError(f"nulls must be 'keep' or 'clear': {self.nulls!r}")
        _check_flag("assign_ids", self.assign_ids)
        if self.assign_ids and not (self.migration_mode and self.operation == "create"):
            raise ConfigurationError(
                "assign_ids=True is for create with migration_mode=True (Vault takes a record "
                "id from the frame only in migration mode)"
            )
        _check_params(self.params)


def _check_params(params: object) -> None:
    if params is None:
        return
    if not isinstance(params, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in params.items()
    ):
        raise ConfigurationError(
            "params must be a mapping of field names to text values, e.g. "
            "{'verdict__c': 'approved__c'}"
        )
    if "ids" in params:
        raise ConfigurationError("params cannot name 'ids': the ids come from the id column")


def _check_flag(name: str, value: object, expected: str = "True or False") -> None:
    # numpy's bool_ is accepted too (a value read from a frame); "no" or 1 are not
    if not isinstance(value, bool | np.bool_):
        raise ConfigurationError(f"{name} must be {expected}, not {value!r}")


def _check_workers(value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise ConfigurationError(f"max_workers must be a whole number, not {value!r}")
    if not 1 <= int(value) <= MAX_WORKERS_LIMIT:
        raise ConfigurationError(f"max_workers must be between 1 and {MAX_WORKERS_LIMIT}: {value}")


def _check_timezone(value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise ConfigurationError(
            f"assume_timezone must be the name of an IANA time zone such as 'Europe/Paris' or "
            f"'UTC', not {value!r}"
        )
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigurationError(
            f"assume_timezone {value!r} is not a known IANA time zone (e.g. 'Europe/Paris', "
            "'UTC'; names are case-sensitive)"
        ) from exc


def _check_checkpoint(value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str | os.PathLike) or isinstance(os.fspath(value), bytes):
        raise ConfigurationError(f"checkpoint must be a file path (str or Path), not {value!r}")
    path = os.fspath(value)
    if not path:
        raise ConfigurationError("checkpoint must be a file path, not an empty string")
    if os.path.isdir(path):
        raise ConfigurationError(f"checkpoint {path!r} is a directory; give a file path in it")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ConfigurationError(f"checkpoint {path!r}: the folder {folder!r} does not exist")
