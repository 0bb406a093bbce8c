"""``flask check``: find the configuration mistakes that make an app
unsafe to deploy, each reported with an identifier, a severity, why it
matters and how to fix it.

A check is a :class:`Check`: a function of the app that returns nothing
when all is well, or a sentence (or several, or :class:`Problem` objects)
saying what is wrong. The built-in ones are in :data:`BUILTIN`; an app adds
its own with ``@app.check(...)`` (:func:`register_check`), and an
installed package with an entry point in the ``flask.checks`` group that
names a :class:`Check` or a list of them. ``CHECKS_SILENCED`` (a list of
identifiers; ``"prefix.*"`` silences a family) hides what a project has
decided to accept.

Checks marked ``deploy`` only matter in production (debug mode, cookie
flags, limits): they run with ``flask check --deploy``.
"""

from __future__ import annotations

import collections.abc as cabc
import json
import os
import typing as t
import weakref
from datetime import timedelta
from pathlib import Path

import click

from ._cross_origin import trusted_origins_from
from ._discovery import ScriptInfo
from ._security_headers import resolve as resolve_security_headers

if t.TYPE_CHECKING:  # pragma: no cover
    from .sansio.app import App

F = t.TypeVar("F", bound=t.Callable[..., t.Any])

#: The severities: an error fails ``flask check``; a warning fails it with
#: ``--strict``.
SEVERITIES = ("error", "warning")
#: The entry point group of checks from installed packages.
ENTRY_POINT_GROUP = "flask.checks"
#: The id of the problem reported for a check that itself failed.
CHECK_FAILED = "flask.check_failed"


class Problem(t.NamedTuple):
    """One thing :command:`flask check` found wrong."""

    #: The identifier of the check, for ``CHECKS_SILENCED``.
    id: str
    #: ``"error"`` or ``"warning"``.
    severity: str
    #: What is wrong and why it matters.
    message: str
    #: What to do about it.
    fix: str


#: What a check function returns: nothing, or what is wrong.
CheckResult = str | Problem | cabc.Iterable[str | Problem] | None


class Check:
    """A check that ``flask check`` runs.

    Define one for an entry point (``flask.checks`` group) by decorating
    a function of the app; it returns ``None`` when all is well, else a
    sentence saying what is wrong and why (or a list of them)::

        @Check("myext.api_key", severity="error", fix="Set MYEXT_API_KEY.")
        def api_key(app):
            if not app.config.get("MYEXT_API_KEY"):
                return "MYEXT_API_KEY is not set: every call to the API fails."

    :param id: A dotted identifier, unique, prefixed with the project's name.
    :param func: The function; or use the instance as a decorator.
    :param severity: ``"error"`` or ``"warning"``.
    :param fix: One sentence: how to fix it.
    :param deploy: Run only with ``--deploy`` (production settings).
    """

    def __init__(
        self,
        id: str,
        func: t.Callable[[App], CheckResult] | None = None,
        *,
        severity: str = "warning",
        fix: str = "",
        deploy: bool = False,
    ) -> None:
        if severity not in SEVERITIES:
            raise ValueError(
                f"The severity of check {id!r} must be one of {SEVERITIES},"
                f" not {severity!r}."
            )

        self.id = id
        self.func = func
        self.severity = severity
        self.fix = fix
        self.deploy = deploy

    def __call__(self, func: t.Callable[[App], CheckResult]) -> Check:
        """Set the function, as a decorator."""
        self.func = func
        return self

    def __repr__(self) -> str:
        return f"<Check {self.id!r} ({self.severity})>"

    def run(self, app: App) -> list[Problem]:
        """The problems the function reports for ``app``; a check that
        raises is reported as a problem of its own (``flask.check_failed``).
        """
        if self.func is None:
            raise TypeError(f"Check {self.id!r} has no function.")

        try:
            found = self.func(app)
        except Exception as e:
            message = f"The check {self.id!r} raised {type(e).__name__}: {e}"
            return [Problem(CHECK_FAILED, "error", message, "Fix the check.")]

        if found is None:
            return []

        items = [found] if isinstance(found, (str, Problem)) else list(found)
        return [
            item
            if isinstance(item, Problem)
            else Problem(self.id, self.severity, item, self.fix)
            for item in items
        ]


# The checks apps added with @app.check, held without keeping apps alive.
_app_checks: weakref.WeakKeyDictionary[App, list[Check]] = weakref.WeakKeyDictionary()


