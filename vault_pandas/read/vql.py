"""VQL queries: paged answers, lookups by key, and read_vql/read/read_keys into a DataFrame."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import pandas as pd

from vault_pandas.errors import ConfigurationError, VaultPandasError
from vault_pandas.read.literals import LIST_TYPES, contains, literal, quote
from vault_pandas.transport import names

if TYPE_CHECKING:
    from vault_pandas.transport.client import VaultClient

__all__ = [
    "MAX_IN_VALUES",
    "contains",
    "literal",
    "lookup",
    "lookup_records",
    "pages",
    "quote",
    "read",
    "read_keys",
    "read_vql",
]

log = logging.getLogger("vault_pandas")
_FORM = "application/x-www-form-urlencoded"
MAX_IN_VALUES = 250  # values per CONTAINS (...) clause, to keep each query short
_SELECT = re.compile(r"^\s*select\s", re.IGNORECASE)


def pages(client: VaultClient, vql: str, *, describe: bool = False) -> Iterator[dict[str, Any]]:
    """Yield every page of a query's answer, following ``next_page`` (POST, as Vault asks)."""
    headers = {"X-VaultAPI-DescribeQuery": "true"} if describe else None
    payload = client.call(
        "POST", "query", body=urlencode({"q": vql}).encode(), content_type=_FORM,
        idempotent=True, extra_headers=headers,
    )  # fmt: skip
    while True:
        yield payload
        next_page = (payload.get("responseDetails") or {}).get("next_page")
        if not next_page:
            return
        payload = client.call("POST", _page_path(client, next_page), idempotent=True)


def _page_path(client: VaultClient, next_page: str) -> str:
    prefix = f"/api/{client.api_version}/"
    if not next_page.startswith(prefix) or ".." in next_page:
        raise ConfigurationError(f"unexpected next_page from Vault: {next_page[:80]!r}")
    return next_page[len(prefix) :]


def lookup(
    client: VaultClient, object_name: str, key: str, values: Iterable[str]
) -> dict[str, list[str]]:
    """Map each key value to the ids of the records that carry it (VQL, chunked)."""
    found: dict[str, list[str]] = {}
    for record in lookup_records(client, object_name, key, values):
        found.setdefault(str(record.get(key)), []).append(str(record.get("id")))
    return found


def lookup_records(
    client: VaultClient,
    object_name: str,
    key: str,
    values: Iterable[object],
    fields: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """The records whose ``key`` field holds one of ``values``, as Vault answers them.

    Parameters
    ----------
    client : VaultClient
        The connection.
    object_name : str
        The Vault object, e.g. ``"product__v"``.
    key : str
        The field the records are looked up by (``id`` or a unique field).
    values : iterable
        Key values, each written by :func:`literal` (text quoted; a line break is refused
        with ``ConfigurationError``); each distinct value is asked once, in chunks of
        ``MAX_IN_VALUES``.
    fields : sequence of str
        Further fields (or ``relationship__vr.field__v`` paths) to read; ``id`` and ``key``
        are always read.

    Returns
    -------
    list of dict
        One dict per record found, field -> value as in Vault's JSON answer (numbers as
        numbers, picklists as lists of names, booleans as booleans).
    """
    names.check_name(object_name, "object name")
    names.check_name(key, "key field")
    select = list(dict.fromkeys(["id", key, *(names.check_field_path(f, "field") for f in fields)]))
    records: list[dict[str, Any]] = []
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), MAX_IN_VALUES):
        chunk = unique[start : start + MAX_IN_VALUES]
        vql = f"SELECT {', '.join(select)} FROM {object_name} WHERE {contains(key, chunk)}"
        for page in pages(client, vql):
            records.extend(r for r in page.get("data") or [] if isinstance(r, dict))
    return records


