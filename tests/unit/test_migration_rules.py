"""schema/migration.py: the rules of migration mode and the record ids made for assign_ids."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from vault_pandas.errors import ConfigurationError
from vault_pandas.schema.migration import (
    fill_ids,
    id_pattern,
    make_ids,
    merge_errors,
    migration_errors,
    with_ids,
)

NOW = pd.Timestamp("2025-06-01T00:00:00Z")


def _errors(**columns) -> list:
    return migration_errors(pd.DataFrame(columns), now=NOW).tolist()


def test_pairs_come_together_as_vault_help_pairs_them():
    got = _errors(created_by__v=[1, 1, None, None], modified_by__v=[1, None, 1, None])
    assert got[0] is None and got[3] is None
    assert "modified_by__v is missing" in got[1]
    assert "created_by__v is missing" in got[2]
    # a frame with only one column of a pair: every row giving it is refused
    assert _errors(created_date__v=["2020-01-01", None]) == [
        "created_date__v and modified_date__v come together in migration mode: "
        "modified_date__v is missing",
        None,
    ]


def test_blank_text_counts_as_missing():
    assert _errors(created_by__v=["  ", "7"], modified_by__v=[None, ""])[0] is None


def test_dates_not_in_the_future_and_created_first():
    got = _errors(
        created_date__v=["2020-01-01", "2026-01-01", "2020-02-01", "2020-01-01T05:00:00+02:00"],
        modified_date__v=["2020-01-02", "2026-01-02", "2020-01-01", "2020-01-01T03:00:00Z"],
    )
    assert got[0] is None and got[3] is None  # 05:00+02:00 is 03:00 UTC
    assert "created_date__v is in the future" in got[1]
    assert "modified_date__v is in the future" in got[1]
    assert got[2] == "created_date__v is later than modified_date__v"


def test_timestamps_with_zones_and_unparseable_text_left_to_type_checks():
    stamps = pd.Series(pd.to_datetime(["2020-01-01", "2020-01-03"], utc=True))
    assert _errors(created_date__v=stamps, modified_date__v=stamps) == [None, None]
    assert _errors(created_date__v=["soon"], modified_date__v=["later"]) == [None]


def test_state_label_form():
    got = _errors(state_label=["base:object_lifecycle:initial_state_type", "initial", None])
    assert got[0] is None and got[2] is None
    assert "base:object_lifecycle:" in got[1]


def test_ids_given_on_create_follow_the_documented_format_once():
    ids = [
        "00PZA1B2C3D4E5F",
        "00PA1B2C3D4E5F6",
        "00pZa1b2c3d4e5f",
        "00PZ1",
        None,
        "00PZA1B2C3D4E5F",
    ]
    got = migration_errors(pd.DataFrame({"id": ids}), prefix="00P", now=NOW).tolist()
    assert "more than one row" in got[0] and "more than one row" in got[5]
    assert all("starting 00PZ" in got[k] for k in (1, 2, 3))
    assert got[4] is None
    update = migration_errors(pd.DataFrame({"id": ["x"]}), operation="update", now=NOW)
    assert update.tolist() == [None]


def test_make_ids_format_and_uniqueness():
    ids = make_ids("00P", 5000, taken={"00PZAAAAAAAAAAA"})
    assert len(set(ids)) == 5000 and "00PZAAAAAAAAAAA" not in ids
    assert all(re.fullmatch(id_pattern("00P"), i) for i in ids)
    assert all(len(i) == 15 and re.fullmatch("[A-Z0-9]+", i) for i in ids)
    assert make_ids("00P", 1) != make_ids("00P", 1)  # random (secrets), not a counter
    with pytest.raises(ValueError):
        make_ids("0p", 1)
    with pytest.raises(ValueError):
        make_ids("ABCDEFGHIJ", 1)


def test_fill_ids_keeps_given_ones_and_with_ids_adds_the_column():
    filled = fill_ids(pd.Series(["00PZGIVEN000001", None, " ", np.nan]), "00P")
    assert filled[0] == "00PZGIVEN000001"
    assert filled[1:].str.fullmatch(id_pattern("00P")).all() and filled.is_unique
    frame = pd.DataFrame({"name__v": ["a", "b"]}, index=[5, 5])  # duplicated labels
    out = with_ids(frame, "00P", "product__v")
    assert list(out.columns) == ["name__v", "id"] and out["id"].is_unique
    with pytest.raises(ConfigurationError, match="prefix"):
        with_ids(frame, None, "product__v")


def test_merge_errors():
    a = np.array([None, "x", "y", None], dtype=object)
    b = np.array(["p", None, "q", None], dtype=object)
    assert merge_errors(a, b).tolist() == ["p", "x", "y; q", None]
