"""VQL: safe literals, paged queries, and reading results into a DataFrame."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd

from . import names
from .errors import ConfigurationError

if TYPE_CHECKING:
    from .client import VaultClient

_FORM = "application/x-www-form-urlencoded"
MAX_IN_VALUES = 250  # values per CONTAINS (...) clause, to keep each query short


def quote(value: object) -> str:
    """A VQL string literal for ``value``: backslashes and single quotes escaped.

    Examples
    --------
    >>> quote("O'Brien")
    "'O\\\\'Brien'"
    >>> print(quote("a\\\\b"))
    'a\\\\\\\\b'
    """
    if not isinstance(value, str):
        value = str(value)
    if "\n" in value or "\r" in value:
        raise ConfigurationError(f"a VQL value cannot contain a line break: {value[:40]!r}")
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def contains(field: str, values: Iterable[object]) -> str:
    """``field CONTAINS ('a', 'b')`` with every value quoted."""
    names.check_field_path(field, "field")
    return f"{field} CONTAINS ({', '.join(quote(v) for v in values)})"


def pages(client: VaultClient, vql: str, *, describe: bool = False) -> Iterator[dict[str, Any]]:
    """Yield every page of a query's answer, following ``next_page``."""
    from urllib.parse import urlencode

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
    names.check_name(object_name, "object name")
    names.check_name(key, "key field")
    found: dict[str, list[str]] = {}
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), MAX_IN_VALUES):
        chunk = unique[start : start + MAX_IN_VALUES]
        vql = f"SELECT id, {key} FROM {object_name} WHERE {contains(key, chunk)}"
        for page in pages(client, vql):
            for record in page.get("data") or []:
                found.setdefault(str(record.get(key)), []).append(str(record.get("id")))
    return found


_SELECT = re.compile(r"^\s*select\s", re.IGNORECASE)


def read_vql(vql: str, client: VaultClient | None = None) -> pd.DataFrame:
    """Run a VQL query and return every page as one DataFrame, typed from Vault's metadata.

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
    from .connection import resolve_client
    from .typing_vql import typed_frame

    if not _SELECT.match(vql):
        raise ConfigurationError("read_vql runs SELECT queries only")
    client = resolve_client(client)
    records: list[dict[str, Any]] = []
    describe: dict[str, Any] | None = None
    for page in pages(client, vql, describe=True):
        describe = describe or page.get("queryDescribe")
        records.extend(page.get("data") or [])
    return typed_frame(records, describe)
