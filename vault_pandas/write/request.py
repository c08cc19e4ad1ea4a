"""One write request: its method, path, body and headers, and the per-row answer read back."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from vault_pandas.results.outcomes import (
    SUCCESS,
    WARNING,
    Outcomes,
    action_outcomes,
    record_outcomes,
)
from vault_pandas.write.batching import Batch
from vault_pandas.write.bodies import csv_body, json_body
from vault_pandas.write.options import IDEMPOTENT
from vault_pandas.write.repeats import settle_repeat

if TYPE_CHECKING:
    from vault_pandas.transport.client import VaultClient
    from vault_pandas.write.options import WriteOptions

METHODS = {"create": "POST", "upsert": "POST", "update": "PUT", "delete": "DELETE"}
CONTENT_TYPES = {"csv": "text/csv", "json": "application/json"}


def send_batch(
    client: VaultClient,
    options: WriteOptions,
    batch: Batch,
    cancel: threading.Event | None = None,
    on_attempt: Callable[[int], None] | None = None,
) -> Outcomes:
    """Build one body, send it, and read the per-row answer (runs in a worker thread).

    Once ``cancel`` is set, no attempt of the request starts; ``on_attempt(n)`` hears each
    attempt just before it leaves (see ``VaultClient.send``).
    """
    if batch.ids is not None:
        n = len(batch.ids)
        resp = client.send(
            "POST",
            f"vobjects/{options.object_name}/actions/{options.action_name}",
            body=urlencode({"ids": ",".join(batch.ids), **(options.params or {})}).encode(),
            content_type="application/x-www-form-urlencoded",
            idempotent=False,
            cancel=cancel,
            on_attempt=on_attempt,
        )
    else:
        assert batch.table is not None
        n = batch.table.num_rows
        body = batch.body
        if body is None:
            body = csv_body(batch.table) if options.body_format == "csv" else json_body(batch.table)
        first_sent = time.time()  # Vault's stamps of what this request writes are not older
        resp = client.send(
            METHODS[options.operation],
            f"vobjects/{options.object_name}",
            body=body,
            content_type=CONTENT_TYPES[options.body_format],
            params=_id_param(options),
            idempotent=options.operation in IDEMPOTENT or carries_ids(options, batch),
            extra_headers=_migration_headers(options),
            cancel=cancel,
            on_attempt=on_attempt,
        )
    if resp.response_status not in (SUCCESS, WARNING):
        return Outcomes.request_failed(
            n, batch.ids, resp.errors, resp.response_status, resp.execution_id
        )
    if batch.ids is not None:
        return action_outcomes(resp.payload, batch.ids)
    outcomes = record_outcomes(resp.payload, n)
    if resp.repeated:  # answered for a repeat of a lost request: check what it claims
        settle_repeat(client, options, batch, outcomes, first_sent)
    return outcomes


def carries_ids(options: WriteOptions, batch: Batch) -> bool:
    """A migration-mode create whose every row gives its record ``id``: safe to repeat.

    A repeat cannot make a second record (the id is taken), so the client sends it again when
    an answer is lost, as for an upsert; ``write/repeats.py`` settles the repeat's answer.
    """
    table = batch.table
    if options.operation != "create" or not options.migration_mode or table is None:
        return False
    return "id" in table.column_names and table.column("id").null_count == 0


def _id_param(options: WriteOptions) -> dict[str, str] | None:
    """``?idParam=`` for an upsert, and for an update or delete matched on a unique field."""
    if options.operation in ("upsert", "update", "delete") and options.id_param is not None:
        return {"idParam": options.id_param}
    return None


def _migration_headers(options: WriteOptions) -> dict[str, str] | None:
    if not options.migration_mode:
        return None
    headers = {"X-VaultAPI-MigrationMode": "true"}
    if options.no_triggers:
        headers["X-VaultAPI-NoTriggers"] = "true"
    return headers
