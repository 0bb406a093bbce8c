"""The checks ``flask check`` always runs, in the order they run and are
documented (docs/deploying/safely.rst). :func:`flask._checks.run_checks`
loads this module, so that ``import flask`` does not pay for it.
"""

from __future__ import annotations

import os
import typing as t
from datetime import timedelta
from pathlib import Path

from ._checks import _plural
from ._checks import Check
from ._checks import CheckResult
from ._cross_origin import trusted_origins_from
from ._security_headers import resolve as resolve_security_headers

if t.TYPE_CHECKING:  # pragma: no cover
    from .sansio.app import App

#: The built-in checks, in the order they run and are documented.
BUILTIN: list[Check] = []


def _builtin(
    id: str, severity: str, fix: str, deploy: bool = True
) -> t.Callable[[t.Callable[[App], CheckResult]], Check]:
    def decorator(f: t.Callable[[App], CheckResult]) -> Check:
        check = Check(f"flask.{id}", f, severity=severity, fix=fix, deploy=deploy)
        BUILTIN.append(check)
        return check

    return decorator


#: Secret keys copied from documentation and templates (compared in
#: lower case, without surrounding spaces).
PLACEHOLDER_KEYS = frozenset(
    {
        "dev",
        "development",
        "secret",
        "secret key",
        "secret_key",
        "secret-key",
        "secretkey",
        "mysecret",
        "my secret key",
        "changeme",
        "change me",
        "change-me",
        "change_me",
        "change this",
        "changethis",
        "default",
        "key",
        "password",
        "test",
        "test key",
        "testing",
        "insecure",
        "not secret",
        "notsecret",
        "super secret key",
        "super-secret-key",
        "supersecretkey",
        "your secret key",
        "your-secret-key",
        "your_secret_key",
        "replace me",
        "xxx",
        # The examples of this project's own documentation.
        "replace me with the output of the command below",
        "the value printed above",
        # The key in the quickstart of Flask's documentation.
        '_5#y2l"f4q8z\n\xec]/',
    }
)
MIN_KEY_BYTES = 32
MIN_KEY_DISTINCT = 8
_KEY_FIX = (
    "Set it to a long random value, kept out of the code (the instance config"
    " or the environment): python -c 'import secrets; print(secrets.token_hex())'."
)


def _as_text(key: t.Any) -> str:
    if isinstance(key, bytes):
        return key.decode("latin-1")

    return str(key)


def _keys(app: App) -> list[tuple[str, t.Any]]:
    """``SECRET_KEY`` and each fallback, named as in the config."""
    keys = [("SECRET_KEY", app.config.get("SECRET_KEY"))]
    fallbacks = app.config.get("SECRET_KEY_FALLBACKS") or ()

    if not isinstance(fallbacks, (str, bytes)):
        keys.extend((f"SECRET_KEY_FALLBACKS[{i}]", k) for i, k in enumerate(fallbacks))

    return [(name, key) for name, key in keys if key]


def _is_placeholder(key: t.Any) -> bool:
    return _as_text(key).strip().lower() in PLACEHOLDER_KEYS


@_builtin("secret_key.missing", "error", _KEY_FIX)
def _secret_key_missing(app: App) -> CheckResult:
    if not app.config.get("SECRET_KEY"):
        return (
            "SECRET_KEY is not set: sessions, flashed messages and everything"
            " else the app signs fail."
        )

    return None


@_builtin("secret_key.placeholder", "error", _KEY_FIX)
def _secret_key_placeholder(app: App) -> CheckResult:
    return [
        f"{name} is {_as_text(key)!r}, a value published in examples: anyone"
        " can sign session cookies with it and be logged in as anybody."
        for name, key in _keys(app)
        if _is_placeholder(key)
    ]


@_builtin("secret_key.weak", "error", _KEY_FIX)
def _secret_key_weak(app: App) -> CheckResult:
    found = []

    for name, key in _keys(app):
        raw = key if isinstance(key, bytes) else _as_text(key).encode()

        if _is_placeholder(key):
            continue

        if len(raw) < MIN_KEY_BYTES:
            found.append(
                f"{name} is {len(raw)} bytes long, under {MIN_KEY_BYTES}: short"
                " keys can be guessed, and then session cookies forged."
            )
        elif len(set(raw)) < MIN_KEY_DISTINCT:
            found.append(
                f"{name} has only {len(set(raw))} distinct characters: it is not"
                " random, and can be guessed."
            )

    return found


