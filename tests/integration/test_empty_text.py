"""``""`` is a missing value, as None and NaN are, in a column of any field type.

With ``nulls="keep"`` (the default) the stored value stays; with ``nulls="clear"`` it is
cleared. Never ``INVALID`` ("must be a number (got '')"). Each record is read back from the
sandbox's store.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

#: field -> (its stored value before, a new value in the frame, the new value as stored)
FIELDS: dict[str, tuple[str, Any, Any]] = {
    "pack_size__c": ("5", 7, Decimal(7)),  # Number
    "unit_price__c": ("1.5", 2.25, Decimal("2.25")),  # Number with decimals
    "launch_date__c": ("2020-01-01", pd.Timestamp("2024-03-04"), "2024-03-04"),  # Date
    "last_reviewed__c": (  # DateTime
        "2020-01-01T10:00:00.000Z",
        pd.Timestamp("2024-03-04T05:06:07Z"),
        "2024-03-04T05:06:07.000Z",
    ),
    "active__c": ("true", False, False),  # Boolean
    "therapeutic_areas__c": ("oncology__c,cardiology__c", ["neurology__c"], ["neurology__c"]),
    "generic_name__vs": ("old", "new", "new"),  # String
}


def _stored(column: str, text: str) -> Any:
    """The seeded text as the sandbox stores it."""
    if column in ("pack_size__c", "unit_price__c"):
        return Decimal(text).quantize(Decimal("0.01") if "." in text else Decimal(1))
    if column == "active__c":
        return text == "true"
    return text.split(",") if column == "therapeutic_areas__c" else text


def _seed(vault, n: int) -> list[str]:
    old = {column: before for column, (before, _, _) in FIELDS.items()}
    rows = [
        {"name__v": f"P{i}", "external_id__v": f"E{i}", "product_family__c": "biologic__c", **old}
        for i in range(n)
    ]
    return vault.seed("product__v", rows)


def _frame(key: str, keys: list[str], column: str, dtype: Any) -> pd.DataFrame:
    """Row 0 gives "" for ``column``, row 1 a new value (an object column of mixed values)."""
    values = pd.Series(["", FIELDS[column][1]], dtype=object)
    if dtype is not object:
        values = values.astype(dtype)
    return pd.DataFrame({key: keys, column: values})


def _write(frame: pd.DataFrame, operation: str, nulls: str, body_format: str) -> pd.DataFrame:
    options: dict[str, Any] = {"nulls": nulls, "progress": False, "body_format": body_format}
    if operation == "update":
        return frame.vault.update("product__v", **options)
    frame = frame.assign(name__v=["P0", "P1"], product_family__c="biologic__c")  # as stored
    return frame.vault.upsert("product__v", "external_id__v", **options)


@pytest.mark.parametrize("body_format", ["csv", "json"])
@pytest.mark.parametrize("operation", ["update", "upsert"])
@pytest.mark.parametrize("nulls", ["keep", "clear"])
@pytest.mark.parametrize("column", list(FIELDS))
def test_empty_text_is_missing(vault, client, column, nulls, operation, body_format):
    ids = _seed(vault, 2)
    key, keys = ("id", ids) if operation == "update" else ("external_id__v", ["E0", "E1"])
    out = _write(_frame(key, keys, column, object), operation, nulls, body_format)
    # keep: row 0 sends nothing but its key, which changes nothing (Vault's NO_DATA_CHANGES)
    expected = ["WARNING" if nulls == "keep" else "SUCCESS", "SUCCESS"]
    assert out["vault_status"].tolist() == expected, out["vault_error"].tolist()
    assert out.attrs["vault"]["kept_missing"] == (1 if nulls == "keep" else 0)
    kept = vault.record("product__v", ids[0])[column]
    assert kept == (_stored(column, FIELDS[column][0]) if nulls == "keep" else None)
    assert vault.record("product__v", ids[1])[column] == FIELDS[column][2]


@pytest.mark.parametrize("dtype", ["string[pyarrow]", "string[python]", "category"])
@pytest.mark.parametrize("nulls", ["keep", "clear"])
@pytest.mark.parametrize("column", ["pack_size__c", "launch_date__c", "active__c"])
def test_empty_text_in_text_dtypes_is_missing(vault, client, column, nulls, dtype):
    ids = _seed(vault, 2)
    frame = pd.DataFrame(
        {"id": ids, column: pd.Series(["", {"pack_size__c": "8", "launch_date__c": "2024-05-06",
                                            "active__c": "false"}[column]], dtype=dtype)}
    )  # fmt: skip
    out = frame.vault.update("product__v", nulls=nulls, progress=False)
    assert out["vault_status"].iloc[1] == "SUCCESS", out["vault_error"].tolist()
    assert out["vault_status"].iloc[0] == ("WARNING" if nulls == "keep" else "SUCCESS")
    kept = vault.record("product__v", ids[0])[column]
    assert kept == (_stored(column, FIELDS[column][0]) if nulls == "keep" else None)


def test_empty_text_in_a_reference_is_missing(vault, client):
    [product] = vault.seed("product__v", [{"name__v": "P", "product_family__c": "biologic__c"}])
    sites = vault.seed(
        "site__c", [{"site_code__c": f"S{i}", "product__c": product} for i in (0, 1)]
    )
    frame = pd.DataFrame({"id": sites, "product__c": pd.Series(["", " "], dtype=object)})
    out = frame.vault.update("site__c", progress=False)
    assert out["vault_status"].tolist() == ["WARNING", "INVALID"]  # " " is not a record id
    assert "must not be empty text" in out["vault_error"].iloc[1]
    assert [vault.record("site__c", s)["product__c"] for s in sites] == [product, product]


def test_empty_text_in_a_required_field_is_still_required(vault, client):
    ids = _seed(vault, 1)
    frame = pd.DataFrame({"id": ids, "name__v": pd.Series([""], dtype=object)})
    out = frame.vault.update("product__v", nulls="clear", progress=False)
    assert out["vault_status"].tolist() == ["INVALID"]
    assert "nulls='clear' cannot clear it" in out["vault_error"].iloc[0]
    created = pd.DataFrame({"name__v": [""], "product_family__c": ["biologic__c"]})
    assert created.vault.create("product__v", progress=False)["vault_status"].tolist() == [
        "INVALID"
    ]
