"""Helpers the non-Flask applications share: Jinja and a signed cookie.

Flask brings both; for Bottle, Falcon and bare Werkzeug the benchmark sets
them up the way an application built on those would, once per application.
"""

from __future__ import annotations

import hashlib
import typing as t
from datetime import timedelta
from pathlib import Path

import jinja2
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer

from workloads import SECRET_KEY

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
#: Flask's default permanent session lifetime, used as the signature's max age.
SESSION_MAX_AGE = int(timedelta(days=31).total_seconds())


def jinja_env() -> jinja2.Environment:
    """A production Jinja environment: HTML autoescaping, no reload checks."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(),
        auto_reload=False,
    )


class CookieSession:
    """Sign and verify a JSON dict with itsdangerous, like Flask's cookie session."""

    def __init__(self) -> None:
        self.serializer = URLSafeTimedSerializer(
            SECRET_KEY,
            salt="cookie-session",
            signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
        )

    def load(self, value: str | None) -> dict[str, t.Any]:
        """Return the session stored in a cookie value, or an empty one."""
        if not value:
            return {}
        try:
            data = self.serializer.loads(value, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    def dump(self, data: dict[str, t.Any]) -> str:
        """Return the signed cookie value for *data*."""
        return self.serializer.dumps(data)