@_builtin(
    "secret_key.fallbacks_string",
    "error",
    "Make SECRET_KEY_FALLBACKS a list: SECRET_KEY_FALLBACKS = ['old key'].",
    deploy=False,
)
def _fallbacks_string(app: App) -> CheckResult:
    if isinstance(app.config.get("SECRET_KEY_FALLBACKS"), (str, bytes)):
        return (
            "SECRET_KEY_FALLBACKS is a string, so each of its characters is"
            " taken as an old key: anyone can sign with a one-character key."
        )

    return None


@_builtin(
    "secret_key.fallback_repeats_key",
    "warning",
    "Remove the current SECRET_KEY from SECRET_KEY_FALLBACKS.",
    deploy=False,
)
def _fallback_repeats_key(app: App) -> CheckResult:
    key = app.config.get("SECRET_KEY")
    keys = _keys(app)[1:] if key else []

    if any(fallback == key for _, fallback in keys):
        return (
            "SECRET_KEY_FALLBACKS contains SECRET_KEY itself: the key was not"
            " rotated, or the list still names a key that should be retired."
        )

    return None


@_builtin(
    "debug",
    "error",
    "Turn debug mode off: no --debug, FLASK_DEBUG or DEBUG = True in production.",
)
def _debug(app: App) -> CheckResult:
    if app.debug:
        return (
            "Debug mode is on: errors show the interactive debugger, which runs"
            " any Python code it is sent, and the source of the app."
        )

    return None


@_builtin("testing", "error", "Set TESTING only in the tests' configuration.")
def _testing(app: App) -> CheckResult:
    if app.testing:
        return (
            "TESTING is on: errors are raised instead of answered with a 500,"
            " and extensions turn off protections for the tests."
        )

    return None


@_builtin(
    "propagate_exceptions",
    "warning",
    "Remove PROPAGATE_EXCEPTIONS = True; the default does the right thing.",
)
def _propagate_exceptions(app: App) -> CheckResult:
    if app.config.get("PROPAGATE_EXCEPTIONS") is True:
        return (
            "PROPAGATE_EXCEPTIONS is on: unhandled errors escape to the server"
            " instead of the app's 500 handler, and are not logged by the app."
        )

    return None


@_builtin(
    "debugger_pin_disabled",
    "error",
    "Unset WERKZEUG_DEBUG_PIN, and never run the debugger in production.",
)
def _debugger_pin_disabled(app: App) -> CheckResult:
    if os.environ.get("WERKZEUG_DEBUG_PIN", "").lower() == "off":
        return (
            "WERKZEUG_DEBUG_PIN is 'off': if the debugger runs, anyone who can"
            " reach it can run code on the server without a PIN."
        )

    return None


@_builtin(
    "session_cookie.not_secure",
    "error",
    "Set SESSION_COOKIE_SECURE = True.",
)
def _session_cookie_not_secure(app: App) -> CheckResult:
    config = app.config

    if config.get("PREFERRED_URL_SCHEME") == "https" and not config.get(
        "SESSION_COOKIE_SECURE"
    ):
        return (
            "The site is served over HTTPS but the session cookie is not marked"
            " Secure: a browser also sends it over plain HTTP, where it can be"
            " read."
        )

    return None


@_builtin(
    "session_cookie.not_httponly",
    "warning",
    "Set SESSION_COOKIE_HTTPONLY = True (the default).",
)
def _session_cookie_not_httponly(app: App) -> CheckResult:
    if not app.config.get("SESSION_COOKIE_HTTPONLY", True):
        return (
            "The session cookie is readable by JavaScript: a script injected"
            " into a page can steal the session."
        )

    return None


def _samesite(app: App) -> tuple[t.Any, bool]:
    config = app.config
    return config.get("SESSION_COOKIE_SAMESITE"), bool(
        config.get("SESSION_COOKIE_SECURE")
    )


