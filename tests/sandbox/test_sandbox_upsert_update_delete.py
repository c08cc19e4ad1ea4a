"""Upsert (idParam), update (PUT) and delete (DELETE) of object records."""

from __future__ import annotations

from sandbox_client import error_types, rows_of

UPSERT_HEADER = "external_id__v,name__v,product_family__c,unit_price__c"


def test_upsert_creates_updates_and_reports_unchanged(api, vault, product_id):
    body = (
        f"{UPSERT_HEADER}\n"
        "CHC-1,Cholecap,small_molecule__c,9.99\n"  # matches: price changes
        "NEW-1,Nyaxa,biologic__c,\n"  # no match: created
    )
    updated, created = rows_of(api.csv("product__v", body, idParam="external_id__v"))
    assert updated["data"] | {} == {
        "id": product_id,
        "url": updated["data"]["url"],
        "id_param_value": "CHC-1",
        "event": "updated__sys",
    }
    assert created["responseStatus"] == "SUCCESS"
    assert created["data"]["event"] == "created__sys"
    assert created["data"]["id_param_value"] == "NEW-1"
    assert str(vault.record("product__v", product_id)["unit_price__c"]) == "9.99"
    again = rows_of(api.csv("product__v", body, idParam="external_id__v"))
    assert [r["responseStatus"] for r in again] == ["WARNING", "WARNING"]
    assert again[0]["warnings"][0]["warning_type"] == "NO_DATA_CHANGES"
    assert again[0]["data"]["id"] == product_id
    assert len(vault.records("product__v")) == 2


def test_upsert_blank_cell_clears_a_matched_record(api, vault, product_id):
    rows_of(
        api.csv(
            "product__v",
            f"{UPSERT_HEADER}\nCHC-1,Cholecap,small_molecule__c,5\n",
            idParam="external_id__v",
        )
    )
    assert vault.record("product__v", product_id)["unit_price__c"] is not None
    rows_of(
        api.csv(
            "product__v",
            f"{UPSERT_HEADER}\nCHC-1,Cholecap,small_molecule__c,\n",
            idParam="external_id__v",
        )
    )
    assert vault.record("product__v", product_id)["unit_price__c"] is None


def test_upsert_json_omitted_key_leaves_the_field(api, vault, product_id):
    vault_before = vault.record("product__v", product_id)
    rows = [{"external_id__v": "CHC-1", "generic_name__vs": "atorva"}]
    rows_of(api.json("product__v", rows, idParam="external_id__v"))
    after = vault.record("product__v", product_id)
    assert after["generic_name__vs"] == "atorva"
    assert after["name__v"] == vault_before["name__v"]


def test_duplicate_id_param_values_fail_the_whole_request(api, vault):
    body = f"{UPSERT_HEADER}\nE1,A,biologic__c,\nE2,B,biologic__c,\nE1,C,biologic__c,\n"
    result = api.csv("product__v", body, idParam="external_id__v")
    assert result["responseStatus"] == "FAILURE"
    assert result["errors"][0]["type"] == "INVALID_DATA"
    assert vault.records("product__v") == []


def test_id_param_must_be_a_unique_field(api, vault):
    body = "generic_name__vs,name__v,product_family__c\ng,A,biologic__c\n"
    result = api.csv("product__v", body, idParam="generic_name__vs")
    assert result["errors"][0]["type"] == "INVALID_DATA"
    unknown = api.csv("product__v", body, idParam="nothing__c")
    assert unknown["responseStatus"] == "FAILURE"
    missing = api.csv("product__v", body, idParam="external_id__v")
    assert missing["responseStatus"] == "FAILURE"
    assert vault.records("product__v") == []


def test_upsert_blank_id_param_fails_that_row(api, vault):
    body = f"{UPSERT_HEADER}\n,A,biologic__c,\nE2,B,biologic__c,\n"
    blank, ok = rows_of(api.csv("product__v", body, idParam="external_id__v"))
    assert error_types(blank) == ["PARAMETER_REQUIRED"]
    assert ok["responseStatus"] == "SUCCESS"


def test_upsert_by_name_and_by_id(api, vault, product_id):
    by_name = "name__v,pack_size__c\nCholecap,20\n"
    assert rows_of(api.csv("product__v", by_name, idParam="name__v"))[0]["data"]["id"] == product_id
    by_id = f"id,pack_size__c\n{product_id},30\n00P000000099999,1\n"
    ok, unknown = rows_of(api.csv("product__v", by_id, idParam="id"))
    assert ok["data"]["event"] == "updated__sys"
    assert error_types(unknown) == ["INVALID_DATA"]
    assert str(vault.record("product__v", product_id)["pack_size__c"]) == "30"


def test_update_rows_and_their_failures(api, vault, product_id):
    other = vault.seed("product__v", [{"name__v": "Other", "product_family__c": "device__c"}])[0]
    body = (
        "id,generic_name__vs,unit_price__c\n"
        f"{product_id},atorvastatin,1.5\n"
        "00P000000099999,x,1\n"
        f"{other},,12.345\n"
        ",x,1\n"
    )
    ok, unknown, bad, blank = rows_of(api.csv("product__v", body, method="PUT"))
    assert ok["data"]["id"] == product_id
    assert "event" not in ok["data"]
    assert error_types(unknown) == ["INVALID_DATA"]
    assert error_types(bad) == ["INVALID_DATA"]
    assert error_types(blank) == ["PARAMETER_REQUIRED"]
    record = vault.record("product__v", product_id)
    assert record["generic_name__vs"] == "atorvastatin"
    assert record["modified_date__v"] >= record["created_date__v"]


