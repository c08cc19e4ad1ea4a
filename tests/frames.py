"""Frames and checks shared by the integration tests."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

FAMILIES = ["small_molecule__c", "biologic__c", "vaccine__c", "device__c"]
AREAS = ["oncology__c", "cardiology__c", "neurology__c", "immunology__c", "rare_disease__c"]


def products(n: int, *, index=None, prefix: str = "P", seed: int = 0) -> pd.DataFrame:
    """A valid product__v frame of ``n`` rows with every kind of field."""
    rng = np.random.default_rng(seed)
    i = np.arange(n)
    frame = pd.DataFrame(
        {
            "external_id__v": [f"{prefix}-{k:06d}" for k in i],
            "name__v": [f'{prefix} product {k}, "quoted" \\ back' for k in i],
            "product_family__c": [FAMILIES[k % 4] for k in i],
            "therapeutic_areas__c": [
                ",".join(sorted({AREAS[k % 5], AREAS[(k * 3) % 5]})) for k in i
            ],
            "unit_price__c": np.round(rng.uniform(0, 5000, n), 2),
            "pack_size__c": pd.array(np.where(i % 7 == 0, None, i % 100 + 1), dtype="Int64"),
            "launch_date__c": pd.Timestamp("2020-01-01") + pd.to_timedelta(i % 1500, unit="D"),
            "last_reviewed__c": pd.Timestamp("2024-05-01 12:00:00", tz="Europe/Paris")
            + pd.to_timedelta(i * 61, unit="s"),
            "active__c": i % 3 != 0,
            "description__c": [f"line one\nline two, {k}" if k % 5 == 0 else None for k in i],
        }
    )
    if index is not None:
        frame.index = index
    return frame


def expected_record(row: pd.Series) -> dict:
    """The stored form the sandbox must hold for a row of ``products``."""
    pack = row["pack_size__c"]
    return {
        "external_id__v": row["external_id__v"],
        "name__v": row["name__v"],
        "product_family__c": [row["product_family__c"]],
        "therapeutic_areas__c": sorted(row["therapeutic_areas__c"].split(",")),
        "unit_price__c": Decimal(repr(float(row["unit_price__c"]))),
        "pack_size__c": None if pd.isna(pack) else Decimal(int(pack)),
        "launch_date__c": row["launch_date__c"].strftime("%Y-%m-%d"),
        "last_reviewed__c": row["last_reviewed__c"]
        .tz_convert("UTC")
        .strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "active__c": bool(row["active__c"]),
        "description__c": None if pd.isna(row["description__c"]) else row["description__c"],
    }


def assert_stored(vault, out: pd.DataFrame, source: pd.DataFrame, object_name: str = "product__v"):
    """Every SUCCESS row's vault_id holds exactly that row's values."""
    by_id = {r["id"]: r for r in vault.records(object_name)}
    positions = np.flatnonzero((out["vault_status"] == "SUCCESS").to_numpy())
    ids = out["vault_id"].to_numpy()[positions]
    assert len(set(ids)) == len(ids)
    for pos, vid in zip(positions, ids, strict=True):
        row = source.iloc[pos]
        stored = by_id[vid]
        for field, value in expected_record(row).items():
            got = stored[field]
            if isinstance(got, list):
                got = sorted(got)
            assert got == value, (pos, field, got, value)
    return len(positions)
