"""Row outcomes: the per-row arrays, error types kept as data, and the result columns."""

import numpy as np
import pandas as pd
import pytest

from vault_pandas.results.outcomes import (
    Outcomes,
    RowOutcomes,
    action_outcomes,
    record_outcomes,
    status_counts,
    types_array,
)


def _failure_payload():
    return {
        "responseStatus": "SUCCESS",
        "data": [
            {"responseStatus": "SUCCESS", "data": {"id": "1"}},
            {
                "responseStatus": "FAILURE",
                # a message that itself looks like "; TYPE: ..." must not invent a type
                "errors": [
                    {"type": "INVALID_DATA", "message": "bad; NOT_A_TYPE: really"},
                    {"type": "INVALID_DATA", "message": "again"},
                    {"type": "PARAMETER_REQUIRED", "message": "x"},
                ],
            },
            {
                "responseStatus": "WARNING",
                "data": {"id": "3"},
                "warnings": [{"warning_type": "NO_DATA_CHANGES", "message": "same"}],
            },
        ],
    }


def test_record_outcomes_keep_error_types_from_the_answer_not_the_text():
    out = record_outcomes(_failure_payload(), 3)
    assert out.types == [None, ("INVALID_DATA", "PARAMETER_REQUIRED"), ("NO_DATA_CHANGES",)]
    assert out.errors[1].startswith("INVALID_DATA: bad; NOT_A_TYPE: really")


def test_all_success_answers_carry_no_types():
    payload = {"data": [{"responseStatus": "SUCCESS", "data": {"id": str(i)}} for i in range(3)]}
    out = record_outcomes(payload, 3)
    assert out.errors is None and out.types is None


def test_misaligned_and_missing_action_answers_are_typed_alignment():
    out = record_outcomes({"data": [{"responseStatus": "SUCCESS", "data": {"id": "1"}}]}, 2)
    assert out.types == [("ALIGNMENT",), ("ALIGNMENT",)]
    acted = action_outcomes({"data": [{"responseStatus": "SUCCESS", "id": "A"}]}, ["A", "B"])
    assert acted.types == [None, ("ALIGNMENT",)]
    assert acted.status == ["SUCCESS", "UNKNOWN"]


def test_request_failed_gives_every_row_the_request_errors_and_execution_id():
    entries = [{"type": "INVALID_SESSION_ID", "message": "gone"}]
    out = Outcomes.request_failed(2, ["a", "b"], entries, "FAILURE", execution_id="x1")
    assert out.status == ["FAILURE", "FAILURE"]
    assert out.ids == ["a", "b"]
    assert out.errors == ["INVALID_SESSION_ID: gone (execution id x1)"] * 2
    assert out.types == [("INVALID_SESSION_ID",)] * 2
    bare = Outcomes.request_failed(1, None, [], "EXCEPTION")
    assert bare.errors == ["EXCEPTION: the request failed"]
    assert bare.types == [("EXCEPTION",)]


def test_outcomes_clear_settles_one_row():
    out = record_outcomes(_failure_payload(), 3)
    out.clear(2, "SUCCESS")
    assert out.status[2] == "SUCCESS"
    assert out.errors[2] is None and out.types[2] is None
    assert out.ids[2] == "3"


def test_rows_start_skipped_and_in_flight_is_unknown():
    rows = RowOutcomes(4, with_event=False)
    assert rows.status.tolist() == ["SKIPPED"] * 4
    rows.in_flight(np.array([1, 2]))
    assert rows.status.tolist() == ["SKIPPED", "UNKNOWN", "UNKNOWN", "SKIPPED"]


def test_add_invalid_joins_messages_and_keeps_each_type_once():
    rows = RowOutcomes(3, with_event=False)
    rows.add_invalid(np.array([0, 1]), np.array(["VALIDATION: a", "VALIDATION: b"]), "VALIDATION")
    rows.add_invalid(np.array([1]), np.array(["SIZE: big"]), "SIZE")
    rows.add_invalid(np.array([1]), np.array(["VALIDATION: c"]), "VALIDATION")
    assert rows.status.tolist() == ["INVALID", "INVALID", "SKIPPED"]
    assert rows.errors[1] == "VALIDATION: b; SIZE: big; VALIDATION: c"
    assert rows.types.tolist() == [("VALIDATION",), ("VALIDATION", "SIZE"), None]


