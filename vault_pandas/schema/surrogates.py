"""Lone surrogates: Python text that is not Unicode text, found without a loop per value (pure).

A ``str`` may hold a code point of U+D800-U+DFFF on its own (from ``surrogateescape``
decoding, a broken JSON ``\\ud800`` escape, a cut UTF-16 pair...). UTF-8 cannot encode it, so
Arrow, pandas' Arrow-backed strings and every request body refuse it with a
``UnicodeEncodeError``. Such a value can never reach Vault: the formatter marks its row
``INVALID``; validation only needs a stand-in that checks the same way (:func:`stand_in`).
"""

from __future__ import annotations

import re
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.api.types import infer_dtype

CHUNK: Final = 1 << 16  # values encoded at a time when looking for surrogates
#: ``infer_dtype`` kinds of arrays that hold no ``str`` (any text makes them "mixed...")
NO_TEXT: Final = frozenset(
    {"empty", "integer", "floating", "mixed-integer-float", "decimal", "complex", "boolean",
     "datetime64", "datetime", "date", "timedelta64", "timedelta", "time", "period", "bytes",
     "interval"}
)  # fmt: skip
_SURROGATE = re.compile("[\ud800-\udfff]")
_PRIVATE_USE: Final = 0xF0000  # plane 15: 2048 code points for the 2048 surrogates


def surrogate_rows(values: np.ndarray) -> np.ndarray:
    """A boolean mask: True where a value is a ``str`` holding a lone surrogate.

    Other values (None, numbers, lists...) are False. Clean text costs one conversion to
    Arrow; only when it fails is the text encoded to UTF-32, in chunks, and searched.

    Examples
    --------
    >>> surrogate_rows(np.array(["ok", "bad\\ud800", None, 5], dtype=object)).tolist()
    [False, True, False, False]
    """
    values = np.asarray(values, dtype=object)
    out = np.zeros(len(values), dtype=bool)
    inferred = infer_dtype(values, skipna=True)
    if inferred in NO_TEXT:
        return out
    if inferred == "string":  # text and blanks: the common case
        if _encodable(values):
            return out
        where = np.flatnonzero(~pd.isna(values))
    else:  # mixed: the text among other values
        kinds = np.fromiter(map(type, values), dtype=object, count=len(values))
        text_kinds = [kind for kind in pd.unique(kinds) if issubclass(kind, str)]  # a few
        if text_kinds == [str]:
            where = np.flatnonzero(kinds == str)  # noqa: E721 - element-wise, an array of types
        else:  # str subclasses such as numpy.str_ too
            where = np.flatnonzero(pd.Series(kinds).isin(text_kinds).to_numpy())
        if len(where) == 0 or _encodable(values[where]):
            return out
    texts = values[where]
    for start in range(0, len(texts), CHUNK):
        part = texts[start : start + CHUNK]
        ends = np.cumsum(np.fromiter(map(len, part), dtype=np.int64, count=len(part)))
        codes = np.frombuffer("".join(part).encode("utf-32-le", "surrogatepass"), dtype="<u4")
        hits = np.flatnonzero((codes >= 0xD800) & (codes <= 0xDFFF))
        if len(hits):
            out[where[start + np.searchsorted(ends, hits, side="right")]] = True
    return out


def _encodable(texts: np.ndarray) -> bool:
    try:
        pa.array(texts, pa.string(), from_pandas=True)
    except UnicodeEncodeError:
        return False
    return True


def stand_in(text: str) -> str:
    """``text`` with each lone surrogate replaced by its own private-use character.

    Same length and the same distinctness as the original (so length and uniqueness checks
    judge it alike), and encodable: a stand-in for checks, never sent.

    Examples
    --------
    >>> stand_in("a\\ud800b") == "a\\U000f0000b"
    True
    """
    return _SURROGATE.sub(lambda m: chr(_PRIVATE_USE + ord(m.group()) - 0xD800), text)


def with_stand_ins(values: np.ndarray) -> np.ndarray | None:
    """A copy of ``values`` with :func:`stand_in` text for values holding a lone surrogate.

    Returns None when there is none (the common case: nothing is copied).
    """
    bad = surrogate_rows(values)
    if not bad.any():
        return None
    out = np.array(values, dtype=object)
    out[bad] = [stand_in(v) for v in out[bad]]  # the bad values only
    return out
