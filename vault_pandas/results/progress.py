"""Progress reporting for loads: a tqdm bar with live status counts, or nothing."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from vault_pandas.results.outcomes import FAILURE, INVALID, SUCCESS, UNKNOWN, WARNING


def _interactive() -> bool:
    try:  # a Jupyter kernel is interactive even though stderr is not a TTY
        from IPython import get_ipython

        if get_ipython() is not None and "IPKernelApp" in get_ipython().config:
            return True
    except Exception:  # noqa: BLE001 - IPython missing or odd: fall back to the TTY test
        pass
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def _tqdm() -> Any:
    """tqdm's notebook bar when ipywidgets can draw it, else the plain text bar (no warning)."""
    try:
        import ipywidgets  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        from tqdm.std import tqdm
    else:
        from tqdm.auto import tqdm
    return tqdm


class Progress:
    """Rows done, with SUCCESS/WARNING/FAILURE/INVALID/UNKNOWN counts as the load goes.

    ``enabled=None`` shows a bar only in a terminal or a notebook; ``False`` never does.
    """

    def __init__(self, total: int, desc: str, enabled: bool | None = None) -> None:
        self.counts: Counter[str] = Counter()
        self._bar: Any = None
        if enabled is None:
            enabled = _interactive()
        if enabled and total:
            self._bar = _tqdm()(total=total, desc=desc, unit="row", leave=True, dynamic_ncols=True)

    def update(self, statuses: Iterable[str] | Mapping[str, int]) -> None:
        """Count the outcomes of finished rows (or ``{status: rows}``) and advance the bar."""
        batch = Counter(statuses)  # a mapping of counts, or one status per row
        self.counts.update(batch)
        if self._bar is not None:
            shown = {k: self.counts[k] for k in (SUCCESS, WARNING, FAILURE, INVALID, UNKNOWN)}
            self._bar.set_postfix({k: v for k, v in shown.items() if v}, refresh=False)
            self._bar.update(sum(batch.values()))

    @contextmanager
    def noting(self, text: str) -> Iterator[None]:
        """Show ``text`` as the bar's description while the block runs (e.g. a wait)."""
        bar = self._bar
        if bar is None:
            yield
            return
        desc = bar.desc
        bar.set_description_str(f"{desc}: {text}")
        try:
            yield
        finally:
            bar.set_description_str(desc)

    def close(self) -> None:
        """Finish the bar."""
        if self._bar is not None:
            self._bar.close()
