"""Before sending: metadata, frame-level checks, schema validation, and what to send."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from vault_pandas.errors import ConfigurationError, FrameError, VaultAPIError
from vault_pandas.results.outcomes import VALIDATION
from vault_pandas.schema import object_types
from vault_pandas.schema.checks import blank
from vault_pandas.schema.columns import (
    check_columns,
    is_required,
    left_out_reason,
    needs_required,
)
from vault_pandas.schema.derived import derive_schema
from vault_pandas.schema.fields import describe_fields
from vault_pandas.schema.metadata import ObjectSpec, parse_object_metadata, picklists_needed
from vault_pandas.schema.migration import merge_errors, migration_errors
from vault_pandas.schema.validation import ValidationReport, combine, validate
from vault_pandas.transport import names

if TYPE_CHECKING:
    from vault_pandas.transport.client import VaultClient
    from vault_pandas.write.options import WriteOptions

log = logging.getLogger("vault_pandas")


@dataclass
class LoadPlan:
    """What the checks decided: errors per row, and the columns and types to send."""

    errors: np.ndarray  # positional: None, or the row's validation message
    send_columns: list[str] = field(default_factory=list)
    types: dict[str, str | None] = field(default_factory=dict)
    multi_value: set[str] = field(default_factory=set)
    failure_cases: pd.DataFrame | None = None
    ids: pd.Series | None = None  # action: the id column
    unique_columns: list[str] = field(default_factory=list)  # unique fields given (lookup keys)
    id_column: str = "id"
    left_out: dict[str, str] = field(default_factory=dict)  # column -> why it is never sent


def object_spec(client: VaultClient, object_name: str) -> ObjectSpec:
    """The object's metadata as an ``ObjectSpec`` (cached by the client)."""
    return parse_object_metadata(client.object_metadata(object_name))


def schema_for(client: VaultClient, spec: ObjectSpec, **kwargs: Any):  # noqa: ANN201
    """The pandera schema derived from ``spec`` and its picklists."""
    needed = picklists_needed(spec, kwargs.get("columns"))  # only the frame's columns
    picklists = {name: client.picklist(name) for name in needed}
    return derive_schema(spec, picklists, **kwargs)


def field_table(client: VaultClient, object_name: str) -> pd.DataFrame:
    """What Vault expects of each field of ``object_name``, one row per field (``df.vault.fields``).

    A readable view of the metadata behind the derived schema: ``label``, ``type``,
    ``required`` (a create must give it), ``editable`` (a write may set it), ``unique``,
    ``limits`` and ``values`` (picklist values as ``name (Label)``, or a reference's target),
    indexed by field name, required fields first. See
    :func:`vault_pandas.schema.fields.describe_fields`.

    Examples
    --------
    >>> import pandas as pd, vault_pandas
    >>> from vault_pandas import sandbox
    >>> with sandbox.run() as vault:
    ...     client = vault_pandas.connect(vault.url, username=vault.username,
    ...                                   password=vault.password)
    ...     table = pd.DataFrame().vault.fields("product__v")
    >>> table.loc[["name__v", "state__v"], ["required", "editable", "limits"]].values.tolist()
    [[True, True, 'max 128 chars'], [False, False, 'max 255 chars']]
    >>> table.loc["unit_price__c", "limits"]
    '0 to 1000000, 2 decimals'
    >>> table.loc["product_family__c", "values"]
    'small_molecule__c (Small Molecule), biologic__c (Biologic), ...'
    """
    spec = object_spec(client, object_name)
    picklists = {name: client.picklist(name) for name in picklists_needed(spec)}
    return describe_fields(spec, picklists)


def prepare(data: pd.DataFrame, options: WriteOptions, client: VaultClient) -> LoadPlan:
    """Check the frame against the object and validate its rows; raise on frame problems."""
    _check_labels(data)
    if options.operation == "action":
        return _prepare_action(data, options, client)
    if options.id_param is not None:
        names.check_field_path(options.id_param, "id_param")
    for column in data.columns:
        names.check_field_path(column, "column name")
    spec = object_spec(client, options.object_name)
    columns = [str(c) for c in data.columns]
    if options.operation == "delete" and options.id_param not in (None, "id"):
        if options.id_column != "id":
            raise ConfigurationError("delete: give id_column= or id_param=, not both")
        # by a unique field (?idParam=, documented for delete): checked even unchecked
        check_columns(spec, columns, operation="delete", id_param=options.id_param)
        columns = [options.id_param]
        data = data[columns]
    elif options.operation == "delete":
        columns = _id_only(columns, options)
        data = data[columns].set_axis(["id"], axis=1)
        columns = ["id"]
    checking = options.schema is not False
    left_out: dict[str, str] = {}
    if checking:
        left_out = check_columns(
            spec, columns, operation=options.operation, id_param=options.id_param,
            migration_mode=options.migration_mode,
        )  # fmt: skip
    else:
        if options.operation == "upsert" and options.id_param not in columns:
            raise FrameError(f"the id_param column {options.id_param!r} is missing from the frame")
        writes_fields = options.operation in ("create", "upsert", "update")
        for c in columns if writes_fields else ():  # unchecked, but never sent if unwritable
            reason = left_out_reason(
                spec, c, options.operation, options.id_param, options.migration_mode
            )
            if reason:
                left_out[c] = reason
    columns = [c for c in columns if c not in left_out]
    plan = LoadPlan(
        errors=np.full(len(data), None, dtype=object),
        send_columns=columns,
        types={c: spec.field_type(c) for c in columns},
        multi_value={c for c in columns if c in spec.fields and spec.fields[c].multi_value},
        unique_columns=[
            c for c in columns if c != "id" and c in spec.fields and spec.fields[c].unique
        ],
        left_out=left_out,
    )
    if checking:
        derived = schema_for(
            client,
            spec,
            operation=options.operation,
            columns=columns,
            id_param=options.id_param,
            assume_timezone=options.assume_timezone,
        )
        user = options.schema if options.schema is not None else None
        report = validate(data[columns], combine(derived, user), error_type=VALIDATION)
        if object_types.applies(spec, columns, options.operation):
            by_type = type_report(client, spec, data[columns], options)
            report = object_types.merge_reports(report, by_type)
        plan.errors, plan.failure_cases = report.errors, report.failure_cases
        if options.migration_mode:  # the mode's own rules (schema/migration.py)
            by_mode = migration_errors(
                data[columns], operation=options.operation, prefix=spec.prefix
            )
            plan.errors = merge_errors(plan.errors, by_mode)
        _refuse_clearing_required(data, spec, columns, options, plan.errors)
    return plan