def test_update_duplicate_ids_fail_only_those_rows(api, vault, product_id):
    other = vault.seed("product__v", [{"name__v": "Other", "product_family__c": "device__c"}])[0]
    body = f"id,pack_size__c\n{product_id},1\n{other},2\n{product_id},3\n"
    first, ok, second = rows_of(api.csv("product__v", body, method="PUT"))
    assert error_types(first) == ["INVALID_DATA"] and error_types(second) == ["INVALID_DATA"]
    assert ok["responseStatus"] == "SUCCESS"
    assert vault.record("product__v", product_id)["pack_size__c"] is None


def test_update_clearing_rules(api, vault, product_id):
    body = f"id,product_family__c,external_id__v,state__v\n{product_id},,,\n"
    [row] = rows_of(api.csv("product__v", body, method="PUT"))
    assert error_types(row) == ["PARAMETER_REQUIRED"]  # a required field cannot be cleared
    body = f"id,external_id__v,state__v\n{product_id},,\n"
    [row] = rows_of(api.csv("product__v", body, method="PUT"))
    assert row["responseStatus"] == "SUCCESS"
    record = vault.record("product__v", product_id)
    assert record["external_id__v"] is None
    assert record["state__v"] == "draft_state__c"  # a blank non-editable cell is ignored


def test_update_unchanged_row_warns(api, product_id):
    [row] = rows_of(api.csv("product__v", f"id,name__v\n{product_id},Cholecap\n", method="PUT"))
    assert row["responseStatus"] == "WARNING"
    assert row["warnings"][0]["warning_type"] == "NO_DATA_CHANGES"


def test_update_by_id_param(api, vault, product_id):
    other = vault.seed(
        "product__v",
        [{"name__v": "Other", "product_family__c": "device__c", "external_id__v": "OTH-1"}],
    )[0]
    body = "external_id__v,pack_size__c\nCHC-1,5\nNOPE-1,6\nOTH-1,7\n,8\nOTH-1,9\n"
    ok, unknown, dup1, blank, dup2 = rows_of(
        api.csv("product__v", body, method="PUT", idParam="external_id__v")
    )
    assert ok["responseStatus"] == "SUCCESS" and ok["data"]["id"] == product_id
    assert error_types(unknown) == ["INVALID_DATA"]  # update never creates
    assert error_types(dup1) == error_types(dup2) == ["INVALID_DATA"]
    assert error_types(blank) == ["PARAMETER_REQUIRED"]
    assert str(vault.record("product__v", product_id)["pack_size__c"]) == "5"
    assert vault.record("product__v", other)["pack_size__c"] is None
    assert len(vault.records("product__v")) == 2
    not_unique = api.csv("product__v", "generic_name__vs,pack_size__c\ng,1\n", method="PUT",
                         idParam="generic_name__vs")  # fmt: skip
    assert not_unique["responseStatus"] == "FAILURE"
    assert not_unique["errors"][0]["type"] == "INVALID_DATA"


def test_update_needs_an_id_column(api):
    result = api.csv("product__v", "name__v\nX\n", method="PUT")
    assert result["errors"][0]["type"] == "PARAMETER_REQUIRED"


def test_delete_rows(api, vault, product_id):
    other = vault.seed("product__v", [{"name__v": "Other", "product_family__c": "device__c"}])[0]
    body = f"id\n{product_id}\n00P000000099999\n{other}\n{other}\n"
    ok, unknown, dup1, dup2 = rows_of(api.csv("product__v", body, method="DELETE"))
    assert ok["data"]["id"] == product_id
    assert error_types(unknown) == ["INVALID_DATA"]
    assert error_types(dup1) == error_types(dup2) == ["INVALID_DATA"]
    assert [r["id"] for r in vault.records("product__v")] == [other]
    again = rows_of(api.json("product__v", [{"id": other}], method="DELETE"))
    assert again[0]["responseStatus"] == "SUCCESS"
    assert vault.records("product__v") == []


def test_delete_a_referenced_record_is_refused(api, vault, product_id):
    vault.seed("site__c", [{"site_code__c": "S1", "product__c": product_id}])
    [row] = rows_of(api.csv("product__v", f"id\n{product_id}\n", method="DELETE"))
    assert error_types(row) == ["OPERATION_NOT_ALLOWED"]
    assert vault.record("product__v", product_id) is not None


def test_stats_count_records_written(api, vault, product_id):
    api.csv(
        "product__v",
        f"{UPSERT_HEADER}\nCHC-1,Cholecap,small_molecule__c,1\nE2,B,biologic__c,\n",
        idParam="external_id__v",
    )
    api.csv("product__v", "id\n00P000000099999\n", method="DELETE")
    stats = vault.stats
    assert (stats["records_created"], stats["records_updated"], stats["rows_failed"]) == (1, 1, 1)
    assert stats["requests"]["upsert"] == 1 and stats["requests"]["delete"] == 1
