"""df.vault.action(params=...) and df.vault.actions over HTTP against the sandbox."""

from __future__ import annotations

import pandas as pd
import pytest
from frames import products

from vault_pandas import ConfigurationError, FrameError, VaultAPIError

WORKFLOW = "Objectaction.product__v.start_review__c"
APPROVE = "Objectlifecyclestateuseraction.product__v.draft_state__c.approve__c"
REVIEW = "Objectaction.product__v.mark_reviewed__c"
RETIRE = "Objectlifecyclestateuseraction.product__v.approved_state__c.retire__c"
INPUTS = {"description__c": "Q3 review, all sites", "reviewers__c.assignment_type__c": "assigned"}


def _ids(n: int = 3) -> list[str]:
    out = products(n).vault.create("product__v", progress=False)
    assert (out["vault_status"] == "SUCCESS").all()
    return out["vault_id"].tolist()


def test_workflow_action_sends_its_prompt_and_assignment_type(vault, client):
    ids = _ids(3)
    frame = pd.DataFrame({"id": [f"  {ids[0]} ", ids[1], ids[2]]})  # ids are trimmed
    out = frame.vault.action(WORKFLOW, params=INPUTS, progress=False)
    assert out["vault_status"].tolist() == ["SUCCESS"] * 3
    assert out["vault_id"].tolist() == ids
    [(name, sent_ids, fields)] = vault.action_inputs
    assert name == WORKFLOW
    assert sent_ids == ids
    assert fields == INPUTS  # every value as given, nothing else besides ids
    for rid in ids:  # a required prompt sets the field on every record, as documented
        assert vault.record("product__v", rid)["description__c"] == INPUTS["description__c"]


def test_params_go_with_every_request(vault, client):
    ids = _ids(3)
    out = pd.DataFrame({"id": ids}).vault.action(
        WORKFLOW, params=INPUTS, max_workers=1, progress=False
    )
    assert (out["vault_status"] == "SUCCESS").all()
    assert all(fields == INPUTS for _, _, fields in vault.action_inputs)


@pytest.mark.parametrize("missing", ["description__c", "reviewers__c.assignment_type__c"])
def test_a_missing_input_fails_the_request_with_vaults_error(vault, client, missing):
    ids = _ids(2)
    before = vault.records("product__v")
    params = {k: v for k, v in INPUTS.items() if k != missing}
    out = pd.DataFrame({"id": ids}).vault.action(WORKFLOW, params=params, progress=False)
    assert out["vault_status"].tolist() == ["FAILURE", "FAILURE"]
    assert out["vault_error"].str.contains("PARAMETER_REQUIRED").all()
    assert out["vault_error"].str.contains(missing, regex=False).all()
    assert vault.records("product__v") == before  # nothing applied


def test_a_blank_prompt_is_missing_and_a_bad_assignment_type_is_invalid(vault, client):
    ids = _ids(1)
    blank = {**INPUTS, "description__c": ""}
    out = pd.DataFrame({"id": ids}).vault.action(WORKFLOW, params=blank, progress=False)
    assert "PARAMETER_REQUIRED" in out["vault_error"].iat[0]
    bad = {**INPUTS, "reviewers__c.assignment_type__c": "everyone"}
    out = pd.DataFrame({"id": ids}).vault.action(WORKFLOW, params=bad, progress=False)
    assert out["vault_status"].iat[0] == "FAILURE"
    assert "INVALID_DATA" in out["vault_error"].iat[0]


def test_an_action_without_inputs_still_takes_no_params(vault, client):
    ids = _ids(1)
    out = pd.DataFrame({"id": ids}).vault.action(REVIEW, progress=False)
    assert out["vault_status"].tolist() == ["SUCCESS"]
    assert vault.action_inputs[-1][2] == {}


@pytest.mark.parametrize(
    "params",
    [
        {"ids": "x"},
        {"description__c": 3},
        {1: "x"},
        ["description__c=x"],
        "description__c=x",
    ],
)
def test_bad_params_are_refused_before_anything_is_sent(vault, client, params):
    ids = _ids(1)
    before = len(vault.requests_log)
    with pytest.raises(ConfigurationError, match="params"):
        pd.DataFrame({"id": ids}).vault.action(WORKFLOW, params=params, progress=False)
    assert len(vault.requests_log) == before


def test_actions_lists_what_each_record_can_take(vault, client):
    ids = _ids(2)
    pd.DataFrame({"id": ids[1:]}).vault.action(APPROVE, progress=False)
    frame = pd.DataFrame({"id": [ids[0], " " + ids[1], None, ids[0]]})
    table = frame.vault.actions("product__v")
    assert list(table.columns) == ["id", "action", "label", "type"]
    assert (table.dtypes == "string").all()
    assert table["id"].unique().tolist() == ids  # each id once, trimmed, blanks skipped
    first = table[table["id"] == ids[0]].set_index("action")
    assert set(first.index) == {APPROVE, REVIEW, WORKFLOW}
    assert first.loc[APPROVE, "type"] == "state_change"
    assert first.loc[WORKFLOW, ["label", "type"]].tolist() == ["Start Review", "workflow"]
    second = set(table.loc[table["id"] == ids[1], "action"])
    assert second == {RETIRE, REVIEW, WORKFLOW}  # the approved record's state actions


def test_actions_limits_and_errors(vault, client):
    ids = _ids(3)
    table = pd.DataFrame({"vault_id": ids}).vault.actions(
        "product__v", id_column="vault_id", max_records=2
    )
    assert table["id"].unique().tolist() == ids[:2]
    with pytest.raises(FrameError, match="id column"):
        pd.DataFrame({"x": ids}).vault.actions("product__v")
    with pytest.raises(ConfigurationError, match="max_records"):
        pd.DataFrame({"id": ids}).vault.actions("product__v", max_records=0)
    with pytest.raises(VaultAPIError, match="INVALID_DATA"):
        pd.DataFrame({"id": ["00P000000009999"]}).vault.actions("product__v")
    assert pd.DataFrame({"id": [None]}).vault.actions("product__v").empty
