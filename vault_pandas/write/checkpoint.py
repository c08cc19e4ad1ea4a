"""Checkpoint files: each batch's outcome appended as soon as it is known, read back on resume.

The file is JSON lines: a header, then one line per event (rows sent, rows answered). Each
line is written whole, flushed and fsync'd; a line torn by a crash is ignored on reading, so
the state before it stays readable. Rows whose request was sent but never answered are read
back as UNKNOWN, so a resumed load reconciles them instead of creating them twice.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vault_pandas.errors import ConfigurationError
from vault_pandas.results.outcomes import LOST, SKIPPED, UNKNOWN, RowOutcomes, types_array

FORMAT_VERSION = 1


def fingerprint(data: pd.DataFrame) -> str:
    """A cheap identity of a frame's rows (index, columns and values when hashable)."""
    try:
        hashed = pd.util.hash_pandas_object(data, index=True).to_numpy()
        digest = int(np.bitwise_xor.reduce(hashed * np.arange(1, len(hashed) + 1, dtype=np.uint64)))
    except TypeError:  # unhashable cells (lists): fall back to the index and the shape
        hashed = pd.util.hash_pandas_object(data.index.to_frame(index=False), index=False)
        digest = int(hashed.sum())
    return f"{len(data)}:{len(data.columns)}:{digest:x}"


def _clean(values: np.ndarray) -> list[Any]:
    return [None if v is None or (isinstance(v, float) and v != v) else v for v in values]


class Checkpoint:
    """An append-only record of one load's outcomes, keyed by row position."""

    def __init__(self, path: str | os.PathLike[str], header: dict[str, Any]) -> None:
        self.path = Path(path)
        self.header = header
        self._fh: Any = None

    def restore(self, rows: RowOutcomes) -> int:
        """Load earlier outcomes into ``rows``; return how many rows had an answer."""
        if not self.path.exists():
            return 0
        lines = self.path.read_bytes().split(b"\n")
        try:
            head = json.loads(lines[0])
        except ValueError as exc:
            raise ConfigurationError(f"{self.path} is not a vault_pandas checkpoint") from exc
        for key in ("operation", "object", "rows", "fingerprint"):
            if head.get(key) != self.header.get(key):
                raise ConfigurationError(
                    f"checkpoint {self.path} belongs to another load ({key}: {head.get(key)!r} "
                    f"vs {self.header.get(key)!r}); use another file or delete it"
                )
        for line in lines[1:]:
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a torn last line: the state before it stands
            self._apply(rows, event)
        return int((rows.status != SKIPPED).sum())

    @staticmethod
    def _apply(rows: RowOutcomes, event: dict[str, Any]) -> None:
        pos = np.asarray(event["p"], dtype=np.int64)
        if event.get("k") == "sent":
            rows.set_note(pos, UNKNOWN, LOST, "the load stopped before this answer arrived")
            return
        types = [tuple(t) if t else None for t in event.get("t") or [None] * len(pos)]
        rows.set(
            pos,
            np.asarray(event["s"], dtype=object),
            np.asarray(event["i"], dtype=object),
            np.asarray(event["e"], dtype=object),
            types_array(types),
            np.asarray(event.get("v") or [None] * len(pos), dtype=object),
        )

    def _write(self, event: dict[str, Any]) -> None:
        if self._fh is None:
            new = not self.path.exists() or self.path.stat().st_size == 0
            self._fh = open(self.path, "ab")  # noqa: SIM115 - kept open for the whole load
            if new:
                self._fh.write(json.dumps(self.header).encode() + b"\n")
        self._fh.write(json.dumps(event, separators=(",", ":")).encode() + b"\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def sent(self, positions: np.ndarray) -> None:
        """Rows whose request is about to go out."""
        self._write({"k": "sent", "p": positions.tolist()})

    def answered(self, rows: RowOutcomes, positions: np.ndarray) -> None:
        """Rows whose outcome is now known (as stored in ``rows``)."""
        event = {
            "k": "done",
            "p": positions.tolist(),
            "s": _clean(rows.status[positions]),
            "i": _clean(rows.ids[positions]),
            "e": _clean(rows.errors[positions]),
            "t": [list(t) if t else None for t in rows.types[positions]],
        }
        if rows.events is not None:
            event["v"] = _clean(rows.events[positions])
        self._write(event)

    def close(self) -> None:
        """Close the file (it stays on disk for a later resume)."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
