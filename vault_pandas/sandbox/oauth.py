"""OAuth 2.0 / OpenID Connect: the access tokens the sandbox issues, and its users' auth types.

The sandbox is its own authorization server: ``POST /_sandbox/oauth/token`` issues opaque
random access tokens (per sandbox, forgotten on reset), which ``POST
/auth/oauth/session/{profile}`` exchanges for a session. Discovery (``POST /auth/discovery``)
describes the one OAuth/OIDC profile in the documented shape, pointing at those endpoints.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .backend import Config

__all__ = ["TokenStore", "auth_type"]

#: Where the profile's authorization server lives, under the sandbox's base URL. Only the
#: token endpoint is served (a control endpoint taking JSON, see README); the others are named
#: because a profile's AS metadata names them.
_AS_PATH = "/_sandbox/oauth"
#: Providers for which Vault says ADAL (and MSAL, a Microsoft library) is available.
_MICROSOFT = ("ADFS", "Azure")


class TokenStore:
    """Access tokens issued and not revoked: token -> (user name, expiry). Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[str, float]] = {}

    def issue(self, username: Any, expires_in: Any, now: float | None = None) -> str:
        """A new random access token for ``username``, valid ``expires_in`` seconds.

        Raises
        ------
        ValueError
            For a user name that is not a non-empty string, or a negative or non-numeric life.
        """
        if not isinstance(username, str) or not username.strip():
            raise ValueError("username must be a non-empty string")
        if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
            raise ValueError("expires_in must be a number of seconds")
        if not expires_in >= 0:
            raise ValueError("expires_in must be >= 0")
        token = secrets.token_urlsafe(32)
        start = time.monotonic() if now is None else now
        with self._lock:
            self._tokens[token] = (username, start + expires_in)
        return token

    def revoke_all(self) -> int:
        """Revoke every token issued; returns how many there were (expired ones included)."""
        with self._lock:
            n = len(self._tokens)
            self._tokens.clear()
        return n

    def user_of(self, token: str | None, now: float) -> str | None:
        """The user of a live token; None for a missing, unknown, revoked or expired one."""
        with self._lock:
            entry = self._tokens.get(token or "")
        if entry is None or now >= entry[1]:
            return None
        return entry[0]

    def refusal(self, token: str | None, profile: str, config: Config, now: float) -> str | None:
        """Why a token cannot open a session through ``profile`` (a message), or None.

        An unknown profile, a missing, unknown, expired or revoked token, or a token of a user
        other than the SSO user (the only user bound to the profile). Never names the token.
        """
        if profile != config.oauth_profile:
            return f"Unknown OAuth 2.0 / OpenID Connect profile [{profile}]"
        user = self.user_of(token, now)
        if user is None:
            return "The access token is missing, unknown, expired or revoked"
        if user != config.sso_username:
            return f"The token's user is not bound to profile [{profile}]"
        return None


def _profile(config: Config, base_url: str, *, msal: bool, client_id: str | None) -> dict:
    """The OAuth/OIDC profile as an ``auth_profiles`` entry (documented key order)."""
    as_url = f"{base_url}{_AS_PATH}"
    microsoft = config.oauth_provider_type in _MICROSOFT
    profile: dict[str, Any] = {
        "id": config.oauth_profile,
        "label": config.oauth_profile_label,
        "description": "The sandbox's OAuth 2.0 / OpenID Connect profile: tokens come from "
        f"{as_url}/token.",
        "vault_session_endpoint": f"{base_url}/auth/oauth/session/{config.oauth_profile}",
        "use_adal": microsoft,
    }
    if msal:
        profile["use_msal"] = microsoft
    profile["as_metadata"] = {
        "token_endpoint": f"{as_url}/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        "jwks_uri": f"{as_url}/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": as_url,
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": f"{as_url}/userinfo",
        "authorization_endpoint": f"{as_url}/authorize",
        "device_authorization_endpoint": f"{as_url}/devicecode",
        "http_logout_supported": False,
        "frontchannel_logout_supported": False,
        "end_session_endpoint": f"{as_url}/logout",
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "preferred_username", "email"],
    }
    profile["oauthProviderType"] = config.oauth_provider_type
    mapped = config.oauth_client_ids.get(client_id) if client_id else None
    if mapped is not None:
        profile["as_client_id"] = mapped
    return profile


def auth_type(
    config: Config, base_url: str, username: str, *, msal: bool, client_id: str | None
) -> dict[str, Any]:
    """Discovery's ``data`` for a user name.

    The SSO user: ``sso`` with the OAuth/OIDC profile; the SAML user: ``sso`` with no profiles;
    anyone else (the password user, unknown names): ``password`` (the docs are silent on
    unknown names; Vault does not tell who exists).
    """
    if username == config.sso_username:
        profile = _profile(config, base_url, msal=msal, client_id=client_id)
        return {"auth_type": "sso", "auth_profiles": [profile]}
    if username == config.saml_username:
        return {"auth_type": "sso", "auth_profiles": []}
    return {"auth_type": "password"}
