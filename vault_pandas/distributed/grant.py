"""SessionGrant: the one deliberate way the driver's Vault session reaches cluster workers.

A :class:`~vault_pandas.transport.auth.Secret` refuses pickling on purpose, so a session can
never slip into a checkpoint, a cache or a task by accident. A Spark or Dask load needs the
opposite for exactly one value: every worker must call Vault with the driver's session, so
that the whole load costs one login (Vault's login limit is per user per minute). A
:class:`SessionGrant` is that value, made for that purpose only: it pickles, its ``repr``
never shows the session id, and on a worker it builds a :class:`VaultClient` that holds the
session as a Secret and cannot log in (``SessionAuth(session_id=...)``).

Workers of one process share one client per vault (:func:`worker_client`): one burst
limiter, one metadata cache and one connection pool for all the partition tasks it runs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from vault_pandas.transport.auth import Secret, SessionAuth
from vault_pandas.transport.client import VaultClient


@dataclass(frozen=True, repr=False)
class SessionGrant:
    """The driver's session and the client settings a worker needs to use it.

    Make one with :meth:`of` on the driver; call :meth:`client` on a worker. The session id is
    kept as plain text only inside this object, because it must travel in a pickled task; it
    never shows in ``repr``/``str``, and workers wrap it in a ``Secret`` again at once.

    Examples
    --------
    >>> grant = SessionGrant("http://127.0.0.1:1", "v25.2", "vault-pandas", 0, 300.0, "s3cr3t")
    >>> "s3cr3t" in repr(grant)
    False
    """

    url: str
    api_version: str
    client_id: str
    burst_floor: int
    burst_window: float
    _session_id: str = field(compare=True)
    timeout: float | None = None
    # when the driver's current burst window began (wall clock), if its limiter knows: a
    # worker then paces on that window from its first call instead of probing for the reset
    window_epoch: float | None = field(default=None, compare=False)

    @classmethod
    def of(cls, client: VaultClient) -> SessionGrant:
        """The grant of ``client``'s session, logging in first if it has none (once)."""
        session = client.auth.session(client._login)
        return cls._from(client, session)

    @classmethod
    def _from(cls, client: VaultClient, session: Secret) -> SessionGrant:
        return cls(
            client.url,
            client.api_version,
            client.client_id,
            client.limiter.floor,
            client.limiter.window,
            session.reveal(),
            client.timeout,
            client.limiter.window_epoch(),
        )

    def renewed(self, client: VaultClient) -> SessionGrant:
        """The grant of the session that replaces this one, which Vault refused.

        Single-flight on the driver: when ``client`` already renewed since this grant was made,
        its newer session is used without a login.
        """
        session, renewed = client.auth.renew(Secret(self._session_id), client._login)
        if renewed:
            client.stats.add(renewals=1)
        return SessionGrant._from(client, session)

    def __repr__(self) -> str:
        return f"SessionGrant(url={self.url!r}, api_version={self.api_version!r}, session=***)"

    __str__ = __repr__

    def client(self) -> VaultClient:
        """A client using this session, shared by the tasks of this process (see module doc)."""
        return worker_client(self)

    @property
    def vault(self) -> tuple[Any, ...]:
        """The settings that name one client of a worker process (everything but the session)."""
        return (self.url, self.api_version, self.client_id, self.burst_floor, self.burst_window)


_clients: dict[tuple[Any, ...], VaultClient] = {}
_clients_lock = threading.Lock()


def worker_client(grant: SessionGrant) -> VaultClient:
    """The process's client for ``grant``'s vault, switched to ``grant``'s session.

    One client per vault and process keeps one :class:`BurstLimiter` pacing every task of the
    process on Vault's burst headers; a renewed session replaces the old one in place.
    """
    with _clients_lock:
        client = _clients.get(grant.vault)
        session = Secret(grant._session_id)
        if client is None:
            kw: dict[str, Any] = {} if grant.timeout is None else {"timeout": grant.timeout}
            client = VaultClient(
                grant.url,
                SessionAuth(session_id=session),
                api_version=grant.api_version,
                client_id=grant.client_id,
                burst_floor=grant.burst_floor,
                burst_window=grant.burst_window,
                **kw,
            )
            _clients[grant.vault] = client
            if grant.window_epoch is not None:
                client.limiter.adopt_window(grant.window_epoch)
        elif client.auth.session(_no_login) != session:
            client.auth = SessionAuth(session_id=session)
        return client


def _no_login(credentials: Any) -> Secret:  # pragma: no cover - a session id is always set
    raise AssertionError("a worker never logs in")
