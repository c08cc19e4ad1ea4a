"""The VQL subset: operators, escaping, ordering, pagination and describe."""

from __future__ import annotations

import pytest

PRODUCTS = [
    {"name__v": "Alpha", "external_id__v": "E1", "product_family__c": "biologic__c",
     "therapeutic_areas__c": "oncology__c,cardiology__c", "unit_price__c": "10",
     "launch_date__c": "2024-01-01", "active__c": "true"},
    {"name__v": "Beta", "external_id__v": "E2", "product_family__c": "vaccine__c",
     "therapeutic_areas__c": "neurology__c", "unit_price__c": "20.5",
     "launch_date__c": "2024-06-01", "active__c": "false"},
    {"name__v": "O'Brien", "external_id__v": "E3", "product_family__c": "biologic__c",
     "generic_name__vs": "back\\slash 100%"},
]  # fmt: skip


@pytest.fixture
def ids(vault):
    return vault.seed("product__v", PRODUCTS)


def names(api, where: str) -> list[str]:
    body = api.query(f"SELECT name__v FROM product__v WHERE {where}")
    assert body["responseStatus"] == "SUCCESS", body
    return [row["name__v"] for row in body["data"]]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("name__v = 'Alpha'", ["Alpha"]),
        ("name__v != 'Alpha'", ["Beta", "O'Brien"]),
        ("unit_price__c > 10", ["Beta"]),
        ("unit_price__c >= 10", ["Alpha", "Beta"]),
        ("unit_price__c < 20.5", ["Alpha"]),
        ("unit_price__c <= 20.5", ["Alpha", "Beta"]),
        ("unit_price__c != 10", ["Beta", "O'Brien"]),  # null counts as "not equal"
        ("launch_date__c > '2024-03-01'", ["Beta"]),
        ("created_date__v > '2000-01-01'", ["Alpha", "Beta", "O'Brien"]),
        ("active__c = true", ["Alpha"]),
        ("active__c = false", ["Beta"]),
        ("active__c = null", ["O'Brien"]),
        ("unit_price__c != null", ["Alpha", "Beta"]),
        ("external_id__v CONTAINS ('E1', 'E3', 'nope')", ["Alpha", "O'Brien"]),
        ("external_id__v IN ('E2')", ["Beta"]),
        ("therapeutic_areas__c = 'cardiology__c'", ["Alpha"]),
        ("therapeutic_areas__c CONTAINS ('neurology__c', 'cardiology__c')", ["Alpha", "Beta"]),
        ("product_family__c = 'biologic__c'", ["Alpha", "O'Brien"]),
        ("name__v LIKE 'Al%'", ["Alpha"]),
        ("name__v LIKE '%ta'", ["Beta"]),
        ("name__v LIKE 'al%'", []),  # case-sensitive
        ("unit_price__c BETWEEN 5 AND 15", ["Alpha"]),
        ("name__v = 'Alpha' OR name__v = 'Beta' AND active__c = true", ["Alpha"]),
        ("(name__v = 'Alpha' OR name__v = 'Beta') AND active__c = false", ["Beta"]),
    ],
)
def test_operators(api, ids, where, expected):
    assert names(api, where) == expected


def test_string_escapes(api, ids):
    assert names(api, r"name__v = 'O\'Brien'") == ["O'Brien"]
    assert names(api, "name__v = 'O''Brien'") == ["O'Brien"]
    assert names(api, r"generic_name__vs = 'back\\slash 100%'") == ["O'Brien"]
    assert names(api, r"generic_name__vs LIKE '%100\%'") == ["O'Brien"]
    assert names(api, r"generic_name__vs LIKE '%1\%'") == []


def test_a_value_cannot_change_the_query(api, ids):
    injected = r"name__v = 'x\' OR name__v != \'x'"
    assert names(api, injected) == []
    body = api.query("SELECT name__v FROM product__v WHERE name__v = 'O'Brien'")
    assert body["responseStatus"] == "FAILURE"
    assert body["errors"][0]["type"] == "INCORRECT_QUERY_SYNTAX_ERROR"


@pytest.mark.parametrize(
    ("q", "error"),
    [
        ("SELECT FROM product__v", "INCORRECT_QUERY_SYNTAX_ERROR"),
        ("SELECT id product__v", "INCORRECT_QUERY_SYNTAX_ERROR"),
        ("SELECT id FROM product__v WHERE", "INCORRECT_QUERY_SYNTAX_ERROR"),
        ("SELECT id FROM product__v WHERE name__v = 'a", "INCORRECT_QUERY_SYNTAX_ERROR"),
        (r"SELECT id FROM product__v WHERE name__v = 'a\q'", "INCORRECT_QUERY_SYNTAX_ERROR"),
        ("SELECT id FROM product__v WHERE active__c = TRUE", "INCORRECT_QUERY_SYNTAX_ERROR"),
        ("SELECT id FROM product__v extra", "INCORRECT_QUERY_SYNTAX_ERROR"),
        ("SELECT id FROM nothing__c", "INVALID_DATA"),
        ("SELECT colour__c FROM product__v", "INVALID_DATA"),
        ("SELECT id FROM product__v WHERE unit_price__c = 'ten'", "INVALID_DATA"),
        ("SELECT id FROM product__v WHERE Name__v = 'a'", "INVALID_DATA"),
    ],
)
def test_bad_queries_fail(api, q, error):
    body = api.query(q)
    assert body["responseStatus"] == "FAILURE"
    assert body["errors"][0]["type"] == error


