"""Command line: ``python -m vault_pandas.sandbox --port 8123`` serves a sandbox until Ctrl-C."""

from __future__ import annotations

import argparse
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
        print(f"Vault sandbox at {vault.url}  (DNS {vault.dns})")
        print(f"  username: {vault.username}")
        print(f"  password: {vault.password}")
        print(f"  SSO user: {vault.sso_username}  (OAuth/OIDC profile {vault.oauth_profile};")
        print(f"            tokens: POST {vault.url}/_sandbox/oauth/token)")
        print(f"  SAML-only SSO user: {vault.saml_username}")
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
