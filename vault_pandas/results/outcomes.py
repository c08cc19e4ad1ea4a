"""Result column names, row statuses, and aligning outcomes to the input frame."""

from __future__ import annotations

from typing import Final

VAULT_ID: Final = "vault_id"
VAULT_STATUS: Final = "vault_status"
VAULT_ERROR: Final = "vault_error"
VAULT_EVENT: Final = "vault_event"
RESULT_PREFIX: Final = "vault_"

SUCCESS: Final = "SUCCESS"
WARNING: Final = "WARNING"
FAILURE: Final = "FAILURE"
INVALID: Final = "INVALID"
SKIPPED: Final = "SKIPPED"
UNKNOWN: Final = "UNKNOWN"
VALID: Final = "VALID"  # dry run only: passed every local check, would be sent

STATUSES: Final = (SUCCESS, WARNING, FAILURE, INVALID, SKIPPED, UNKNOWN, VALID)
