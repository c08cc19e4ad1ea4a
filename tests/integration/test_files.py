"""Files loaded in chunks through the same pipeline, results written as they arrive."""

from __future__ import annotations

import pandas as pd
from frames import assert_stored, products

import vault_pandas


def test_csv_in_chunks(vault, client, tmp_path):
    df = products(2500)
    df.loc[7, "product_family__c"] = "Biologic"  # a label: INVALID
    src = tmp_path / "big.csv"
    df.to_csv(src, index=False)
    counts = vault_pandas.load_file(src, "product__v", chunk_rows=1000, progress=False)
    assert counts.to_dict() == {"SUCCESS": 2499, "INVALID": 1}
    result = pd.read_csv(tmp_path / "big.result.csv", dtype=str, keep_default_na=False)
    assert len(result) == 2500
    assert result["external_id__v"].tolist() == df["external_id__v"].tolist()
    assert len(vault.records("product__v")) == 2499
    stored = {r["external_id__v"]: r for r in vault.records("product__v")}
    assert stored["P-000000"]["name__v"] == df.loc[0, "name__v"]  # quotes and backslash exact


def test_parquet_upsert_in_chunks_to_parquet(vault, client, tmp_path):
    df = products(1200)
    src, out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    df.to_parquet(src)
    counts = vault_pandas.load_file(
        src, "product__v", operation="upsert", id_param="external_id__v", output=out,
        chunk_rows=500, progress=False,
    )  # fmt: skip
    assert counts.to_dict() == {"SUCCESS": 1200}
    result = pd.read_parquet(out)
    assert (result["vault_event"] == "created").all()
    assert_stored(vault, result, df)
