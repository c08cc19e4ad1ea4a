"""Writing from a cluster (Spark, Dask): what the driver and the partition tasks share.

``grant.py``      SessionGrant: the driver's session, the one value that crosses to workers
``partition.py``  one partition's write on a worker: keyed checkpoint, lock, stale session
``driver.py``     the driver's side: arguments, one login, the checkpoint directory, renewal

Neither Spark nor Dask is imported here: ``vault_pandas.dask`` and ``vault_pandas.spark`` use
this package with their own cluster.
"""

from __future__ import annotations

from vault_pandas.distributed.grant import SessionGrant
from vault_pandas.distributed.partition import DEFAULT_MAX_WORKERS, STALE, PartitionJob

__all__ = ["DEFAULT_MAX_WORKERS", "STALE", "PartitionJob", "SessionGrant"]
