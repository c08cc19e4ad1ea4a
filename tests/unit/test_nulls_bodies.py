"""``nulls="keep"``: JSON bodies that leave a blank's key out, their sizes and their batches."""

from __future__ import annotations

import json
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa

from vault_pandas.results.outcomes import RowOutcomes
from vault_pandas.write.batching import record_batches
from vault_pandas.write.blocks import format_frame
from vault_pandas.write.bodies import json_body, missing_cells, row_nbytes


def _frame(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "id": [f"V0A{i:012d}" for i in range(n)],
            "text": [f'say "hi" {i}\n\\ é' for i in range(n)],
            "number": rng.random(n) * 100,
            "day": pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC"),
        }
    )
    for column in ("text", "number", "day"):
        frame.loc[rng.random(n) < 0.3, column] = None
    return frame


def test_keys_of_blanks_are_left_out_row_by_row() -> None:
    table = pa.table(
        {"a": ["1", None, None, "4"], "b": [None, "x", None, 'q"'], "c": ["", None, None, None]}
    )
    rows = json.loads(json_body(table, omit_nulls=True))
    assert rows == [{"a": "1", "c": ""}, {"b": "x"}, {}, {"a": "4", "b": 'q"'}]
    tricky = pa.table({"a": [None, "{,"], "b": ["{,", "},{"]})
    assert json.loads(json_body(tricky, omit_nulls=True)) == [{"b": "{,"}, {"a": "{,", "b": "},{"}]
    assert json.loads(json_body(table)) == [
        {"a": "1", "b": None, "c": ""}, {"a": None, "b": "x", "c": None},
        {"a": None, "b": None, "c": None}, {"a": "4", "b": 'q"', "c": None},
    ]  # fmt: skip
    assert missing_cells(table).tolist() == [1, 2, 3, 1]


def test_a_formatted_block_round_trips_without_its_blanks() -> None:
    frame = _frame(200)
    block = format_frame(frame, body_format="json")
    assert pd.isna(block.invalid).all()
    rows = json.loads(json_body(block.table, omit_nulls=True))
    for i, row in enumerate(rows):
        present = [c for c in frame.columns if not pd.isna(frame[c].iloc[i])]
        assert list(row) == present
    assert row_nbytes(block.table, "json", 200, omit_nulls=True).sum() < block.row_nbytes.sum()


def test_row_sizes_are_exact_for_every_pattern_of_blanks() -> None:
    block = format_frame(_frame(300, seed=4), body_format="json")
    sizes = row_nbytes(block.table, "json", 300, omit_nulls=True)
    for a, b in ((0, 1), (0, 300), (17, 42), (299, 300)):
        body = json_body(block.table.slice(a, b - a), omit_nulls=True)
        assert len(body) == int(sizes[a:b].sum()) + 1  # "[" "]", and no comma after the last
    blanks_only = pa.table({"a": pa.nulls(2, pa.string())})
    assert row_nbytes(blanks_only, "json", 2, omit_nulls=True).tolist() == [3, 3]  # "{},"


def test_rows_of_different_patterns_share_batches_of_at_most_500() -> None:
    frame = _frame(1_234, seed=9)
    rows = RowOutcomes(len(frame), with_event=False)
    kept = np.zeros(len(frame), dtype=np.int64)
    formatter = partial(format_frame, body_format="json")
    body = partial(json_body, omit_nulls=True)
    batches = list(record_batches(frame, rows, formatter, None, body, kept=kept))
    assert [len(b.positions) for b in batches] == [500, 500, 234]
    assert np.concatenate([b.positions for b in batches]).tolist() == list(range(1_234))
    expected = frame.isna().sum(axis=1).to_numpy()
    assert kept.tolist() == expected.tolist() and kept.sum() > 0
    for batch in batches:
        assert batch.body is not None
        sent = json.loads(batch.body)
        assert sum(len(r) for r in sent) == 4 * len(sent) - int(expected[batch.positions].sum())


def test_kept_counts_only_rows_that_are_sent() -> None:
    frame = _frame(50, seed=2)
    rows = RowOutcomes(len(frame), with_event=False)
    rows.add_invalid(
        np.array([0, 1]), np.array(["VALIDATION: x", "VALIDATION: y"], object), "VALIDATION"
    )
    kept = np.zeros(len(frame), dtype=np.int64)
    formatter = partial(format_frame, body_format="json")
    batches = list(record_batches(frame, rows, formatter, kept=kept))
    assert sum(len(b.positions) for b in batches) == 48
    assert kept[:2].tolist() == [0, 0]
    assert kept[2:].tolist() == frame.isna().sum(axis=1).to_numpy()[2:].tolist()
