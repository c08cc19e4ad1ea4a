"""``ddf.vault``: the Vault accessor on Dask DataFrames (importing this module registers it).

``import vault_pandas.dask`` and every Dask DataFrame has ``ddf.vault.create``, ``upsert``,
``update``, ``delete`` and ``action`` with the parameters of the pandas calls, plus
``checkpoint_dir=``; each returns a Dask DataFrame with the input's partitions, divisions,
index and row order plus the result columns. How the load stays safe on a cluster (one login,
one burst budget, every row written once) is in :mod:`vault_pandas.distributed` and the
README, "From Spark and Dask".

The load runs when the method is called, not when the returned frame is computed: its
result is persisted (on the workers, with a ``distributed`` client) and the returned frame
is built from it, so computing it, twice or more, never writes again. Were it lazy, every
``compute()`` of it, or of a frame derived from it, would run the writes again; they would
resume from their checkpoints and send nothing, but every evaluation would still re-read
the input and open every checkpoint.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Mapping
from typing import Any

import dask
import dask.dataframe as dd
from dask.dataframe.extensions import register_dataframe_accessor

from vault_pandas.distributed import driver
from vault_pandas.distributed.partition import STALE, PartitionJob, run_partition
from vault_pandas.transport.client import VaultClient
from vault_pandas.write.options import BodyFormat, Nulls, OnInvalid

__all__ = ["DaskVaultAccessor", "write"]

#: Dask runs a partition task again this many times when it raises (a worker that dies is
#: handled by the scheduler on its own); the retry resumes from the partition's checkpoint.
TASK_RETRIES = 2


def write(
    frame: dd.DataFrame,
    operation: str,
    target: str,
    *,
    client: VaultClient | None = None,
    checkpoint_dir: str | os.PathLike[str] | None = None,
    **options: Any,
) -> dd.DataFrame:
    """``frame.vault.{operation}(target, **options)``: write every partition, return results.

    Runs on the current Dask scheduler (the ``distributed`` client if one is active).
    ``checkpoint_dir`` may be left out only when every worker runs on this machine.
    """
    if not isinstance(frame, dd.DataFrame):
        raise TypeError(f"expected a Dask DataFrame, not {type(frame).__name__}")
    scheduler = _distributed_client()
    local = scheduler is None or _all_local(scheduler)
    job, vault = driver.start_job(
        operation, target, client, checkpoint_dir, local=local, options=options
    )
    parts = frame.to_delayed()
    results = _persist(job, parts, range(len(parts)), scheduler)
    stale = _stale(results)
    if stale:
        job = driver.renew(job, vault, len(stale))
        again = _persist(job, parts, stale, scheduler)
        results.update(again)
        stale = _stale(again)
        if stale:
            raise driver.still_stale(job, len(stale))
    meta = job.result_meta(frame._meta)
    out = dd.from_delayed(
        [results[i] for i in range(len(parts))],
        meta=meta,
        divisions=frame.divisions,
        verify_meta=False,
    )
    return out.drop(columns=STALE)


def _persist(job: PartitionJob, parts: list[Any], numbers: Any, scheduler: Any) -> dict[int, Any]:
    """Run partitions ``numbers``; their results stay where they were computed."""
    run = dask.delayed(run_partition, pure=False)
    tasks = {i: run(parts[i], job, i, dask_key_name=f"vault-{job.operation}-{i}-{id(job)}")
             for i in numbers}  # fmt: skip
    if scheduler is not None:
        done = scheduler.persist(list(tasks.values()), retries=TASK_RETRIES)
    else:
        done = dask.persist(*tasks.values())
    return dict(zip(tasks, done, strict=True))


def _stale(results: dict[int, Any]) -> list[int]:
    """The partitions whose session was refused (only a flag per partition is fetched)."""
    flags = dask.compute(*[dask.delayed(_is_stale)(r) for r in results.values()])
    return [i for i, flag in zip(results, flags, strict=True) if flag]


def _is_stale(part: Any) -> bool:
    return bool(len(part) and part[STALE].iloc[0])


def _distributed_client() -> Any:
    try:
        from distributed import get_client
    except ImportError:
        return None
    try:
        return get_client()
    except ValueError:  # no client: a local scheduler
        return None


def _all_local(scheduler: Any) -> bool:
    """Whether every worker of the ``distributed`` cluster runs on this machine."""
    here = {"127.0.0.1", "localhost", "::1", socket.gethostname()}
    with contextlib.suppress(OSError):
        here.add(socket.gethostbyname(socket.gethostname()))
    workers = scheduler.scheduler_info().get("workers", {})
    hosts = {str(address).split("://")[-1].rsplit(":", 1)[0].strip("[]") for address in workers}
    return bool(hosts) and hosts <= here


@register_dataframe_accessor("vault")
class DaskVaultAccessor:
    """``ddf.vault``: the pandas ``df.vault`` writes, run partition by partition.

    Each method takes the parameters of its pandas counterpart (see
    :class:`vault_pandas.accessor.VaultAccessor`) except ``checkpoint`` and ``progress``,
    plus ``checkpoint_dir``: a directory every worker can reach, where each partition keeps
    its checkpoint (required unless every worker runs on this machine). ``max_workers`` is
    per partition task (default 2). Stateless: it only delegates to :func:`write`.
    """

    def __init__(self, frame: dd.DataFrame) -> None:
        self._frame = frame

    def create(
        self, object_name: str, *, client: VaultClient | None = None,
        checkpoint_dir: str | os.PathLike[str] | None = None, schema: Any = None,
        on_invalid: OnInvalid = "mark", dry_run: bool = False, body_format: BodyFormat = "csv",
        assume_timezone: str | None = None, max_workers: int | None = None,
        migration_mode: bool = False, no_triggers: bool = False, reconcile: bool | str = True,
        assign_ids: bool = False,
    ) -> dd.DataFrame:  # fmt: skip
        """Create one record per row (see ``df.vault.create``)."""
        return write(
            self._frame, "create", object_name, client=client, checkpoint_dir=checkpoint_dir,
            schema=schema, on_invalid=on_invalid, dry_run=dry_run, body_format=body_format,
            assume_timezone=assume_timezone, max_workers=max_workers,
            migration_mode=migration_mode, no_triggers=no_triggers, reconcile=reconcile,
            assign_ids=assign_ids,
        )  # fmt: skip

    def upsert(
        self, object_name: str, id_param: str, *, client: VaultClient | None = None,
        checkpoint_dir: str | os.PathLike[str] | None = None, schema: Any = None,
        on_invalid: OnInvalid = "mark", dry_run: bool = False, body_format: BodyFormat = "csv",
        assume_timezone: str | None = None, max_workers: int | None = None,
        migration_mode: bool = False, no_triggers: bool = False, nulls: Nulls = "keep",
    ) -> dd.DataFrame:  # fmt: skip
        """Create or update records matched on ``id_param`` (see ``df.vault.upsert``).

        Keys are checked for duplicates within each partition only: a key on rows of two
        partitions is sent twice (the second answer is an update).
        """
        return write(
            self._frame, "upsert", object_name, client=client, checkpoint_dir=checkpoint_dir,
            id_param=id_param, schema=schema, on_invalid=on_invalid, dry_run=dry_run,
            body_format=body_format, assume_timezone=assume_timezone, max_workers=max_workers,
            migration_mode=migration_mode, no_triggers=no_triggers, nulls=nulls,
        )  # fmt: skip

    def update(
        self, object_name: str, *, id_param: str | None = None,
        client: VaultClient | None = None,
        checkpoint_dir: str | os.PathLike[str] | None = None, schema: Any = None,
        on_invalid: OnInvalid = "mark", dry_run: bool = False, body_format: BodyFormat = "csv",
        assume_timezone: str | None = None, max_workers: int | None = None,
        nulls: Nulls = "keep",
    ) -> dd.DataFrame:  # fmt: skip
        """Update records by ``id`` or ``id_param`` (see ``df.vault.update``)."""
        return write(
            self._frame, "update", object_name, client=client, checkpoint_dir=checkpoint_dir,
            id_param=id_param, schema=schema, on_invalid=on_invalid, dry_run=dry_run,
            body_format=body_format, assume_timezone=assume_timezone, max_workers=max_workers,
            nulls=nulls,
        )  # fmt: skip

    def delete(
        self, object_name: str, *, id_column: str = "id", id_param: str | None = None,
        client: VaultClient | None = None,
        checkpoint_dir: str | os.PathLike[str] | None = None, dry_run: bool = False,
        max_workers: int | None = None,
    ) -> dd.DataFrame:  # fmt: skip
        """Delete the records of ``id_column`` (see ``df.vault.delete``)."""
        return write(
            self._frame, "delete", object_name, client=client, checkpoint_dir=checkpoint_dir,
            id_column=id_column, id_param=id_param, dry_run=dry_run, max_workers=max_workers,
        )  # fmt: skip

    def action(
        self, action_name: str, *, id_column: str = "id",
        params: Mapping[str, str] | None = None, client: VaultClient | None = None,
        checkpoint_dir: str | os.PathLike[str] | None = None, dry_run: bool = False,
        max_workers: int | None = None,
    ) -> dd.DataFrame:  # fmt: skip
        """Run an object user action on the records of ``id_column`` (see ``df.vault.action``).

        An id on rows of two partitions is sent once per partition.
        """
        return write(
            self._frame, "action", action_name, client=client, checkpoint_dir=checkpoint_dir,
            id_column=id_column, params=dict(params) if params else None, dry_run=dry_run,
            max_workers=max_workers,
        )  # fmt: skip
