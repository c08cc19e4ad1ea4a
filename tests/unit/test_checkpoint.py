"""Checkpoint files and the load's identity they keep, without a Vault."""

from __future__ import annotations

import json
import os
import time
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from vault_pandas.errors import ConfigurationError
from vault_pandas.results.outcomes import SKIPPED, SUCCESS, UNKNOWN, RowOutcomes
from vault_pandas.write import fingerprint
from vault_pandas.write.checkpoint import SLACK, Checkpoint
from vault_pandas.write.fingerprint import column_digest, describe, difference
from vault_pandas.write.options import WriteOptions

CREATE = WriteOptions("create", "product__v")


def frame(n: int = 6) -> pd.DataFrame:
    k = np.arange(n)
    return pd.DataFrame(
        {
            "name__v": pd.array([f"P{i}" for i in k], dtype="string"),
            "areas__c": [["a__c", "b__c"] if i % 2 else ["c__c"] for i in k],
            "text__c": np.array([f"t{i}" if i % 3 else None for i in k], dtype=object),
            "size__c": pd.array(np.where(k % 4 == 0, None, k), dtype="Int64"),
            "price__c": k * 1.5,
            "when__c": pd.Timestamp("2024-01-01", tz="Europe/Paris") + pd.to_timedelta(k, "h"),
            "active__c": k % 2 == 0,
        }
    )


# -- the load's identity ----------------------------------------------------------------------


def test_identical_frames_have_the_same_identity():
    assert describe(frame(), CREATE) == describe(frame().copy(), CREATE)
    json.dumps(describe(frame(), CREATE))  # the header is JSON


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("name__v", "P9"),
        ("areas__c", ["a__c"]),  # a list cell: the old fingerprint fell back to index and shape
        ("areas__c", ["c__c", "a__c"]),  # same names, another order
        ("areas__c", []),
        ("text__c", "t99"),
        ("text__c", None),
        ("size__c", 7),
        ("price__c", 1.25),
        ("when__c", pd.Timestamp("2025-01-01", tz="Europe/Paris")),
        ("active__c", True),
    ],
)
def test_every_value_counts(column, value):
    other = frame()
    other.at[len(other) - 1, column] = value
    assert describe(other, CREATE)["values"] != describe(frame(), CREATE)["values"]
    assert difference(describe(frame(), CREATE), describe(other, CREATE)) == (
        f"the values of column {column!r} differ"
    )


def test_names_dtypes_order_and_options_count():
    base = describe(frame(), CREATE)
    renamed = describe(frame().rename(columns={"text__c": "note__c"}), CREATE)
    assert "missing ['text__c'], new ['note__c']" in difference(base, renamed)
    moved = describe(frame()[list(frame().columns[::-1])], CREATE)
    assert "order" in difference(base, moved)
    floats = describe(frame().astype({"size__c": "float64"}), CREATE)
    assert "dtype of column 'size__c'" in difference(base, floats)
    for option, value in [("id_param", "external_id__v"), ("body_format", "json"),
                          ("assume_timezone", "UTC"), ("migration_mode", True)]:  # fmt: skip
        options = WriteOptions("upsert" if option == "id_param" else "create", "product__v",
                               **{option: value})  # fmt: skip
        said = difference(base, describe(frame(), options))
        assert said is not None and ("operation" in said or option in said), said
    fewer = describe(frame(5), CREATE)
    assert difference(base, fewer) == "the number of rows differs (6 in the checkpoint, 5 now)"


def test_lists_tuples_and_arrays_of_the_same_names_are_one_value():
    lists = pd.Series([["a", "b"], None, []], dtype=object)
    tuples = pd.Series([("a", "b"), None, ()], dtype=object)
    arrays = pd.Series([np.array(["a", "b"], dtype=object), None, np.array([], dtype=object)])
    assert column_digest(lists) == column_digest(tuples) == column_digest(arrays)
    assert column_digest(lists) != column_digest(pd.Series([["a"], ["b"], []], dtype=object))
    assert column_digest(lists) != column_digest(pd.Series([["ab"], None, []], dtype=object))


