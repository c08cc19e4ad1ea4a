"""Command line: ``python -m vault_pandas.sandbox --port 8123`` serves a sandbox until Ctrl-C."""

from __future__ import annotations

import argparse
import shlex
import sys
import threading
from dataclasses import asdict

from .backend import Config
from .vault import SandboxVault


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m vault_pandas.sandbox",
        description="Serve a local fake of the Veeva Vault REST API on 127.0.0.1.",
    )
    p.add_argument("--port", type=int, default=8123, help="TCP port (0: any free port)")
    p.add_argument("--latency", type=float, help="seconds added to every call")
    p.add_argument("--burst-limit", type=int, help="calls per burst window")
    p.add_argument("--burst-window", type=float, help="burst window, seconds")
    p.add_argument("--burst-delay", type=float, help="delay past the limit, s")
    p.add_argument("--login-limit", type=int, help="logins per minute")
    p.add_argument("--session-timeout", type=float, help="idle session expiry, s")
    p.add_argument(
        "--relationship-metadata",
        choices=("both", "field", "object"),
        help="where metadata names relationships",
    )
    p.add_argument("--username")
    p.add_argument("--password")
    p.add_argument("--sso-username", help="SSO user bound to the OAuth/OIDC profile")
    p.add_argument("--saml-username", help="SAML-only SSO user")
    p.add_argument("--oauth-profile", help="OAuth 2.0 / OpenID Connect profile id")
    p.add_argument("--seed", type=int, default=None, help="reproducible session ids")
    p.set_defaults(**asdict(Config()))  # the sandbox settings' defaults live in Config
    return p


def environment_lines(url: str, username: str, password: str) -> list[str]:
    """The shell lines that point the library at this sandbox (POSIX shells).

    The full ``http://`` URL goes in ``VAULT_URL``: a bare ``host:port`` means https to the
    library, which a plain http sandbox cannot answer. ``VAULT_DNS`` is unset (read before
    ``VAULT_URL``), and ``VAULT_OAUTH_TOKEN`` (the command line would log in with it).

    Examples
    --------
    >>> environment_lines("http://127.0.0.1:8123", "u@x.example", "pw")[0]
    'export VAULT_URL=http://127.0.0.1:8123 VAULT_USERNAME=u@x.example VAULT_PASSWORD=pw'
    """
    pairs = {"VAULT_URL": url, "VAULT_USERNAME": username, "VAULT_PASSWORD": password}
    exports = " ".join(f"{name}={shlex.quote(value)}" for name, value in pairs.items())
    return [f"export {exports}", "unset VAULT_DNS VAULT_OAUTH_TOKEN  # either would win"]


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, start the sandbox, print how to reach it and wait for Ctrl-C."""
    args = _parser().parse_args(argv)
    vault = SandboxVault(
        args.port,
        latency=args.latency,
        burst_limit=args.burst_limit,
        burst_window=args.burst_window,
        burst_delay=args.burst_delay,
        login_limit=args.login_limit,
        session_timeout=args.session_timeout,
        relationship_metadata=args.relationship_metadata,
        username=args.username,
        password=args.password,
        sso_username=args.sso_username,
        saml_username=args.saml_username,
        oauth_profile=args.oauth_profile,
        seed=args.seed,
    )
    with vault:
        print(f"Vault sandbox at {vault.url}  (plain http: give this URL, not a bare host:port)")
        print(f"  username: {vault.username}")
        print(f"  password: {vault.password}")
        print(f"  SSO user: {vault.sso_username}  (OAuth/OIDC profile {vault.oauth_profile};")
        print(f"            tokens: POST {vault.url}/_sandbox/oauth/token)")
        print(f"  SAML-only SSO user: {vault.saml_username}")
        print("To reach it with vault_pandas.connect() or vault-pandas from a shell:")
        for line in environment_lines(vault.url, vault.username, vault.password):
            print(f"  {line}")
        print(
            "Controls under /_sandbox/ (reset, configure, faults, records, stats, oauth/token)."
            " Ctrl-C stops."
        )
        sys.stdout.flush()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("Stopped.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
