from vault_pandas.results.outcomes import action_outcomes, format_errors, record_outcomes


def test_record_outcomes_in_order_with_failure_warning_and_event():
    payload = {
        "responseStatus": "SUCCESS",
        "data": [
            {"responseStatus": "SUCCESS", "data": {"id": "1", "event": "created__sys"}},
            {
                "responseStatus": "FAILURE",
                "errors": [
                    {"type": "INVALID_DATA", "message": "bad"},
                    {"type": "PARAMETER_REQUIRED", "message": "x"},
                ],
            },
            {
                "responseStatus": "WARNING",
                "data": {"id": "3", "event": "updated__sys"},
                "warnings": [{"warning_type": "NO_DATA_CHANGES", "message": "same"}],
            },
        ],
    }
    out = record_outcomes(payload, 3)
    assert out.status == ["SUCCESS", "FAILURE", "WARNING"]
    assert out.ids == ["1", None, "3"]
    assert out.errors == [None, "INVALID_DATA: bad; PARAMETER_REQUIRED: x", "NO_DATA_CHANGES: same"]
    assert out.events == ["created", None, "updated"]


def test_record_outcomes_count_mismatch_is_unknown_not_misaligned():
    payload = {
        "responseStatus": "SUCCESS",
        "data": [{"responseStatus": "SUCCESS", "data": {"id": "1"}}],
    }
    out = record_outcomes(payload, 2)
    assert out.status == ["UNKNOWN", "UNKNOWN"]
    assert out.ids == [None, None]
    assert "ALIGNMENT" in out.errors[0]


def test_action_outcomes_match_by_id_not_position():
    payload = {
        "data": [
            {
                "responseStatus": "FAILURE",
                "id": "B",
                "errors": [{"type": "INSUFFICIENT_ACCESS", "message": "no"}],
            },
            {"responseStatus": "SUCCESS", "id": "A"},
        ]
    }
    out = action_outcomes(payload, ["A", "B", "C"])
    assert out.status == ["SUCCESS", "FAILURE", "UNKNOWN"]
    assert out.errors[1] == "INSUFFICIENT_ACCESS: no"
    assert out.ids == ["A", "B", "C"]


def test_format_errors_warning_key():
    assert format_errors([{"warning_type": "NO_DATA_CHANGES", "message": "m"}], "warning_type") == (
        "NO_DATA_CHANGES: m"
    )
