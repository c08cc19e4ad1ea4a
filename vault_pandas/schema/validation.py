"""Run a pandera schema lazily over a frame; failures -> one plain message per row (pure).

Rows are validated by position: pandera runs on a shallow copy with a RangeIndex, so any
index (duplicates, MultiIndex, strings) maps back exactly, and the caller's frame is never
changed, even by a schema with ``coerce=True``. A check can give a per-value message by
holding a callable under ``"explain"`` in its ``statistics`` (``rules``' checks do).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

try:
    import pandera.pandas as pdr
except ImportError:  # pragma: no cover - pandera < 0.24 has no pandera.pandas
    import pandera as pdr  # type: ignore[no-redef]
from pandera.errors import SchemaErrors

from vault_pandas.errors import ConfigurationError, FrameError
from vault_pandas.schema.surrogates import with_stand_ins

FAILURE_COLUMNS: Final = ("position", "index", "column", "value", "check", "message")
VALUE_CHARS: Final = 40  # longest value shown in a message
_PANDAS_MAJOR: Final = int(pd.__version__.split(".")[0])
_PANDERA_WORDS: Final = {
    "not_nullable": "must not be blank",
    "field_uniqueness": "duplicated within the frame",
}


@dataclass
class ValidationReport:
    """The outcome of validating a frame, by row position.

    ``errors`` holds None for a valid row, else every failed check of the row as
    ``"col: rule (got value); col2: ..."``. ``failure_cases`` has one row per failure with
    the columns of ``FAILURE_COLUMNS`` (``check`` is the check's name, a stable code).
    """

    errors: np.ndarray
    failure_cases: pd.DataFrame

    @property
    def invalid_mask(self) -> np.ndarray:
        """Boolean array, True where the row failed a check."""
        return ~pd.isna(self.errors)


def combine(
    derived: pdr.DataFrameSchema | None,
    user: pdr.DataFrameSchema | type[pdr.DataFrameModel] | None,
) -> pdr.DataFrameSchema | None:
    """Put the user's schema on top of the derived one.

    A column in both keeps the user's settings (dtype, coerce, nullable, required) and runs
    the derived checks, then the user's. Frame-wide checks of both are kept. Index checks
    cannot be combined: rows are validated by position.

    Examples
    --------
    >>> derived = pdr.DataFrameSchema({"a": pdr.Column(None, pdr.Check.ge(0))})
    >>> user = pdr.DataFrameSchema({"a": pdr.Column(int, pdr.Check.le(9))})
    >>> merged = combine(derived, user)
    >>> [c.error for c in merged.columns["a"].checks], str(merged.columns["a"].dtype)
    (['greater_than_or_equal_to(0)', 'less_than_or_equal_to(9)'], 'int64')
    """
    if isinstance(user, type) and issubclass(user, pdr.DataFrameModel):
        user = user.to_schema()
    if user is not None and not isinstance(user, pdr.DataFrameSchema):
        raise ConfigurationError(
            f"schema must be a pandera DataFrameSchema or DataFrameModel, not {type(user)}"
        )
    if user is not None and user.index is not None:
        raise ConfigurationError(
            "schemas with index checks are not supported: rows are validated by position"
        )
    if user is None or derived is None:
        return user if derived is None else derived
    shared = {n: c for n, c in user.columns.items() if n in derived.columns}
    merged = user.update_columns(
        {n: {"checks": [*derived.columns[n].checks, *c.checks]} for n, c in shared.items()}
    )
    merged = merged.add_columns({n: c for n, c in derived.columns.items() if n not in user.columns})
    merged.checks = [*derived.checks, *user.checks]
    return merged


def validate(
    frame: pd.DataFrame, schema: pdr.DataFrameSchema | None, *, error_type: str | None = None
) -> ValidationReport:
    """Validate every row of ``frame`` and describe each failure in plain words.

    ``error_type`` prefixes each failure as ``"TYPE: column: message"``, the form of
    ``vault_error``.

    Raises FrameError for failures that concern the frame rather than rows (a wrong dtype,
    a missing column the schema requires, a frame-wide check without row results).

    Examples
    --------
    >>> rule = pdr.Check.le(10, error="must be <= 10")
    >>> schema = pdr.DataFrameSchema({"n": pdr.Column(None, rule)})
    >>> frame = pd.DataFrame({"n": [5, 12]}, index=["x", "y"])
    >>> report = validate(frame, schema)
    >>> list(report.errors)
    [None, 'n: must be <= 10 (got 12)']
    >>> report.failure_cases[["index", "column", "check"]].to_dict("records")
    [{'index': 'y', 'column': 'n', 'check': 'less_than_or_equal_to'}]
    """
    n = len(frame)
    if schema is None:
        return ValidationReport(np.full(n, None, dtype=object), _empty_cases())
    work = frame.copy(deep=False)
    work.index = pd.RangeIndex(n)
    _for_pandera(work, schema)
    cases = _failures(schema, work)
    unmapped = pd.to_numeric(cases["index"], errors="coerce").isna()
    coercion = ~unmapped & cases["check"].astype(str).str.startswith("coerce_dtype(")
    if unmapped.any() and coercion.any():
        # A value that cannot be coerced makes pandera fail its column's dtype and skip the
        # column's checks; check the other rows again without the rows that cannot be.
        bad = pd.unique(cases.loc[coercion, "index"].astype("int64"))
        keep = cases["index"].isin(bad) & ~cases["check"].astype(str).str.startswith("dtype(")
        rest = _failures(schema, work.drop(index=bad))
        cases = pd.concat([cases[keep & ~unmapped], rest], ignore_index=True)
    if cases.empty:
        return ValidationReport(np.full(n, None, dtype=object), _empty_cases())
    return _report(frame, schema, cases, error_type)


def _for_pandera(work: pd.DataFrame, schema: pdr.DataFrameSchema) -> None:
    """Give pandera cheaper or safer forms of the columns whose dtype the schema leaves open.

    Text holding a lone surrogate cannot become Arrow text: pandera checks a stand-in of the
    same length instead (``surrogates.stand_in``), and the formatter, which reads the
    caller's values, makes the row INVALID for it.
    """
    for name, column in schema.columns.items():
        values = work[name] if name in work.columns else None
        if not isinstance(values, pd.Series):
            continue
        open_dtype = column.dtype is None
        if (
            open_dtype
            and _PANDAS_MAJOR < 3
            and isinstance(values.dtype, pd.CategoricalDtype)
            and values.hasnans
        ):
            # pandera formats failures with Series.apply(str), which fails on NaN here
            values = work[name] = values.astype(object)
        if values.dtype != np.dtype(object):
            continue
        text = open_dtype and infer_dtype(values, skipna=True) == "string"
        if text:
            try:  # text in object columns (pandas 2's default): Arrow kernels, not Python loops
                work[name] = values.astype("string[pyarrow]")
                continue
            except UnicodeEncodeError:
                pass
        fixed = with_stand_ins(values.to_numpy(dtype=object))
        if fixed is not None:
            values = work[name] = pd.Series(fixed, index=work.index, dtype=object)
            if text:
                work[name] = values.astype("string[pyarrow]")


def _failures(schema: pdr.DataFrameSchema, work: pd.DataFrame) -> pd.DataFrame:
    try:
        # pandera copies the frame unless inplace; a shallow copy suffices when nothing is
        # written back, and a coercing schema gets pandera's own deep copy.
        schema.validate(work, lazy=True, inplace=not _writes(schema))
    except SchemaErrors as exc:
        return exc.failure_cases
    return pd.DataFrame(columns=["schema_context", "column", "check", "check_number", "index"])


def _writes(schema: pdr.DataFrameSchema) -> bool:
    columns = schema.columns.values()
    return bool(
        schema.coerce
        or schema.parsers
        or schema.strict == "filter"
        or getattr(schema, "add_missing_columns", False)
        or any(c.coerce or getattr(c, "parsers", None) for c in columns)
    )


def _empty_cases() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in FAILURE_COLUMNS}).astype(
        {"position": "int64"}
    )


def _report(
    frame: pd.DataFrame,
    schema: pdr.DataFrameSchema,
    cases: pd.DataFrame,
    error_type: str | None = None,
) -> ValidationReport:
    cases = cases.reset_index(drop=True)
    position = pd.to_numeric(cases["index"], errors="coerce")
    if position.isna().any():
        _raise_frame_error(cases[position.isna()])
    cases = cases.assign(position=position.astype("int64"))
    frame_wide = cases["schema_context"] != "Column"
    cases.loc[frame_wide, "column"] = None  # a frame-wide check reports once per row
    keys = ["position", "schema_context", "column", "check_number", "check"]
    cases = cases.drop_duplicates(keys)
    values = _original_values(frame, cases)
    codes, messages = _describe(schema, cases, values)
    rank = {c: i for i, c in enumerate(frame.columns)}
    cases = cases.assign(
        value=pd.Series(values, index=cases.index, dtype=object),
        code=codes,
        message=messages,
        line=_lines(cases["column"], messages, error_type),
        rank=cases["column"].map(rank).fillna(-1),
    ).sort_values(["position", "rank", "check_number"], kind="stable")
    errors = _join_by_row(len(frame), cases["position"].to_numpy(), cases["line"].to_numpy())
    labels = pd.Series(list(frame.index.take(cases["position"].to_numpy())), dtype=object)
    failure_cases = pd.DataFrame(
        {
            "position": cases["position"].to_numpy(),
            "index": labels,
            "column": cases["column"].to_numpy(dtype=object),
            "value": pd.Series(cases["value"].to_numpy(), dtype=object),
            "check": cases["code"].to_numpy(dtype=object),
            "message": cases["message"].to_numpy(dtype=object),
        }
    )
    return ValidationReport(errors, failure_cases)


def _original_values(frame: pd.DataFrame, cases: pd.DataFrame) -> np.ndarray:
    """The caller's values of the failed cells (pandera's may be converted or coerced)."""
    values = cases["failure_case"].to_numpy(dtype=object).copy()
    for column, rows in cases.groupby("column", sort=False).indices.items():
        where = frame.columns.get_loc(column) if column in frame.columns else None
        if isinstance(where, int):
            picked = frame.iloc[:, where].iloc[cases["position"].to_numpy()[rows]]
            values[rows] = np.array(picked.tolist() + [None], dtype=object)[:-1]
    return values


def _join_by_row(n: int, positions: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """Join the (position-sorted) lines of each row with "; " into an array of length n."""
    errors = np.full(n, None, dtype=object)
    if len(positions):
        starts = np.flatnonzero(np.r_[True, positions[1:] != positions[:-1]])
        # object-array reduceat concatenates in C; groupby.agg would build a Series per row
        joined = np.add.reduceat((lines.astype(object) + "; ").astype(object), starts)
        errors[positions[starts]] = [text[:-2] for text in joined]
    return errors


def _raise_frame_error(cases: pd.DataFrame) -> None:
    problems = []
    for row in cases.drop_duplicates(["column", "check"]).itertuples():
        where = f"column {row.column!r}" if row.schema_context == "Column" else "the frame"
        problems.append(f"{where}: {row.check}: {_cut(_repr(row.failure_case), 160)}")
    message = "the frame failed validation as a whole:\n- " + "\n- ".join(problems)
    raise FrameError(message, problems)


def _describe(
    schema: pdr.DataFrameSchema, cases: pd.DataFrame, values: np.ndarray
) -> tuple[list, list]:
    """Return the check code and message of every failure (a loop over failures only)."""
    codes: list[Any] = [None] * len(cases)
    messages: list[Any] = [None] * len(cases)
    keys = ["schema_context", "column", "check_number", "check"]
    for key, rows in cases.groupby(keys, sort=False, dropna=False).indices.items():
        check = _find_check(schema, *key[:3])
        code = getattr(check, "name", None) or str(key[3])
        explain = _explainer(check, str(key[3]))
        cache: dict[str, str] = {}
        for i, value in zip(rows, values[rows], strict=True):
            codes[i] = code
            text = _repr(value) if key[0] == "Column" else ""  # a row check: no one value
            if text not in cache:
                cache[text] = explain(value, _cut(text)) if text else str(key[3])
            messages[i] = cache[text]
    return codes, messages


def _find_check(schema: pdr.DataFrameSchema, context: Any, column: Any, number: Any) -> Any:
    if pd.isna(number):
        return None
    owner = schema.columns.get(column) if context == "Column" else schema
    checks = getattr(owner, "checks", None) or []
    return checks[int(number)] if 0 <= int(number) < len(checks) else None


def _explainer(check: Any, text: str) -> Callable[[Any, str], str]:
    hook = (getattr(check, "statistics", None) or {}).get("explain")
    if callable(hook):
        return lambda value, shown: hook(value)
    if text.startswith("coerce_dtype("):
        text = "cannot be converted to " + text[len("coerce_dtype(") : -1].strip("'")
    text = _PANDERA_WORDS.get(text, text)
    return lambda value, shown: text if _is_null(value) else f"{text} (got {shown})"


def _lines(columns: pd.Series, messages: list[str], error_type: str | None) -> list[str]:
    prefix = f"{error_type}: " if error_type else ""
    return [
        f"{prefix}{c}: {m}" if isinstance(c, str) else f"{prefix}{m}"
        for c, m in zip(columns, messages, strict=True)
    ]


def _is_null(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # list-like values
        return False


def _repr(value: Any) -> str:
    return repr(value.item() if isinstance(value, np.generic) else value)


def _cut(text: str, limit: int = VALUE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
