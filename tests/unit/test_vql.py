"""VQL literals, query building, paging and answer typing, without a server."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from vault_pandas import ConfigurationError, VaultAPIError, VaultClient
from vault_pandas.read import vql
from vault_pandas.read.dtypes import (
    DATE_DTYPE,
    DATETIME_DTYPE,
    complete_describe,
    describe_from_metadata,
    typed_column,
    typed_frame,
)
from vault_pandas.sandbox.store import Store
from vault_pandas.sandbox.vql import parse_query

# --- literals ------------------------------------------------------------------------------


def _parsed(literal: str) -> Any:
    """The value the sandbox's VQL parser (an independent reading of the VQL reference) gets."""
    query = parse_query(f"SELECT id FROM product__v WHERE name__v = {literal}", Store())
    return query.where[3][0]


@pytest.mark.parametrize(
    "value,expected",
    [
        ("O'Brien", r"'O\'Brien'"),
        ("a\\b", r"'a\\b'"),
        ("\\'", r"'\\\''"),
        ("100% sure*", "'100% sure*'"),  # wildcards only in LIKE / FIND: kept as they are
        ("Prodüct ✓ 製品 🧪", "'Prodüct ✓ 製品 🧪'"),
        ('say "hi"', "'say \"hi\"'"),
        ("", "''"),
        ("tab\there", "'tab\there'"),
    ],
)
def test_quote_escapes_backslash_and_quote_only(value, expected):
    assert vql.quote(value) == expected
    assert _parsed(vql.quote(value)) == value


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\r\nb", "\n"])
def test_quote_refuses_line_breaks(value):
    with pytest.raises(ConfigurationError, match="line break"):
        vql.quote(value)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n")))
def test_quote_round_trips_through_a_vql_parser(value):
    assert _parsed(vql.quote(value)) == value


@given(st.text(alphabet=st.sampled_from(["'", "\\", "a", " ", "%", ")", ","]), max_size=12))
def test_a_quoted_value_cannot_end_the_literal(value):
    text = f"SELECT id FROM product__v WHERE name__v = {vql.quote(value)} AND id = 'x'"
    query = parse_query(text, Store())
    assert query.where[0] == "and"
    assert query.where[1][3] == [value]


@pytest.mark.parametrize(
    "value,expected",
    [
        (None, "null"),
        (pd.NA, "null"),
        (float("nan"), "null"),
        (pd.NaT, "null"),
        (True, "true"),
        (np.bool_(False), "false"),
        (12, "12"),
        (np.int64(-3), "-3"),
        (2**70, str(2**70)),
        (0.1, "0.1"),
        (1e20, "100000000000000000000"),
        (Decimal("12.50"), "12.50"),
        (dt.date(2024, 2, 29), "'2024-02-29'"),
        (pd.Timestamp("2024-02-29"), "'2024-02-29'"),
        (np.datetime64("2024-02-29"), "'2024-02-29'"),
        (pd.Timestamp("2024-05-01 12:00:01.5", tz="Europe/Paris"), "'2024-05-01T10:00:01.500Z'"),
        (dt.datetime(2024, 5, 1, 10, tzinfo=dt.UTC), "'2024-05-01T10:00:00.000Z'"),
        ("x'y", r"'x\'y'"),
    ],
)
def test_literal(value, expected):
    assert vql.literal(value) == expected


@pytest.mark.parametrize(
    "value",
    [float("inf"), Decimal("-Infinity"), pd.Timestamp("2024-05-01 12:00"), object(), ["a"], {}],
)
def test_literal_refuses(value):
    with pytest.raises(ConfigurationError):
        vql.literal(value)


def test_contains_checks_the_field_and_quotes_values():
    assert vql.contains("name__v", ["a'", 1, None]) == r"name__v CONTAINS ('a\'', 1, null)"
    assert vql.contains("product__cr.name__v", ["x"]) == "product__cr.name__v CONTAINS ('x')"
    with pytest.raises(ConfigurationError):
        vql.contains("name__v) OR (1", ["x"])


# --- query building ---------------------------------------------------------------------------


def test_conditions_equality_contains_and_the_list_to_split():
    clauses, split = vql._conditions(
        {"active__c": True, "name__v": "O'B", "state__v": ["a", "b"], "id": ["1", "2", "3", "1"]}
    )
    assert clauses == ["active__c = true", r"name__v = 'O\'B'", "state__v CONTAINS ('a', 'b')"]
    assert split == ("id", ["1", "2", "3"])  # the longest list, deduplicated
    assert vql._conditions({"id": [], "name__v": ["a"]})[1] == ("id", [])  # matches nothing
    assert vql._conditions({"x__c": None}) == (["x__c = null"], None)
    with pytest.raises(ConfigurationError):
        vql._conditions({"name__v = 'a' OR id": "x"})


