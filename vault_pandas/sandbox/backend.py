"""The sandbox's rules without HTTP: records, sessions, limits, actions, queries and counters."""

from __future__ import annotations

import random
import secrets
import threading
import time
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field, fields, replace
from typing import Any, NamedTuple

from . import actions, writes
from .actions import Action
from .computed import view
from .errors import RequestFailure
from .oauth import TokenStore
from .objects import OBJECTS, PICKLISTS
from .rows import Outcome
from .store import Store
from .vql import Query, parse_query
from .vql_run import render_rows, run_query
from .writes import Batch

__all__ = ["RELATIONSHIP_SHAPES", "Backend", "Config", "LogEntry", "QueryPage"]

MAX_SESSION_SECONDS = 48 * 3600
LOGIN_WINDOW_SECONDS = 60.0
MAX_CURSORS = 64
#: Where served metadata names a reference field's relationship: on the field
#: (``relationship_outbound_name``), in the object's ``relationships[]``, or both.
RELATIONSHIP_SHAPES = ("both", "field", "object")


@dataclass
class Config:
    """Settings of a sandbox; all but the users and the profile id may change with ``configure``.

    The one place the defaults are written: :class:`~.vault.SandboxVault`, :func:`~.vault.run`
    and the command line read theirs from here.
    """

    latency: float = 0.0
    burst_limit: int = 2000
    burst_window: float = 300.0
    burst_delay: float = 0.5
    login_limit: int | None = None
    session_timeout: float | None = None
    wrong_vault: bool = False
    relationship_metadata: str = "both"  # "field", "object": see README, Relationships
    username: str = "analyst@sandbox.example"
    password: str = "sandbox-password"
    #: SSO users, without a password: one bound to the OAuth/OIDC profile, one SAML-only.
    sso_username: str = "sso.user@sandbox.example"
    saml_username: str = "saml.user@sandbox.example"
    oauth_profile: str = "_sandbox-oauth-profile"
    oauth_profile_label: str = "Sandbox OAuth"
    oauth_provider_type: str = "Okta"
    #: Client application id -> Authorization Server client id (discovery's ``as_client_id``).
    oauth_client_ids: dict[str, str] = field(
        default_factory=lambda: {"vault-pandas-tests": "sandbox-as-client"}
    )
    oauth_expires_in: float = 3600  # seconds an access token from /_sandbox/oauth/token lives


class LogEntry(NamedTuple):
    """One line of the request log: no bodies, headers or secrets."""

    method: str
    path: str
    status: int | None
    client_id: str | None


@dataclass
class QueryPage:
    """One page of a query result."""

    query_id: str
    query: Query
    rows: list[dict[str, Any]]
    total: int
    offset: int
    pagesize: int


