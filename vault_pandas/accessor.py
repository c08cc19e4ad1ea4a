"""The ``df.vault`` accessor: thin and stateless, every write goes through the writer."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pandas as pd

from vault_pandas.read.actions import frame_actions
from vault_pandas.results import summary as report
from vault_pandas.transport import names
from vault_pandas.transport.client import VaultClient
from vault_pandas.transport.connection import resolve_client
from vault_pandas.write.options import BodyFormat, Nulls, OnInvalid
from vault_pandas.write.pipeline import write_operation
from vault_pandas.write.plan import field_table
from vault_pandas.write.reconcile import reconcile_result


@pd.api.extensions.register_dataframe_accessor("vault")
class VaultAccessor:
    """Write this DataFrame into Vault: ``df.vault.create``, ``upsert``, ``action``...

    Each method returns a new frame: the same index, order and columns as this one, plus
    ``vault_id``, ``vault_status`` and ``vault_error`` (and ``vault_event`` for upsert).
    Columns named ``vault_*`` are never sent, so a result can be fixed and sent again.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame  # the only attribute: pandas 3 builds a new accessor per access

    def create(
        self,
        object_name: str,
        *,
        client: VaultClient | None = None,
        schema: Any = None,
        on_invalid: OnInvalid = "mark",
        dry_run: bool = False,
        body_format: BodyFormat = "csv",
        assume_timezone: str | None = None,
        max_workers: int | None = None,
        progress: bool | None = None,
        migration_mode: bool = False,
        no_triggers: bool = False,
        reconcile: bool | str = True,
        checkpoint: str | os.PathLike[str] | None = None,
        assign_ids: bool = False,
    ) -> pd.DataFrame:
        """Create one Vault record per row.

        Parameters
        ----------
        object_name : str
            The Vault object, e.g. ``"product__v"``.
        client : VaultClient, optional
            Default: the last client made by :func:`vault_pandas.connect`.
        schema : pandera schema or DataFrameModel, False, optional
            Extra checks on top of the ones derived from the object's metadata; ``False``
            turns checking off.
        on_invalid : {"mark", "raise"}
            Rows failing a check are marked ``INVALID`` and not sent (default), or raise
            ``ValidationError`` before anything is sent.
        dry_run : bool
            Validate and plan the requests without writing: rows end ``VALID`` or ``INVALID``.
        body_format : {"csv", "json"}
            The request body format.
        assume_timezone : str, optional
            Time zone of naive datetimes (otherwise they are ``INVALID``).
        max_workers : int, optional
            Requests in flight at once. Default (None): adaptive, from Vault's burst budget
            and the latency observed, between 1 and 32.
        progress : bool, optional
            Show a progress bar (default: only in a terminal or notebook).
        migration_mode, no_triggers : bool
            Send Vault's ``X-VaultAPI-MigrationMode`` / ``X-VaultAPI-NoTriggers`` headers.
        assign_ids : bool
            Migration mode: rows without an ``id`` get one made here (``schema/migration.py``).
        reconcile : bool or str
            Rows whose answer was lost (``UNKNOWN``) are looked up by a unique field of the
            frame (``external_id__v`` first, or the field named here): found rows become
            ``SUCCESS``, missing ones are sent again. ``False`` leaves them ``UNKNOWN``.
        checkpoint : str or path, optional
            A file where each batch's outcome is appended as soon as it is known. Running the
            same call again with the same file skips rows that succeeded and reconciles the
            ones whose outcome was lost.

        Returns
        -------
        pandas.DataFrame
            The frame plus ``vault_id``, ``vault_status``, ``vault_error``.

        Examples
        --------
        >>> import pandas as pd, vault_pandas
        >>> from vault_pandas import sandbox
        >>> with sandbox.run() as vault:
        ...     _ = vault_pandas.connect(vault.url, username=vault.username,
        ...                              password=vault.password)
        ...     df = pd.DataFrame({"name__v": ["Cholecap"],
        ...                        "product_family__c": ["small_molecule__c"]})
        ...     df.vault.create("product__v", progress=False)["vault_status"].tolist()
        ['SUCCESS']
        """
        return self._write(
            "create", object_name, client, schema=schema, on_invalid=on_invalid,
            dry_run=dry_run, body_format=body_format, assume_timezone=assume_timezone,
            max_workers=max_workers, progress=progress, migration_mode=migration_mode,
            no_triggers=no_triggers, reconcile=reconcile, checkpoint=checkpoint,
            assign_ids=assign_ids,
        )  # fmt: skip

    def upsert(
        self,
        object_name: str,
        id_param: str,
        *,
        client: VaultClient | None = None,
        schema: Any = None,
        on_invalid: OnInvalid = "mark",
        dry_run: bool = False,
        body_format: BodyFormat = "csv",
        assume_timezone: str | None = None,
        max_workers: int | None = None,
        progress: bool | None = None,
        migration_mode: bool = False,
        no_triggers: bool = False,
        checkpoint: str | os.PathLike[str] | None = None,
        nulls: Nulls = "keep",
    ) -> pd.DataFrame:
        """Create or update records matched on the unique field ``id_param``.

        Takes the parameters of :meth:`create`, plus ``id_param`` (a field with
        ``unique: true``, e.g. ``"external_id__v"``, or ``"id"``, always unique: by ``id`` an
        upsert only updates, and an id no record has is a ``FAILURE``) and ``nulls``. Adds
        ``vault_event``: ``created`` or ``updated``. Rows whose key is missing or duplicated
        in the frame are ``INVALID`` (Vault would fail the whole request).

        Parameters
        ----------
        nulls : {"keep", "clear"}, default "keep"
            Per cell, a missing value (NaN, None, NA, NaT, ``""``) leaves the stored field as
            it is (sent as JSON records without its key, whatever ``body_format``; counted in
            ``attrs["vault"]["kept_missing"]``), or clears it (a required field: ``INVALID``).

        Examples
        --------
        >>> import pandas as pd, vault_pandas
        >>> from vault_pandas import sandbox
        >>> with sandbox.run() as vault:
        ...     _ = vault_pandas.connect(vault.url, username=vault.username,
        ...                              password=vault.password)
        ...     df = pd.DataFrame({"external_id__v": ["P-1"], "name__v": ["Cholecap"],
        ...                        "product_family__c": ["biologic__c"]})
        ...     df.vault.upsert("product__v", id_param="external_id__v",
        ...                     progress=False)["vault_event"].tolist()
        ['created']
        """
        names.check_field_path(id_param, "id_param")
        return self._write(
            "upsert", object_name, client, id_param=id_param, schema=schema, nulls=nulls,
            on_invalid=on_invalid, dry_run=dry_run, body_format=body_format,
            assume_timezone=assume_timezone, max_workers=max_workers, progress=progress,
            migration_mode=migration_mode, no_triggers=no_triggers, checkpoint=checkpoint,
        )  # fmt: skip

    def update(
        self,
        object_name: str,
        *,
        id_param: str | None = None,
        client: VaultClient | None = None,
        schema: Any = None,
        on_invalid: OnInvalid = "mark",
        dry_run: bool = False,
        body_format: BodyFormat = "csv",
        assume_timezone: str | None = None,
        max_workers: int | None = None,
        progress: bool | None = None,
        checkpoint: str | os.PathLike[str] | None = None,
        nulls: Nulls = "keep",
    ) -> pd.DataFrame:
        """Update existing records by their ``id`` column; only the given columns are sent.

        With ``id_param`` (a field with ``unique: true``, e.g. ``"external_id__v"``) records
        are matched on that column instead, and the frame needs no ``id`` column (one is
        refused). Update never creates: a row whose key matches no record is a ``FAILURE``.
        Rows whose key is missing or duplicated in the frame are ``INVALID``, as for
        :meth:`upsert`; an ``id_param`` that is not a unique field raises ``FrameError``
        before anything is sent. Other parameters: as for :meth:`create`, ``nulls`` as for
        :meth:`upsert`.

        Examples
        --------
        >>> import pandas as pd, vault_pandas
        >>> from vault_pandas import sandbox
        >>> with sandbox.run() as vault:
        ...     _ = vault_pandas.connect(vault.url, username=vault.username,
        ...                              password=vault.password)
        ...     _ = vault.seed("product__v", [{"external_id__v": "P-1", "name__v": "Cholecap",
        ...                                    "product_family__c": "biologic__c"}])
        ...     df = pd.DataFrame({"external_id__v": ["P-1", "P-2"], "pack_size__c": [10, 20]})
        ...     df.vault.update("product__v", id_param="external_id__v",
        ...                     progress=False)["vault_status"].tolist()
        ['SUCCESS', 'FAILURE']
        """
        if id_param is not None:
            names.check_field_path(id_param, "id_param")
        return self._write(
            "update", object_name, client, id_param=id_param, schema=schema,
            on_invalid=on_invalid, dry_run=dry_run, body_format=body_format,
            assume_timezone=assume_timezone, max_workers=max_workers, progress=progress,
            checkpoint=checkpoint, nulls=nulls,
        )  # fmt: skip

    def delete(
        self,
        object_name: str,
        *,
        id_column: str = "id",
        id_param: str | None = None,
        client: VaultClient | None = None,
        dry_run: bool = False,
        max_workers: int | None = None,
        progress: bool | None = None,
        checkpoint: str | os.PathLike[str] | None = None,
    ) -> pd.DataFrame:
        """Delete the records whose ids are in ``id_column`` (only that column is sent).

        ``id_param``: name records by that unique field's column instead (``?idParam=``); a
        field that is not unique raises ``FrameError`` before anything is sent.
        """
        return self._write(
            "delete", object_name, client, id_column=id_column, id_param=id_param,
            dry_run=dry_run, max_workers=max_workers, progress=progress, checkpoint=checkpoint,
        )  # fmt: skip

    def action(
        self,
        action_name: str,
        *,
        id_column: str = "id",
        params: Mapping[str, str] | None = None,
        client: VaultClient | None = None,
        dry_run: bool = False,
        max_workers: int | None = None,
        progress: bool | None = None,
        checkpoint: str | os.PathLike[str] | None = None,
    ) -> pd.DataFrame:
        """Run an object user action on the records whose ids are in ``id_column``.

        ``action_name`` is ``Objectaction.{object}.{action}`` or
        ``Objectlifecyclestateuseraction.{object}.{state}.{action}``. Rows without an id are
        ``INVALID``; an id on several rows is sent once and its outcome given to each row.
        ``params``: form fields sent with the ids (prompts, ``{group}.assignment_type__c``).

        Examples
        --------
        >>> import pandas as pd, vault_pandas
        >>> from vault_pandas import sandbox
        >>> with sandbox.run() as vault:
        ...     _ = vault_pandas.connect(vault.url, username=vault.username,
        ...                              password=vault.password)
        ...     made = pd.DataFrame({"name__v": ["A"], "product_family__c": ["vaccine__c"]}
        ...                         ).vault.create("product__v", progress=False)
        ...     made.vault.action("Objectlifecyclestateuseraction.product__v.draft_state__c"
        ...         ".approve__c", id_column="vault_id", progress=False)["vault_status"].tolist()
        ['SUCCESS']
        """
        return self._write(
            "action", action_name, client, id_column=id_column, params=params,
            dry_run=dry_run, max_workers=max_workers, progress=progress, checkpoint=checkpoint,
        )  # fmt: skip

    def actions(
        self, object_name: str, *, id_column: str = "id", max_records: int = 100,
        client: VaultClient | None = None) -> pd.DataFrame:  # fmt: skip
        """The actions the records of ``id_column`` can take now: see ``read.actions``."""
        return frame_actions(self._frame, object_name, id_column, max_records, client)

    def schema(
        self, object_name: str, *, operation: str = "create", client: VaultClient | None = None
    ):  # noqa: ANN201
        """The pandera schema derived from the object's Vault metadata (to inspect or extend)."""
        from vault_pandas.write.plan import object_spec, schema_for

        client = resolve_client(client)
        spec = object_spec(client, names.check_name(object_name, "object name"))
        return schema_for(client, spec, operation=operation)

    def summary(self) -> pd.DataFrame:
        """Counts by status and by error type, and what the load did (requests, time, limits).

        Call it on a result frame: ``out.vault.summary()``.
        """
        return report.summary(self._frame)

    def failures(self) -> pd.DataFrame:
        """The rows to fix and send again: INVALID, FAILURE, UNKNOWN and SKIPPED.

        Fix them in pandas and call ``create``/``upsert`` on the fixed frame: only those rows
        are sent, and their ``vault_*`` columns are replaced.
        """
        return report.failures(self._frame)

    def reconcile(
        self,
        object_name: str,
        key: str,
        *,
        client: VaultClient | None = None,
        resend: bool = False,
        operation: str | None = None,
        assume_timezone: str | None = None,
    ) -> pd.DataFrame:
        """Resolve this result's UNKNOWN rows by what Vault shows, looked up by ``key``.

        A row becomes ``SUCCESS`` only when Vault proves what the operation that made this
        frame would have changed (create, upsert, update: one record has the row's unique
        ``key`` and the values it sent; delete: no record has the id; an action: never).
        Others keep ``UNKNOWN`` with the reason, or are ``FAILURE`` (``NOT_FOUND``) when no
        record has the key. See the README, "When things go wrong".

        Parameters
        ----------
        object_name : str
            The Vault object, e.g. ``"product__v"``.
        key : str
            The column to look rows up by: ``id``, a unique field, or (delete) the ids.
        client : VaultClient, optional
            Default: the last client made by :func:`vault_pandas.connect`.
        resend : bool
            Send the rows proven not written (or not applied) again, by the same operation.
        operation : {"create", "upsert", "update", "delete", "action"}, optional
            The operation that made the frame when its ``attrs`` no longer say it (default
            ``"create"``).
        assume_timezone : str, optional
            The ``assume_timezone`` the load was given, to rebuild the datetimes it sent.

        Returns
        -------
        pandas.DataFrame
            This frame, its UNKNOWN rows settled where Vault proves them.
        """
        return reconcile_result(
            self._frame, object_name, key, resolve_client(client), resend,
            operation=operation, assume_timezone=assume_timezone,
        )  # fmt: skip

    def _write(
        self, operation: str, target: str, client: VaultClient | None, **kw: Any
    ) -> pd.DataFrame:
        return write_operation(self._frame, operation, target, resolve_client(client), **kw)

    def read(
        self,
        object_name: str,
        *,
        key: str = "id",
        column: str | None = None,
        fields: list[str] | None = None,
        client: VaultClient | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """The Vault records whose ``key`` field holds a value of this frame's ``key`` column.

        ``column`` names the frame's column when it is not ``key``: to check what a create
        did, ``out.vault.read("product__v", column="vault_id")`` (or
        ``key="external_id__v"``).
        One row per record found (not aligned to this frame), typed as by
        :func:`vault_pandas.read_vql`; ``fields`` defaults to every field of the object, and
        ``key`` is always read. Blank keys are skipped; values are quoted and sent in chunks.

        Examples
        --------
        >>> import pandas as pd, vault_pandas
        >>> from vault_pandas import sandbox
        >>> with sandbox.run() as vault:
        ...     _ = vault_pandas.connect(vault.url, username=vault.username,
        ...                              password=vault.password)
        ...     out = pd.DataFrame({"name__v": ["A"], "product_family__c": ["device__c"]}
        ...                        ).vault.create("product__v", progress=False)
        ...     back = out.vault.read("product__v", key="name__v", fields=["product_family__c"])
        ...     back[["name__v", "product_family__c"]].values.tolist()
        [['A', 'device__c']]
        """
        from vault_pandas.errors import FrameError
        from vault_pandas.read.vql import read_keys

        column = key if column is None else column
        if column not in self._frame.columns:
            raise FrameError(f"the key column {column!r} is not in the frame")
        return read_keys(
            self._frame[column], object_name, key, fields, client=client, progress=progress
        )

    def fields(self, object_name: str, *, client: VaultClient | None = None) -> pd.DataFrame:
        """What Vault expects of each field of ``object_name``, one row per field.

        ``label``, ``type``, ``required``, ``editable``, ``unique``, ``limits`` and ``values``,
        indexed by field name: see :func:`vault_pandas.write.plan.field_table`.
        """
        return field_table(resolve_client(client), names.check_name(object_name, "object name"))
