"""Unit tests of the checks for bad input: write options, lone surrogates, action ids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vault_pandas.errors import ConfigurationError
from vault_pandas.results.outcomes import INVALID, VALIDATION, RowOutcomes
from vault_pandas.schema.derived import derive_schema
from vault_pandas.schema.metadata import parse_object_metadata
from vault_pandas.schema.surrogates import stand_in, surrogate_rows, with_stand_ins
from vault_pandas.schema.validation import validate
from vault_pandas.write.batching import action_batches, bad_ids
from vault_pandas.write.blocks import format_frame
from vault_pandas.write.options import WriteOptions
from vault_pandas.write.plan import trimmed_ids

# --- WriteOptions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        {"max_workers": "4"},
        {"max_workers": 4.0},
        {"max_workers": False},
        {"max_workers": 65},
        {"assume_timezone": 1},
        {"assume_timezone": "Europe/Pariss"},
        {"assume_timezone": ""},
        {"assume_timezone": "../etc/passwd"},
        {"checkpoint": 1.5},
        {"checkpoint": b"load.ckpt"},
        {"progress": 1},
        {"dry_run": None},
        {"no_triggers": "yes", "migration_mode": True},
        {"reconcile": None},
    ],
)
def test_write_options_refuse_bad_arguments(options):
    with pytest.raises(ConfigurationError):
        WriteOptions("create", "product__v", **options)


def test_write_options_accept_good_arguments(tmp_path):
    WriteOptions(
        "create", "product__v", max_workers=np.int32(3), progress=None, dry_run=np.bool_(True),
        assume_timezone="UTC", checkpoint=tmp_path / "c.ckpt", reconcile="external_id__v",
    )  # fmt: skip
    WriteOptions("create", "product__v", checkpoint=str(tmp_path / "c.ckpt"), reconcile=False)


def test_write_options_refuse_a_directory_as_checkpoint(tmp_path):
    with pytest.raises(ConfigurationError, match="is a directory"):
        WriteOptions("create", "product__v", checkpoint=tmp_path)


# --- lone surrogates --------------------------------------------------------------------------


def test_surrogate_rows_finds_lone_and_paired_surrogates_in_text_only():
    values = np.array(["ok", "a\ud800", None, 3, "\ud83d\ude00", np.nan, "é"], dtype=object)
    assert surrogate_rows(values).tolist() == [False, True, False, False, True, False, False]
    assert not surrogate_rows(np.array([1.5, 2.5], dtype=object)).any()
    assert not surrogate_rows(np.array([], dtype=object)).any()


def test_surrogate_rows_across_chunks():
    values = np.array(["x"] * 200_000, dtype=object)
    values[[0, 65_535, 65_536, 199_999]] = ["\ud800", "a\udfff", "\udc00b", "zz\ud900"]
    assert np.flatnonzero(surrogate_rows(values)).tolist() == [0, 65_535, 65_536, 199_999]


def test_stand_ins_keep_length_and_distinctness():
    a, b = stand_in("x\ud800"), stand_in("x\ud801")
    assert len(a) == len(b) == 2 and a != b
    a.encode("utf-8")
    assert with_stand_ins(np.array(["clean"], dtype=object)) is None


def test_validation_of_a_lone_surrogate_does_not_crash(product_metadata, picklists):
    spec = parse_object_metadata(product_metadata)
    columns = ["name__v", "product_family__c", "unit_price__c"]
    schema = derive_schema(spec, picklists, operation="create", columns=columns)
    frame = pd.DataFrame(
        {
            "name__v": ["A", "B\ud800", "C"],
            "product_family__c": ["vaccine__c", "vaccine__c", "x\udc00"],
            "unit_price__c": [1.0, "2\ud800", 3.0],
        },
        dtype=object,
    )
    report = validate(frame, schema)
    # the formatter refuses the surrogates; validation judges the rest of each value
    assert report.errors[0] is None
    assert (
        report.errors[1] == "unit_price__c: must be a number (plain decimal text) (got '2\\ud800')"
    )
    assert report.errors[2].startswith("product_family__c: 'x\\udc00' is not in picklist")
    assert frame.loc[1, "name__v"] == "B\ud800"  # the caller's frame is untouched


@pytest.mark.parametrize(
    ("vault_type", "value"),
    [("Boolean", "true\ud800"), ("DateTime", "2024-01-01T00:00:00Z\ud800"), ("String", "\udfff")],
)
@pytest.mark.parametrize("body_format", ["csv", "json"])
def test_formatting_refuses_a_lone_surrogate_by_row(vault_type, value, body_format):
    frame = pd.DataFrame({"c": ["true" if vault_type == "Boolean" else "x", value]}, dtype=object)
    block = format_frame(frame, {"c": vault_type}, body_format=body_format)
    assert block.invalid[0] is None
    assert "lone surrogate" in block.invalid[1]
    assert block.table.column("c")[1].as_py() is None


def test_formatting_refuses_a_surrogate_in_a_multi_value_list():
    frame = pd.DataFrame({"m": [["a__c"], ["a__c", "b\ud800"]]})
    block = format_frame(frame, {"m": "Picklist"}, multi_value={"m"})
    assert block.invalid.tolist()[0] is None
    assert "lone surrogate" in block.invalid[1]


# --- action ids -------------------------------------------------------------------------------


def test_trimmed_ids_and_bad_ids():
    ids = trimmed_ids(
        pd.Series([" 00PA1 ", "00P1,00P2", "00P 1", "", None, "0-1", 12], dtype=object)
    )
    assert ids.tolist()[:2] == ["00PA1", "00P1,00P2"] and ids.isna().tolist()[3:5] == [True, True]
    mask, messages = bad_ids(ids.dropna(), "id")
    assert mask.tolist() == [False, True, True, True, False]
    assert [m.split(": ", 2)[2] for m in messages] == [
        "'00P1,00P2' is not a record id: a comma would make it several ids, and the action "
        "would run on each",
        "'00P 1' is not a record id: it has a space inside",
        "'0-1' is not a record id: a record id has only letters and digits",
    ]


def test_action_batches_never_send_a_bad_id():
    ids = trimmed_ids(pd.Series(["A1", "A1,B2", None, " B2 ", "A1"]))
    rows = RowOutcomes(len(ids), with_event=False)
    batches = list(action_batches(ids, rows, "id"))
    assert [b.ids for b in batches] == [["A1", "B2"]]
    sent = dict(zip(batches[0].positions.tolist(), batches[0].expand.tolist(), strict=True))
    assert sent == {0: 0, 4: 0, 3: 1}  # row -> index of its id in the request
    assert rows.status.tolist()[1:3] == [INVALID, INVALID]
    assert rows.types[1] == (VALIDATION,) and rows.types[2] == (VALIDATION,)
