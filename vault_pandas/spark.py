"""Write Spark DataFrames to Vault from the executors: ``create(sdf, object, ...)`` and friends.

``vault_pandas.spark.create(sdf, "product__v", checkpoint_dir="/dbfs/...")`` (and ``upsert``,
``update``, ``delete``, ``action``) take the parameters of the pandas ``df.vault`` calls,
except ``checkpoint`` and ``progress``, and return a Spark DataFrame: the input columns plus
``vault_id``, ``vault_status``, ``vault_error`` (and ``vault_event`` for upsert), with the
input's partitioning and row order. Each partition is written by ``mapInPandas`` on an
executor, with the driver's session (:mod:`vault_pandas.distributed`).

The load runs when the function is called: the input's partitions are fixed
(``localCheckpoint``), the result is persisted (memory and disk) and counted once, and the
returned frame reads that. Were it lazy, every action on it (a
``count()``, a ``show()``, a write of it to a table) would run the writes again; they would
resume from their checkpoints and send nothing, but each would re-read the input. If Spark
drops a cached block, recomputing it from the fixed input resumes from the partition's
checkpoint: nothing is sent twice (an input whose partitions change when recomputed, such as
``repartitionByRange``, which samples, would not find its checkpoints). Keep
``spark.speculation`` off (the default) on a file system without locks: a speculative copy
of a running task then cannot wait for the first one.

pyspark is imported only when a function is called.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from vault_pandas.distributed import driver
from vault_pandas.distributed.partition import STALE, PartitionJob, run_partition
from vault_pandas.results.outcomes import VAULT_ERROR, VAULT_EVENT, VAULT_ID, VAULT_STATUS
from vault_pandas.transport.client import VaultClient
from vault_pandas.write.options import BodyFormat, Nulls, OnInvalid

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["action", "create", "delete", "update", "upsert", "write"]


def write(
    sdf: DataFrame,
    operation: str,
    target: str,
    *,
    client: VaultClient | None = None,
    checkpoint_dir: str | os.PathLike[str] | None = None,
    **options: Any,
) -> DataFrame:
    """Write every partition of ``sdf`` with ``operation``; the persisted result frame.

    ``checkpoint_dir`` may be left out only with a ``local[...]`` master.
    """
    from pyspark import StorageLevel
    from pyspark.sql import DataFrame as SparkFrame
    from pyspark.sql import functions as F

    if not isinstance(sdf, SparkFrame):
        raise TypeError(f"expected a Spark DataFrame, not {type(sdf).__name__}")
    local = str(sdf.sparkSession.sparkContext.master).startswith("local")
    job, vault = driver.start_job(
        operation, target, client, checkpoint_dir, local=local, options=options
    )
    schema = _result_schema(sdf, operation)
    # the rows of each partition, fixed once: a recomputation (the renewal's re-run, an evicted
    # cache block) must meet the same partitions to find their checkpoints, and an input that
    # samples (repartitionByRange) or shuffles would not give them again
    sdf = sdf.localCheckpoint(eager=False)
    out = _run(sdf, job, schema).persist(StorageLevel.MEMORY_AND_DISK)
    out.count()
    stale = out.filter(F.col(STALE)).select(F.spark_partition_id()).distinct().count()
    if stale:  # runs again: partitions that ended answer from their checkpoints, unsent
        job = driver.renew(job, vault, stale)
        out.unpersist()
        out = _run(sdf, job, schema).persist(StorageLevel.MEMORY_AND_DISK)
        out.count()
        stale = out.filter(F.col(STALE)).select(F.spark_partition_id()).distinct().count()
        if stale:
            out.unpersist()
            raise driver.still_stale(job, stale)
    return out.drop(STALE)


def _run(sdf: DataFrame, job: PartitionJob, schema: Any) -> DataFrame:
    return sdf.mapInPandas(_partition_task(job), schema=schema)


def _partition_task(job: PartitionJob) -> Any:
    """The function ``mapInPandas`` runs on each partition (its batches joined into one)."""

    def task(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        from pyspark import TaskContext

        frames = list(batches)
        if not frames:
            return
        data = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        context = TaskContext.get()
        number = context.partitionId() if context is not None else 0
        out = run_partition(data, job, number)
        for column in (VAULT_ID, VAULT_STATUS, VAULT_ERROR, VAULT_EVENT):
            if column in out.columns:  # plain objects: Arrow writes None for <NA>
                out[column] = out[column].astype(object).where(out[column].notna(), None)
        yield out

    return task


def _result_schema(sdf: DataFrame, operation: str) -> Any:
    """The input's fields (earlier ``vault_*`` results left out), then the result columns."""
    from pyspark.sql.types import BooleanType, StringType, StructField, StructType

    names = [VAULT_ID, VAULT_STATUS, VAULT_ERROR]
    if operation == "upsert":
        names.append(VAULT_EVENT)
    fields = [f for f in sdf.schema.fields if not f.name.startswith("vault_")]
    fields += [StructField(name, StringType(), True) for name in names]
    return StructType([*fields, StructField(STALE, BooleanType(), False)])


