"""Property tests: format_frame agrees with a slow reference formatter, value by value, and
the CSV and JSON bodies read back to the reference text."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import re
import zoneinfo

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vault_pandas.write.blocks import ISO_DATETIME, format_frame
from vault_pandas.write.bodies import csv_body, csv_header, json_body

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ZONES = ["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe"]
NOT_XML = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {"\ufffe", "\uffff"}
SPECIAL = ["\\", '"', ",", "\n", "\r", " ", "\t", "\x00", "\x0b", "\ufffe", "é", "🙂"]


# --- the reference: one value at a time, in plain Python -------------------------------------


def ref_number(text: str) -> str:
    out = format(decimal.Decimal(text), "f")
    return out[1:] if out.startswith("-") and not out.strip("-0.") else out


def ref_datetime(value, vault_type, zone) -> tuple[str | None, bool]:
    """(text, invalid) of a datetime by Vault's rules."""
    ts = pd.Timestamp(value)
    if vault_type == "Date":
        wall = (
            ts if ts.tz is None else ts.tz_convert(zoneinfo.ZoneInfo(str(ts.tz))).tz_localize(None)
        )
        if wall != wall.normalize():
            return None, True
        return wall.strftime("%Y-%m-%d"), False
    if ts.tz is None:
        if zone is None:
            return None, True
        naive = ts.to_pydatetime()
        early = naive.replace(tzinfo=zoneinfo.ZoneInfo(zone), fold=0)
        late = naive.replace(tzinfo=zoneinfo.ZoneInfo(zone), fold=1)
        if early.utcoffset() != late.utcoffset():  # the local time repeats or does not exist
            return None, True
        ts = pd.Timestamp(early)
    utc = ts.tz_convert("UTC")
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z", False


