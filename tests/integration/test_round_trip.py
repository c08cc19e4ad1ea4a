"""Create -> read_vql -> change in pandas -> update / delete -> read again: dtype for dtype."""

from __future__ import annotations

import numpy as np
import pandas as pd

import vault_pandas
from vault_pandas.read import vql

AREAS = ["oncology__c", "cardiology__c", "neurology__c", "immunology__c", "rare_disease__c"]
FAMILIES = ["small_molecule__c", "biologic__c", "vaccine__c", "device__c"]
FIELDS = [
    "id",
    "external_id__v",
    "name__v",
    "generic_name__vs",
    "description__c",
    "product_family__c",
    "therapeutic_areas__c",
    "unit_price__c",
    "pack_size__c",
    "launch_date__c",
    "last_reviewed__c",
    "active__c",
]
SELECT = f"SELECT {', '.join(FIELDS)} FROM product__v"


def typed_products(n: int, seed: int = 1) -> pd.DataFrame:
    """Products built with exactly the dtypes ``read_vql`` gives back, blanks in every column."""
    rng = np.random.default_rng(seed)
    i = np.arange(n)

    def blank_every(k: int, values, dtype):  # noqa: ANN001, ANN202
        return pd.Series(values, dtype=dtype).mask(i % k == k - 1)

    areas = np.empty(n, dtype=object)
    for k in i:
        picked = [AREAS[k % 5], AREAS[(k * 3 + 1) % 5]]
        areas[k] = pd.NA if k % 6 == 5 else list(dict.fromkeys(picked))
    return pd.DataFrame(
        {
            "external_id__v": pd.Series([f"RT-{k:06d}" for k in i], dtype="string"),
            "name__v": pd.Series(
                [
                    f"Prodüct {k}, \"q\" 'a' \\ 100% ✓ {'trailing ' if k % 9 == 0 else ''}"
                    for k in i
                ],
                dtype="string",
            ),
            "generic_name__vs": blank_every(4, [f"generic-{k}" for k in i], "string"),
            "description__c": blank_every(
                3, [f"line one\nline two; {k}\ttab" for k in i], "string"
            ),
            "product_family__c": pd.Series([FAMILIES[k % 4] for k in i], dtype="string"),
            "therapeutic_areas__c": pd.Series(areas, dtype=object),
            "unit_price__c": blank_every(7, np.round(rng.uniform(0, 5000, n), 2), "Float64"),
            "pack_size__c": blank_every(5, i % 100 + 1, "Int64"),
            "launch_date__c": blank_every(
                8,
                np.datetime64("2015-01-01") + (i % 3000).astype("timedelta64[D]"),
                "datetime64[us]",
            ),
            "last_reviewed__c": blank_every(
                10,
                pd.Timestamp("2024-05-01 12:00:00", tz="UTC") + pd.to_timedelta(i * 61, unit="s"),
                "datetime64[us, UTC]",
            ),
            "active__c": blank_every(11, i % 3 != 0, "boolean"),
        }
    )


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("external_id__v").reset_index(drop=True)


