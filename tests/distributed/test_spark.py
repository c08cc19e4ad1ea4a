"""vault_pandas.spark against the sandbox with a local Spark (``local[2,2]``: tasks retried)."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest
from conftest import requests_sent
from frames import products

pytest.importorskip("pyspark")


def _java() -> bool:
    """Java for Spark: JAVA_HOME or java on PATH (.ci/run installs one where none is)."""
    return bool(os.environ.get("JAVA_HOME") or shutil.which("java"))


if not _java():
    pytest.skip("Spark needs Java 17 or 21: none found", allow_module_level=True)

from vault_pandas import spark as vault_spark  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")


def spark_frame(spark, source: pd.DataFrame, partitions: int):
    """``source`` as a Spark frame of ``partitions`` partitions, rows in order."""
    return spark.createDataFrame(source).repartitionByRange(partitions, "external_id__v")


@pytest.fixture(scope="module")
def spark(kill_dir):
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2,2]")
        .appName("vault_pandas tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    yield session
    session.stop()


def source_frame(n: int, prefix: str = "P") -> pd.DataFrame:
    """The products frame without what Spark changes on the way (naive local timestamps)."""
    frame = products(n, prefix=prefix)
    return frame.drop(columns=["last_reviewed__c", "launch_date__c", "pack_size__c"])


def test_100k_rows_survive_a_killed_task(vault, driver_client, spark, kill_switch, tmp_path):
    source = source_frame(100_000)
    frame = spark_frame(spark, source, 8)
    out = vault_spark.create(frame, "product__v", checkpoint_dir=str(tmp_path))

    assert kill_switch.exists()  # a Python worker died after a batch was answered
    assert out.rdd.getNumPartitions() == 8
    assert out.columns == [*source.columns, "vault_id", "vault_status", "vault_error"]
    sent = requests_sent(vault)
    first = out.toPandas()
    assert set(first["vault_status"]) == {"SUCCESS"}
    assert len(first) == 100_000
    assert sorted(first["external_id__v"]) == sorted(source["external_id__v"])
    stored = vault.records("product__v")
    assert len(stored) == 100_000
    assert len({r["external_id__v"] for r in stored}) == 100_000  # no duplicates
    assert set(first["vault_id"]) == {r["id"] for r in stored}
    stats = vault.stats
    assert stats["logins"] == 1
    assert stats["delayed_responses"] == 0
    assert stats["records_created"] == 100_000
    assert out.count() == 100_000
    again = out.toPandas()
    assert requests_sent(vault) == sent  # evaluating twice sends nothing
    pd.testing.assert_frame_equal(first, again)


def test_rows_keep_their_partition_and_order(vault, driver_client, spark, tmp_path):
    from pyspark.sql import functions as F

    source = source_frame(3_000, prefix="O")
    frame = spark.createDataFrame(source).repartition(3)  # round robin: deterministic
    out = vault_spark.upsert(frame, "product__v", "external_id__v", checkpoint_dir=str(tmp_path))
    before = frame.withColumn("part", F.spark_partition_id()).toPandas()
    after = out.withColumn("part", F.spark_partition_id()).toPandas()
    assert after["external_id__v"].tolist() == before["external_id__v"].tolist()
    assert after["part"].tolist() == before["part"].tolist()
    assert set(after["vault_event"]) == {"created"}


def test_an_expired_session_is_renewed_once(vault, driver_client, spark, tmp_path):
    vault.faults.add("expire_session", path="/vobjects/", on=[6])
    frame = spark_frame(spark, source_frame(12_000, prefix="S"), 4)
    out = vault_spark.create(frame, "product__v", checkpoint_dir=str(tmp_path))
    assert set(out.toPandas()["vault_status"]) == {"SUCCESS"}
    assert len(vault.records("product__v")) == 12_000
    assert vault.stats["logins"] == 2  # the driver's, and the one renewal
    assert driver_client.stats.renewals == 1
