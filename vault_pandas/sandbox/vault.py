"""SandboxVault: start, stop, inspect and steer a local fake Vault served over real HTTP."""

from __future__ import annotations

import ssl
import threading
from types import TracebackType
from typing import Any

from .backend import Backend, Config, LogEntry
from .faults import FaultSet
from .server import SandboxHTTPServer

__all__ = ["SandboxVault", "run"]

_DEFAULTS = Config()  # the defaults below are read from Config, never written again here
_UNSET: Any = object()  # configure(): "leave this setting as it is"


class SandboxVault:
    """A local fake of the Veeva Vault REST API, running in a background thread.

    Parameters
    ----------
    port : int
        TCP port on 127.0.0.1; 0 picks a free one.
    latency : float
        Seconds added to every API call.
    burst_limit, burst_window, burst_delay
        Calls allowed per fixed window (seconds, starting at the first call), and the delay
        (seconds) of every response once the limit is used up, as Vault does.
    login_limit : int, optional
        Logins allowed per 60 seconds; beyond it login fails with ``API_LIMIT_EXCEEDED``.
    session_timeout : float, optional
        Idle seconds after which a session expires.
    relationship_metadata : {"both", "field", "object"}
        Where the served metadata names a reference field's relationship: on the field
        (``relationship_outbound_name``, ...) and in the object's ``relationships[]``
        (``both``, as Vault documents), or only on the field, or only in ``relationships[]``.
        Writes resolve ``{relationship}.{field}`` columns the same way in every case.
    username, password : str
        The password user's credentials.
    sso_username, saml_username, oauth_profile : str
        The SSO user (no password; logs in with an access token through the OAuth 2.0 /
        OpenID Connect profile ``oauth_profile``) and the SAML-only SSO user (no password, no
        OAuth profile). See :meth:`oauth_token` and the README's Auth section.
    seed : int, optional
        Makes session and execution ids reproducible.
    tls : ssl.SSLContext, optional
        A server-side context (certificate and key loaded): serve https instead of http,
        e.g. to test a client that trusts a corporate root CA.

    Examples
    --------
    >>> from vault_pandas import sandbox
    >>> with sandbox.run() as vault:
    ...     ids = vault.seed("product__v", [{"name__v": "A", "product_family__c": "biologic__c"}])
    ...     vault.record("product__v", ids[0])["state__v"]
    'draft_state__c'
    """

    def __init__(
        self,
        port: int = 0,
        *,
        latency: float = _DEFAULTS.latency,
        burst_limit: int = _DEFAULTS.burst_limit,
        burst_window: float = _DEFAULTS.burst_window,
        burst_delay: float = _DEFAULTS.burst_delay,
        login_limit: int | None = _DEFAULTS.login_limit,
        session_timeout: float | None = _DEFAULTS.session_timeout,
        relationship_metadata: str = _DEFAULTS.relationship_metadata,
        username: str = _DEFAULTS.username,
        password: str = _DEFAULTS.password,
        sso_username: str = _DEFAULTS.sso_username,
        saml_username: str = _DEFAULTS.saml_username,
        oauth_profile: str = _DEFAULTS.oauth_profile,
        seed: int | None = None,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.tls = tls  # a server-side context: serve https (e.g. a test of a corporate CA)
        config = Config(
            latency=latency,
            burst_limit=burst_limit,
            burst_window=burst_window,
            burst_delay=burst_delay,
            login_limit=login_limit,
            session_timeout=session_timeout,
            relationship_metadata=relationship_metadata,
            username=username,
            password=password,
            sso_username=sso_username,
            saml_username=saml_username,
            oauth_profile=oauth_profile,
        )
        self.backend = Backend(config, seed)
        self.faults = FaultSet()
        self._port = port
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> SandboxVault:
        """Bind the port and serve in a daemon thread; returns ``self``. Idempotent."""
        if self._server is None:
            self._server = SandboxHTTPServer(("127.0.0.1", self._port), self)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"vault-sandbox-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close open connections. Idempotent."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            server.close_connections()
            if self._thread is not None:
                self._thread.join(timeout=5)

    def __enter__(self) -> SandboxVault:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = f"url={self.url!r}" if self._server else "stopped"
        return f"<SandboxVault {state} user={self.username!r}>"

    # -- addresses and credentials -----------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (the requested one before ``start``)."""
        return self._server.server_address[1] if self._server else self._port

    @property
    def dns(self) -> str:
        """``127.0.0.1:PORT``: what a Vault DNS is for the real thing."""
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (``https`` when served with ``tls``; no trailing slash)."""
        return f"{'https' if self.tls is not None else 'http'}://{self.dns}"

    @property
    def username(self) -> str:
        """The user name that logs in."""
        return self.backend.config.username

    @property
    def password(self) -> str:
        """The password that logs in."""
        return self.backend.config.password

    @property
    def sso_username(self) -> str:
        """The SSO user bound to :attr:`oauth_profile` (no password)."""
        return self.backend.config.sso_username

    @property
    def saml_username(self) -> str:
        """The SAML-only SSO user: discovery lists no profile; no API login works."""
        return self.backend.config.saml_username

    @property
    def oauth_profile(self) -> str:
        """The OAuth 2.0 / OpenID Connect profile id (``/auth/oauth/session/{id}``)."""
        return self.backend.config.oauth_profile

    def oauth_token(self, username: str | None = None, expires_in: float | None = None) -> str:
        """A new access token, as the profile's authorization server would issue.

        ``username`` defaults to :attr:`sso_username` (another user's token is refused by the
        OAuth session endpoint), ``expires_in`` (seconds) to ``Config.oauth_expires_in``.
        Tokens are random, live until they expire, :meth:`revoke_oauth_tokens` or reset.
        """
        return self.issue_oauth_token(username, expires_in)[0]

    def issue_oauth_token(
        self, username: str | None = None, expires_in: float | None = None
    ) -> tuple[str, float]:
        """:meth:`oauth_token` and the lifetime given to it (``POST /_sandbox/oauth/token``)."""
        config = self.backend.config
        life = config.oauth_expires_in if expires_in is None else expires_in
        user = config.sso_username if username is None else username
        return self.backend.tokens.issue(user, life), life

    def revoke_oauth_tokens(self) -> int:
        """Revoke every access token issued so far; returns how many. Sessions stay."""
        return self.backend.tokens.revoke_all()

    # -- data ----------------------------------------------------------------------------

    def records(self, object_name: str) -> list[dict[str, Any]]:
        """Every record of an object in creation order, every field a key.

        Values: str (String, LongText, ID, Object ids), int (user references such as
        ``created_by__v``), ``Decimal`` (Number),
        ``"YYYY-MM-DD"`` (Date), ``"YYYY-MM-DDTHH:MM:SS.000Z"`` (DateTime), bool,
        list of names (Picklist), None when missing. Formula and lookup fields are computed
        as they are read.
        """
        return self.backend.records(object_name)

    def record(self, object_name: str, record_id: str) -> dict[str, Any] | None:
        """One record (same forms as :meth:`records`), or None."""
        return self.backend.record(object_name, record_id)

    def seed(self, object_name: str, rows: list[dict[str, Any]]) -> list[str]:
        """Insert records directly, validated like a create; returns their ids.

        Values are in Vault's text forms; system fields such as ``state__v`` may be set.

        Raises
        ------
        ValueError
            On the first invalid row.
        """
        return self.backend.seed(object_name, rows)

    def reset(self) -> None:
        """Empty the store; clear faults, counters, log and sessions; restore the settings."""
        self.faults.clear()
        self.backend.reset()

    def configure(
        self,
        *,
        latency: float = _UNSET,
        burst_limit: int = _UNSET,
        burst_window: float = _UNSET,
        burst_delay: float = _UNSET,
        login_limit: int | None = _UNSET,
        session_timeout: float | None = _UNSET,
        wrong_vault: bool = _UNSET,
        relationship_metadata: str = _UNSET,
        oauth_provider_type: str = _UNSET,
        oauth_client_ids: dict[str, str] = _UNSET,
    ) -> None:
        """Change settings while running; a burst change starts a new window.

        ``wrong_vault=True`` makes login answer with another vault's id and URL, as Vault
        does when it logs a user into their most relevant vault. ``relationship_metadata``:
        see :class:`SandboxVault`. ``oauth_provider_type`` (``Okta``; ``Azure`` or ``ADFS``
        make discovery's ``use_adal``/``use_msal`` true) and ``oauth_client_ids`` (client id
        -> authorization server client id, discovery's ``as_client_id``) shape discovery.
        """
        given = {
            "latency": latency,
            "burst_limit": burst_limit,
            "burst_window": burst_window,
            "burst_delay": burst_delay,
            "login_limit": login_limit,
            "session_timeout": session_timeout,
            "wrong_vault": wrong_vault,
            "relationship_metadata": relationship_metadata,
            "oauth_provider_type": oauth_provider_type,
            "oauth_client_ids": oauth_client_ids,
        }
        self.backend.configure(**{k: v for k, v in given.items() if v is not _UNSET})

    @property
    def stats(self) -> dict[str, Any]:
        """Counters: requests by endpoint kind, logins, delayed responses, records written."""
        return self.backend.stats

    @property
    def requests_log(self) -> list[LogEntry]:
        """``(method, path, status, client_id)`` per API call; status None when dropped."""
        return self.backend.requests_log

    @property
    def action_inputs(self) -> list[tuple[str, list[str], dict[str, str]]]:
        """``(action name, ids, form fields other than ids)`` per action request received."""
        return [(a, list(i), dict(f)) for a, i, f in list(self.backend.action_inputs)]


def run(
    port: int = 0,
    *,
    latency: float = _DEFAULTS.latency,
    burst_limit: int = _DEFAULTS.burst_limit,
    burst_window: float = _DEFAULTS.burst_window,
    burst_delay: float = _DEFAULTS.burst_delay,
    login_limit: int | None = _DEFAULTS.login_limit,
    session_timeout: float | None = _DEFAULTS.session_timeout,
    relationship_metadata: str = _DEFAULTS.relationship_metadata,
    username: str = _DEFAULTS.username,
    password: str = _DEFAULTS.password,
    sso_username: str = _DEFAULTS.sso_username,
    saml_username: str = _DEFAULTS.saml_username,
    oauth_profile: str = _DEFAULTS.oauth_profile,
    seed: int | None = None,
    tls: ssl.SSLContext | None = None,
) -> SandboxVault:
    """Start a sandbox in a background thread and return it; ``with`` stops it at the end.

    The parameters are those of :class:`SandboxVault`.

    Examples
    --------
    A pytest fixture::

        @pytest.fixture(scope="session")
        def vault():
            with sandbox.run() as vault:
                yield vault

    >>> from vault_pandas import sandbox
    >>> with sandbox.run(burst_limit=100) as vault:
    ...     vault.url.startswith("http://127.0.0.1:")
    True
    """
    return SandboxVault(
        port,
        latency=latency,
        burst_limit=burst_limit,
        burst_window=burst_window,
        burst_delay=burst_delay,
        login_limit=login_limit,
        session_timeout=session_timeout,
        relationship_metadata=relationship_metadata,
        username=username,
        password=password,
        sso_username=sso_username,
        saml_username=saml_username,
        oauth_profile=oauth_profile,
        seed=seed,
        tls=tls,
    ).start()