def read_vql(
    vql: str, client: VaultClient | None = None, *, progress: bool | None = None
) -> pd.DataFrame:
    """Run a VQL query and return every page as one DataFrame, typed from Vault's metadata.

    The query is sent with ``X-VaultAPI-DescribeQuery: true`` and each column gets the one
    dtype of its Vault type (see :mod:`vault_pandas.read.dtypes`), from the answer's
    ``queryDescribe``, or when it has none from the metadata of the query's ``FROM`` object
    (relationship paths followed to their target objects):

    =============================================  ==========================================
    Vault type                                      dtype (missing value)
    =============================================  ==========================================
    String, LongText, RichText, ID, Object         ``string`` (``pd.NA``)
    Number with ``scale`` 0 / > 0                  ``Int64`` / ``Float64`` (``pd.NA``)
    Date                                           ``datetime64[us]``, midnight (``NaT``)
    DateTime                                       ``datetime64[us, UTC]`` (``NaT``)
    Boolean                                        ``boolean`` (``pd.NA``)
    Picklist, single value                         ``string``: the name (``pd.NA``)
    Picklist, multi-value                          ``object``: lists of names (``pd.NA``)
    other types                                    ``object``, as Vault answers
    =============================================  ==========================================

    A frame built with these dtypes is written back unchanged by ``df.vault.create`` /
    ``update``; an empty answer still has every column, typed.

    Parameters
    ----------
    vql : str
        A ``SELECT`` query. Values in it are the caller's to quote: use :func:`quote` or
        :func:`literal`, or :func:`read`, which builds the query from Python values.
    client : VaultClient, optional
        Default: the last client made by :func:`vault_pandas.connect`.
    progress : bool, optional
        A progress bar over the pages when there are several (default: only in a terminal
        or a notebook).

    Examples
    --------
    >>> import pandas as pd, vault_pandas
    >>> from vault_pandas import sandbox
    >>> with sandbox.run() as vault:
    ...     _ = vault_pandas.connect(vault.url, username=vault.username,
    ...                              password=vault.password)
    ...     _ = pd.DataFrame({"name__v": ["A"], "product_family__c": ["device__c"]}
    ...                      ).vault.create("product__v", progress=False)
    ...     vault_pandas.read_vql("SELECT name__v FROM product__v")["name__v"].tolist()
    ['A']
    """
    from vault_pandas.read.dtypes import complete_describe, describe_query, typed_frame
    from vault_pandas.transport.connection import resolve_client

    if not isinstance(vql, str) or not _SELECT.match(vql):
        raise ConfigurationError("read_vql runs SELECT queries only")
    client = resolve_client(client)
    records: list[dict[str, Any]] = []
    describe: Mapping[str, Any] | None = None
    bar = None
    try:
        for page in pages(client, vql, describe=True):
            describe = describe or page.get("queryDescribe")
            data = page.get("data") or []
            records.extend(data)
            bar = bar or _progress_bar(page, progress)
            if bar is not None:
                bar.update(len(data))
    finally:
        if bar is not None:
            bar.close()
    try:  # no describe (header not honoured): every type from the FROM object's metadata
        if describe is None:
            describe = describe_query(vql, records, _fields_of(client))
        else:
            describe = complete_describe(describe, _fields_of(client))
    except VaultPandasError as exc:  # not an object (documents, users...): keep Vault's
        log.info("no object metadata to complete the query's field types: %s", exc)
    return typed_frame(records, describe)


def _progress_bar(first_page: Mapping[str, Any], enabled: bool | None) -> Any:
    """A tqdm bar over the records of a query that has more than one page, else None."""
    from vault_pandas.results.progress import _interactive

    details = first_page.get("responseDetails") or {}
    total = details.get("total")
    if not details.get("next_page") or not isinstance(total, int) or isinstance(total, bool):
        return None
    if not (_interactive() if enabled is None else enabled):
        return None
    from tqdm.auto import tqdm

    offset = details.get("pageoffset") or 0
    return tqdm(total=total, initial=offset, desc="VQL", unit="record", dynamic_ncols=True)