def test_order_by():
    assert vql._order_by("name__v") == ["name__v"]
    assert vql._order_by(["a__c desc", "b__c ASC"]) == ["a__c DESC", "b__c ASC"]
    assert vql._order_by(None) == []
    for bad in ["a__c sideways", "a__c DESC x", "", "a;b"]:
        with pytest.raises(ConfigurationError):
            vql._order_by(bad)


def test_query_text():
    base = "SELECT id FROM product__v"
    assert vql._query(base, [], []) == base
    assert vql._query(base, ["a = 1", "b = 2"], ["id DESC"]) == (
        base + " WHERE a = 1 AND b = 2 ORDER BY id DESC"
    )


# --- typing ---------------------------------------------------------------------------------

DESCRIBE = {
    "fields": [
        {"name": "id", "type": "ID"},
        {"name": "name__v", "type": "String"},
        {"name": "description__c", "type": "LongText"},
        {"name": "product__c", "type": "Object"},
        {"name": "pack_size__c", "type": "Number", "scale": 0},
        {"name": "unit_price__c", "type": "Number", "scale": 2},
        {"name": "launch_date__c", "type": "Date"},
        {"name": "last_reviewed__c", "type": "DateTime"},
        {"name": "active__c", "type": "Boolean"},
        {"name": "family__c", "type": "Picklist", "multi_value": False},
        {"name": "areas__c", "type": "Picklist", "multi_value": True},
        {"name": "link__c", "type": "Link"},
    ]
}
DTYPES = {
    "id": pd.StringDtype(),
    "name__v": pd.StringDtype(),
    "description__c": pd.StringDtype(),
    "product__c": pd.StringDtype(),
    "pack_size__c": pd.Int64Dtype(),
    "unit_price__c": pd.Float64Dtype(),
    "launch_date__c": np.dtype("datetime64[us]"),
    "last_reviewed__c": pd.DatetimeTZDtype("us", "UTC"),
    "active__c": pd.BooleanDtype(),
    "family__c": pd.StringDtype(),
    "areas__c": np.dtype(object),
    "link__c": np.dtype(object),
}
RECORD = {
    "id": "00P000000000001",
    "name__v": "Prodüct 'one'",
    "description__c": "two\nlines",
    "product__c": "00P000000000002",
    "pack_size__c": 12,
    "unit_price__c": 12,  # Vault answers 12.00 as 12
    "launch_date__c": "2024-02-29",
    "last_reviewed__c": "2024-05-01T10:00:00.000Z",
    "active__c": False,
    "family__c": ["biologic__c"],
    "areas__c": ["oncology__c", "cardiology__c"],
    "link__c": {"url": "x"},
}
BLANK = dict.fromkeys(RECORD)


def test_typed_frame_one_dtype_per_vault_type():
    frame = typed_frame([RECORD, BLANK], DESCRIBE)
    assert frame.dtypes.to_dict() == DTYPES
    assert frame.index.equals(pd.RangeIndex(2))
    first = frame.iloc[0]
    assert first["pack_size__c"] == 12 and first["unit_price__c"] == 12.0
    assert first["launch_date__c"] == pd.Timestamp("2024-02-29")
    assert first["last_reviewed__c"] == pd.Timestamp("2024-05-01 10:00", tz="UTC")
    assert frame["active__c"].tolist() == [False, pd.NA]
    assert first["family__c"] == "biologic__c"  # unwrapped
    assert first["areas__c"] == ["oncology__c", "cardiology__c"]
    assert first["link__c"] == {"url": "x"}
    second = frame.iloc[1]
    for name in DTYPES:
        if name == "link__c":
            assert second[name] is None  # an unknown type is left as Vault answered it
        else:
            assert pd.isna(second[name]), name
    assert second["areas__c"] is pd.NA and second["family__c"] is pd.NA


def test_empty_answer_keeps_typed_columns():
    frame = typed_frame([], DESCRIBE)
    assert list(frame.columns) == list(DTYPES) and len(frame) == 0
    assert frame.dtypes.to_dict() == DTYPES


def test_without_describe_columns_come_from_the_records():
    frame = typed_frame([{"a": 1}, {"b": "x"}], None)
    assert list(frame.columns) == ["a", "b"] and set(frame.dtypes) == {np.dtype(object)}
    assert typed_frame([], None).shape == (0, 0)


