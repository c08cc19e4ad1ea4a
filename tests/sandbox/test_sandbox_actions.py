"""Object user actions on many records, and the actions available to one record."""

from __future__ import annotations

APPROVE = "Objectlifecyclestateuseraction.product__v.draft_state__c.approve__c"
RETIRE = "Objectlifecyclestateuseraction.product__v.approved_state__c.retire__c"
REVIEW = "Objectaction.product__v.mark_reviewed__c"
WORKFLOW = "Objectaction.product__v.start_review__c"


def _seed(vault, n: int) -> list[str]:
    rows = [{"name__v": f"P{i}", "product_family__c": "biologic__c"} for i in range(n)]
    return vault.seed("product__v", rows)


def test_state_change_per_record_in_the_order_given(api, vault):
    a, b, c = _seed(vault, 3)
    api.action("product__v", APPROVE, a)
    body = api.action("product__v", APPROVE, f"{c} , {a},{b}, 00P000000099999")
    assert body["responseStatus"] == "SUCCESS"
    data = body["data"]
    assert [d["id"] for d in data] == [c, a, b, "00P000000099999"]
    assert [d["responseStatus"] for d in data] == ["SUCCESS", "FAILURE", "SUCCESS", "FAILURE"]
    assert data[1]["errors"][0]["type"] == "INSUFFICIENT_ACCESS"  # already approved
    assert data[3]["errors"][0]["type"] == "INVALID_DATA"
    assert [r["state__v"] for r in vault.records("product__v")] == ["approved_state__c"] * 3
    retired = api.action("product__v", RETIRE, a)["data"][0]
    assert retired["responseStatus"] == "SUCCESS"
    assert vault.record("product__v", a)["state__v"] == "retired_state__c"


def test_object_action_in_any_state_stamps_a_field(api, vault):
    [a] = _seed(vault, 1)
    api.action("product__v", APPROVE, a)
    body = api.action("product__v", REVIEW, a)
    assert body["data"] == [{"responseStatus": "SUCCESS", "id": a}]
    assert vault.record("product__v", a)["last_reviewed__c"].endswith(".000Z")


def test_bad_action_names_fail_the_whole_request(api, vault):
    [a] = _seed(vault, 1)
    for name in (
        "approve__c",
        "Objectaction.product__v",
        "Objectlifecyclestateuseraction.product__v.approve__c",
        "Objectaction.site__c.mark_reviewed__c",  # another object than the path's
        "Objectaction.product__v.nothing__c",
    ):
        body = api.action("product__v", name, a)
        assert body["responseStatus"] == "FAILURE", name
        assert body["errors"][0]["type"] == "INVALID_DATA"
    assert vault.record("product__v", a)["last_reviewed__c"] is None


def test_ids_are_required_and_at_most_500(api, vault):
    ids = _seed(vault, 1)
    assert api.action("product__v", APPROVE, "")["errors"][0]["type"] == "PARAMETER_REQUIRED"
    many = ",".join(ids * 501)
    assert api.action("product__v", APPROVE, many)["errors"][0]["type"] == "INVALID_DATA"
    assert vault.record("product__v", ids[0])["state__v"] == "draft_state__c"


def test_actions_available_to_a_record(api, vault):
    [a] = _seed(vault, 1)
    names = {d["name"] for d in api.get(f"/vobjects/product__v/{a}/actions")["data"]}
    assert names == {APPROVE, REVIEW, WORKFLOW}
    api.action("product__v", APPROVE, a)
    names = {d["name"] for d in api.get(f"/vobjects/product__v/{a}/actions")["data"]}
    assert names == {RETIRE, REVIEW, WORKFLOW}
    missing = api.get("/vobjects/product__v/00P000000099999/actions")
    assert missing["responseStatus"] == "FAILURE"
