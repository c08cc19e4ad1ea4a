"""Recovery decisions (pure parts): which rows are retried, which key, what a lookup proves."""

import numpy as np
import pandas as pd
import pytest

from vault_pandas.errors import ConfigurationError, FrameError
from vault_pandas.results.outcomes import RowOutcomes, types_array
from vault_pandas.schema.metadata import FieldSpec, ObjectSpec
from vault_pandas.write.proof import (
    Formatting,
    canonical,
    compare,
    sent_text,
    settle,
    unprovable_keys,
)
from vault_pandas.write.recovery import check_key, choose_key, made_by, retryable_rows


def test_retryable_rows_are_failures_with_a_retryable_type_only():
    rows = RowOutcomes(5, with_event=False)
    rows.set(np.arange(5), "FAILURE", None, "text is not read",
             types_array([("RACE_CONDITION",), ("INVALID_DATA",), ("INVALID_DATA",
                          "OPERATION_IN_PROGRESS"), None, ("API_LIMIT_EXCEEDED",)]))  # fmt: skip
    rows.status[4] = "SUCCESS"
    assert retryable_rows(rows).tolist() == [0, 2]


def test_retryable_rows_ignore_messages_that_merely_mention_a_retryable_type():
    rows = RowOutcomes(1, with_event=False)
    rows.set(np.array([0]), "FAILURE", None, "RACE_CONDITION: said in text", ("INVALID_DATA",))
    assert retryable_rows(rows).tolist() == []


def test_choose_key_prefers_the_asked_key_then_external_ids():
    assert choose_key(["name__v", "external_id__c"], True) == "external_id__c"
    assert choose_key(["code__c", "external_id__v", "external_id__c"], True) == "external_id__v"
    assert choose_key(["code__c"], True) == "code__c"
    assert choose_key([], True) is None
    assert choose_key(["external_id__v"], "code__c") == "code__c"


def _found(records, keys, sent, types, field="external_id__v"):
    keys = np.array(keys, dtype=object)
    return compare(records, field, keys, sent, types, unprovable_keys(keys, field)), keys


TYPES = {"external_id__v": "String", "n__c": "Number", "p__c": "Picklist", "b__c": "Boolean"}


def _unknown_rows(n):
    rows = RowOutcomes(n, with_event=False)
    rows.in_flight(np.arange(n))
    return rows


def test_a_create_is_proven_only_by_one_record_with_the_rows_values():
    sent = pd.DataFrame(
        {"external_id__v": ["a", "b", "c", "d", None], "n__c": ["1.50", "2", "3", None, "5"]},
        dtype=object,
    )
    records = [
        {"id": "ID_A", "external_id__v": "a", "n__c": 1.5},  # the row's values: proven
        {"id": "ID_B", "external_id__v": "b", "n__c": 9},  # another record's values
        {"id": "ID_C1", "external_id__v": "c", "n__c": 3},
        {"id": "ID_C2", "external_id__v": "c", "n__c": 3},
    ]  # "d": no record
    found, keys = _found(records, sent["external_id__v"], sent, TYPES)
    rows = _unknown_rows(5)
    absent, again = settle(rows, np.arange(5), found, "create", "external_id__v", keys)
    assert rows.status.tolist() == ["SUCCESS"] + ["UNKNOWN"] * 4  # absent: the caller decides
    assert absent.tolist() == [3] and again.tolist() == []
    assert rows.ids.tolist() == ["ID_A", None, None, None, None]
    assert all(t == ("UNKNOWN",) for t in rows.types[1:3]) and rows.types[0] is None
    assert "values differ (n__c)" in rows.errors[1] and "not written by this load" in rows.errors[1]
    assert "several records" in rows.errors[2]
    assert "no external_id__v" in rows.errors[4]


def test_rows_sharing_a_key_or_a_claimed_record_are_not_proven():
    sent = pd.DataFrame({"external_id__v": ["a", "a", "b"]}, dtype=object)
    records = [{"id": "ID_A", "external_id__v": "a"}, {"id": "ID_B", "external_id__v": "b"}]
    found, keys = _found(records, sent["external_id__v"], sent, TYPES)
    rows = RowOutcomes(4, with_event=False)
    rows.in_flight(np.arange(3))
    rows.set(np.array([3]), "SUCCESS", "ID_B")  # another row of the result owns ID_B
    settle(rows, np.arange(3), found, "create", "external_id__v", keys)
    assert rows.status.tolist() == ["UNKNOWN", "UNKNOWN", "UNKNOWN", "SUCCESS"]
    assert "2 rows have this external_id__v" in rows.errors[0]
    assert "already another row's result" in rows.errors[2]


def test_an_update_whose_record_differs_is_to_repeat_and_a_gone_record_is_not_claimed():
    sent = pd.DataFrame({"id": ["X", "Y"], "n__c": ["1", "2"]}, dtype=object)
    records = [{"id": "X", "n__c": 1}, {"id": "Y", "n__c": 3}]
    found, keys = _found(records, sent["id"], sent[["n__c"]], {"id": "ID", **TYPES}, "id")
    rows = _unknown_rows(2)
    absent, again = settle(rows, np.arange(2), found, "update", "id", keys)
    assert rows.status.tolist() == ["SUCCESS", "UNKNOWN"] and again.tolist() == [1]
    assert "the update was not applied" in rows.errors[1]
    found, keys = _found([{"id": "Y"}], sent["id"], sent[[]], {"id": "ID"}, "id")
    rows = _unknown_rows(2)
    absent, again = settle(rows, np.arange(2), found, "delete", "id", keys)
    assert rows.status.tolist() == ["FAILURE", "UNKNOWN"] and rows.ids[0] == "X"
    assert rows.types[0] == ("NOT_FOUND",) and "never existed" in rows.errors[0]
    assert again.tolist() == [1] and "still exists" in rows.errors[1]


