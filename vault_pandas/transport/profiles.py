"""Named connection profiles (a TOML file in the user's config directory) and password lookup.

The file holds no password by default: each profile names where its password comes from (an
environment variable, or the OS keyring when the ``keyring`` package is installed)::

    # ~/.config/vault_pandas/profiles.toml  (or the file named by VAULT_PANDAS_CONFIG)
    [profiles.qa]
    vault = "acme-qa.veevavault.com"
    username = "loader@acme.com"
    password_env = "ACME_QA_PASSWORD"   # the environment variable holding the password
    keyring = true                      # else keyring.get_password("vault_pandas", "VAULT:USER")
    api_version = "v25.2"
    client_id = "acme-loader"

Each setting is taken from the explicit argument, else the profile, else the environment
(``VAULT_DNS``/``VAULT_URL``, ``VAULT_USERNAME``, ``VAULT_PASSWORD``, ``VAULT_SESSION_ID``;
``connect`` reads ``VAULT_API_VERSION`` and ``VAULT_CLIENT_ID``).
"""

from __future__ import annotations

import logging
import os
import sys
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vault_pandas import config
from vault_pandas.errors import ConfigurationError, VaultPandasWarning
from vault_pandas.transport.auth import Secret

log = logging.getLogger("vault_pandas")

CONFIG_ENV = config.ENV_CONFIG
KEYRING_SERVICE = "vault_pandas"
_TEXT_KEYS = ("vault", "username", "api_version", "client_id", "password_env", "password")
_FLAG_KEYS = ("keyring", "allow_plaintext_password")


@dataclass(frozen=True)
class Profile:
    """One ``[profiles.NAME]`` table of the profile file (the password never in ``repr``)."""

    name: str
    source: Path
    vault: str | None = None
    username: str | None = None
    api_version: str | None = None
    client_id: str | None = None
    password_env: str | None = None
    keyring: bool = False
    password: Secret | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Settings:
    """Resolved connection settings, ready for :func:`vault_pandas.connect`."""

    vault: str | None = None
    username: str | None = None
    password: str | Secret | None = field(default=None, repr=False)
    session_id: str | Secret | None = field(default=None, repr=False)
    api_version: str | None = None
    client_id: str | None = None


def config_path() -> Path:
    """Where the profile file is: ``VAULT_PANDAS_CONFIG``, else the user's config directory.

    Linux ``$XDG_CONFIG_HOME/vault_pandas/profiles.toml`` (default ``~/.config``), macOS
    ``~/Library/Application Support/vault_pandas/profiles.toml``, Windows
    ``%APPDATA%\\vault_pandas\\profiles.toml``.

    Examples
    --------
    >>> config_path().name
    'profiles.toml'
    """
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    return base / "vault_pandas" / "profiles.toml"


def load_profile(name: str, path: str | os.PathLike[str] | None = None) -> Profile:
    """Read the profile ``name`` from the profile file (default :func:`config_path`).

    A ``password`` in the file is refused unless the profile also sets
    ``allow_plaintext_password = true`` (and then it is warned about).

    Raises
    ------
    ConfigurationError
        No such file or profile, invalid TOML, an unknown key or a value of the wrong type.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "profiles.toml"
    >>> _ = f.write_text('[profiles.qa]\\nvault = "qa.veevavault.com"\\n')
    >>> load_profile("qa", f).vault
    'qa.veevavault.com'
    """
    source = Path(path) if path is not None else config_path()
    try:
        with open(source, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigurationError(
            f"profile {name!r} asked for, but there is no profile file at {source} "
            f"(create it, or point {CONFIG_ENV} at one)"
        ) from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"cannot read the profile file {source}: {exc}") from None
    profiles = data.get("profiles")
    if not isinstance(profiles, dict) or not isinstance(profiles.get(name), dict):
        known = ", ".join(sorted(profiles)) if isinstance(profiles, dict) else ""
        raise ConfigurationError(
            f"no profile {name!r} in {source} (profiles: {known or 'none'}); "
            f"a profile is a table [profiles.{name}]"
        )
    return _profile(name, source, profiles[name])


