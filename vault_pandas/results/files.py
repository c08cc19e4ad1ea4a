"""Result and export files: the suffixes the command line writes, and writing one atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pandas as pd

from vault_pandas.errors import ConfigurationError

__all__ = ["WRITERS", "check_output", "write_frame"]

#: Suffix -> file kind written.
WRITERS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def check_output(path: Path) -> Path:
    """``path`` if a frame can be written there (a known suffix, an existing directory).

    Raises
    ------
    ConfigurationError
        For another suffix or a missing directory.

    Examples
    --------
    >>> check_output(Path("out.parquet")).name
    'out.parquet'
    """
    if path.suffix.lower() not in WRITERS:
        raise ConfigurationError(
            f"cannot write {path}: the output file must end in .csv or .parquet"
        )
    if not path.parent.is_dir():
        raise ConfigurationError(f"cannot write {path}: no such directory {path.parent}")
    return path


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` by the suffix of ``path`` atomically: a temporary file, then a rename.

    The index is written only when it is not the default ``RangeIndex``.
    """
    index = not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        if WRITERS[path.suffix.lower()] == "parquet":
            frame.to_parquet(tmp, index=index)
        else:
            frame.to_csv(tmp, index=index)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
