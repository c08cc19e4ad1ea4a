"""Property test over real HTTP: nasty values of every dtype arrive in Vault exactly as meant.

Hypothesis builds product frames from awkward values held in many pandas dtypes; the frame is
created in the sandbox, and every stored cell must equal the canonical text Vault would hold.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import hypothesis.strategies as st
import pandas as pd
from hypothesis import HealthCheck, given, settings

FAMILIES = ["small_molecule__c", "biologic__c", "vaccine__c", "device__c"]
AREAS = ["oncology__c", "cardiology__c", "neurology__c", "immunology__c", "rare_disease__c"]
NASTY = [",", '"', "\n", "\\", "\\\\", " ", "'", ";", "é", "漢", "🙂", "0", "\t", "nan", "None"]
ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"]


def _text(max_size: int, *, crlf: bool) -> st.SearchStrategy[str]:
    pieces = NASTY + (["\r\n", "\r"] if crlf else [])
    alphabet = st.characters(
        blacklist_categories=("Cs", "Cc"),
        blacklist_characters="\r\n\x85\u2028\u2029\ufffe\uffff",  # outside XML 1.0: INVALID
    )
    return (
        st.lists(st.sampled_from(pieces) | st.text(alphabet, max_size=4), max_size=8)
        .map("".join)
        .map(lambda s: s[:max_size])
    )


@st.composite
def rows(draw, crlf: bool):
    n = draw(st.integers(1, 25))
    texts = [draw(_text(60, crlf=crlf)) for _ in range(n)]
    prices = [
        draw(st.none() | st.integers(0, 100_000_000).map(lambda c: c / 100)) for _ in range(n)
    ]
    packs = [draw(st.none() | st.integers(1, 10_000)) for _ in range(n)]
    days = [
        draw(st.none() | st.dates(dt.date(1901, 1, 1), dt.date(2199, 12, 31))) for _ in range(n)
    ]
    stamps = [
        draw(st.none() | st.datetimes(dt.datetime(1971, 1, 1), dt.datetime(2099, 1, 1)))
        for _ in range(n)
    ]
    flags = [draw(st.none() | st.booleans()) for _ in range(n)]
    areas = [draw(st.lists(st.sampled_from(AREAS), unique=True, max_size=3)) for _ in range(n)]
    zone = draw(st.sampled_from(ZONES))
    dtypes = draw(
        st.fixed_dictionaries(
            {
                "text": st.sampled_from(["object", "string", "str", "category"]),
                "price": st.sampled_from(["float64", "Float64", "double[pyarrow]"]),
                "pack": st.sampled_from(["Int64", "int64[pyarrow]", "float64", "object"]),
                "day": st.sampled_from(["datetime64[ns]", "object", "date32[pyarrow]"]),
                "flag": st.sampled_from(["boolean", "object", "bool[pyarrow]"]),
            }
        )
    )
    return n, texts, prices, packs, days, stamps, flags, areas, zone, dtypes


def _frame(example) -> pd.DataFrame:
    n, texts, prices, packs, days, stamps, flags, areas, zone, dtypes = example
    text_dtype = {"str": "str", "string": "string", "object": object, "category": "category"}
    stamp_series = pd.Series(
        pd.to_datetime(pd.Series(stamps, dtype=object)), dtype="datetime64[ns]"
    )
    frame = pd.DataFrame(
        {
            "external_id__v": [f"E{k:03d}" for k in range(n)],
            "name__v": [f"{t[:40]}#{k}" for k, t in enumerate(texts)],
            "product_family__c": [FAMILIES[k % 4] for k in range(n)],
            "generic_name__vs": pd.Series(texts, dtype=object).replace("", None),
            "description__c": pd.Series([t * 3 for t in texts], dtype=object),
            "unit_price__c": pd.Series(prices, dtype="float64"),
            "pack_size__c": pd.Series(packs, dtype="Int64"),
            "launch_date__c": pd.Series(pd.to_datetime(pd.Series(days, dtype=object))),
            "last_reviewed__c": stamp_series.dt.tz_localize("UTC").dt.tz_convert(zone),
            "active__c": pd.Series(flags, dtype="boolean"),
            "therapeutic_areas__c": areas,
        }
    )
    frame["generic_name__vs"] = frame["generic_name__vs"].astype(text_dtype[dtypes["text"]])
    frame["unit_price__c"] = frame["unit_price__c"].astype(dtypes["price"])
    frame["pack_size__c"] = _cast(frame["pack_size__c"], dtypes["pack"])
    frame["launch_date__c"] = _cast_date(frame["launch_date__c"], dtypes["day"])
    frame["active__c"] = frame["active__c"].astype(dtypes["flag"])
    return frame


def _cast(series: pd.Series, dtype: str) -> pd.Series:
    if dtype == "float64":
        return series.astype("float64")
    if dtype == "object":
        return series.astype(object).where(series.notna(), None)
    return series.astype(dtype)


def _cast_date(series: pd.Series, dtype: str) -> pd.Series:
    if dtype == "object":
        return pd.Series([None if pd.isna(v) else v.date() for v in series], dtype=object)
    return series.astype(dtype)


def _expected(frame: pd.DataFrame, k: int, crlf: bool) -> dict:
    row = frame.iloc[k]

    def text(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)) or v == "":
            return None
        return v.replace("\r\n", "\n") if crlf else v

    price, pack, day, stamp = (
        row[c] for c in ("unit_price__c", "pack_size__c", "launch_date__c", "last_reviewed__c")
    )
    return {
        "name__v": text(row["name__v"]),
        "generic_name__vs": text(row["generic_name__vs"]),
        "description__c": text(row["description__c"]),
        "unit_price__c": None if pd.isna(price) else Decimal(repr(float(price))),
        "pack_size__c": None if pd.isna(pack) else Decimal(int(pack)),
        "launch_date__c": None if pd.isna(day) else pd.Timestamp(day).strftime("%Y-%m-%d"),
        "last_reviewed__c": None
        if pd.isna(stamp)
        else stamp.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "active__c": None if pd.isna(row["active__c"]) else bool(row["active__c"]),
        "therapeutic_areas__c": sorted(row["therapeutic_areas__c"]) or None,
    }


def _check(vault_server, example, body_format: str, crlf: bool) -> None:
    import vault_pandas

    vault_server.reset()
    vault_pandas.connect(
        vault_server.url, username=vault_server.username, password=vault_server.password
    )
    frame = _frame(example)
    out = frame.vault.create("product__v", body_format=body_format, progress=False)
    assert (out["vault_status"] == "SUCCESS").all(), out["vault_error"].dropna().tolist()
    stored = {r["id"]: r for r in vault_server.records("product__v")}
    for k, vid in enumerate(out["vault_id"]):
        record = stored[vid]
        for field, want in _expected(frame, k, crlf).items():
            got = record[field]
            if field == "therapeutic_areas__c" and got is not None:
                got = sorted(got) or None
            assert got == want, (field, k, got, want)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(example=rows(crlf=False))
def test_csv_bodies_store_every_value_exactly(vault, example):
    _check(vault, example, "csv", crlf=False)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(example=rows(crlf=True))
def test_json_bodies_keep_carriage_returns(vault, example):
    _check(vault, example, "json", crlf=False)
