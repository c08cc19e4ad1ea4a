"""Recovery decisions (pure parts): which rows are retried, which key, what a lookup settles."""

import numpy as np
import pandas as pd

from vault_pandas.results.outcomes import RowOutcomes, types_array
from vault_pandas.write.recovery import choose_key, resolve, retryable_rows


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


def test_resolve_one_match_is_success_none_is_resend_many_stays_unknown():
    rows = RowOutcomes(4, with_event=False)
    rows.in_flight(np.arange(4))
    keys = pd.Series(["a", "b", "c", "d"], name="external_id__v")
    found = {"a": ["ID_A"], "b": [], "c": ["ID_C1", "ID_C2"]}  # "d": not in the answer
    resolved, resend = resolve(rows, np.arange(4), keys, found)
    assert resolved == 1
    assert resend.tolist() == [1, 3]
    assert rows.status.tolist() == ["SUCCESS", "UNKNOWN", "UNKNOWN", "UNKNOWN"]
    assert rows.ids[0] == "ID_A"
    assert rows.types[2] == ("UNKNOWN",) and "several records" in rows.errors[2]