def test_round_trip_5000_rows_dtype_for_dtype(vault, client):
    df = typed_products(5000)
    out = df.vault.create("product__v", progress=False)
    assert (out["vault_status"] == "SUCCESS").all(), out["vault_error"].dropna().head()

    expected = df.copy()
    expected.insert(0, "id", out["vault_id"].astype("string"))
    expected = _sorted(expected)[FIELDS]

    pages_before = sum(1 for r in vault.requests_log if "/query" in r[1])
    back = vault_pandas.read_vql(SELECT, progress=False)
    pages = sum(1 for r in vault.requests_log if "/query" in r[1]) - pages_before
    assert pages == 5  # 1000 per page: the first POST and four next_page POSTs
    assert back.index.equals(pd.RangeIndex(5000))
    pd.testing.assert_frame_equal(_sorted(back), expected, check_dtype=True)

    # change some rows in pandas: values, blanks that clear a field, lists
    read_back = _sorted(back)
    change = read_back.iloc[::7].copy()
    change["unit_price__c"] = change["unit_price__c"] * 2
    change["active__c"] = ~change["active__c"]
    change["launch_date__c"] = change["launch_date__c"] + pd.Timedelta(days=1)
    change.loc[change.index[::2], "description__c"] = pd.NA  # clears the field
    change["therapeutic_areas__c"] = [["rare_disease__c"]] * len(change)
    change["last_reviewed__c"] = pd.Timestamp("2025-01-02 03:04:05", tz="UTC")
    change["product_family__c"] = "vaccine__c"
    change = change.astype(read_back.dtypes.to_dict())  # scalars assigned above: str, [s]
    sent = ["id", *(c for c in change.columns if c not in ("id", "name__v", "external_id__v"))]
    updated = change[sent].vault.update("product__v", nulls="clear", progress=False)
    assert (updated["vault_status"] == "SUCCESS").all(), updated["vault_error"].dropna().head()
    assert updated["vault_id"].tolist() == change["id"].tolist()

    doomed = read_back.iloc[3::7]
    deleted = doomed[["id"]].vault.delete("product__v", progress=False)
    assert (deleted["vault_status"] == "SUCCESS").all()

    expected = pd.concat([read_back.drop(index=[*change.index, *doomed.index]), change])
    expected = _sorted(expected)
    again = vault_pandas.read_vql(SELECT, progress=False)
    assert len(again) == 5000 - len(doomed)
    pd.testing.assert_frame_equal(_sorted(again), expected, check_dtype=True)

    # the frame read back can be written back as it is: nothing changes
    same = again[sent].vault.update("product__v", progress=False)
    assert set(same["vault_status"]) == {"WARNING"}
    assert same["vault_error"].str.startswith("NO_DATA_CHANGES").all()
    pd.testing.assert_frame_equal(
        _sorted(vault_pandas.read_vql(SELECT, progress=False)), expected, check_dtype=True
    )


def test_empty_answer_has_typed_columns(vault, client):
    empty = vault_pandas.read_vql(SELECT + " WHERE external_id__v = 'nothing'", progress=False)
    assert list(empty.columns) == FIELDS and len(empty) == 0
    typed = _sorted(typed_products(0).assign(id=pd.Series(dtype="string")))[FIELDS]
    pd.testing.assert_frame_equal(empty, typed, check_dtype=True, check_index_type=False)


def test_read_helper_and_accessor_read(vault, client):
    df = typed_products(600)
    out = df.vault.create("product__v", progress=False)
    assert (out["vault_status"] == "SUCCESS").all()

    one = vql.read("product__v", FIELDS[1:], where={"name__v": df["name__v"].iloc[9]})
    pd.testing.assert_frame_equal(one, df.iloc[[9]].reset_index(drop=True), check_dtype=True)

    # default fields: every field of the metadata, in its order
    every = vql.read("product__v", where={"external_id__v": ["RT-000001", "RT-000002"]})
    assert len(every) == 2
    assert {"state__v", "created_date__v", "lifecycle__v"} <= set(every.columns)
    assert every["created_date__v"].dtype == "datetime64[us, UTC]"

    # where with several conditions, a boolean and a number, ordered
    some = vql.read(
        "product__v",
        ["external_id__v", "pack_size__c"],
        where={"active__c": True, "pack_size__c": [1, 2], "product_family__c": "biologic__c"},
        order_by=["pack_size__c DESC", "external_id__v"],
    )
    mask = df["active__c"].eq(True) & df["pack_size__c"].isin([1, 2])
    mask &= df["product_family__c"].eq("biologic__c")
    wanted = df[mask.fillna(False)].sort_values(
        ["pack_size__c", "external_id__v"], ascending=[False, True]
    )
    assert len(wanted) > 0
    assert some["external_id__v"].tolist() == wanted["external_id__v"].tolist()

    # df.vault.read: the records of this frame's keys, asked in chunks of 250
    sample = out.iloc[::2]
    queries = sum(1 for r in vault.requests_log if "/query" in r[1])
    got = sample.vault.read("product__v", column="vault_id", fields=FIELDS[1:])
    assert sum(1 for r in vault.requests_log if "/query" in r[1]) - queries == 2
    expected = sample[FIELDS[1:]].assign(id=sample["vault_id"].astype("string"))[FIELDS]
    pd.testing.assert_frame_equal(
        _sorted(got), _sorted(expected), check_dtype=True, check_index_type=False
    )
    by_key = df.iloc[[5, 5, 7]].vault.read("product__v", key="external_id__v", fields=["id"])
    assert by_key.columns.tolist() == ["external_id__v", "id"]
    assert by_key["external_id__v"].tolist() == ["RT-000005", "RT-000007"]

    nothing = df.iloc[:0].vault.read("product__v", key="external_id__v", fields=FIELDS[1:])
    assert len(nothing) == 0
    assert nothing.dtypes.to_dict() == df.dtypes.to_dict()
