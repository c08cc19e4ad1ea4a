"""Create object records: per-row rules, whole-request failures, CSV and JSON bodies."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sandbox_client import VERSION, error_types, rows_of

HEADER = "name__v,product_family__c"


def test_create_csv_rows_in_input_order(api, vault):
    body = api.csv("product__v", f"{HEADER},external_id__v\nA,biologic__c,E-A\nB,vaccine__c,E-B\n")
    rows = rows_of(body)
    ids = [r["data"]["id"] for r in rows]
    assert [r["responseStatus"] for r in rows] == ["SUCCESS", "SUCCESS"]
    assert rows[0]["data"]["url"] == f"api/{VERSION}/vobjects/product__v/{ids[0]}"
    assert all(i.startswith("00P") for i in ids)
    assert [r["name__v"] for r in vault.records("product__v")] == ["A", "B"]
    assert vault.record("product__v", ids[1])["external_id__v"] == "E-B"


def test_create_json_list_of_objects(api, vault):
    rows = rows_of(
        api.json(
            "product__v",
            [
                {"name__v": "A", "product_family__c": "biologic__c", "unit_price__c": 3.25},
                {"name__v": "B", "product_family__c": "device__c", "active__c": False},
                {"name__v": "C", "product_family__c": "device__c", "therapeutic_areas__c": [
                    "oncology__c", "immunology__c"]},
            ],
        )
    )  # fmt: skip
    assert [r["responseStatus"] for r in rows] == ["SUCCESS"] * 3
    stored = vault.records("product__v")
    assert str(stored[0]["unit_price__c"]) == "3.25"
    assert stored[1]["active__c"] is False
    assert stored[2]["therapeutic_areas__c"] == ["oncology__c", "immunology__c"]


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("generic_name__vs", "x" * 256, "INVALID_DATA"),  # longer than max_length
        ("generic_name__vs", "x" * 255, None),
        ("external_id__v", "é" * 100, None),  # length counts characters, not bytes
        ("unit_price__c", "12.345", "INVALID_DATA"),  # more decimals than scale
        ("unit_price__c", "12.50", None),
        ("unit_price__c", "1,000", "INVALID_DATA"),  # grouping
        ("unit_price__c", "1e3", "INVALID_DATA"),  # exponent
        ("unit_price__c", "-1", "INVALID_DATA"),  # below min_value
        ("unit_price__c", "1000000.01", "INVALID_DATA"),  # above max_value
        ("pack_size__c", "10.0", "INVALID_DATA"),  # a float-formatted integer
        ("pack_size__c", "0", "INVALID_DATA"),
        ("launch_date__c", "2024-02-30", "INVALID_DATA"),
        ("launch_date__c", "02/01/2024", "INVALID_DATA"),
        ("launch_date__c", "2024-01-02 00:00:00", "INVALID_DATA"),
        ("last_reviewed__c", "2024-01-02T03:04:05.000Z", None),
        ("last_reviewed__c", "2024-01-02T03:04:05Z", None),
        ("last_reviewed__c", "2024-01-02 03:04:05+00:00", "INVALID_DATA"),
        ("last_reviewed__c", "2024-01-02T03:04:05", "INVALID_DATA"),
        ("active__c", "true", None),
        ("active__c", "True", "INVALID_DATA"),  # Vault documents lower case true/false
        ("active__c", "TRUE", "INVALID_DATA"),
        ("active__c", "yes", "INVALID_DATA"),
        ("active__c", "1", "INVALID_DATA"),
        ("therapeutic_areas__c", "Oncology", "INVALID_DATA"),  # a label, not a name
        ("therapeutic_areas__c", "oncology__c,nope__c", "INVALID_DATA"),
    ],
)
def test_value_rules_per_row(api, vault, column, value, expected):
    body = f'{HEADER},{column}\nGood,biologic__c,\nRow,biologic__c,"{value}"\n'
    good, row = rows_of(api.csv("product__v", body))
    assert good["responseStatus"] == "SUCCESS"
    if expected is None:
        assert row["responseStatus"] == "SUCCESS", row
    else:
        assert error_types(row) == [expected]
        assert len(vault.records("product__v")) == 1


def test_picklist_label_and_multi_value_on_single_picklist(api):
    body = f'{HEADER}\nA,Biologic\nB,"biologic__c,vaccine__c"\nC,small_molecule__c\n'
    a, b, c = rows_of(api.csv("product__v", body))
    assert error_types(a) == ["INVALID_DATA"]
    assert error_types(b) == ["INVALID_DATA"]
    assert c["responseStatus"] == "SUCCESS"


def test_required_field_missing_or_blank(api):
    body = "name__v,product_family__c,external_id__v\n,biologic__c,E1\nB,,E2\n"
    a, b = rows_of(api.csv("product__v", body))
    assert error_types(a) == ["PARAMETER_REQUIRED"]
    assert error_types(b) == ["PARAMETER_REQUIRED"]
    only_name = rows_of(api.json("product__v", [{"name__v": "C"}]))[0]
    assert error_types(only_name) == ["PARAMETER_REQUIRED"]


def test_system_managed_name_is_generated_not_required(api, vault, product_id):
    rows = rows_of(api.csv("site__c", f"site_code__c,product__c\nS1,{product_id}\nS2,\n"))
    assert [r["responseStatus"] for r in rows] == ["SUCCESS", "SUCCESS"]
    names = [r["name__v"] for r in vault.records("site__c")]
    assert names == ["SITE-000001", "SITE-000002"]
    given = rows_of(api.csv("site__c", "site_code__c,name__v\nS3,My name\n"))[0]
    assert error_types(given) == ["INVALID_DATA"]  # name__v is not editable here


def test_non_editable_field_with_a_value_fails_the_row(api):
    body = f"{HEADER},state__v\nA,biologic__c,approved_state__c\nB,biologic__c,\n"
    a, b = rows_of(api.csv("product__v", body))
    assert error_types(a) == ["INVALID_DATA"]
    assert b["responseStatus"] == "SUCCESS"


def test_unknown_column_fails_the_whole_request(api, vault):
    body = api.csv("product__v", f"{HEADER},colour__c\nA,biologic__c,red\n")
    assert body["responseStatus"] == "FAILURE"
    assert body["errors"][0]["type"] == "ATTRIBUTE_NOT_SUPPORTED"
    assert vault.records("product__v") == []


def test_unique_values_against_store_and_earlier_rows(api, product_id):
    body = f"{HEADER},external_id__v\nNew,biologic__c,CHC-1\nX,biologic__c,E9\nY,biologic__c,E9\n"
    dup_store, first, dup_batch = rows_of(api.csv("product__v", body))
    assert error_types(dup_store) == ["INVALID_DATA"]
    assert first["responseStatus"] == "SUCCESS"
    assert error_types(dup_batch) == ["INVALID_DATA"]
    same_name = rows_of(api.csv("product__v", f"{HEADER}\nCholecap,vaccine__c\n"))[0]
    assert error_types(same_name) == ["INVALID_DATA"]


def test_object_reference_by_id_and_through_relationship(api, vault, product_id):
    body = (
        "site_code__c,product__c,product__cr.name__v,product__cr.external_id__v\n"
        f"S1,{product_id},,\n"
        "S2,,Cholecap,\n"
        "S3,,,CHC-1\n"
        "S4,00P000000009999,,\n"
        "S5,,Nothing,\n"
    )
    rows = rows_of(api.csv("site__c", body))
    assert [r["responseStatus"] for r in rows[:3]] == ["SUCCESS"] * 3
    assert error_types(rows[3]) == ["INVALID_DATA"]
    assert error_types(rows[4]) == ["INVALID_DATA"]
    assert [s["product__c"] for s in vault.records("site__c")] == [product_id] * 3


def test_relationship_through_a_non_unique_field_is_unknown(api):
    body = api.csv("site__c", "site_code__c,product__cr.generic_name__vs\nS1,x\n")
    assert body["errors"][0]["type"] == "ATTRIBUTE_NOT_SUPPORTED"


def test_500_rows_accepted_501_rejected(api, vault):
    rows = "".join(f"P{i},biologic__c\n" for i in range(501))
    body = api.csv("product__v", f"{HEADER}\n{rows}")
    assert body["responseStatus"] == "FAILURE"
    assert body["errors"][0]["type"] == "INVALID_DATA"
    assert vault.records("product__v") == []
    ok = rows_of(api.csv("product__v", f"{HEADER}\n" + "".join(rows.splitlines(True)[:500])))
    assert len(ok) == 500 and len(vault.records("product__v")) == 500


def test_body_over_50_mb_is_rejected(api, vault):
    filler = "x" * 1000
    line = f"A,biologic__c,{filler}\n"
    body = f"{HEADER},description__c\n" + line * (50 * 1024 * 1024 // len(line) + 1)
    result = api.csv("product__v", body)
    assert result["errors"][0]["type"] == "INVALID_DATA"
    assert vault.records("product__v") == []


@pytest.mark.parametrize(
    ("ctype", "body"),
    [
        ("application/xml", b"<x/>"),
        ("text/csv; charset=ISO-8859-1", b"name__v,product_family__c\nA,biologic__c\n"),
        ("text/csv", "name__v,product_family__c\nÄ,biologic__c\n".encode("latin-1")),
        ("application/json", b'{"name__v": "A"}'),
        ("application/json", b'[{"name__v": "A", "unit_price__c": NaN}]'),
        ("text/csv", b"name__v,product_family__c\n"),
    ],
)
def test_bad_bodies_fail_the_whole_request(api, vault, ctype, body):
    result = api.send("POST", "product__v", body, ctype)
    assert result["responseStatus"] == "FAILURE"
    assert result["errors"][0]["type"] == "INVALID_DATA"
    assert vault.records("product__v") == []


def test_json_types_are_checked(api):
    rows = rows_of(
        api.json(
            "product__v",
            [
                {"name__v": 5, "product_family__c": "biologic__c"},
                {"name__v": "B", "product_family__c": "biologic__c", "active__c": "false"},
                {"name__v": "C", "product_family__c": "biologic__c", "pack_size__c": True},
                {"name__v": "D", "product_family__c": "biologic__c", "unit_price__c": "7.1"},
            ],
        )
    )
    assert error_types(rows[0]) == ["INVALID_DATA"]
    assert rows[1]["responseStatus"] == "SUCCESS"
    assert error_types(rows[2]) == ["INVALID_DATA"]
    assert rows[3]["responseStatus"] == "SUCCESS"


def test_unknown_object_fails(api):
    body = api.csv("nothing__c", "name__v\nA\n")
    assert body["errors"][0]["type"] == "INVALID_DATA"


_FIELDS = [
    "name__v", "external_id__v", "product_family__c", "therapeutic_areas__c", "unit_price__c",
    "pack_size__c", "launch_date__c", "last_reviewed__c", "active__c", "state__v", "id",
]  # fmt: skip
_JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["biologic__c", "oncology__c,neurology__c", "2024-01-01", "12.5", "true"]),
    st.lists(st.sampled_from(["oncology__c", "x", ""]), max_size=3),
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.dictionaries(st.sampled_from(_FIELDS), _JSON_VALUES), min_size=1, max_size=6)
)
def test_any_json_rows_get_one_answer_each(api, rows):
    for params in ({}, {"idParam": "external_id__v"}):
        body = api.json("product__v", rows, **params)
        assert body["responseStatus"] in ("SUCCESS", "FAILURE"), body
        if body["responseStatus"] == "SUCCESS":
            assert len(body["data"]) == len(rows)
            assert {r["responseStatus"] for r in body["data"]} <= {"SUCCESS", "WARNING", "FAILURE"}
    for method in ("PUT", "DELETE"):
        assert api.json("product__v", rows, method=method)["responseStatus"] != "EXCEPTION"
