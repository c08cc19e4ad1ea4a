"""The driver's side of a cluster load: arguments, the one login, the checkpoint directory.

:func:`start_job` checks the arguments before any task runs, logs the driver's client in (at
most once: a client that already has a session uses it), and makes the
:class:`~vault_pandas.distributed.partition.PartitionJob` every partition task receives.
:func:`renew` makes the one renewal a load may need when workers report an expired session.
"""

from __future__ import annotations

import logging
import os
import tempfile
from typing import Any, get_args

from vault_pandas.distributed.grant import SessionGrant
from vault_pandas.distributed.partition import PartitionJob, ensure_dir
from vault_pandas.errors import AuthenticationError, ConfigurationError
from vault_pandas.transport import names
from vault_pandas.transport.client import VaultClient
from vault_pandas.transport.connection import resolve_client
from vault_pandas.write.options import Operation, WriteOptions

log = logging.getLogger("vault_pandas")

#: Options of the pandas calls that a cluster load sets itself.
OWN_OPTIONS = ("checkpoint", "progress")


def start_job(
    operation: str,
    target: str,
    client: VaultClient | None,
    checkpoint_dir: str | os.PathLike[str] | None,
    *,
    local: bool,
    options: dict[str, Any],
) -> tuple[PartitionJob, VaultClient]:
    """Check the arguments, log in once, and describe the load for the partition tasks.

    Parameters
    ----------
    operation : {"create", "upsert", "update", "delete", "action"}
    target : str
        The object name, or the action name for ``"action"``.
    client : VaultClient, optional
        Default: the last client made by :func:`vault_pandas.connect`.
    checkpoint_dir : str or path, optional
        A directory every worker can reach. Required unless ``local``: then a new temporary
        directory of this machine is used.
    local : bool
        Whether every worker runs on this machine (a local Spark master, a Dask cluster whose
        workers are all here), so that a local temporary directory reaches them all.
    options : dict
        The keyword arguments of the matching ``df.vault`` method.

    Returns
    -------
    tuple of (PartitionJob, VaultClient)
    """
    check_options(operation, target, options)
    if checkpoint_dir is None and not local:
        raise ConfigurationError(
            "checkpoint_dir= is required on a cluster of several machines: a directory every "
            "worker can reach (a shared file system such as /dbfs/... or an NFS mount), where "
            "each partition records its rows' outcomes so that a re-run task sends nothing twice"
        )
    if checkpoint_dir is None:
        checkpoint_dir = tempfile.mkdtemp(prefix="vault_pandas-")
        log.info("checkpoints of this load: %s (a local temporary directory)", checkpoint_dir)
    client = resolve_client(client)
    grant = SessionGrant.of(client)
    job = PartitionJob(operation, target, grant, ensure_dir(checkpoint_dir), dict(options))
    return job, client


def check_options(operation: str, target: str, options: dict[str, Any]) -> None:
    """Refuse what the pandas call would refuse, before a task is scheduled."""
    if operation not in get_args(Operation):
        raise ConfigurationError(
            f"unknown operation {operation!r}: expected one of {', '.join(get_args(Operation))}"
        )
    taken = [k for k in OWN_OPTIONS if k in options]
    if taken:
        raise ConfigurationError(
            f"{operation}: {', '.join(taken)} is set by the cluster load (use checkpoint_dir=)"
        )
    object_name = names.action_object(target) if operation == "action" else target
    names.check_name(object_name, "object name")
    if options.get("id_param") is not None:
        names.check_field_path(options["id_param"], "id_param")
    extra = {"action_name": target} if operation == "action" else {}
    try:
        WriteOptions(operation=operation, object_name=object_name, **extra, **options)  # type: ignore[arg-type]
    except TypeError as exc:
        raise ConfigurationError(f"{operation}: {exc}") from exc


def renew(job: PartitionJob, client: VaultClient, stale: int) -> PartitionJob:
    """The job with a renewed session, after ``stale`` partitions met an expired one."""
    log.info("%d partition(s) met an expired session: renewing it once", stale)
    try:
        return job.with_grant(job.grant.renewed(client))
    except AuthenticationError as exc:
        raise AuthenticationError(
            f"{exc}; {stale} partition(s) did not finish. Their rows answered so far are in "
            f"their checkpoints under {job.checkpoint_dir}: run the same call with the same "
            "checkpoint_dir to resume",
            error_type=exc.error_type,
        ) from exc


def still_stale(job: PartitionJob, stale: int) -> AuthenticationError:
    """The error when partitions meet an expired session even after the one renewal."""
    return AuthenticationError(
        f"{stale} partition(s) met an expired session again after it was renewed. Their rows "
        f"answered so far are in their checkpoints under {job.checkpoint_dir}: run the same "
        "call with the same checkpoint_dir to resume",
        error_type="INVALID_SESSION_ID",
    )
