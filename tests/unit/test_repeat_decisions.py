"""Unit tests of what a repeated request's answer is taken to mean (write/repeats.py)."""

from __future__ import annotations

import pytest

from vault_pandas.errors import VaultAPIError
from vault_pandas.results.outcomes import Outcomes
from vault_pandas.write import repeats
from vault_pandas.write.options import WriteOptions

SENT = 1_700_000_000.7  # time.time() before the first attempt
BEFORE, SAME_SECOND, AFTER = SENT - 86_400, 1_700_000_000.0, SENT + 0.5


def _upsert_answer() -> Outcomes:
    warn = ("NO_DATA_CHANGES",)
    return Outcomes(
        status=["WARNING", "WARNING", "SUCCESS", "WARNING", "SUCCESS", "FAILURE"],
        ids=["R1", "R2", "R3", "R4", "R5", None],
        errors=["NO_DATA_CHANGES: x", "NO_DATA_CHANGES: x", None, "NO_DATA_CHANGES: x", None, "E"],
        events=["updated", "updated", "updated", "updated", "created", None],
        types=[warn, warn, None, warn, None, ("INVALID_DATA",)],
    )


def _stamps(monkeypatch, found):
    asked = []

    def fake(client, object_name, ids):
        asked.append(list(ids))
        if isinstance(found, Exception):
            raise found
        return found

    monkeypatch.setattr(repeats, "record_stamps", fake)
    return asked


def test_upsert_repeat_decided_by_record_dates(monkeypatch):
    asked = _stamps(
        monkeypatch,
        {
            "R1": (SAME_SECOND, SAME_SECOND),  # created by our first attempt (same second)
            "R2": (BEFORE, AFTER),  # existed; our first attempt wrote these values
            "R3": (BEFORE, AFTER),  # existed; the repeat changed it
            "R4": (BEFORE, BEFORE),  # had these values before the load: a real warning
        },
    )
    out = _upsert_answer()
    options = WriteOptions("upsert", "product__v", id_param="external_id__v")
    repeats.settle_repeat(None, options, _batch(), out, SENT)  # type: ignore[arg-type]
    assert asked == [["R1", "R2", "R3", "R4"]]  # one lookup; not R5 (created by the repeat)
    assert out.status == ["SUCCESS", "SUCCESS", "SUCCESS", "WARNING", "SUCCESS", "FAILURE"]
    assert out.events == ["created", "updated", "updated", "updated", "created", None]
    assert out.types == [None, None, None, ("NO_DATA_CHANGES",), None, ("INVALID_DATA",)]
    assert out.errors is not None and out.errors[3] == "NO_DATA_CHANGES: x"


def test_upsert_repeat_without_evidence_claims_nothing(monkeypatch):
    _stamps(monkeypatch, VaultAPIError("query refused", []))
    out = _upsert_answer()
    options = WriteOptions("upsert", "product__v", id_param="external_id__v")
    repeats.settle_repeat(None, options, _batch(), out, SENT)  # type: ignore[arg-type]
    assert out.status == ["WARNING", "WARNING", "SUCCESS", "WARNING", "SUCCESS", "FAILURE"]
    assert out.events == [None, None, None, None, "created", None]


def test_update_repeat_only_looks_at_warnings(monkeypatch):
    asked = _stamps(monkeypatch, {"R1": (BEFORE, AFTER)})
    out = Outcomes(
        ["WARNING", "SUCCESS"], ["R1", "R2"], ["NO_DATA_CHANGES: x", None], None,
        [("NO_DATA_CHANGES",), None],
    )  # fmt: skip
    repeats.settle_repeat(None, WriteOptions("update", "product__v"), _batch(), out, SENT)  # type: ignore[arg-type]
    assert asked == [["R1"]]
    assert out.status == ["SUCCESS", "SUCCESS"] and out.errors == [None, None]


def test_repeat_with_nothing_to_check_asks_nothing(monkeypatch):
    asked = _stamps(monkeypatch, {})
    out = Outcomes(["SUCCESS"], ["R1"], None, ["created"])
    options = WriteOptions("upsert", "product__v", id_param="external_id__v")
    repeats.settle_repeat(None, options, _batch(), out, SENT)  # type: ignore[arg-type]
    assert asked == [] and out.events == ["created"]


@pytest.mark.parametrize("stamp", ["2023-11-14T22:13:20.000Z", "2023-11-14T22:13:20Z"])
def test_epoch_reads_vault_datetimes(stamp):
    assert repeats.epoch(stamp) == 1_700_000_000.0


class _Batch:
    table = None


def _batch():
    return _Batch()
