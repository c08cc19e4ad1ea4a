"""Deterministic fault injection: rules that match requests and fire on chosen occurrences."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

__all__ = ["KINDS", "FaultRule", "FaultSet"]

#: Fault kind -> {keyword: default}; a default of ``...`` means the keyword is required.
KINDS: dict[str, dict[str, Any]] = {
    "drop_before": {},
    "drop_after": {},
    "http_error": {"status": 503, "after": False, "from_vault": False},
    "request_error": {"type": "OPERATION_IN_PROGRESS", "message": None},
    "row_error": {"rows": ..., "type": "RACE_CONDITION"},
    "expire_session": {},
    "latency": {"seconds": ...},
}


@dataclass
class FaultRule:
    """One fault rule and how many requests it has seen.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    path : str or None
        Substring the request target (path and query string) must contain.
    method : str or None
        HTTP method the request must use.
    on, every, times
        When to fire, counting matching requests from 1 since the rule was added:
        on those occurrences, on every k-th, or on the first n. None of them: always.
    params : dict
        Kind-specific settings (``status``, ``type``, ``rows``, ``seconds``, ``message``).
    seen, fired : int
        Matching requests so far, and how many of them the rule fired on.
    """

    kind: str
    path: str | None = None
    method: str | None = None
    on: frozenset[int] | None = None
    every: int | None = None
    times: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    seen: int = 0
    fired: int = 0

    def matches(self, method: str, target: str) -> bool:
        """True if a request with this method and target (path + query) is in scope."""
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or self.path in target

    def step(self) -> bool:
        """Count one matching request; return True if the rule fires on it."""
        self.seen += 1
        n = self.seen
        if self.on is not None:
            fire = n in self.on
        elif self.every is not None:
            fire = n % self.every == 0
        elif self.times is not None:
            fire = n <= self.times
        else:
            fire = True
        self.fired += fire
        return fire

    def describe(self) -> dict[str, Any]:
        """A JSON-friendly summary of the rule."""
        return {
            "kind": self.kind,
            "path": self.path,
            "method": self.method,
            "on": sorted(self.on) if self.on is not None else None,
            "every": self.every,
            "times": self.times,
            **self.params,
            "seen": self.seen,
            "fired": self.fired,
        }


def _settings(
    kind: str, on: Any, every: int | None, times: int | None, kw: dict[str, Any]
) -> dict[str, Any]:
    """Check a rule's arguments; return the kind's settings with defaults filled in."""
    if kind not in KINDS:
        raise ValueError(f"Unknown fault kind {kind!r}; choose from {sorted(KINDS)}")
    if sum(x is not None for x in (on, every, times)) > 1:
        raise ValueError("Give at most one of on=, every=, times=")
    if (every is not None and every < 1) or (times is not None and times < 0):
        raise ValueError("every= must be >= 1 and times= >= 0")
    unknown = set(kw) - set(KINDS[kind])
    if unknown:
        raise ValueError(f"Fault {kind!r} takes no setting(s) {sorted(unknown)}")
    params = {k: kw.get(k, default) for k, default in KINDS[kind].items()}
    missing = [k for k, v in params.items() if v is ...]
    if missing:
        raise ValueError(f"Fault {kind!r} needs {missing}")
    if kind == "row_error":
        params["rows"] = [int(r) for r in params["rows"]]
    return params


class FaultSet:
    """The active fault rules of one sandbox; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(
        self,
        kind: str,
        *,
        path: str | None = None,
        method: str | None = None,
        on: list[int] | None = None,
        every: int | None = None,
        times: int | None = None,
        **kw: Any,
    ) -> FaultRule:
        """Add a rule; it counts matching requests from now on.

        Parameters
        ----------
        kind : str
            ``drop_before``, ``drop_after``, ``http_error`` (``status=503``; an HTML error
            page from a proxy that never forwarded the request; ``after=True``: the proxy
            forwarded it, Vault processed it, and the page replaced Vault's answer;
            ``from_vault=True``: the page comes from Vault's own web tier, with Vault's
            response headers, before processing),
            ``request_error`` (``type=...``), ``row_error`` (``rows=[...]``,
            ``type="RACE_CONDITION"``), ``expire_session`` or ``latency`` (``seconds=``).
        path, method : str, optional
            Scope: the request target must contain ``path``; the method must equal ``method``.
        on, every, times : optional
            Fire on these 1-based occurrences, on every k-th, or on the first n
            (at most one of them; none means every matching request).
        **kw
            The kind's settings.

        Returns
        -------
        FaultRule
            The rule, whose ``seen``/``fired`` counters tests may read.

        Raises
        ------
        ValueError
            Unknown kind or setting, a missing required setting, or bad counters.

        Examples
        --------
        >>> rule = FaultSet().add("row_error", path="/vobjects/", rows=[1], on=[2])
        >>> rule.params
        {'rows': [1], 'type': 'RACE_CONDITION'}
        """
        params = _settings(kind, on, every, times, kw)
        occurrences = frozenset(int(n) for n in on) if on is not None else None
        rule = FaultRule(kind, path, method, occurrences, every, times, params)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        """A copy of the active rules, oldest first."""
        with self._lock:
            return list(self._rules)

    def fire(self, method: str, target: str) -> list[FaultRule]:
        """Count this request against every matching rule; return the rules that fire."""
        with self._lock:
            return [r for r in self._rules if r.matches(method, target) and r.step()]
