"""One partition's write on a worker: keyed checkpoint, one lock, the pandas pipeline.

A partition task calls :func:`run_partition`. It writes the partition with the pandas
pipeline (:func:`vault_pandas.write.pipeline.write_operation`) and a checkpoint file under
the job's ``checkpoint_dir`` whose name is the partition's number and a digest of its
content and of the options that change what is sent. So whenever the same partition is
computed again (a task retried after its worker died, a speculative duplicate, a second
evaluation of a frame whose cached result was evicted) it opens the same file and resumes:
rows already answered are not sent again, rows whose answer was lost are reconciled as in
pandas, and a partition whose load ended returns its result from the file without a request.

Rows are written in a canonical order (sorted by a hash of each row's values) and given back
in the input's order, so a recomputation that delivers the same rows in another order still
finds its checkpoint. A second copy of a partition waits for the first to release its lock
(``{checkpoint}.lock``), then resumes from what it left.

A partition meeting an expired session (Vault's ``INVALID_SESSION_ID``; a worker cannot log
in) stops, keeps its checkpoint, and returns its rows marked :data:`STALE`: the driver renews
the session once and runs those partitions again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vault_pandas.errors import AuthenticationError, ConfigurationError, PartialLoadError
from vault_pandas.results.outcomes import RowOutcomes, strip_results
from vault_pandas.transport import names
from vault_pandas.write.fingerprint import describe
from vault_pandas.write.options import WriteOptions
from vault_pandas.write.pipeline import write_operation

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no lock; one copy per partition is assumed
    fcntl = None  # type: ignore[assignment]

from vault_pandas.distributed.grant import SessionGrant

log = logging.getLogger("vault_pandas")

#: The column a partition's result carries while the load runs: True when its session was
#: refused and it must run again with a renewed one. Never part of the returned frame.
STALE = "__vault_stale__"
#: Requests in flight per partition task: partitions run side by side, one per worker core,
#: and they share one vault's burst budget, so each keeps few requests open.
DEFAULT_MAX_WORKERS = 2
#: How long a second copy of a partition waits for the first to release it.
LOCK_WAIT = 900.0


@dataclass(frozen=True)
class PartitionJob:
    """What every partition task of one load needs: the operation, its options, the grant.

    ``options`` are the keyword arguments of the matching ``df.vault`` method (without
    ``client``, ``checkpoint`` and ``progress``).
    """

    operation: str
    target: str
    grant: SessionGrant
    checkpoint_dir: str
    options: dict[str, Any] = field(default_factory=dict)

    def with_grant(self, grant: SessionGrant) -> PartitionJob:
        """The same job with a renewed session."""
        return PartitionJob(self.operation, self.target, grant, self.checkpoint_dir, self.options)

    def result_meta(self, meta: pd.DataFrame) -> pd.DataFrame:
        """The empty result frame of a partition shaped like ``meta`` (the marker included)."""
        out = RowOutcomes(0, with_event=self.operation == "upsert").frame(meta.iloc[:0])
        out[STALE] = pd.Series([], dtype=bool, index=out.index)
        return out


def run_partition(data: pd.DataFrame, job: PartitionJob, number: int) -> pd.DataFrame:
    """Write partition ``number`` and return its rows, in order, with the result columns.

    Parameters
    ----------
    data : pandas.DataFrame
        The partition as the cluster gives it.
    job : PartitionJob
        The load this partition belongs to.
    number : int
        The partition's number in its frame (part of its checkpoint's name).

    Returns
    -------
    pandas.DataFrame
        ``data`` plus ``vault_id``, ``vault_status``, ``vault_error`` (``vault_event`` for
        upsert) and the :data:`STALE` marker.
    """
    if len(data) == 0:
        return job.result_meta(data).set_axis(data.index[:0])
    order = canonical_order(data)
    canon = data.iloc[order]
    path = checkpoint_path(canon, job, number)
    client = job.grant.client()
    options = dict(job.options)
    if options.get("max_workers") is None:
        options["max_workers"] = DEFAULT_MAX_WORKERS
    with partition_lock(path):
        try:
            out = write_operation(
                canon, job.operation, job.target, client,
                checkpoint=path, progress=False, **options,
            )  # fmt: skip
            stale = False
        except (PartialLoadError, AuthenticationError) as exc:
            if not session_refused(exc):
                raise
            log.info("partition %d: the session expired; it runs again once renewed", number)
            out = RowOutcomes(len(canon), with_event=job.operation == "upsert").frame(canon)
            stale = True
    out = out.iloc[np.argsort(order, kind="stable")]
    out.attrs = {}
    out[STALE] = stale
    return out


def canonical_order(data: pd.DataFrame) -> np.ndarray:
    """Positions that sort the rows by a hash of their values (ties keep their order)."""
    values = strip_results(data)
    if values.shape[1] == 0:
        return np.arange(len(data))
    try:
        hashes = pd.util.hash_pandas_object(values, index=False).to_numpy()
    except TypeError:  # unhashable cells (lists of picklist names): their text form
        hashes = pd.util.hash_pandas_object(values.astype(str), index=False).to_numpy()
    return np.argsort(hashes, kind="stable")


def checkpoint_path(data: pd.DataFrame, job: PartitionJob, number: int) -> Path:
    """``{checkpoint_dir}/{operation}-{target}-p{number}-{digest}.ckpt`` for this partition.

    The digest covers what a checkpoint's header does (:func:`describe`): the options that
    change what is sent, the columns, dtypes and every value, in the order written.
    """
    options = {k: v for k, v in job.options.items() if k in WriteOptions.__dataclass_fields__}
    object_name = names.action_object(job.target) if job.operation == "action" else job.target
    if job.operation == "action":
        options["action_name"] = job.target
    identity = describe(data, WriteOptions(job.operation, object_name, **options))  # type: ignore[arg-type]
    digest = hashlib.blake2b(json.dumps(identity, sort_keys=True).encode(), digest_size=12)
    name = f"{job.operation}-{job.target}-p{number:05d}-{digest.hexdigest()}.ckpt"
    return Path(job.checkpoint_dir) / name


class partition_lock:  # noqa: N801 - used as a context manager, like a function
    """Hold ``{path}.lock`` while the partition is written; wait while another copy holds it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(f"{path}.lock")
        self._fh: Any = None

    def __enter__(self) -> partition_lock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a+b")  # noqa: SIM115 - closed in __exit__
        if fcntl is None:  # pragma: no cover
            return self
        deadline, logged = time.monotonic() + LOCK_WAIT, False
        while True:
            try:
                fcntl.flock(self._fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except BlockingIOError:
                if time.monotonic() > deadline:
                    self._fh.close()
                    raise ConfigurationError(
                        f"{self.path}: another copy of this partition held it for {LOCK_WAIT:.0f} s"
                    ) from None
                if not logged:
                    log.info("%s: another copy of this partition runs; waiting", self.path)
                    logged = True
                time.sleep(0.2)
            except OSError as exc:  # no locks on this file system (one copy is assumed)
                log.warning("%s cannot be locked (%s)", self.path, exc)
                return self

    def __exit__(self, *exc: object) -> None:
        self._fh.close()  # closing releases the lock


def session_refused(exc: BaseException) -> bool:
    """Whether Vault refused the session (``INVALID_SESSION_ID``) somewhere in ``exc``'s chain."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, AuthenticationError) and (
            current.error_type == "INVALID_SESSION_ID"
        ):
            return True
        current = current.__cause__ or current.__context__
    return False


def ensure_dir(path: str | os.PathLike[str]) -> str:
    """``path`` as an absolute directory that exists (made if needed)."""
    full = Path(path).expanduser().resolve()
    full.mkdir(parents=True, exist_ok=True)
    return str(full)