def read(
    object_name: str,
    fields: Sequence[str] | None = None,
    where: Mapping[str, Any] | str | None = None,
    order_by: str | Sequence[str] | None = None,
    *,
    client: VaultClient | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Read an object's records into a typed DataFrame, building the VQL from Python values.

    Parameters
    ----------
    object_name : str
        The Vault object, e.g. ``"product__v"``.
    fields : list of str, optional
        Fields or ``relationship__vr.field__v`` paths; default every field of the object's
        metadata, in its order.
    where : dict or str, optional
        ``{field: value}`` for ``field = value`` and ``{field: [values]}`` for
        ``field CONTAINS (values)``, joined with ``AND``; ``None`` means ``= null``. Values
        are written by :func:`literal` (strings quoted). A long list is sent in chunks of
        ``MAX_IN_VALUES``; an empty list matches nothing. A ``str`` is used as the WHERE
        clause as it is: it is **not** quoted or checked.
    order_by : str or list of str, optional
        ``"field"`` or ``"field DESC"``; not with a list split into chunks.
    client : VaultClient, optional
        Default: the last client made by :func:`vault_pandas.connect`.
    progress : bool, optional
        See :func:`read_vql`.

    Returns
    -------
    pandas.DataFrame
        One row per record, dtypes as in :func:`read_vql`.

    Examples
    --------
    >>> import pandas as pd, vault_pandas
    >>> from vault_pandas import sandbox
    >>> from vault_pandas.read import vql
    >>> with sandbox.run() as vault:
    ...     _ = vault_pandas.connect(vault.url, username=vault.username,
    ...                              password=vault.password)
    ...     _ = pd.DataFrame({"name__v": ["O'Brien", "B"], "product_family__c": "device__c"}
    ...                      ).vault.create("product__v", progress=False)
    ...     vql.read("product__v", ["name__v"], where={"name__v": ["O'Brien"]})["name__v"].tolist()
    ["O'Brien"]
    """
    from vault_pandas.transport.connection import resolve_client

    client = resolve_client(client)
    names.check_name(object_name, "object name")
    fields = _fields(client, object_name, fields)
    order = _order_by(order_by)
    if isinstance(where, str) or where is None:
        clauses, split = ([where] if where else []), None
    else:
        clauses, split = _conditions(where)
    base = f"SELECT {', '.join(fields)} FROM {object_name}"
    if split is None:
        return read_vql(_query(base, clauses, order), client, progress=progress)
    field, values = split
    if not values:
        return _empty(client, object_name, fields)
    if order and len(values) > MAX_IN_VALUES:
        raise ConfigurationError(
            f"order_by cannot order {len(values)} values of {field} read in chunks of "
            f"{MAX_IN_VALUES}: sort the frame in pandas instead"
        )
    frames = []
    for start in range(0, len(values), MAX_IN_VALUES):
        chunk = contains(field, values[start : start + MAX_IN_VALUES])
        frames.append(read_vql(_query(base, [*clauses, chunk], order), client, progress=progress))
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    if len(frames) > 1 and "id" in frame.columns:  # a multi-value field can match two chunks
        frame = frame.drop_duplicates("id", ignore_index=True)
    return frame


def read_keys(
    keys: pd.Series,
    object_name: str,
    key: str = "id",
    fields: Sequence[str] | None = None,
    *,
    client: VaultClient | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """The records whose ``key`` field holds one of ``keys`` (``df.vault.read``).

    Blank keys are ignored and each value is asked once; ``key`` is always selected.
    """
    from vault_pandas.transport.connection import resolve_client

    names.check_field_path(key, "key")
    client = resolve_client(client)
    if fields is not None and key not in fields:
        fields = [key, *fields]
    values = list(dict.fromkeys(v for v in keys.dropna().tolist() if not _blank(v)))
    return read(object_name, fields, where={key: values}, client=client, progress=progress)


def _blank(value: object) -> bool:
    return isinstance(value, str) and not value.strip()


def _fields(client: VaultClient, object_name: str, fields: Sequence[str] | None) -> list[str]:
    if fields is None:
        meta = client.object_metadata(object_name).get("object") or {}
        found = [f["name"] for f in meta.get("fields") or [] if f.get("name")]
        if not found:
            raise ConfigurationError(f"the metadata of {object_name} lists no field")
        return found
    if isinstance(fields, str):
        fields = [fields]
    if not fields:
        raise ConfigurationError("fields is empty: give at least one field, or None for all")
    return [names.check_field_path(f, "field") for f in fields]


def _order_by(order_by: str | Sequence[str] | None) -> list[str]:
    out = []
    for item in [order_by] if isinstance(order_by, str) else list(order_by or []):
        field, *direction = str(item).split() or [""]
        if len(direction) > 1 or [d.upper() for d in direction] not in ([], ["ASC"], ["DESC"]):
            raise ConfigurationError(f"order_by items are 'field' or 'field ASC|DESC': {item!r}")
        names.check_field_path(field, "order_by field")
        out.append(" ".join([field, *(d.upper() for d in direction)]))
    return out


def _conditions(where: Mapping[str, Any]) -> tuple[list[str], tuple[str, list[Any]] | None]:
    """WHERE clauses, and the longest list condition (sent in chunks) kept apart."""
    if not isinstance(where, Mapping):
        raise ConfigurationError("where is a dict {field: value or list of values} or a str")
    lists: dict[str, list[Any]] = {}
    clauses = []
    for field, value in where.items():
        names.check_field_path(field, "where field")
        if isinstance(value, LIST_TYPES):
            lists[field] = list(dict.fromkeys(value))
        else:
            clauses.append(f"{field} = {literal(value)}")
    if not lists:
        return clauses, None
    empty = [f for f, values in lists.items() if not values]
    split = empty[0] if empty else max(lists, key=lambda f: len(lists[f]))
    clauses += [contains(f, values) for f, values in lists.items() if f != split]
    return clauses, (split, lists[split])


def _query(base: str, clauses: list[str], order: list[str]) -> str:
    vql = base
    if clauses:
        vql += " WHERE " + " AND ".join(clauses)
    if order:
        vql += " ORDER BY " + ", ".join(order)
    return vql


def _empty(client: VaultClient, object_name: str, fields: list[str]) -> pd.DataFrame:
    """A frame with no row and every column typed, from the objects' metadata."""
    from vault_pandas.read.dtypes import describe_from_metadata, typed_frame

    return typed_frame([], describe_from_metadata(_fields_of(client), object_name, fields))


def _fields_of(client: VaultClient) -> Callable[[str], list[dict[str, Any]]]:
    """An object's metadata fields, its ``relationships[]`` names included."""
    from vault_pandas.read.dtypes import metadata_fields

    def fields_of(obj: str) -> list[dict[str, Any]]:
        return metadata_fields(client.object_metadata(obj).get("object") or {})

    return fields_of