def _profile(name: str, source: Path, table: dict[str, Any]) -> Profile:
    where = f"profile {name!r} in {source}"
    unknown = sorted(set(table) - set(_TEXT_KEYS) - set(_FLAG_KEYS))
    if unknown:
        allowed = ", ".join((*_TEXT_KEYS, *_FLAG_KEYS))
        raise ConfigurationError(f"{where}: unknown key(s) {unknown}; known keys: {allowed}")
    for key in _TEXT_KEYS:  # never show a value: it might be the password
        if key in table and not (isinstance(table[key], str) and table[key]):
            raise ConfigurationError(f"{where}: {key} must be a non-empty string")
    for key in _FLAG_KEYS:
        if key in table and not isinstance(table[key], bool):
            raise ConfigurationError(f"{where}: {key} must be true or false")
    password = None
    if "password" in table:
        if not table.get("allow_plaintext_password", False):
            raise ConfigurationError(
                f"{where} holds a password in plain text, which is refused: remove it and use "
                "password_env (or keyring = true), or set allow_plaintext_password = true "
                "in that profile"
            )
        warnings.warn(
            f"{where} holds a password in plain text (allow_plaintext_password = true); "
            "anyone who can read the file can use it",
            VaultPandasWarning,
            stacklevel=3,
        )
        password = Secret(table["password"])
    return Profile(
        name=name,
        source=source,
        vault=table.get("vault"),
        username=table.get("username"),
        api_version=table.get("api_version"),
        client_id=table.get("client_id"),
        password_env=table.get("password_env"),
        keyring=table.get("keyring", False),
        password=password,
    )


def keyring_password(vault: str, username: str) -> str | None:
    """The password stored by ``keyring`` for ``"VAULT:USERNAME"`` under ``vault_pandas``.

    None when the ``keyring`` package is not installed, has no backend, or holds nothing.
    Store one with ``keyring set vault_pandas myvault.veevavault.com:me@acme.com``.
    """
    try:
        import keyring
    except ImportError:
        log.warning("a profile asks for the keyring, but the keyring package is not installed")
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, f"{vault}:{username}") or None
    except Exception as exc:  # noqa: BLE001 - any backend failure means "no password here"
        log.warning("the keyring could not be read (%s)", type(exc).__name__)
        return None


def resolve(
    profile: str | None = None,
    *,
    vault: str | None = None,
    username: str | None = None,
    password: str | Secret | None = None,
    session_id: str | Secret | None = None,
    api_version: str | None = None,
    client_id: str | None = None,
    prompt: bool = False,
) -> Settings:
    """Fill unset connection settings from a profile, then from the environment.

    The password is looked for, in order: ``password``; the profile's ``password_env``
    variable, the keyring (``keyring = true``) and its plaintext ``password``; then
    ``VAULT_PASSWORD``; then ``VAULT_SESSION_ID`` as a session; then, only when ``prompt``
    is true and stdin is a terminal, a ``getpass`` prompt. ``connect`` never prompts.

    Raises
    ------
    ConfigurationError
        The profile cannot be read, or it names a user but no password could be found.

    Examples
    --------
    >>> resolve(vault="qa.veevavault.com", username="me@acme.com", password="x")
    Settings(vault='qa.veevavault.com', username='me@acme.com', api_version=None, client_id=None)
    """
    p = load_profile(profile) if profile is not None else None
    if p is not None:
        vault, username = vault or p.vault, username or p.username
        api_version, client_id = api_version or p.api_version, client_id or p.client_id
    # os.environ is never bound to a local: tracebacks may show this frame's locals
    vault = vault or next((os.environ[k] for k in config.ENV_DNS if os.environ.get(k)), None)
    username = username or os.environ.get(config.ENV_USERNAME) or None
    if session_id is None and password is None:
        password = _profile_password(p, vault, username) or _env(config.ENV_PASSWORD)
        if password is None:
            session_id = _env(config.ENV_SESSION_ID)
        if password is None and session_id is None and prompt and username:
            password = _prompt(vault, username)
        if password is None and session_id is None and p is not None and username:
            raise ConfigurationError(_no_password(p))
    return Settings(
        vault=vault,
        username=username,
        password=password,
        session_id=session_id,
        api_version=api_version,
        client_id=client_id,
    )


def _env(name: str) -> Secret | None:
    """An environment variable holding a secret, as a Secret (None when unset or empty)."""
    value = os.environ.get(name)
    return Secret(value) if value else None


def _profile_password(p: Profile | None, vault: str | None, username: str | None) -> Secret | None:
    if p is None:
        return None
    if p.password_env and os.environ.get(p.password_env):
        return _env(p.password_env)
    if p.keyring and vault and username:
        found = keyring_password(vault, username)
        if found:
            return Secret(found)
    return p.password


def _prompt(vault: str | None, username: str) -> str | None:
    if not (sys.stdin and sys.stdin.isatty()):
        return None
    import getpass

    try:
        return getpass.getpass(f"Vault password for {username} at {vault or '?'}: ") or None
    except EOFError:
        return None


def _no_password(p: Profile) -> str:
    ways = []
    if p.password_env:
        ways.append(f"set the environment variable {p.password_env}")
    if p.keyring:
        ways.append("store it in the keyring (needs the keyring package)")
    ways.append("set VAULT_PASSWORD")
    return f"no password for profile {p.name!r} in {p.source}: " + ", or ".join(ways)
