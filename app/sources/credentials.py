"""Platform logins (cookies, tokens) kept in the OS keyring -- never in a settings file.

Stored with the ``keyring`` package (Windows Credential Manager, macOS Keychain, the Secret
Service on Linux) under the service name :data:`SERVICE` and the platform key as the user
name. Where no keyring backend is available the login cannot be kept: reading gives a clear
notice and the source connects anonymously; storing raises.
"""

from __future__ import annotations

from app.errors import LiveHostError

SERVICE = "livehost"
"""Keyring service name; the entry's user name is the platform (``bilibili``)."""

UNAVAILABLE_HINT = ("Install a keyring backend (on Linux: gnome-keyring or KWallet with the Secret "
                    "Service; or `pip install keyrings.alt`) to keep a login; LiveHost connects anonymously.")


def load_login(platform: str) -> tuple[str | None, str]:
    """The stored login for ``platform`` and a notice.

    Returns:
        ``(secret, "")`` when one is stored, ``(None, "")`` when none is, ``(None, notice)``
        when the keyring cannot be read (no backend, locked) -- ``notice`` says so in words a
        seller understands. Never raises; blocking (run it off the event loop).
    """
    try:
        import keyring
        import keyring.errors
    except ImportError:
        return None, "The keyring package is not installed, so no stored login can be used."
    try:
        return keyring.get_password(SERVICE, platform) or None, ""
    except keyring.errors.NoKeyringError:
        return None, "No keyring (password store) is available on this computer, so the stored login cannot be read."
    except keyring.errors.KeyringError as exc:
        return None, f"The keyring could not be read ({exc})."


def store_login(platform: str, secret: str) -> None:
    """Keep ``secret`` (e.g. a Bilibili cookie ``SESSDATA=...; bili_jct=...; buvid3=...``) in
    the OS keyring; an empty secret forgets the login.

    Raises:
        LiveHostError(code="login-store-unavailable"): no keyring backend.
    """
    try:
        import keyring
        import keyring.errors
    except ImportError as exc:
        raise LiveHostError("login-store-unavailable", "The keyring package is not installed.",
                            "pip install keyring") from exc
    try:
        if secret.strip():
            keyring.set_password(SERVICE, platform, secret.strip())
        else:
            try:
                keyring.delete_password(SERVICE, platform)
            except keyring.errors.PasswordDeleteError:
                pass
    except keyring.errors.KeyringError as exc:
        raise LiveHostError("login-store-unavailable", f"The login cannot be kept: {exc}",
                            UNAVAILABLE_HINT) from exc