def test_a_column_the_metadata_does_not_type_is_not_proven():
    sent = pd.DataFrame({"external_id__v": ["a"], "mystery__c": ["x"]}, dtype=object)
    found, keys = _found([{"id": "A", "external_id__v": "a"}], ["a"], sent, TYPES)
    rows = _unknown_rows(1)
    settle(rows, np.arange(1), found, "create", "external_id__v", keys)
    assert rows.status.tolist() == ["UNKNOWN"] and "mystery__c" in rows.errors[0]


def test_a_record_created_before_the_rows_were_sent_is_not_theirs():
    sent = pd.DataFrame({"external_id__v": ["a", "b", "c"]}, dtype=object)
    records = [
        {"id": "A", "external_id__v": "a", "created_date__v": "2024-05-01T12:00:09.000Z"},
        {"id": "B", "external_id__v": "b", "created_date__v": "2024-05-01T12:00:10.000Z"},
        {"id": "C", "external_id__v": "c"},  # no stamp: no proof
    ]
    since = pd.Timestamp("2024-05-01T12:00:10.600Z").timestamp()  # stamps are whole seconds
    keys = sent["external_id__v"].to_numpy()
    why = unprovable_keys(keys, "external_id__v")
    found = compare(records, "external_id__v", keys, sent, TYPES, why, since)
    rows = _unknown_rows(3)
    settle(rows, np.arange(3), found, "create", "external_id__v", keys)
    assert rows.status.tolist() == ["UNKNOWN", "SUCCESS", "UNKNOWN"]
    assert "older than this load" in rows.errors[0] and "older" in rows.errors[2]


@pytest.mark.parametrize(
    ("vault_type", "sent", "stored"),
    [
        ("Number", "12.50", 12.5),
        ("Number", "100", 100),
        ("Number", "0.1", 0.1),
        ("Boolean", "true", True),
        ("Picklist", "b__c,a__c", ["a__c", "b__c"]),
        ("Picklist", "a__c", ["a__c"]),
        ("DateTime", "2024-05-01T10:00:00.999Z", "2024-05-01T10:00:00.000Z"),
        ("Date", "2024-05-01", "2024-05-01"),
        ("LongText", "a\r\nb", "a\nb"),
        ("ID", "00P1", " 00P1"),
    ],
)
def test_values_compare_as_vault_stores_them(vault_type, sent, stored):
    assert canonical([sent], vault_type)[0] == canonical([stored], vault_type)[0]


@pytest.mark.parametrize(
    ("vault_type", "sent", "stored"),
    [("Number", "12.5", 12.51), ("Boolean", "true", False), ("String", "a", "A"),
     ("Picklist", "a__c", ["a__c", "b__c"]), ("DateTime", "2024-05-01T10:00:01Z",
     "2024-05-01T10:00:00.000Z"), ("String", "x", None)],
)  # fmt: skip
def test_different_values_stay_different(vault_type, sent, stored):
    assert canonical([sent], vault_type)[0] != canonical([stored], vault_type)[0]


def test_the_text_sent_is_format_frames_text_not_astype_str():
    frame = pd.DataFrame(
        {"k": [7.0, 8.5], "when": pd.to_datetime(["2024-05-01 12:00:00.5"] * 2, utc=True)}
    )
    for body in ("csv", "json"):
        text, invalid = sent_text(frame.assign(s="a\\b"), Formatting({}, body_format=body))
        assert text["k"].tolist() == ["7", "8.5"]  # astype("string") says "7.0"
        assert text["when"].tolist() == ["2024-05-01T12:00:00.500Z"] * 2
        assert text["s"].tolist() == ["a\\b"] * 2  # the body's escaping undone
        assert invalid.tolist() == [None, None]


def test_check_key_needs_a_unique_field_that_is_a_column():
    spec = ObjectSpec(
        "a__c",
        {"u__c": FieldSpec("u__c", "String", unique=True), "n__c": FieldSpec("n__c", "String")},
    )
    check_key(spec, "u__c", ["u__c"])
    with pytest.raises(ConfigurationError, match="not a unique field"):
        check_key(spec, "n__c", ["n__c"])
    with pytest.raises(ConfigurationError, match="not a field"):
        check_key(spec, "x__c", ["x__c"])
    with pytest.raises(FrameError, match="not a column"):
        check_key(spec, "u__c", ["n__c"])


def test_the_operation_comes_from_the_attrs_or_the_caller():
    assert made_by({}, None) == "create"
    assert made_by({}, "delete") == "delete"
    assert made_by({"vault": {"operation": "update"}}, None) == "update"
    assert made_by({"vault": {"operation": "update"}}, "update") == "update"
    with pytest.raises(ConfigurationError, match="result of 'update'"):
        made_by({"vault": {"operation": "update"}}, "create")
    with pytest.raises(ConfigurationError, match="unknown operation"):
        made_by({}, "merge")