def test_mixed_cells_fall_back_to_one_text_form_per_cell():
    mixed = pd.Series([["a", "b"], "a,b", None, {"b", "a"}, Decimal("1.5"), 3], dtype=object)
    same = pd.Series([["a", "b"], "a,b", None, {"a", "b"}, Decimal("1.5"), 3], dtype=object)
    assert column_digest(mixed) == column_digest(same)
    changed = mixed.copy()
    changed[1] = "a;b"
    assert column_digest(changed) != column_digest(mixed)


def test_list_columns_are_digested_without_a_python_call_per_row(monkeypatch):
    def per_row(value):  # pragma: no cover - must not run
        raise AssertionError("a Python call per cell")

    monkeypatch.setattr(fingerprint, "_cell_text", per_row)
    big = pd.Series([["a__c", "b__c"] if k % 3 else ["c__c"] for k in range(200_000)])
    started = time.perf_counter()
    column_digest(big)
    column_digest(pd.Series([f"x{k}" for k in range(200_000)], dtype=object))
    assert time.perf_counter() - started < 5


# -- the file -------------------------------------------------------------------------------


def header(n: int = 6) -> dict:
    return describe(frame(n), CREATE)


def write_some(path, n: int = 6) -> None:
    ckpt = Checkpoint.open(path, header(n))
    ckpt.restore(RowOutcomes(n, with_event=False))
    ckpt.sent(np.array([0, 1]), span=5.0)
    rows = RowOutcomes(n, with_event=False)
    rows.set(np.array([0, 1]), SUCCESS, np.array(["id0", "id1"], dtype=object))
    ckpt.answered(rows, np.array([0, 1]))
    ckpt.sent(np.array([2, 3]), span=5.0)
    ckpt.close()


def test_a_torn_last_line_is_cut_off_before_anything_is_appended(tmp_path):
    path = tmp_path / "c.ckpt"
    write_some(path)
    whole = path.read_bytes()
    with open(path, "ab") as fh:
        fh.write(b'{"k":"done","p":[2,3],"s":["SUCC')
    ckpt = Checkpoint.open(path, header())
    assert path.read_bytes() == whole  # cut off at once, even if nothing is written
    ckpt.restore(RowOutcomes(6, with_event=False))
    ckpt.unsent(np.array([2, 3]))
    ckpt.close()
    lines = path.read_bytes().splitlines()
    assert [json.loads(x)["k"] for x in lines[1:]] == ["sent", "done", "sent", "unsent"]


def test_a_damaged_line_in_the_middle_is_refused(tmp_path):
    path = tmp_path / "c.ckpt"
    write_some(path)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join([lines[0], b"garbage\n", *lines[1:]]))
    ckpt = Checkpoint.open(path, header())
    with pytest.raises(ConfigurationError, match="line 2 is damaged"):
        ckpt.restore(RowOutcomes(6, with_event=False))
    ckpt.close()


def test_another_load_an_old_format_and_a_foreign_file_are_refused(tmp_path):
    path = tmp_path / "c.ckpt"
    write_some(path)
    with pytest.raises(ConfigurationError, match="another load: the number of rows differs"):
        Checkpoint.open(path, header(5))
    old = tmp_path / "old.ckpt"
    old.write_text('{"version": 1, "operation": "create", "fingerprint": "6:7:ab"}\n')
    with pytest.raises(ConfigurationError, match="older vault_pandas"):
        Checkpoint.open(old, header())
    other = tmp_path / "notes.txt"
    other.write_text("hello\n")
    with pytest.raises(ConfigurationError, match="not a vault_pandas checkpoint"):
        Checkpoint.open(other, header())


def test_a_checkpoint_in_use_is_refused_until_closed(tmp_path):
    path = tmp_path / "c.ckpt"
    first = Checkpoint.open(path, header())
    with pytest.raises(ConfigurationError, match="in use by another load"):
        Checkpoint.open(path, header())
    first.close()
    Checkpoint.open(path, header()).close()


