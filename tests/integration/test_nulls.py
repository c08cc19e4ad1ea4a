"""``nulls=``: a missing value keeps the stored field on update/upsert, unless asked to clear.

Every record is read back field by field from the sandbox's store.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from vault_pandas import ConfigurationError

FIELDS = ("description__c", "pack_size__c", "launch_date__c", "active__c")
OLD = {
    "description__c": "old",
    "pack_size__c": "5",
    "launch_date__c": "2020-01-01",
    "active__c": "true",
}


def _seed(vault, n: int) -> list[str]:
    rows = [
        {
            "name__v": f"Product {i}",
            "external_id__v": f"P-{i}",
            "product_family__c": "biologic__c",
            **OLD,
        }
        for i in range(n)
    ]
    return vault.seed("product__v", rows)


def _scattered(n: int, seed: int = 7) -> tuple[pd.DataFrame, np.ndarray]:
    """New values for FIELDS, with about a third of the cells missing in every form."""
    rng = np.random.default_rng(seed)
    missing = rng.random((n, len(FIELDS))) < 0.35
    frame = pd.DataFrame(
        {
            "description__c": [f"new {i}" for i in range(n)],
            "pack_size__c": np.arange(n, dtype=float) + 10,
            "launch_date__c": pd.date_range("2024-01-01", periods=n, freq="D"),
            "active__c": pd.Series([False] * n, dtype=object),  # stored: true
        }
    )
    blanks = [None, "", pd.NA]  # the text column's missing values take every form
    for j, column in enumerate(FIELDS):
        rows = np.flatnonzero(missing[:, j])
        if column == "description__c":
            frame[column] = frame[column].astype(object)
            for k, r in enumerate(rows):
                frame.loc[r, column] = blanks[k % len(blanks)]
        else:
            frame.loc[rows, column] = None  # NaN, NaT, None by dtype
    return frame, missing


def _stored_form(column: str, value: Any) -> Any:
    if column == "pack_size__c":
        return Decimal(int(value))
    if column == "launch_date__c":
        return value.strftime("%Y-%m-%d")
    return value


def _old_form(column: str) -> Any:
    return {"pack_size__c": Decimal(5), "active__c": True}.get(column, OLD[column])


def _check_statuses(out: pd.DataFrame, missing: np.ndarray, nulls: str) -> None:
    """SUCCESS; with "keep" a row whose every value is missing changes nothing (a WARNING)."""
    unchanged = missing.all(axis=1) & (nulls == "keep")
    expected = np.where(unchanged, "WARNING", "SUCCESS")
    assert out["vault_status"].tolist() == expected.tolist(), out["vault_error"].dropna()


def _check_store(vault, ids: list[str], frame: pd.DataFrame, missing: np.ndarray, nulls: str):
    for i, rid in enumerate(ids):
        record = vault.record("product__v", rid)
        assert record is not None
        assert record["name__v"] == f"Product {i}"  # never in the frame: untouched
        for j, column in enumerate(FIELDS):
            if missing[i, j]:
                expected = _old_form(column) if nulls == "keep" else None
            else:
                expected = _stored_form(column, frame[column].iloc[i])
            assert record[column] == expected, (i, column, nulls)


@pytest.mark.parametrize("nulls", ["keep", "clear"])
@pytest.mark.parametrize("body_format", ["csv", "json"])
def test_update_with_scattered_missing_values(vault, client, nulls, body_format):
    ids = _seed(vault, 40)
    frame, missing = _scattered(40)
    frame.insert(0, "id", ids)
    options: dict[str, Any] = {} if nulls == "keep" else {"nulls": nulls}  # keep: the default
    out = frame.vault.update("product__v", progress=False, body_format=body_format, **options)
    _check_statuses(out, missing, nulls)
    _check_store(vault, ids, frame, missing, nulls)
    assert out.attrs["vault"]["kept_missing"] == (int(missing.sum()) if nulls == "keep" else 0)


@pytest.mark.parametrize("nulls", ["keep", "clear"])
def test_upsert_with_scattered_missing_values(vault, client, nulls):
    ids = _seed(vault, 30)
    frame, missing = _scattered(30, seed=11)
    frame.insert(0, "external_id__v", [f"P-{i}" for i in range(30)])
    frame.insert(1, "name__v", [f"Product {i}" for i in range(30)])
    frame.insert(2, "product_family__c", "biologic__c")
    out = frame.vault.upsert("product__v", "external_id__v", nulls=nulls, progress=False)
    _check_statuses(out, missing, nulls)
    assert out["vault_event"].eq("updated").all()
    assert out["vault_id"].tolist() == ids
    _check_store(vault, ids, frame, missing, nulls)
    assert out.attrs["vault"]["kept_missing"] == (int(missing.sum()) if nulls == "keep" else 0)


def test_clearing_a_required_field_is_invalid(vault, client):
    ids = _seed(vault, 3)
    frame = pd.DataFrame({"id": ids, "name__v": ["Renamed", None, "  "]})
    out = frame.vault.update("product__v", nulls="clear", progress=False)
    assert out["vault_status"].tolist() == ["SUCCESS", "INVALID", "INVALID"]
    assert out["vault_error"].iloc[1].startswith("VALIDATION: name__v: is required")
    assert "nulls='clear'" in out["vault_error"].iloc[1]
    assert [vault.record("product__v", rid)["name__v"] for rid in ids] == [
        "Renamed", "Product 1", "Product 2",
    ]  # fmt: skip
    again = pd.DataFrame({"id": ids[:2], "name__v": ["Renamed again", None]})
    kept = again.vault.update("product__v", progress=False)  # keep: the name is untouched
    assert kept["vault_status"].tolist() == ["SUCCESS", "WARNING"]  # NO_DATA_CHANGES
    assert vault.record("product__v", ids[1])["name__v"] == "Product 1"
    assert kept.attrs["vault"]["kept_missing"] == 1


def test_clearing_an_optional_field_with_a_blank_row_is_valid(vault, client):
    ids = _seed(vault, 2)
    frame = pd.DataFrame({"id": ids, "description__c": [None, "x"]})
    out = frame.vault.update("product__v", nulls="clear", progress=False)
    assert out["vault_status"].tolist() == ["SUCCESS", "SUCCESS"]
    assert [vault.record("product__v", rid)["description__c"] for rid in ids] == [None, "x"]


def test_create_is_unaffected(vault, client):
    frame = pd.DataFrame(
        {
            "name__v": ["A", "B"],
            "product_family__c": "biologic__c",
            "description__c": [None, "b"],
            "pack_size__c": [np.nan, 3.0],
        }
    )
    out = frame.vault.create("product__v", progress=False)
    assert out["vault_status"].tolist() == ["SUCCESS", "SUCCESS"]
    first = vault.record("product__v", out["vault_id"].iloc[0])
    assert first["description__c"] is None and first["pack_size__c"] is None
    assert out.attrs["vault"]["kept_missing"] == 0


def test_mixed_missing_patterns_share_requests_of_at_most_500(vault, client):
    n = 1_100
    ids = _seed(vault, n)
    frame, missing = _scattered(n, seed=3)
    frame.insert(0, "id", ids)
    out = frame.vault.update("product__v", progress=False)  # the sandbox refuses > 500 rows
    _check_statuses(out, missing, "keep")
    assert out.attrs["vault"]["requests"] == 3  # not one request per pattern of blanks
    assert out.attrs["vault"]["kept_missing"] == int(missing.sum())
    _check_store(vault, ids, frame, missing, "keep")


def test_dry_run_counts_the_cells_it_would_keep(vault, client):
    ids = _seed(vault, 2)
    frame = pd.DataFrame({"id": ids, "description__c": [None, ""], "pack_size__c": [1.0, None]})
    out = frame.vault.update("product__v", dry_run=True, progress=False)
    assert out["vault_status"].tolist() == ["VALID", "VALID"]
    assert out.attrs["vault"]["kept_missing"] == 3


@pytest.mark.parametrize("bad", ["maybe", None, True, "KEEP"])
def test_nulls_other_than_keep_or_clear_is_refused_before_sending(vault, client, bad):
    frame = pd.DataFrame({"id": ["V0A000000000001"], "description__c": [None]})
    with pytest.raises(ConfigurationError, match="nulls must be 'keep' or 'clear'"):
        frame.vault.update("product__v", nulls=bad, progress=False)
    with pytest.raises(ConfigurationError, match="nulls must be 'keep' or 'clear'"):
        frame.vault.upsert("product__v", "external_id__v", nulls=bad, progress=False)
    assert not [r for r in vault.requests_log if "/vobjects/product__v" in r[1]]
