"""Every default and environment variable of vault_pandas, in one table (a leaf: imports nothing).

======================== ============================== =========================================
setting                  default                        set by
======================== ============================== =========================================
vault                    (none)                         ``connect(vault)``, ``VAULT_DNS`` or
                                                        ``VAULT_URL``, a profile
username / password      (none)                         arguments, ``VAULT_USERNAME`` /
                                                        ``VAULT_PASSWORD``, a profile
session id               (none)                         ``session_id=``, ``VAULT_SESSION_ID``
OAuth token, profile     (none)                         ``oauth_token=``, ``oauth_profile=``,
                                                        ``VAULT_OAUTH_TOKEN``,
                                                        ``VAULT_OAUTH_PROFILE``
login service            login.veevavault.com (a        ``login_url=``, ``VAULT_LOGIN_URL``
                         loopback vault: its own)
proxies, CA bundle       the environment, as requests   ``HTTPS_PROXY``, ``HTTP_PROXY``,
                         reads it                       ``NO_PROXY``, ``REQUESTS_CA_BUNDLE``;
                                                        ``session=``, ``verify=``
API version              ``v25.2``                      ``api_version=``, ``VAULT_API_VERSION``
client id                ``vault_pandas-python-client`` ``client_id=``, ``VAULT_CLIENT_ID``
profile file             the user config directory      ``VAULT_PANDAS_CONFIG``
requests in flight       adaptive: 1 to 32, from the    ``max_workers=`` (a fixed 1 to 64)
                         burst budget and the latency
records, bytes / request 500, 50 MB (Vault's limits)    fixed
rows formatted at a time 10,000                         fixed
rows per file chunk      100,000                        ``load_file(chunk_rows=)``
burst window, floor      300 s, 0 calls                 ``connect(burst_window=, burst_floor=)``
retries                  6 attempts, from 0.5 s to      fixed
                         30 s, 300 s budget
read timeout, pool       300 s, 32 connections          ``VaultClient(timeout=, pool_size=)``
session renewals         10 logins a minute (more:      ``SessionAuth(max_renewals=)``
                         the load stops)
extra passes             3 (lost or retryable rows)     fixed
resume waits for rows    10 s (connect) + the read      the sending client's ``timeout=``
left in flight           timeout after they were left   (README: *When things go wrong*)
======================== ============================== =========================================
"""

from __future__ import annotations

from typing import Final

# --- environment variables -------------------------------------------------------------------
ENV_DNS: Final = ("VAULT_DNS", "VAULT_URL")  # the first one set names the vault
ENV_USERNAME: Final = "VAULT_USERNAME"
ENV_PASSWORD: Final = "VAULT_PASSWORD"
ENV_SESSION_ID: Final = "VAULT_SESSION_ID"
ENV_API_VERSION: Final = "VAULT_API_VERSION"
ENV_CLIENT_ID: Final = "VAULT_CLIENT_ID"
ENV_OAUTH_TOKEN: Final = "VAULT_OAUTH_TOKEN"  # an access token, with VAULT_OAUTH_PROFILE
ENV_OAUTH_PROFILE: Final = "VAULT_OAUTH_PROFILE"
ENV_LOGIN_URL: Final = "VAULT_LOGIN_URL"
ENV_CONFIG: Final = "VAULT_PANDAS_CONFIG"  # the profile file

# --- connection ------------------------------------------------------------------------------
DEFAULT_API_VERSION: Final = "v25.2"
DEFAULT_CLIENT_ID: Final = "vault_pandas-python-client"
# Vault's login service: OAuth sessions and authentication type discovery (a loopback vault,
# the sandbox, answers them at its own address)
DEFAULT_LOGIN_URL: Final = "https://login.veevavault.com"
READ_TIMEOUT: Final = 300.0  # seconds to wait for an answer (a 500-row create can be slow)
CONNECT_TIMEOUT: Final = 10.0
POOL_SIZE: Final = 32  # keep-alive connections per client: ADAPTIVE_CAP requests in flight

# --- retries ---------------------------------------------------------------------------------
RETRY_ATTEMPTS: Final = 6
RETRY_BASE: Final = 0.5  # seconds; doubled each attempt, with full jitter
RETRY_CAP: Final = 30.0
RETRY_BUDGET: Final = 300.0  # total seconds one call may spend retrying

# --- sessions --------------------------------------------------------------------------------
RENEWALS_PER_MINUTE: Final = 10  # renewal logins a client may make in any RENEWAL_WINDOW
RENEWAL_WINDOW: Final = 60.0  # seconds; a vault refusing more fresh sessions stops the load

# --- Vault's burst limit ---------------------------------------------------------------------
BURST_WINDOW: Final = 300.0  # seconds; Vault's burst window is a fixed 5 minutes
BURST_FLOOR: Final = 0  # calls of each window left to the vault's other integrations

# --- writes ----------------------------------------------------------------------------------
MAX_RECORDS: Final = 500  # Vault: at most 500 records per bulk request
MAX_BODY_BYTES: Final = 50_000_000  # Vault: at most 50 MB per request; kept in decimal MB
BLOCK_ROWS: Final = 10_000  # rows formatted at a time: bounds memory, amortises per-call cost
MAX_WORKERS: Final = 8  # requests in flight; see benchmarks/: hides 200 ms per request
MAX_WORKERS_LIMIT: Final = 64  # the most max_workers= may ask for
MAX_PASSES: Final = 3  # extra passes over rows that failed retryably or whose answer was lost
RAW_SPLIT_MAX_REQUESTS: Final = 20  # extra requests (lookups included) per refused raw request
CHUNK_ROWS: Final = 100_000  # rows of a file loaded at a time by load_file
STOP_POLL: Final = 0.1  # seconds between checks for Ctrl-C while a load waits for answers
# A request whose answer was never read can be running for CONNECT_TIMEOUT + the read timeout
# after its last attempt started: a resumed load waits that long before it looks its rows up.

# --- adaptive concurrency and burst probing (issue 15; write/concurrency.py, limits.py) ------
# With max_workers=None a load keeps as many requests in flight as the burst budget and the
# observed latency call for (Little's law), between 1 and ADAPTIVE_CAP; see write/concurrency.py.
ADAPTIVE_CAP: Final = 32  # most requests in flight with max_workers=None (the pool's size)
ADAPTIVE_START: Final = MAX_WORKERS  # requests in flight before the first answer is heard
ADAPTIVE_BACKOFF: Final = 0.5  # the in-flight ceiling is multiplied by this on a sign of strain
ADAPTIVE_LATENCY_RISE: Final = 2.0  # latency above this times its recent minimum is strain
ADAPTIVE_BASELINE_SAMPLES: Final = 200  # answers the latency minimum is taken over
# First window seen, its start unknown, budget used up (floor 0): rather than wait a whole
# window, one call at a time goes out to find the reset; the others check back this often.
BURST_PROBE_POLL: Final = 0.05  # seconds