def test_mark_invalid_skips_missing_messages_and_honours_offset():
    rows = RowOutcomes(5, with_event=False)
    rows.mark_invalid(np.array([None, "VALIDATION: x"], dtype=object), "VALIDATION", offset=3)
    assert rows.status.tolist() == ["SKIPPED"] * 4 + ["INVALID"]
    assert rows.types[4] == ("VALIDATION",)


def test_set_with_one_type_tuple_for_many_rows_and_set_note():
    rows = RowOutcomes(4, with_event=True)
    rows.set(np.array([0, 2]), "FAILURE", None, "RACE_CONDITION: busy", ("RACE_CONDITION",))
    rows.set_note(np.array([3]), "UNKNOWN", "UNKNOWN", "answer lost")
    assert rows.types.tolist() == [("RACE_CONDITION",), None, ("RACE_CONDITION",), ("UNKNOWN",)]
    assert rows.errors[3] == "UNKNOWN: answer lost"
    assert rows.has_type(frozenset({"RACE_CONDITION"})).tolist() == [True, False, True, False]
    rows.reset(np.array([0]))
    assert rows.status[0] == "SKIPPED" and rows.types[0] is None and rows.errors[0] is None
    rows.set_note(np.array([], dtype=np.int64), "UNKNOWN", "UNKNOWN", "nothing")  # no-op


def test_counts_are_by_status_and_by_type_per_row():
    rows = RowOutcomes(4, with_event=False)
    rows.set(np.arange(4), "SUCCESS", ["a", "b", "c", "d"])
    typed = types_array([("INVALID_DATA", "PARAMETER_REQUIRED"), ("INVALID_DATA",)])
    rows.set(np.array([1, 2]), "FAILURE", None, np.array(["x", "y"], dtype=object), typed)
    counts = rows.counts()
    assert counts["statuses"] == {"SUCCESS": 2, "FAILURE": 2}
    assert counts["error_types"] == {"INVALID_DATA": 2, "PARAMETER_REQUIRED": 1}


def test_status_counts_order_follows_statuses_then_others():
    assert list(status_counts(["ODD", "INVALID", "SUCCESS", "INVALID"])) == [
        "SUCCESS",
        "INVALID",
        "ODD",
    ]


def test_frame_keeps_index_order_and_columns_and_replaces_old_results():
    data = pd.DataFrame(
        {"name__v": ["a", "b"], "vault_status": ["OLD", "OLD"]}, index=pd.Index(["x", "x"])
    )
    rows = RowOutcomes(2, with_event=True)
    rows.set(np.array([0, 1]), np.array(["SUCCESS", "FAILURE"], dtype=object), ["1", None],
             np.array([None, "E: m"], dtype=object), None, ["created", None])  # fmt: skip
    out = rows.frame(data)
    assert out.index.tolist() == ["x", "x"]
    assert out.columns.tolist() == ["name__v", "vault_id", "vault_status", "vault_error",
                                    "vault_event"]  # fmt: skip
    assert out["vault_status"].tolist() == ["SUCCESS", "FAILURE"]
    assert str(out["vault_status"].dtype).startswith("string")
    assert data["vault_status"].tolist() == ["OLD", "OLD"]  # the input is untouched


def test_from_result_reads_the_columns_back_and_refuses_other_frames():
    from vault_pandas.errors import ConfigurationError

    result = pd.DataFrame(
        {
            "vault_id": ["1", None],
            "vault_status": ["SUCCESS", "UNKNOWN"],
            "vault_error": [None, "U"],
        }
    )
    rows = RowOutcomes.from_result(result)
    assert rows.status.tolist() == ["SUCCESS", "UNKNOWN"]
    assert rows.ids.tolist() == ["1", None]
    rows.status[1] = "SUCCESS"  # writable, and a copy
    assert result["vault_status"].iloc[1] == "UNKNOWN"
    with pytest.raises(ConfigurationError, match="not a result frame"):
        RowOutcomes.from_result(pd.DataFrame({"a": [1]}))
