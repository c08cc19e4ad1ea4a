"""Vault name syntax: checks names before they go into a URL or a query."""

from __future__ import annotations

import re

from vault_pandas.errors import ConfigurationError

# Vault API names: lower-case letters, digits and underscores, starting with a letter, usually
# with a namespace suffix such as __v, __c, __vs, __sys. Case is tolerated (Vault's own type
# names in actions mix case: Objectaction, Objectlifecyclestateuseraction).
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,127}")
_ACTION_KINDS = {"Objectaction": 3, "Objectlifecyclestateuseraction": 4}
_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{1,100}")
_API_VERSION = re.compile(r"v\d{1,3}(\.\d{1,3})?")


def check_name(name: object, what: str = "name") -> str:
    """Return ``name`` if it is a valid Vault API name, else raise ``ConfigurationError``.

    Examples
    --------
    >>> check_name("product__v", "object name")
    'product__v'
    >>> check_name("../auth", "object name")
    Traceback (most recent call last):
    ...
    vault_pandas.errors.ConfigurationError: invalid object name '../auth': ...
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigurationError(
            f"invalid {what} {name!r}: Vault names are letters, digits and underscores, "
            "starting with a letter (for example 'product__v')"
        )
    return name


def check_field_path(name: object, what: str = "field") -> str:
    """Check a field or a ``relationship__vr.field__v`` path (one dot at most)."""
    if not isinstance(name, str):
        raise ConfigurationError(f"invalid {what} {name!r}: expected a string")
    parts = name.split(".")
    if len(parts) > 2:
        raise ConfigurationError(f"invalid {what} {name!r}: at most one '.' is allowed")
    for part in parts:
        check_name(part, what)
    return name


def action_object(action_name: object) -> str:
    """Return the object an action name acts on (its second dotted part), checking its syntax.

    Examples
    --------
    >>> action_object("Objectaction.product__v.mark_reviewed__c")
    'product__v'
    >>> action_object("Objectlifecyclestateuseraction.product__v.draft_state__c.approve__c")
    'product__v'
    """
    if not isinstance(action_name, str):
        raise ConfigurationError(f"invalid action name {action_name!r}: expected a string")
    parts = action_name.split(".")
    expected = _ACTION_KINDS.get(parts[0])
    if expected is None or len(parts) != expected:
        raise ConfigurationError(
            f"invalid action name {action_name!r}: expected 'Objectaction.{{object}}.{{action}}' "
            "or 'Objectlifecyclestateuseraction.{object}.{state}.{action}'"
        )
    for part in parts[1:]:
        check_name(part, "action name part")
    return parts[1]


def check_client_id(client_id: str) -> str:
    """Check an ``X-VaultAPI-ClientID`` value: letters, digits, '.', '_', '-', at most 100."""
    if not isinstance(client_id, str) or not _CLIENT_ID.fullmatch(client_id):
        raise ConfigurationError(
            f"invalid client id {client_id!r}: use letters, digits, '.', '_' or '-' "
            "(at most 100 characters)"
        )
    return client_id


def check_api_version(version: str) -> str:
    """Check an API version such as ``v25.2`` (sent as given)."""
    if not isinstance(version, str) or not _API_VERSION.fullmatch(version):
        raise ConfigurationError(f"invalid API version {version!r}: expected a form like 'v25.2'")
    return version