class Backend:
    """All sandbox state behind one lock. Thread-safe.

    Parameters
    ----------
    config : Config
        Initial settings; ``reset()`` returns to them.
    seed : int, optional
        Seed for session and execution ids (reproducible runs); random when None.
    """

    def __init__(self, config: Config, seed: int | None = None) -> None:
        if config.relationship_metadata not in RELATIONSHIP_SHAPES:
            raise ValueError(f"relationship_metadata must be one of {RELATIONSHIP_SHAPES}")
        self._lock = threading.RLock()
        self._initial = replace(config)
        self.config = config
        self._seed = seed
        self._reset_state()

    def _reset_state(self) -> None:
        self._rng = random.Random(self._seed) if self._seed is not None else None
        self.store = Store()
        self._sessions: dict[str, tuple[float, float]] = {}  # id -> (created, last used)
        #: Access tokens issued by ``/_sandbox/oauth/token`` (thread-safe on its own).
        self.tokens = TokenStore()
        self._logins: deque[float] = deque()
        self._burst_start: float | None = None
        self._burst_count = 0
        self._stats: Counter[str] = Counter()
        self._by_kind: Counter[str] = Counter()
        self._log: list[LogEntry] = []
        self._cursors: OrderedDict[str, tuple[Query, list[str]]] = OrderedDict()
        #: Every action request's inputs (form fields other than ``ids``), in order.
        self.action_inputs: list[tuple[str, list[str], dict[str, str]]] = []

    # -- configuration -----------------------------------------------------------------

    def reset(self) -> None:
        """Empty the store and forget sessions, counters, log and cursors; restore settings."""
        with self._lock:
            self.config = replace(self._initial)
            self._reset_state()

    def configure(self, **changes: Any) -> None:
        """Change settings (see :class:`Config`); a burst change starts a new window.

        Raises
        ------
        ValueError
            For an unknown setting or the credentials.
        """
        identities = {"username", "password", "sso_username", "saml_username", "oauth_profile"}
        allowed = {f.name for f in fields(Config)} - identities
        unknown = set(changes) - allowed
        if unknown:
            raise ValueError(f"Unknown setting(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
        shape = changes.get("relationship_metadata", "both")
        if shape not in RELATIONSHIP_SHAPES:
            raise ValueError(f"relationship_metadata must be one of {RELATIONSHIP_SHAPES}")
        with self._lock:
            for key, value in changes.items():
                setattr(self.config, key, value)
            if {"burst_limit", "burst_window"} & set(changes):
                self._burst_start, self._burst_count = None, 0

    def token(self, nbytes: int) -> str:
        """A random hex string (reproducible when the sandbox has a seed)."""
        with self._lock:
            if self._rng is not None:
                return f"{self._rng.getrandbits(nbytes * 8):0{nbytes * 2}X}"
        return secrets.token_hex(nbytes).upper()

    # -- sessions and limits -------------------------------------------------------------

    def login(self, username: str | None, password: str | None) -> str:
        """Check credentials and the login rate; return a new session id.

        Raises
        ------
        RequestFailure
            ``API_LIMIT_EXCEEDED``, ``NO_PASSWORD_PROVIDED`` or
            ``USERNAME_OR_PASSWORD_INCORRECT``.
        """
        now = time.monotonic()
        with self._lock:
            self._admit_login(now)
            if not password:
                self._stats["login_failures"] += 1
                raise RequestFailure("NO_PASSWORD_PROVIDED", "No password was provided")
            if username != self.config.username or password != self.config.password:
                self._stats["login_failures"] += 1
                raise RequestFailure(
                    "USERNAME_OR_PASSWORD_INCORRECT", "Authentication failed for the user"
                )
            return self._open_session(now)

    def oauth_login(self, profile: str, access_token: str | None) -> str:
        """Token + OAuth/OIDC profile -> session; fails like :meth:`login` (README, Auth)."""
        now = time.monotonic()
        with self._lock:
            self._admit_login(now)
            reason = self.tokens.refusal(access_token, profile, self.config, now)
            if reason is not None:
                self._stats["login_failures"] += 1
                raise RequestFailure("USERNAME_OR_PASSWORD_INCORRECT", reason)
            self._stats["oauth_logins"] += 1
            return self._open_session(now)

    def _admit_login(self, now: float) -> None:
        """Count a login attempt against ``login_limit`` (under the lock)."""
        while self._logins and now - self._logins[0] >= LOGIN_WINDOW_SECONDS:
            self._logins.popleft()
        limit = self.config.login_limit
        if limit is not None and len(self._logins) >= limit:
            self._stats["login_failures"] += 1
            raise RequestFailure("API_LIMIT_EXCEEDED", f"More than {limit} logins a minute")
        self._logins.append(now)

    def _open_session(self, now: float) -> str:
        """A new session (under the lock); ``logins`` counts every session made."""
        self._stats["logins"] += 1
        session = self.token(64)
        self._sessions[session] = (now, now)
        return session

    def check_session(self, session: str | None) -> bool:
        """True if the session is live; refreshes its idle timer. Expired ones are removed."""
        if not session:
            return False
        now = time.monotonic()
        with self._lock:
            entry = self._sessions.get(session)
            if entry is None:
                return False
            created, used = entry
            idle = self.config.session_timeout
            if now - created > MAX_SESSION_SECONDS or (idle is not None and now - used > idle):
                del self._sessions[session]
                self._stats["sessions_expired"] += 1
                return False
            self._sessions[session] = (created, now)
            return True

    def end_session(self, session: str | None, *, logout: bool = False) -> None:
        """Forget a session: ``DELETE /session`` (``logout``) or the ``expire_session`` fault."""
        with self._lock:
            if session and self._sessions.pop(session, None) is not None:
                self._stats["sessions_ended" if logout else "sessions_expired"] += 1

    def tick_burst(self) -> tuple[int, int, bool]:
        """Count one API call in the fixed burst window.

        Returns
        -------
        tuple of (int, int, bool)
            The limit, the calls remaining, and whether this response must be delayed
            (the limit was already used up in this window).
        """
        now = time.monotonic()
        with self._lock:
            cfg = self.config
            if self._burst_start is None or now - self._burst_start >= cfg.burst_window:
                self._burst_start, self._burst_count = now, 0
            self._burst_count += 1
            delayed = self._burst_count > cfg.burst_limit
            if delayed:
                self._stats["delayed_responses"] += 1
            return cfg.burst_limit, max(cfg.burst_limit - self._burst_count, 0), delayed

    # -- counters and log ----------------------------------------------------------------

    def count(self, name: str, n: int = 1) -> None:
        """Add to a named counter."""
        with self._lock:
            self._stats[name] += n

    def log_request(self, entry: LogEntry, kind: str | None) -> None:
        """Record one API request in the log and the per-kind counters."""
        with self._lock:
            self._log.append(entry)
            self._by_kind[kind or "other"] += 1

    @property
    def stats(self) -> dict[str, Any]:
        """Counters: ``requests`` by endpoint kind, logins, delays, records written, ..."""
        with self._lock:
            out: dict[str, Any] = {
                "requests": dict(self._by_kind),
                "total_requests": sum(self._by_kind.values()),
            }
            names = (
                "logins oauth_logins login_failures sessions_expired sessions_ended "
                "delayed_responses records_created records_updated records_unchanged "
                "records_deleted rows_failed actions_applied queries faults_fired connections"
            )
            out.update({name: self._stats[name] for name in names.split()})
            return out

    @property
    def requests_log(self) -> list[LogEntry]:
        """A copy of the request log, oldest first."""
        with self._lock:
            return list(self._log)

    # -- objects and records -------------------------------------------------------------

    @staticmethod
    def check_object(name: str) -> None:
        """Raise ``RequestFailure(INVALID_DATA)`` for an unknown object name."""
        if name not in OBJECTS:
            raise RequestFailure("INVALID_DATA", f"Object [{name}] does not exist")

    @staticmethod
    def picklist(name: str) -> list[tuple[str, str]]:
        """The (name, label) values of a picklist; INVALID_DATA if unknown."""
        if name not in PICKLISTS:
            raise RequestFailure("INVALID_DATA", f"Picklist [{name}] does not exist")
        return PICKLISTS[name]

    def records(self, object_name: str) -> list[dict[str, Any]]:
        """Copies of every record of an object, in creation order."""
        self.check_object(object_name)
        with self._lock:
            return [
                view(self.store, object_name, r) for r in self.store.records[object_name].values()
            ]

    def record(self, object_name: str, record_id: str) -> dict[str, Any] | None:
        """A copy of one record, or None."""
        self.check_object(object_name)
        with self._lock:
            found = self.store.get(object_name, record_id)
            return view(self.store, object_name, found) if found is not None else None

    def seed(self, object_name: str, rows: list[dict[str, Any]]) -> list[str]:
        """Insert records directly (validated); see :func:`writes.seed`."""
        self.check_object(object_name)
        with self._lock:
            return writes.seed(self.store, object_name, rows)

    def write(
        self,
        op: str,
        object_name: str,
        batch: Batch,
        id_param: str | None = None,
        row_faults: dict[int, str] | None = None,
    ) -> list[Outcome]:
        """Run a bulk ``create``, ``upsert``, ``update`` or ``delete`` atomically."""
        self.check_object(object_name)
        with self._lock:
            outcomes = writes.write(self.store, op, object_name, batch, id_param, row_faults)
            self._count_outcomes(op, outcomes)
        return outcomes

    def _count_outcomes(self, op: str, outcomes: list[Outcome]) -> None:
        for o in outcomes:
            if o.status == "FAILURE":
                self._stats["rows_failed"] += 1
            elif o.status == "WARNING":
                self._stats["records_unchanged"] += 1
            elif op == "delete":
                self._stats["records_deleted"] += 1
            elif op == "create" or o.event == "created__sys":
                self._stats["records_created"] += 1
            else:
                self._stats["records_updated"] += 1

    # -- actions -------------------------------------------------------------------------

    def find_action(self, object_name: str, action_name: str) -> Action:
        """Validate an action name against the path object; whole-request failures."""
        return actions.find(object_name, action_name)

    def run_action(
        self,
        action: Action,
        ids: list[str],
        row_faults: dict[int, str] | None = None,
        form: dict[str, str] | None = None,
    ) -> list[Outcome]:
        """Check the action's inputs in ``form``, then apply it to each id, in order.

        The inputs received are kept in :attr:`action_inputs` (also for a refused request).
        """
        form = form or {}
        with self._lock:
            received = {k: v for k, v in form.items() if k != "ids"}
            self.action_inputs.append((action.name, list(ids), received))
            inputs = actions.check_inputs(action, form)
            outcomes = actions.apply(self.store, action, ids, row_faults, inputs)
            self._stats["actions_applied"] += sum(o.status == "SUCCESS" for o in outcomes)
        return outcomes

    def record_actions(self, object_name: str, record_id: str) -> list[Action]:
        """Actions available to a record in its current state."""
        self.check_object(object_name)
        with self._lock:
            record = self.store.get(object_name, record_id)
            if record is None:
                raise RequestFailure("INVALID_DATA", f"No record has id [{record_id}]")
            state = record.get("state__v")
        return actions.available(object_name, state)

    # -- queries -------------------------------------------------------------------------

    def query(self, text: str) -> QueryPage:
        """Run VQL and keep a cursor for ``next_page``; raises ``VqlError``."""
        with self._lock:
            self._stats["queries"] += 1
            query = parse_query(text, self.store)
            ids = run_query(query, self.store)
            query_id = self.token(16)
            self._cursors[query_id] = (query, ids)
            while len(self._cursors) > MAX_CURSORS:
                self._cursors.popitem(last=False)
            return self._page(query_id, query.pageoffset, query.pagesize)

    def query_page(self, query_id: str, offset: int, pagesize: int | None) -> QueryPage:
        """Another page of an earlier query."""
        with self._lock:
            if query_id not in self._cursors:
                raise RequestFailure("INVALID_DATA", "Unknown or expired query page")
            self._cursors.move_to_end(query_id)
            query = self._cursors[query_id][0]
            return self._page(query_id, offset, pagesize or query.pagesize)

    def _page(self, query_id: str, offset: int, pagesize: int) -> QueryPage:
        query, ids = self._cursors[query_id]
        rows = render_rows(query, ids[offset : offset + pagesize], self.store)
        return QueryPage(query_id, query, rows, len(ids), offset, pagesize)
