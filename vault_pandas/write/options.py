"""The options of one load: operations, policies and ``WriteOptions`` (a leaf of ``write``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Literal

from vault_pandas.config import MAX_WORKERS_LIMIT
from vault_pandas.errors import ConfigurationError

Operation = Literal["create", "upsert", "update", "delete", "action"]
OnInvalid = Literal["mark", "raise"]
BodyFormat = Literal["csv", "json"]
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

    def __post_init__(self) -> None:
        if self.on_invalid not in ("mark", "raise"):
            raise ConfigurationError(f"on_invalid must be 'mark' or 'raise': {self.on_invalid!r}")
        if self.body_format not in ("csv", "json"):
            raise ConfigurationError(f"body_format must be 'csv' or 'json': {self.body_format!r}")
        if self.max_workers is not None and not 1 <= int(self.max_workers) <= MAX_WORKERS_LIMIT:
            raise ConfigurationError(f"max_workers must be between 1 and {MAX_WORKERS_LIMIT}")
        if self.no_triggers and not self.migration_mode:
            raise ConfigurationError("no_triggers=True needs migration_mode=True (a Vault rule)")