def test_missing_q_parameter(api):
    body = api.http.post(f"{api.base}/query", data={}).json()
    assert body["errors"][0]["type"] == "PARAMETER_REQUIRED"


def test_value_forms_in_data(api, ids):
    body = api.query(
        "SELECT id, name__v, unit_price__c, launch_date__c, created_date__v, active__c, "
        "therapeutic_areas__c, pack_size__c FROM product__v WHERE name__v = 'Beta'"
    )
    [row] = body["data"]
    assert list(row) == [
        "id", "name__v", "unit_price__c", "launch_date__c", "created_date__v", "active__c",
        "therapeutic_areas__c", "pack_size__c",
    ]  # fmt: skip
    assert row["unit_price__c"] == 20.5
    assert row["launch_date__c"] == "2024-06-01"
    assert row["created_date__v"].endswith(".000Z")
    assert row["active__c"] is False
    assert row["therapeutic_areas__c"] == ["neurology__c"]
    assert row["pack_size__c"] is None


def test_order_by_with_nulls_last(api, ids):
    q = "SELECT name__v FROM product__v ORDER BY unit_price__c {}"
    asc = [r["name__v"] for r in api.query(q.format("ASC"))["data"]]
    desc = [r["name__v"] for r in api.query(q.format("DESC"))["data"]]
    assert asc == ["Alpha", "Beta", "O'Brien"]
    assert desc == ["Beta", "Alpha", "O'Brien"]


def test_pagination_with_next_page(api, vault):
    vault.seed(
        "product__v",
        [{"name__v": f"P{i:03d}", "product_family__c": "device__c"} for i in range(25)],
    )
    body = api.query("SELECT name__v FROM product__v ORDER BY name__v DESC PAGESIZE 10")
    details = body["responseDetails"]
    assert (details["pagesize"], details["pageoffset"], details["size"], details["total"]) == (
        10,
        0,
        10,
        25,
    )
    assert "previous_page" not in details
    seen = [r["name__v"] for r in body["data"]]
    page2 = api.http.post(f"{api.vault.url}{details['next_page']}").json()
    seen += [r["name__v"] for r in page2["data"]]
    assert page2["responseDetails"]["pageoffset"] == 10
    assert "previous_page" in page2["responseDetails"]
    page3 = api.http.get(f"{api.vault.url}{page2['responseDetails']['next_page']}").json()
    seen += [r["name__v"] for r in page3["data"]]
    assert page3["responseDetails"]["size"] == 5
    assert "next_page" not in page3["responseDetails"]
    assert seen == [f"P{i:03d}" for i in reversed(range(25))]
    gone = api.http.post(f"{api.base}/query/nope?pagesize=10&pageoffset=10").json()
    assert gone["responseStatus"] == "FAILURE"


def test_default_page_size_is_1000(api, vault):
    vault.seed(
        "product__v", [{"name__v": f"P{i}", "product_family__c": "device__c"} for i in range(1001)]
    )
    details = api.query("SELECT id FROM product__v")["responseDetails"]
    assert (details["pagesize"], details["size"], details["total"]) == (1000, 1000, 1001)
    assert details["next_page"].endswith("pageoffset=1000")


def test_describe_query_header(api, ids):
    body = api.query("SELECT id, unit_price__c FROM product__v", describe=True)
    describe = body["queryDescribe"]
    assert describe["object"]["name"] == "product__v"
    assert [(f["name"], f["type"]) for f in describe["fields"]] == [
        ("id", "ID"),
        ("unit_price__c", "Number"),
    ]
    assert describe["fields"][1]["scale"] == 2
    assert "queryDescribe" not in api.query("SELECT id FROM product__v")


def test_relationship_fields_and_get_query(api, vault, ids):
    vault.seed("site__c", [{"site_code__c": "S1", "product__c": ids[1]}, {"site_code__c": "S2"}])
    body = api.query(
        "SELECT site_code__c, product__cr.name__v FROM site__c WHERE product__cr.name__v = 'Beta'"
    )
    assert body["data"] == [{"site_code__c": "S1", "product__cr.name__v": "Beta"}]
    got = api.http.get(f"{api.base}/query", params={"q": "SELECT id FROM site__c"}).json()
    assert got["responseDetails"]["total"] == 2