def test_numbers():
    exact = 2**62 + 1
    ints = typed_column([exact, None, 3.0], {"name": "n", "type": "Number", "scale": 0})
    assert ints.dtype == "Int64" and ints.iloc[0] == exact and ints.iloc[2] == 3
    floats = typed_column([1, 2.5, None], {"name": "n", "type": "Number", "scale": 2})
    assert floats.dtype == "Float64" and floats.tolist() == [1.0, 2.5, pd.NA]
    # no scale given: decided by the values
    assert typed_column([1, 2, None], {"name": "n", "type": "Number"}).dtype == "Int64"
    assert typed_column([1, 2.5], {"name": "n", "type": "Number"}).dtype == "Float64"
    assert typed_column(["7", None], {"name": "n", "type": "Number", "scale": 0}).tolist() == [
        7,
        pd.NA,
    ]


def test_dates_hold_every_vault_date_and_bad_values_are_missing():
    dates = typed_column(
        ["9999-12-31", "0001-01-01", "2024-02-30", "soon", None, 5],
        {"name": "d", "type": "Date"},
    )
    assert dates.dtype == DATE_DTYPE
    assert dates.iloc[0] == pd.Timestamp("9999-12-31") and dates.iloc[1].year == 1
    assert dates.iloc[2:].isna().all()


def test_datetimes_are_utc():
    stamps = typed_column(
        ["2024-05-01T10:00:00.000Z", "2024-05-01T10:00:00Z", "2024-05-01T10:00:00.123Z", None],
        {"name": "t", "type": "DateTime"},
    )
    assert stamps.dtype == DATETIME_DTYPE
    assert stamps.iloc[0] == stamps.iloc[1] == pd.Timestamp("2024-05-01 10:00", tz="UTC")
    assert stamps.iloc[2].microsecond == 123000
    assert pd.isna(stamps.iloc[3])


def test_booleans_and_picklists():
    flags = typed_column([True, "false", None, "TRUE"], {"name": "b", "type": "Boolean"})
    assert flags.dtype == "boolean" and flags.tolist() == [True, False, pd.NA, True]
    single = typed_column(
        [["a__c"], "b__c", [], None], {"name": "p", "type": "Picklist", "multi_value": False}
    )
    assert single.dtype == "string" and single.tolist() == ["a__c", "b__c", pd.NA, pd.NA]
    unknown = typed_column([["a__c"], None], {"name": "p", "type": "Picklist"})
    assert unknown.dtype == object and unknown.tolist() == [["a__c"], pd.NA]


def test_describe_from_metadata_follows_relationships():
    metadata = {
        "site__c": [
            {"name": "product__c", "type": "Object", "relationship_name": "product__cr",
             "object": {"name": "product__v"}},
        ],
        "product__v": [{"name": "pack_size__c", "type": "Number", "scale": 0}],
    }  # fmt: skip
    fields = describe_from_metadata(
        metadata.get, "site__c", ["product__c", "product__cr.pack_size__c", "x__cr.y__c"]
    )["fields"]
    assert [f.get("type") for f in fields] == ["Object", "Number", None]
    assert [f["name"] for f in fields] == ["product__c", "product__cr.pack_size__c", "x__cr.y__c"]


def test_complete_describe_fills_only_what_the_dtype_needs():
    asked: list[str] = []
    metadata = {
        "product__v": [
            {"name": "family__c", "type": "Picklist", "multi_value": False},
            {"name": "pack__c", "type": "Number", "scale": 0},
        ]
    }

    def fields_of(obj: str) -> list[dict[str, Any]]:
        asked.append(obj)
        return metadata[obj]

    full = {"object": {"name": "product__v"}, "fields": [
        {"name": "family__c", "type": "Picklist", "multi_value": True},
        {"name": "pack__c", "type": "Number", "scale": 2},
        {"name": "name__v", "type": "String"},
    ]}  # fmt: skip
    assert complete_describe(full, fields_of) is full and asked == []  # Vault's word wins
    partial = {"object": {"name": "product__v"}, "fields": [
        {"name": "family__c", "type": "Picklist"},
        {"name": "pack__c", "type": "Number"},
        {"name": "gone__c", "type": "Number"},
    ]}  # fmt: skip
    fields = complete_describe(partial, fields_of)["fields"]
    assert [f.get("multi_value", f.get("scale")) for f in fields] == [False, 0, None]
    assert set(asked) == {"product__v"}
    assert "multi_value" not in partial["fields"][0]  # the answer is not changed in place
    assert complete_describe(None, fields_of) is None


