"""``flask check``: find the configuration mistakes that make an app
unsafe to deploy, each reported with an identifier, a severity, why it
matters and how to fix it.

A check is a :class:`Check`: a function of the app that returns nothing
when all is well, or a sentence (or several, or :class:`Problem` objects)
saying what is wrong. The built-in ones are in ``flask._builtin_checks``; an app adds
its own with ``@app.check(...)`` (:meth:`flask.Flask.check`), and an
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
import typing as t
import weakref

import click

from ._discovery import ScriptInfo

if t.TYPE_CHECKING:  # pragma: no cover
    from .sansio.app import App


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


def add_app_check(
    app: App,
    id: str,
    func: t.Callable[..., t.Any],
    *,
    severity: str,
    fix: str,
    deploy: bool,
) -> None:
    """Remember a check of *app*: what :meth:`flask.Flask.check` adds."""
    check = Check(id, func, severity=severity, fix=fix, deploy=deploy)
    _app_checks.setdefault(app, []).append(check)


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
    from ._builtin_checks import BUILTIN

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
