"""The command line's connection: a sandbox started for the run, or settings from options,
a profile and the environment (password, OAuth token or session id), said in its own terms."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator

from vault_pandas import config
from vault_pandas.transport.client import VaultClient
from vault_pandas.transport.connection import connect
from vault_pandas.transport.profiles import Settings, resolve


class CLIError(Exception):
    """A problem to report on one line of stderr, exiting 2."""


@contextlib.contextmanager
def client_for(args: argparse.Namespace) -> Iterator[VaultClient]:
    """The client for this run: a sandbox started here, or settings from options/profile/env."""
    with contextlib.ExitStack() as stack:
        if args.sandbox:
            if args.vault or args.profile:
                raise CLIError("--sandbox cannot be combined with --vault or --profile")
            from vault_pandas import sandbox  # the library never starts one; the command line may

            vault = stack.enter_context(sandbox.run())
            s = Settings(vault.url, vault.username, vault.password)
        else:
            oauth = bool(args.oauth_profile or os.environ.get(config.ENV_OAUTH_TOKEN))
            s = resolve(args.profile, vault=args.vault, prompt=not oauth)
            if oauth:
                client = _oauth_client(args, s)
                stack.callback(client.close)
                yield client
                return
            _check_settings(s)
        client = connect(
            s.vault,
            username=s.username,
            password=s.password,
            session_id=s.session_id,
            api_version=s.api_version,
            client_id=s.client_id,
        )
        stack.callback(client.close)
        yield client


def _oauth_client(args: argparse.Namespace, s: Settings) -> VaultClient:
    """An OAuth login: the token only ever from VAULT_OAUTH_TOKEN (argv is visible to all)."""
    if not os.environ.get(config.ENV_OAUTH_TOKEN):
        raise CLIError("--oauth-profile needs the access token in VAULT_OAUTH_TOKEN")
    if not s.vault:
        raise CLIError("no vault given: pass --vault DNS or --profile NAME, or set VAULT_DNS")
    return connect(
        s.vault,
        oauth_token=os.environ.get(config.ENV_OAUTH_TOKEN),
        oauth_profile=args.oauth_profile or os.environ.get(config.ENV_OAUTH_PROFILE),
        login_url=args.login_url,
        api_version=s.api_version,
        client_id=s.client_id,
    )


def _check_settings(s: Settings) -> None:
    """Say what is missing in the command line's terms, before any request."""
    if not s.vault:
        raise CLIError("no vault given: pass --vault DNS or --profile NAME, or set VAULT_DNS")
    if not s.session_id and not (s.username and s.password):
        missing = "a password" if s.username else "a user name and password"
        raise CLIError(
            f"no credentials: {missing} is needed (set VAULT_USERNAME and VAULT_PASSWORD, "
            "or VAULT_SESSION_ID, or use --profile NAME)"
        )