# --- paging, with a client that answers from a list -------------------------------------------


class _Client(VaultClient):
    def __init__(self, answers: list[dict[str, Any]]) -> None:  # no HTTP, no login
        self.api_version = "v25.2"
        self.answers = answers
        self.calls: list[tuple[str, str, dict[str, Any]]] = []

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        self.calls.append((method, path, kwargs))
        return self.answers[len(self.calls) - 1]

    def object_metadata(self, object_name: str) -> dict[str, Any]:
        self.calls.append(("GET", f"metadata/vobjects/{object_name}", {}))
        if object_name != "x__c":
            raise VaultAPIError("no such object", [])
        picklist = {"name": "p__c", "type": "Picklist", "multi_value": False}
        return {"object": {"fields": [picklist]}}


def _page(rows: list[dict[str, Any]], next_page: str | None, total: int) -> dict[str, Any]:
    details: dict[str, Any] = {"total": total, "size": len(rows), "pageoffset": 0}
    if next_page:
        details["next_page"] = next_page
    return {"responseStatus": "SUCCESS", "responseDetails": details, "data": rows}


def test_read_vql_follows_next_page_with_post_and_types_once():
    first = _page([{"n": 1}], "/api/v25.2/query/Q1?pagesize=1&pageoffset=1", 3)
    first["queryDescribe"] = {"fields": [{"name": "n", "type": "Number", "scale": 0}]}
    client = _Client([first, _page([{"n": 2}], "/api/v25.2/query/Q1?pageoffset=2", 3),
                      _page([{"n": None}], None, 3)])  # fmt: skip
    frame = vql.read_vql("SELECT n FROM x__c", client, progress=False)
    assert frame["n"].tolist() == [1, 2, pd.NA] and frame["n"].dtype == "Int64"
    methods_paths = [(m, p) for m, p, _ in client.calls]
    assert methods_paths == [
        ("POST", "query"),
        ("POST", "query/Q1?pagesize=1&pageoffset=1"),
        ("POST", "query/Q1?pageoffset=2"),
    ]
    first_call = client.calls[0][2]
    assert first_call["extra_headers"] == {"X-VaultAPI-DescribeQuery": "true"}
    assert first_call["body"] == b"q=SELECT+n+FROM+x__c" and first_call["idempotent"]


@pytest.mark.parametrize(
    "next_page",
    [
        "https://evil.example/api/v25.2/query/Q1",
        "/api/v25.1/query/Q1",
        "/api/v25.2/../auth",
        "/api/v25.2/query/../../auth",
        "query/Q1",
    ],
)
def test_a_next_page_outside_the_api_is_refused(next_page):
    client = _Client([_page([{"n": 1}], next_page, 2)])
    with pytest.raises(ConfigurationError, match="next_page"):
        vql.read_vql("SELECT n FROM x__c", client, progress=False)
    assert len(client.calls) == 1


def test_read_vql_runs_select_only():
    for bad in ["DELETE FROM x", "", "  selectx", None]:
        with pytest.raises(ConfigurationError):
            vql.read_vql(bad, _Client([]))  # type: ignore[arg-type]


def test_progress_bar_only_for_several_pages_with_a_total(capsys):
    several = _page([{"n": 1}], "/api/v25.2/query/Q?pageoffset=1", 2)
    assert vql._progress_bar(_page([], None, 0), True) is None
    assert vql._progress_bar({"responseDetails": {"next_page": "x"}}, True) is None
    assert vql._progress_bar(several, False) is None
    assert vql._progress_bar(several, None) is None  # tests do not run in a terminal
    bar = vql._progress_bar(several, True)
    assert bar is not None and bar.total == 2
    bar.close()
    client = _Client([several, _page([{"n": 2}], None, 2)])
    vql.read_vql("SELECT n FROM x__c", client, progress=True)
    assert "2/2" in capsys.readouterr().err


@pytest.mark.parametrize("object_name,expected", [("x__c", "string"), ("documents", "object")])
def test_read_vql_completes_a_describe_without_multi_value(object_name, expected):
    page = _page([{"p__c": ["a__c"]}], None, 1)
    page["queryDescribe"] = {
        "object": {"name": object_name},
        "fields": [{"name": "p__c", "type": "Picklist"}],
    }
    client = _Client([page])
    frame = vql.read_vql(f"SELECT p__c FROM {object_name}", client, progress=False)
    assert frame["p__c"].dtype == expected
    assert client.calls[-1][1] == f"metadata/vobjects/{object_name}"