def test_restore_says_which_rows_may_be_in_flight_and_until_when(tmp_path):
    path = tmp_path / "c.ckpt"
    write_some(path)  # rows 0, 1 answered; 2, 3 sent, never answered (a crash)
    ckpt = Checkpoint.open(path, header())
    ckpt.abandoned(np.array([4]), span=2.0)  # row 4 abandoned on the wire just now
    ckpt.sent(np.array([5]), span=5.0)
    ckpt.unsent(np.array([5]))  # row 5 never left
    ckpt.close()
    rows = RowOutcomes(6, with_event=False)
    ckpt = Checkpoint.open(path, header())
    opened = time.time()
    assert ckpt.restore(rows) == 5
    assert rows.status.tolist() == [SUCCESS, SUCCESS, UNKNOWN, UNKNOWN, UNKNOWN, SKIPPED]
    assert rows.ids[:2].tolist() == ["id0", "id1"]
    assert all(t == ("UNKNOWN",) for t in rows.types[2:5])
    assert "never answered" in rows.errors[2] and "stopped waiting" in rows.errors[4]
    assert ckpt.open_rows.tolist() == [2, 3, 4]
    # every attempt writes its own "sent" event: the deadline is the last one's start plus
    # its span (and the slack between an event and its attempt leaving)
    assert opened - 0.5 < ckpt.deadline - 5.0 - SLACK <= opened + 0.01
    assert ckpt.deadline_of(np.array([4])) < ckpt.deadline
    assert ckpt.still_running(np.array([0, 1, 2, 5])).tolist() == [2]
    assert not ckpt.finished
    ckpt.finish(rows)
    ckpt.close()
    again = Checkpoint.open(path, header())
    again.restore(RowOutcomes(6, with_event=False))
    assert again.finished
    again.close()


def test_a_write_that_fails_leaves_nothing_behind(tmp_path, monkeypatch):
    path = tmp_path / "c.ckpt"
    write_some(path)
    before = path.read_bytes()
    ckpt = Checkpoint.open(path, header())
    ckpt.restore(RowOutcomes(6, with_event=False))

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        ckpt.sent(np.array([4, 5]), span=5.0)
    assert path.read_bytes() == before
    ckpt.close()


def test_the_ids_a_load_assigns_are_kept_and_given_back(tmp_path):
    path = tmp_path / "c.ckpt"
    ckpt = Checkpoint.open(path, header())
    ckpt.restore(RowOutcomes(6, with_event=False))
    assert ckpt.ids is None
    ckpt.assign(np.array([f"00P{i}" for i in range(6)], dtype=object))
    ckpt.close()  # written before any request: a crash now still keeps them
    again = Checkpoint.open(path, header())
    again.restore(RowOutcomes(6, with_event=False))
    assert again.ids is not None and again.ids.tolist() == [f"00P{i}" for i in range(6)]
    again.close()


def test_sync_journals_rows_settled_outside_an_answer_but_not_rows_still_in_flight(tmp_path):
    path = tmp_path / "c.ckpt"
    write_some(path)  # rows 0, 1 answered; 2, 3 sent, never answered
    ckpt = Checkpoint.open(path, header())
    rows = RowOutcomes(6, with_event=False)
    ckpt.restore(rows)
    assert ckpt.sync(rows) == 0  # nothing differs from the file
    rows.set(np.array([2]), SUCCESS, "id2")  # proven by a lookup
    assert ckpt.sync(rows) == 1  # row 3 is still UNKNOWN and maybe in flight: left so
    assert ckpt.sync(rows) == 0
    ckpt.finish(rows)
    ckpt.close()
    again = Checkpoint.open(path, header())
    restored = RowOutcomes(6, with_event=False)
    again.restore(restored)
    assert again.finished
    assert restored.status.tolist() == [SUCCESS, SUCCESS, SUCCESS, UNKNOWN, SKIPPED, SKIPPED]
    assert restored.ids[2] == "id2"
    again.close()


def test_an_attempt_long_after_its_request_was_recorded_is_journaled(tmp_path, monkeypatch):
    path = tmp_path / "c.ckpt"
    ckpt = Checkpoint.open(path, header())
    ckpt.restore(RowOutcomes(6, with_event=False))
    at = ckpt.sent(np.array([0, 1]), span=5.0)
    assert ckpt.attempt(np.array([0, 1]), 5.0, at) == at  # at once: nothing written
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 60)  # a retry a minute later
    later = ckpt.attempt(np.array([0, 1]), 5.0, at)
    assert later > at + 59
    ckpt.close()
    kinds = [json.loads(x)["k"] for x in path.read_bytes().splitlines()[1:]]
    assert kinds == ["sent", "sent"]
