"""Query answers -> typed DataFrame columns, from the query's field metadata (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd


def _column(values: list[Any], vault_type: str | None) -> pd.Series:
    s = pd.Series(values, dtype=object)
    if vault_type == "Date":
        return pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    if vault_type == "DateTime":
        return pd.to_datetime(s, utc=True, format="ISO8601", errors="coerce")
    if vault_type == "Boolean":
        return s.astype("boolean")
    if vault_type == "Number":
        numbers = pd.to_numeric(s, errors="coerce")
        if numbers.dropna().mod(1).eq(0).all():
            return numbers.astype("Int64")
        return numbers.astype("Float64")
    if vault_type == "Picklist":
        return s  # lists of names, as Vault answers them
    return s.astype("string")


def typed_frame(
    records: Sequence[Mapping[str, Any]], describe: Mapping[str, Any] | None
) -> pd.DataFrame:
    """One column per queried field, typed by ``describe`` (``queryDescribe``) when given."""
    fields = [f.get("name") for f in (describe or {}).get("fields", []) if f.get("name")]
    types = {f.get("name"): f.get("type") for f in (describe or {}).get("fields", [])}
    if not fields:
        fields = list(dict.fromkeys(k for r in records for k in r))
    columns = {name: _column([r.get(name) for r in records], types.get(name)) for name in fields}
    return pd.DataFrame(columns, index=pd.RangeIndex(len(records)))