@_builtin(
    "session_cookie.samesite_none",
    "error",
    "Set SESSION_COOKIE_SECURE = True, or SESSION_COOKIE_SAMESITE = 'Lax'.",
    deploy=False,
)
def _samesite_none(app: App) -> CheckResult:
    samesite, secure = _samesite(app)

    if isinstance(samesite, str) and samesite.lower() == "none" and not secure:
        return (
            "SESSION_COOKIE_SAMESITE is 'None' without SESSION_COOKIE_SECURE:"
            " browsers reject such a cookie, so sessions do not work."
        )

    return None


@_builtin(
    "session_cookie.samesite_unset",
    "warning",
    "Set SESSION_COOKIE_SAMESITE = 'Lax' (and SESSION_COOKIE_SECURE = True).",
)
def _samesite_unset(app: App) -> CheckResult:
    samesite, secure = _samesite(app)

    if samesite is None and not secure:
        return (
            "The session cookie has no SameSite attribute and is not Secure:"
            " browsers that default to sending it with requests from other"
            " sites expose it to cross-site request forgery."
        )

    return None


MAX_SESSION_DAYS = 365


@_builtin(
    "session_lifetime",
    "warning",
    f"Set PERMANENT_SESSION_LIFETIME to {MAX_SESSION_DAYS} days or less.",
)
def _session_lifetime(app: App) -> CheckResult:
    lifetime = app.config.get("PERMANENT_SESSION_LIFETIME")

    if isinstance(lifetime, (int, float)):
        lifetime = timedelta(seconds=lifetime)

    if isinstance(lifetime, timedelta) and lifetime > timedelta(MAX_SESSION_DAYS):
        return (
            f"Permanent sessions last {lifetime.days} days: a stolen or"
            " forgotten session cookie stays valid for more than a year."
        )

    return None


@_builtin(
    "max_content_length",
    "warning",
    "Set MAX_CONTENT_LENGTH to the largest body the app takes, in bytes.",
)
def _max_content_length(app: App) -> CheckResult:
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        return (
            "MAX_CONTENT_LENGTH is not set: a client can send a request body"
            " of any size, and uploads are written to disk without a limit."
        )

    return None


#: Werkzeug's defaults for the form limits.
_FORM_LIMITS = {"MAX_FORM_MEMORY_SIZE": 500_000, "MAX_FORM_PARTS": 1_000}


@_builtin(
    "form_limits",
    "warning",
    "Set MAX_CONTENT_LENGTH too, to bound the whole body.",
    deploy=False,
)
def _form_limits(app: App) -> CheckResult:
    config = app.config

    if config.get("MAX_CONTENT_LENGTH") is not None:
        return None

    return [
        f"{name} is raised to {config.get(name, default)!r} but"
        " MAX_CONTENT_LENGTH is not set: a form can take that much memory,"
        " and more."
        for name, default in _FORM_LIMITS.items()
        if config.get(name, default) is None or config.get(name, default) > default
    ]


@_builtin(
    "trusted_hosts",
    "warning",
    "Set TRUSTED_HOSTS to the host names the app is served under.",
)
def _trusted_hosts(app: App) -> CheckResult:
    if not app.config.get("TRUSTED_HOSTS"):
        return (
            "TRUSTED_HOSTS is not set: the app answers any Host header, which"
            " lets attackers poison caches and the links it builds in emails."
        )

    return None


@_builtin(
    "server_name_port",
    "warning",
    "Leave the port out of SERVER_NAME (the proxy listens on 80 and 443).",
)
def _server_name_port(app: App) -> CheckResult:
    name = app.config.get("SERVER_NAME") or ""

    if name.rpartition("]")[2].count(":"):
        return (
            f"SERVER_NAME is {name!r}, with a port: URLs the app builds then"
            " point at that port, not at the public address."
        )

    return None


@_builtin(
    "x_sendfile",
    "warning",
    "Configure the front-end server to serve X-Sendfile (or unset"
    " USE_X_SENDFILE); silence this check once it does.",
)
def _x_sendfile(app: App) -> CheckResult:
    if app.config.get("USE_X_SENDFILE"):
        return (
            "USE_X_SENDFILE is on: files are sent as an empty response with a"
            " path in a header, which only a front-end server that honours it"
            " (Apache mod_xsendfile, nginx's X-Accel) turns into the file."
        )

    return None