def create(
    sdf: DataFrame, object_name: str, *, client: VaultClient | None = None,
    checkpoint_dir: str | os.PathLike[str] | None = None, schema: Any = None,
    on_invalid: OnInvalid = "mark", dry_run: bool = False, body_format: BodyFormat = "csv",
    assume_timezone: str | None = None, max_workers: int | None = None,
    migration_mode: bool = False, no_triggers: bool = False, reconcile: bool | str = True,
    assign_ids: bool = False,
) -> DataFrame:  # fmt: skip
    """Create one record per row (see ``df.vault.create``); ``max_workers`` per task (2).

    Examples
    --------
    >>> from vault_pandas import spark as vault_spark
    >>> out = vault_spark.create(spark.table("staging.products"), "product__v",
    ...                          checkpoint_dir="/dbfs/tmp/vault/products")  # doctest: +SKIP
    """
    return write(
        sdf, "create", object_name, client=client, checkpoint_dir=checkpoint_dir,
        schema=schema, on_invalid=on_invalid, dry_run=dry_run, body_format=body_format,
        assume_timezone=assume_timezone, max_workers=max_workers,
        migration_mode=migration_mode, no_triggers=no_triggers, reconcile=reconcile,
        assign_ids=assign_ids,
    )  # fmt: skip


def upsert(
    sdf: DataFrame, object_name: str, id_param: str, *, client: VaultClient | None = None,
    checkpoint_dir: str | os.PathLike[str] | None = None, schema: Any = None,
    on_invalid: OnInvalid = "mark", dry_run: bool = False, body_format: BodyFormat = "csv",
    assume_timezone: str | None = None, max_workers: int | None = None,
    migration_mode: bool = False, no_triggers: bool = False, nulls: Nulls = "keep",
) -> DataFrame:  # fmt: skip
    """Create or update records matched on ``id_param`` (see ``df.vault.upsert``).

    Keys are checked for duplicates within each partition only.
    """
    return write(
        sdf, "upsert", object_name, client=client, checkpoint_dir=checkpoint_dir,
        id_param=id_param, schema=schema, on_invalid=on_invalid, dry_run=dry_run,
        body_format=body_format, assume_timezone=assume_timezone, max_workers=max_workers,
        migration_mode=migration_mode, no_triggers=no_triggers, nulls=nulls,
    )  # fmt: skip


def update(
    sdf: DataFrame, object_name: str, *, id_param: str | None = None,
    client: VaultClient | None = None, checkpoint_dir: str | os.PathLike[str] | None = None,
    schema: Any = None, on_invalid: OnInvalid = "mark", dry_run: bool = False,
    body_format: BodyFormat = "csv", assume_timezone: str | None = None,
    max_workers: int | None = None, nulls: Nulls = "keep",
) -> DataFrame:  # fmt: skip
    """Update records by ``id`` or ``id_param`` (see ``df.vault.update``)."""
    return write(
        sdf, "update", object_name, client=client, checkpoint_dir=checkpoint_dir,
        id_param=id_param, schema=schema, on_invalid=on_invalid, dry_run=dry_run,
        body_format=body_format, assume_timezone=assume_timezone, max_workers=max_workers,
        nulls=nulls,
    )  # fmt: skip


def delete(
    sdf: DataFrame, object_name: str, *, id_column: str = "id", id_param: str | None = None,
    client: VaultClient | None = None, checkpoint_dir: str | os.PathLike[str] | None = None,
    dry_run: bool = False, max_workers: int | None = None,
) -> DataFrame:  # fmt: skip
    """Delete the records of ``id_column`` (see ``df.vault.delete``)."""
    return write(
        sdf, "delete", object_name, client=client, checkpoint_dir=checkpoint_dir,
        id_column=id_column, id_param=id_param, dry_run=dry_run, max_workers=max_workers,
    )  # fmt: skip


def action(
    sdf: DataFrame, action_name: str, *, id_column: str = "id",
    params: Mapping[str, str] | None = None, client: VaultClient | None = None,
    checkpoint_dir: str | os.PathLike[str] | None = None, dry_run: bool = False,
    max_workers: int | None = None,
) -> DataFrame:  # fmt: skip
    """Run an object user action on the records of ``id_column`` (see ``df.vault.action``)."""
    return write(
        sdf, "action", action_name, client=client, checkpoint_dir=checkpoint_dir,
        id_column=id_column, params=dict(params) if params else None, dry_run=dry_run,
        max_workers=max_workers,
    )  # fmt: skip
