"""The benchmark's product__v frame: 10 columns of every kind an analyst loads.

Every row is valid for the sandbox's ``product__v`` (see ``vault_pandas/sandbox/objects.py``),
so every row of every scenario must come back SUCCESS. Built vectorised and deterministically
from ``n`` (and ``seed``), so each benchmark process can rebuild the same frame cheaply.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FAMILIES = np.array(["small_molecule__c", "biologic__c", "vaccine__c", "device__c"], dtype=object)
_WORDS = np.array(
    ["tablet", "film-coated", "oral", "solution", "sterile", "vial", "dose", "adult", "paediatric"],
    dtype=object,
)

#: what each column stands for (printed in the benchmark's notes)
COLUMNS = {
    "external_id__v": "String, unique key (short string)",
    "name__v": "String, unique (short string)",
    "generic_name__vs": "String (short string, repeated values)",
    "description__c": "LongText ~150 chars with commas, double quotes and newlines; 10% missing",
    "product_family__c": "Picklist (4 values)",
    "unit_price__c": "Number scale 2 (float64)",
    "pack_size__c": "Number scale 0 (nullable Int64, 1 in 7 <NA>)",
    "launch_date__c": "Date (datetime64, midnight)",
    "last_reviewed__c": "DateTime (datetime64 UTC, whole seconds)",
    "active__c": "Boolean (bool)",
}


def _text(values: np.ndarray) -> pd.Series:
    """Object array of str -> the default string dtype of this pandas (Arrow-backed in 3.x)."""
    return pd.Series(values).astype("str")


def products(n: int, *, seed: int = 0, prefix: str = "BM", revision: int = 0) -> pd.DataFrame:
    """A valid ``product__v`` frame of ``n`` rows (RangeIndex).

    ``revision`` > 0 gives the same keys (``external_id__v``, ``name__v``) with other values
    in the other columns: an upsert of it over a load of revision 0 updates every record.
    """
    rng = np.random.default_rng(seed + revision)
    i = np.arange(n)
    keys = np.char.add(f"{prefix}-", np.char.zfill(i.astype(str), 8)).astype(object)
    names = np.char.add(f"{prefix} product ", i.astype(str)).astype(object)
    generic = np.char.add("generic ", (i % 997).astype(str)).astype(object)
    w1 = _WORDS[(i + revision) % len(_WORDS)]
    w2 = _WORDS[(i * 7 + 3) % len(_WORDS)]
    num = i.astype(str).astype(object)
    # ~150 characters: commas, doubled quotes and a line break in every value
    description = (
        "Rev "
        + str(revision)
        + ': "'
        + w1
        + '" '
        + w2
        + ", batch "
        + num
        + ', stored below 25 C, protect from light;\nsecond line, with a comma, "quoted" '
        + "words and enough text to be a realistic free-text description."
    )
    description = np.where(i % 10 == 9, None, description)
    pack = pd.array(np.where(i % 7 == 0, 0, (i + revision) % 500 + 1), dtype="Int64")
    pack[i % 7 == 0] = pd.NA
    frame = pd.DataFrame(
        {
            "external_id__v": _text(keys),
            "name__v": _text(names),
            "generic_name__vs": _text(generic),
            "description__c": _text(description),
            "product_family__c": _text(FAMILIES[(i + revision) % len(FAMILIES)]),
            "unit_price__c": np.round(rng.uniform(0.5, 5000, n), 2),
            "pack_size__c": pack,
            "launch_date__c": pd.Timestamp("2015-01-01")
            + pd.to_timedelta((i + revision) % 3000, unit="D"),
            "last_reviewed__c": pd.Timestamp("2024-05-01 12:00:00", tz="UTC")
            + pd.to_timedelta(i * 61 + revision, unit="s"),
            "active__c": (i + revision) % 3 != 0,
        }
    )
    return frame


def frame_nbytes(frame: pd.DataFrame) -> int:
    """The frame's own size: ``memory_usage(deep=True)`` with the index."""
    return int(frame.memory_usage(deep=True, index=True).sum())


#: the columns ``with_missing`` blanks: every optional field (keys and required fields never)
OPTIONAL = (
    "generic_name__vs", "description__c", "unit_price__c", "pack_size__c", "launch_date__c",
    "last_reviewed__c", "active__c",
)  # fmt: skip


def with_missing(frame: pd.DataFrame, fraction: float, *, seed: int = 1) -> pd.DataFrame:
    """``frame`` with no missing value, then ``fraction`` of all its cells made missing at
    random, scattered over the :data:`OPTIONAL` columns (so rows differ in which are missing).
    """
    frame = frame.copy()
    frame["description__c"] = frame["description__c"].fillna("No description.")
    frame["pack_size__c"] = frame["pack_size__c"].fillna(1)
    if not fraction:
        return frame
    rng = np.random.default_rng(seed)
    share = fraction * frame.shape[1] / len(OPTIONAL)  # of each optional column's cells
    frame["active__c"] = frame["active__c"].astype("boolean")
    for column in OPTIONAL:
        frame[column] = frame[column].mask(rng.random(len(frame)) < share)
    return frame