@_builtin(
    "serving_hooks",
    "warning",
    "Serve the app's ASGI entry (uvicorn module:app.asgi), or do this setup"
    " where a WSGI server runs it (at import, in the app factory); silence"
    " this check when the app is served over ASGI.",
    deploy=False,
)
def _serving_hooks(app: App) -> CheckResult:
    names = [
        f"{kind} {getattr(f, '__name__', f)!s}"
        for kind, funcs in (
            ("before_serving", getattr(app, "before_serving_funcs", ())),
            ("after_serving", getattr(app, "after_serving_funcs", ())),
        )
        for f in funcs
    ]

    if names:
        return (
            f"The app registers {', '.join(names)}: they run only when an ASGI"
            " server serves the app (the lifespan events of app.asgi); a WSGI"
            " server never runs them."
        )

    return None


def _static_folders(app: App) -> list[Path]:
    folders = [app.static_folder]
    folders += [bp.static_folder for bp in app.blueprints.values()]
    return [Path(f).resolve() for f in dict.fromkeys(folders) if f and os.path.isdir(f)]


@_builtin(
    "static_folder_exposes",
    "error",
    "Keep only public files in the static folder; point static_folder"
    " elsewhere, and keep the instance folder outside it.",
    deploy=False,
)
def _static_folder_exposes(app: App) -> CheckResult:
    found = []
    instance = Path(app.instance_path).resolve()

    for folder in _static_folders(app):
        if folder == instance or folder in instance.parents:
            found.append(
                f"The static folder {str(folder)!r} contains the instance"
                " folder: configuration and secrets in it are served to anyone."
            )
            continue

        source = next(folder.rglob("*.py"), None)

        if source is not None:
            found.append(
                f"The static folder {str(folder)!r} contains Python source"
                f" ({source.relative_to(folder)}), which is served to anyone."
            )

    return found


#: Methods that change state, which cross-site forgery uses.
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _has_csrf_protection(app: App) -> bool:
    if app.config.get("CROSS_ORIGIN_PROTECTION"):
        return True

    # Flask-WTF's CSRFProtect registers itself as "csrf".
    csrf = app.extensions.get("csrf")
    return (
        csrf is not None
        and type(csrf).__module__.startswith("flask_wtf")
        and app.config.get("WTF_CSRF_ENABLED", True)
        and app.config.get("WTF_CSRF_CHECK_DEFAULT", True)
    )


@_builtin(
    "csrf",
    "warning",
    "Set CROSS_ORIGIN_PROTECTION = True, or use Flask-WTF's CSRFProtect.",
)
def _csrf(app: App) -> CheckResult:
    if _has_csrf_protection(app):
        return None

    endpoints = sorted(
        {
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if _UNSAFE_METHODS.intersection(rule.methods or ())
        }
    )

    if not endpoints:
        return None

    shown = ", ".join(endpoints[:5]) + (", ..." if len(endpoints) > 5 else "")
    return (
        f"{_plural(len(endpoints), 'endpoint')} ({shown}) accept POST, PUT, PATCH"
        " or DELETE with no cross-site request forgery protection: another"
        " site can make a visitor's browser send them."
    )


@_builtin(
    "security_headers",
    "warning",
    "Set SECURITY_HEADERS = True (or a dict that adjusts the headers).",
)
def _security_headers_off(app: App) -> CheckResult:
    if not app.config.get("SECURITY_HEADERS"):
        return (
            "SECURITY_HEADERS is off: responses go without nosniff,"
            " Referrer-Policy, frame and content security policies, and HSTS."
        )

    return None


@_builtin(
    "security_headers_invalid",
    "error",
    "Map header names to strings, or to None to remove a header.",
    deploy=False,
)
def _security_headers_invalid(app: App) -> CheckResult:
    setting = app.config.get("SECURITY_HEADERS")

    try:
        if setting:
            resolve_security_headers(setting)
    except (TypeError, ValueError) as e:
        return f"{e} Every response would fail with it."

    return None


@_builtin(
    "trusted_origins_invalid",
    "error",
    "Write each trusted origin as scheme://host[:port].",
    deploy=False,
)
def _trusted_origins_invalid(app: App) -> CheckResult:
    try:
        trusted_origins_from(app.config.get("CROSS_ORIGIN_TRUSTED_ORIGINS"))
    except (TypeError, ValueError) as e:
        return f"{e} Cross-origin requests would fail with a 500."

    return None