def ref_text(value, vault_type=None, multi=False, zone=None, csv_body=True):
    """(text, invalid): the canonical Vault text of one value, None for a blank."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None, False
    if isinstance(value, decimal.Decimal):
        if value.is_nan():
            return None, False
        return (None, True) if value.is_infinite() else (ref_number(str(value)), False)
    if isinstance(value, bool | np.bool_):
        return ("true" if value else "false"), False
    if isinstance(value, int | np.integer):
        return str(int(value)), False
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return None, False
        if np.isinf(value):
            return None, True
        digits = str(value).removesuffix(".0")  # repr: shortest round trip; no ".0"
        return ref_number(digits), False
    if isinstance(value, dt.datetime | np.datetime64):
        return ref_datetime(value, vault_type, zone)
    if isinstance(value, dt.date):
        return value.isoformat(), False
    if isinstance(value, list | tuple):
        if not multi or not all(isinstance(v, str) and "," not in v for v in value):
            return None, True
        value = ",".join(v for v in value if v)
    if not value:
        return None, False
    if vault_type == "DateTime" and re.fullmatch(ISO_DATETIME, value):
        try:  # ISO text for a DateTime field is read as the instant it names
            stamp = pd.Timestamp(value.replace(" ", "T"))
        except (ValueError, OverflowError):
            stamp = None
        if stamp is not None and stamp is not pd.NaT:
            return ref_datetime(stamp.to_pydatetime(warn=False), vault_type, zone)
    bare_cr = any(c == "\r" and value[i + 1 : i + 2] != "\n" for i, c in enumerate(value))
    if any(c in NOT_XML for c in value) or (csv_body and bare_cr):
        return None, True
    return value, False


# --- strategies: one column of nasty values per dtype family ---------------------------------

texts = st.text(st.one_of(st.sampled_from(SPECIAL), st.characters(exclude_categories=["Cs"])))
floats = st.floats(allow_nan=True, allow_infinity=True)
zones = st.sampled_from([dt.UTC, *(zoneinfo.ZoneInfo(z) for z in ZONES)])
naive = st.datetimes(min_value=dt.datetime(1700, 1, 1), max_value=dt.datetime(2250, 1, 1))
midnights = st.dates(min_value=dt.date(1700, 1, 1), max_value=dt.date(2250, 1, 1)).map(
    lambda d: dt.datetime(d.year, d.month, d.day)
)
aware = st.one_of(
    st.datetimes(
        min_value=dt.datetime(1700, 1, 1),
        max_value=dt.datetime(2250, 1, 1),
        timezones=zones,
        allow_imaginary=False,
    ),
    st.builds(lambda d, zone: d.replace(tzinfo=zone), midnights, zones),
)
scalars = st.one_of(
    st.none(),
    texts,
    st.integers(),
    floats,
    st.booleans(),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.dates(),
    aware,
    naive,
)


def column(draw, kind: str, size: int) -> tuple[pd.Series, list]:
    """A column of one dtype family and the Python values it holds."""
    if kind == "float":
        dtype = draw(st.sampled_from(["float64", "Float64", "double[pyarrow]", "float32"]))
        values = draw(st.lists(floats, min_size=size, max_size=size))
        if dtype == "float32":
            with np.errstate(over="ignore"):
                values = [None if np.isnan(v) else np.float32(v) for v in values]
        elif dtype != "float64":
            values = [None if np.isnan(v) else v for v in values]
        return pd.Series(values, dtype=dtype), values
    if kind == "int":
        dtype = draw(st.sampled_from(["int64", "Int64", "int64[pyarrow]", "uint64"]))
        low, high = (0, 2**64 - 1) if dtype == "uint64" else (-(2**63), 2**63 - 1)
        ints = st.integers(low, high)
        values = draw(
            st.lists(
                ints if dtype in ("int64", "uint64") else st.none() | ints,
                min_size=size,
                max_size=size,
            )
        )
        return pd.Series(values, dtype=dtype), values
    if kind == "text":
        dtype = draw(st.sampled_from([object, "string[python]", "string[pyarrow]"]))
        values = draw(st.lists(st.none() | texts, min_size=size, max_size=size))
        series = pd.Series(values, dtype=dtype)
        if draw(st.booleans()):
            series = series.astype("category")
        return series, values
    if kind == "aware":
        zone = draw(st.sampled_from(ZONES))
        values = draw(st.lists(st.none() | aware, min_size=size, max_size=size))
        series = pd.Series(pd.to_datetime(values, utc=True)).dt.tz_convert(zone)
        if draw(st.booleans()):
            series = series.astype(pd.ArrowDtype(pa.timestamp("us", tz=zone)))
        return series, [None if pd.isna(v) else v for v in series]
    if kind == "naive":
        values = draw(st.lists(st.none() | naive | midnights, min_size=size, max_size=size))
        series = pd.Series(pd.to_datetime(pd.Series(values, dtype=object)), dtype="datetime64[ns]")
        if draw(st.booleans()):
            series = series.astype(pd.ArrowDtype(pa.timestamp("ns")))
        return series, [None if pd.isna(v) else v for v in series]
    if kind == "date":
        values = draw(st.lists(st.none() | st.dates(), min_size=size, max_size=size))
        dtype = draw(st.sampled_from([object, pd.ArrowDtype(pa.date32())]))
        return pd.Series(values, dtype=dtype), values
    if kind == "bool":
        dtype = draw(st.sampled_from(["boolean", "bool[pyarrow]", object, "category"]))
        values = draw(st.lists(st.none() | st.booleans(), min_size=size, max_size=size))
        return pd.Series(values, dtype=dtype), values
    if kind == "multi":
        names = st.lists(st.text("abc_,é", max_size=4), max_size=3)
        values = draw(st.lists(st.none() | names | texts, min_size=size, max_size=size))
        return pd.Series(values, dtype=object), values
    values = draw(st.lists(scalars, min_size=size, max_size=size))
    return pd.Series(values, dtype=object), values


@st.composite
def frames(draw):
    """A frame of nasty columns, with its Vault types, multi-value columns and time zone."""
    families = ["float", "int", "text", "aware", "naive", "date", "bool", "multi", "object"]
    kinds = draw(st.lists(st.sampled_from(families), min_size=1, max_size=4))
    size = draw(st.integers(0, 12))
    columns, values, types = {}, {}, {}
    for i, kind in enumerate(kinds):
        name = f"{kind}{i}"
        columns[name], values[name] = column(draw, kind, size)
        types[name] = draw(st.sampled_from([None, "Date", "DateTime", "String"]))
    frame = pd.DataFrame(columns)
    labels = draw(st.lists(st.integers(0, 3), min_size=size, max_size=size))
    frame.index = labels  # duplicate, unsorted labels: results are positional
    multi = [name for name in columns if name.startswith("multi")]
    zone = draw(st.sampled_from([None, *ZONES]))
    body = draw(st.sampled_from(["csv", "json"]))
    return frame, values, types, multi, zone, body


def expected(values, types, multi, zone, body):
    out = {}
    for name, python in values.items():
        out[name] = [ref_text(v, types[name], name in multi, zone, body == "csv") for v in python]
    return out


def canonical(block, body):
    undo = (lambda v: v.replace("\\\\", "\\")) if body == "csv" else json.loads
    return {
        name: [None if v is None else undo(v) for v in block.table.column(name).to_pylist()]
        for name in block.table.column_names
    }


@SETTINGS
@given(frames())
def test_text_matches_the_reference_formatter(case):
    frame, values, types, multi, zone, body = case
    block = format_frame(frame, types, multi_value=multi, assume_timezone=zone, body_format=body)
    want = expected(values, types, multi, zone, body)
    got = canonical(block, body)
    for name in frame.columns:
        assert got[name] == [text for text, _ in want[name]], name
    bad = np.zeros(len(frame), dtype=bool)
    for pairs in want.values():
        bad |= np.array([invalid for _, invalid in pairs], dtype=bool)
    assert list(pd.notna(block.invalid)) == list(bad)


@SETTINGS
@given(frames())
def test_bodies_read_back_to_the_reference_text(case):
    frame, values, types, multi, zone, body = case
    block = format_frame(frame, types, multi_value=multi, assume_timezone=zone, body_format=body)
    keep = pd.isna(block.invalid)
    table, sizes = block.table.filter(pa.array(keep)), block.row_nbytes[keep]
    want = {
        name: [t for (t, _), k in zip(pairs, keep, strict=True) if k]
        for name, pairs in expected(values, types, multi, zone, body).items()
    }
    if body == "csv":
        data = csv_body(table)
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        rows = [[cell.replace("\\\\", "\\") for cell in row] for row in rows]
        assert rows[0] == list(frame.columns)
        for i, name in enumerate(frame.columns):
            assert [row[i] for row in rows[1:]] == [t or "" for t in want[name]]
        assert len(data) == len(csv_header(tuple(table.column_names))) + sizes.sum()
    else:
        data = json_body(table)
        records = json.loads(data.decode("utf-8"))
        for name in frame.columns:
            assert [r[name] for r in records] == want[name]
        assert len(data) == (sizes.sum() + 1 if len(sizes) else 2)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.none() | texts, min_size=1, max_size=20), st.integers(0, 5), st.integers(0, 20))
def test_slices_of_a_block_make_the_same_body_as_their_rows(values, start, length):
    frame = pd.DataFrame({"a": pd.Series(values, dtype=object), "b": range(len(values))})
    block = format_frame(frame, body_format="json")
    part = block.table.slice(start, length)
    alone = format_frame(frame.iloc[start : start + length], body_format="json").table
    assert json_body(part) == json_body(alone)
