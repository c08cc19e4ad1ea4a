"""summary(), failures() and the load lines: tidy, and error types from data."""

import pandas as pd
import pytest

from vault_pandas.errors import ConfigurationError
from vault_pandas.results.summary import error_types, failures, load_lines, summary


def _result():
    out = pd.DataFrame(
        {
            "name__v": ["a", "b", "c", "d"],
            "vault_status": ["SUCCESS", "FAILURE", "FAILURE", "INVALID"],
            # the text of row 2 has a second type that the answer did not carry as a type
            "vault_error": [None, "INVALID_DATA: x; PARAMETER_REQUIRED: y", "INVALID_DATA: z",
                            "VALIDATION: name__v: too long"],
        }
    )  # fmt: skip
    out.attrs["vault"] = {
        "operation": "create",
        "rows": 4,
        "requests": 1,
        "seconds": 0.5,
        "retries": 0,
        "statuses": {"SUCCESS": 1, "FAILURE": 2, "INVALID": 1},
        "error_types": {"INVALID_DATA": 2, "PARAMETER_REQUIRED": 1, "VALIDATION": 1},
    }
    return out


def test_summary_is_tidy_and_survives_reset_index_csv_and_concat():
    table = summary(_result())
    assert table.columns.tolist() == ["kind", "name", "rows"]
    assert table.values.tolist() == [
        ["status", "SUCCESS", 1],
        ["status", "FAILURE", 2],
        ["status", "INVALID", 1],
        ["error", "INVALID_DATA", 2],
        ["error", "PARAMETER_REQUIRED", 1],
        ["error", "VALIDATION", 1],
    ]
    assert table.reset_index().columns.tolist() == ["index", "kind", "name", "rows"]
    assert pd.read_csv(pd.io.common.StringIO(table.to_csv(index=False))).shape == (6, 3)
    both = pd.concat([table, table], ignore_index=True)
    assert both["rows"].sum() == 16
    assert table.attrs["vault"]["requests"] == 1  # load statistics stay in attrs


def test_error_types_come_from_the_load_data_while_the_frame_is_the_load():
    counts = error_types(_result())
    assert counts.to_dict() == {"INVALID_DATA": 2, "PARAMETER_REQUIRED": 1, "VALIDATION": 1}


def test_a_filtered_or_changed_frame_counts_first_types_from_its_own_rows():
    out = _result()
    fix = failures(out)  # attrs travel with the filtered frame, but describe the whole load
    assert fix["vault_status"].tolist() == ["FAILURE", "FAILURE", "INVALID"]
    assert error_types(fix).to_dict() == {"INVALID_DATA": 2, "VALIDATION": 1}
    out.loc[1, "vault_status"] = "SUCCESS"  # e.g. after reconcile: statuses no longer match
    assert error_types(out).to_dict() == {"INVALID_DATA": 2, "VALIDATION": 1}
    no_attrs = pd.read_csv(pd.io.common.StringIO(_result().to_csv(index=False)))
    assert summary(no_attrs)["rows"].sum() == 4 + 3


def test_load_lines_show_requests_and_seconds_and_only_nonzero_others():
    assert load_lines(_result()) == [("requests sent", 1), ("seconds", 0.5)]


def test_summary_and_failures_refuse_a_frame_without_results():
    with pytest.raises(ConfigurationError, match="vault_status"):
        summary(pd.DataFrame({"a": [1]}))
    with pytest.raises(ConfigurationError):
        failures(pd.DataFrame({"a": [1]}))