def register_check(
    self: App,
    id: str,
    *,
    severity: str = "warning",
    fix: str = "",
    deploy: bool = False,
) -> t.Callable[[F], F]:
    """Add a check of this app to ``flask check``; the decorated function
    gets the app and returns ``None`` when all is well, or a sentence
    saying what is wrong and why (or a list of them)::

        @app.check("blog.admin", fix="Create one with 'flask add-admin'.")
        def has_admin(app):
            if not count_admins():
                return "No account is an administrator: nobody can moderate."

    :param id: A dotted identifier, for ``CHECKS_SILENCED``.
    :param severity: ``"error"`` (fails the command) or ``"warning"``.
    :param fix: One sentence: how to fix it.
    :param deploy: Run only with ``--deploy``.
    :return: A decorator that returns the function unchanged.
    """

    def decorator(f: F) -> F:
        check = Check(id, f, severity=severity, fix=fix, deploy=deploy)
        _app_checks.setdefault(self, []).append(check)
        return f

    return decorator


# -- running them ---------------------------------------------------------


def _plugin_checks() -> tuple[list[Check], list[Problem]]:
    """The checks of installed packages, and the entry points that failed."""
    from importlib.metadata import entry_points

    checks: list[Check] = []
    failed: list[Problem] = []

    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = entry.load()
            items = [loaded] if isinstance(loaded, Check) else loaded

            if not isinstance(items, cabc.Iterable) or not all(
                isinstance(item, Check) for item in items
            ):
                raise TypeError("it is neither a Check nor a list of checks")
        except Exception as e:
            message = f"The entry point {entry.name!r} ({entry.value}) failed: {e}"
            fix = "Make it name a flask.Check or a list of them."
            failed.append(Problem(CHECK_FAILED, "error", message, fix))
        else:
            checks.extend(items)

    return checks, failed


def _silenced_by(app: App) -> t.Callable[[str], bool]:
    names = app.config.get("CHECKS_SILENCED") or ()

    if isinstance(names, str):
        names = (names,)

    exact = {n for n in names if not n.endswith(".*")}
    prefixes = tuple(n[:-1] for n in names if n.endswith(".*"))
    return lambda id: id in exact or id.startswith(prefixes)


class Report(t.NamedTuple):
    """What a run found."""

    problems: list[Problem]
    silenced: list[Problem]
    #: How many checks ran.
    checks_run: int


def run_checks(app: App, deploy: bool = False) -> Report:
    """Run the checks on ``app``: the ``deploy`` ones only if asked."""
    plugins, failed = _plugin_checks()
    checks = [*BUILTIN, *plugins, *_app_checks.get(app, ())]
    checks = [c for c in checks if deploy or not c.deploy]
    found = failed + [p for check in checks for p in check.run(app)]
    silenced = _silenced_by(app)
    return Report(
        [p for p in found if not silenced(p.id)],
        [p for p in found if silenced(p.id)],
        len(checks),
    )


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _echo_text(report: Report, deploy: bool) -> None:
    colors = {"error": "red", "warning": "yellow"}

    for p in report.problems:
        click.echo(click.style(f"{p.id} ({p.severity})", fg=colors[p.severity]))
        click.echo(f"  {p.message}")
        click.echo(f"  Fix: {p.fix}\n" if p.fix else "")

    errors = sum(p.severity == "error" for p in report.problems)
    warnings = len(report.problems) - errors
    ran = f"{_plural(report.checks_run, 'check')} run"
    hidden = f", {len(report.silenced)} silenced" if report.silenced else ""

    if report.problems:
        summary = f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"
        click.echo(f"{summary}{hidden} ({ran}).")
    else:
        click.echo(f"No problems found{hidden} ({ran}).")

    if not deploy:
        click.echo("Add --deploy to check the production settings too.")


@click.command(
    "check",
    short_help="Check the app for deployment mistakes.",
    help="Check the application's configuration, routes and files for common"
    " mistakes: each problem has an identifier, a severity, why it matters and"
    " how to fix it. The exit status is 1 when an error is found (or, with"
    " '--strict', a warning). Silence a check with the CHECKS_SILENCED config"
    " key, a list of identifiers.",
)
@click.option(
    "--deploy", is_flag=True, help="Also run the checks of production settings."
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("text", "json")),
    default="text",
    help="Print a report for people, or JSON for programs.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.pass_context
def check_command(
    ctx: click.Context, deploy: bool, output_format: str, strict: bool
) -> None:
    """Run the checks on the app and report; exit with 1 on failure."""
    app = ctx.ensure_object(ScriptInfo).load_app()

    with app.app_context():
        report = run_checks(app, deploy)

    errors = sum(p.severity == "error" for p in report.problems)
    failed = bool(errors or (strict and report.problems))

    if output_format == "json":
        document = {
            "ok": not failed,
            "deploy": deploy,
            "checks": report.checks_run,
            "errors": errors,
            "warnings": len(report.problems) - errors,
            "problems": [p._asdict() for p in report.problems],
            "silenced": [p.id for p in report.silenced],
        }
        click.echo(json.dumps(document, indent=2))
    else:
        _echo_text(report, deploy)

    if failed:
        ctx.exit(1)


# -- the built-in checks ----------------------------------------------------

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
