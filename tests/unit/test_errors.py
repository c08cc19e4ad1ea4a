"""errors.py: one root per kind, and what stopped loads share."""

from __future__ import annotations

import pandas as pd
import pytest

import vault_pandas
from vault_pandas.errors import (
    ColumnsLeftOutWarning,
    LoadInterrupted,
    LoadStopped,
    PartialLoadError,
    VaultAPIError,
    VaultPandasError,
    VaultPandasWarning,
)


@pytest.mark.parametrize("kind", [PartialLoadError, LoadInterrupted])
def test_a_stopped_load_is_caught_as_load_stopped_with_its_result(kind):
    result = pd.DataFrame({"vault_status": ["SKIPPED"]})
    with pytest.raises(LoadStopped) as err:
        raise kind("stopped", result)
    assert err.value.result is result


def test_partial_load_error_stays_an_exception_and_ctrl_c_a_keyboard_interrupt():
    assert issubclass(PartialLoadError, VaultPandasError)
    assert issubclass(PartialLoadError, Exception)
    assert issubclass(LoadInterrupted, KeyboardInterrupt)
    assert not issubclass(LoadInterrupted, Exception)  # `except Exception` does not swallow it


def test_every_warning_has_one_root():
    assert issubclass(ColumnsLeftOutWarning, VaultPandasWarning)
    assert issubclass(VaultPandasWarning, UserWarning)
    assert vault_pandas.VaultPandasWarning is VaultPandasWarning


def test_an_api_error_names_its_call():
    err = VaultAPIError("x", [{"type": "INVALID_DATA"}], method="GET", path="metadata/x",
                        payload={"responseStatus": "FAILURE"})  # fmt: skip
    assert (err.error_type, err.method, err.path) == ("INVALID_DATA", "GET", "metadata/x")
    assert err.payload == {"responseStatus": "FAILURE"}