def _refuse_clearing_required(
    data: pd.DataFrame, spec: ObjectSpec, columns: list[str], options: WriteOptions,
    errors: np.ndarray,
) -> None:  # fmt: skip
    """``nulls="clear"``: a blank in a field the metadata marks required would clear it, which
    Vault refuses; the row is INVALID (its message added to ``errors``, in place)."""
    if options.nulls != "clear" or options.operation not in ("update", "upsert"):
        return
    keys = {"id", options.id_param}
    checked = needs_required(options.operation, options.id_param)  # then the schema did it
    for column in columns:
        field = spec.fields.get(column)
        if column in keys or field is None or not field.required:
            continue
        if checked and is_required(field, spec):
            continue
        rows = np.flatnonzero(blank(data[column]))
        detail = f"{column}: is required, so nulls='clear' cannot clear it (the value is blank)"
        old = errors[rows]
        fresh = pd.isna(old)
        errors[rows[fresh]] = f"{VALIDATION}: {detail}"
        errors[rows[~fresh]] = old[~fresh] + "; " + detail


def type_report(
    client: VaultClient, spec: ObjectSpec, data: pd.DataFrame, options: WriteOptions
) -> ValidationReport:
    """Each row checked against its own object type (configurations cached by the client).

    A configuration Vault does not give (no list of types, a type it will not describe) is
    not guessed: those rows are left to Vault (``schema/object_types.py``).
    """
    try:
        listed = object_types.known_types(client.configuration("Objecttype"), spec.name)
    except (VaultAPIError, ConfigurationError) as exc:
        log.info("object types of %s not listed (%s): unknown types left to Vault", spec.name, exc)
        listed = None
    types: dict[str, object_types.ObjectType | None] = {}
    for name in object_types.types_to_read(data, spec, options.operation, listed):
        try:
            payload = client.configuration("Objecttype", spec.name, name)
            types[name.lower()] = object_types.parse_object_type(payload)
        except (VaultAPIError, ConfigurationError) as exc:
            log.info(
                "object type %s.%s not read (%s): its rows left to Vault", spec.name, name, exc
            )
            types[name.lower()] = None
    needed = object_types.picklists_needed(spec, types.values())
    return object_types.type_report(
        data, spec, types, listed, operation=options.operation, id_param=options.id_param,
        picklists={p: list(client.picklist(p)) for p in needed}, error_type=VALIDATION,
    )  # fmt: skip


def _id_only(columns: list[str], options: WriteOptions) -> list[str]:
    if options.id_column not in columns:
        raise FrameError(
            f"delete needs a column of record ids: {options.id_column!r} is not in the frame; "
            "pass id_column= to name it"
        )
    return [options.id_column]


def _prepare_action(data: pd.DataFrame, options: WriteOptions, client: VaultClient) -> LoadPlan:
    if options.id_column not in data.columns:
        raise FrameError(
            f"an action needs a column of record ids: {options.id_column!r} is not in the frame "
            f"(columns: {list(data.columns)[:10]}); pass id_column= to name it"
        )
    # the object must exist: fail before anything is sent if it does not
    client.object_metadata(options.object_name)
    return LoadPlan(
        errors=np.full(len(data), None, dtype=object),
        ids=trimmed_ids(data[options.id_column]),
        id_column=options.id_column,
    )


def trimmed_ids(ids: pd.Series) -> pd.Series:
    """Record ids as text without surrounding spaces; a blank or missing id is ``NA``.

    Whether each id is a record id at all is ``batching.action_batches``' check.

    Examples
    --------
    >>> trimmed_ids(pd.Series([" 00P1 ", "", None, 7])).tolist()
    ['00P1', <NA>, <NA>, '7']
    """
    try:
        text = ids.astype("string")
    except UnicodeEncodeError:  # a lone surrogate: Arrow cannot hold it, Python strings can
        text = ids.astype(pd.StringDtype("python"))
    text = text.str.strip()
    return text.where(text != "")


def _check_labels(data: pd.DataFrame) -> None:
    if data.columns.has_duplicates:
        dupes = sorted({str(c) for c in data.columns[data.columns.duplicated()]})
        raise FrameError(f"the frame has duplicated column names: {dupes}")
    if not all(isinstance(c, str) for c in data.columns):
        raise ConfigurationError("column names must be strings (Vault field names)")
