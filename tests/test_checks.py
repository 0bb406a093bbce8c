"""``flask check``: every built-in check on a failing app and a passing
one, the command's output and exit status, and checks added by the app
(``@app.check``) and by installed packages (entry points).
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import typing as t
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

import flask
from flask import Check
from flask._builtin_checks import BUILTIN
from flask._checks import check_command
from flask._checks import Problem
from flask._checks import run_checks
from flask.cli import FlaskGroup
from flask.cli import ScriptInfo

KEY = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#: A production configuration that passes every check.
GOOD: dict[str, t.Any] = {
    "SECRET_KEY": KEY,
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "PREFERRED_URL_SCHEME": "https",
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "TRUSTED_HOSTS": ["blog.example"],
    "CROSS_ORIGIN_PROTECTION": True,
    "SECURITY_HEADERS": True,
}


@pytest.fixture
def make_app(tmp_path: Path) -> t.Callable[..., flask.Flask]:
    def make(**config: t.Any) -> flask.Flask:
        (tmp_path / "static").mkdir(exist_ok=True)
        (tmp_path / "static" / "style.css").write_text("body {}")
        app = flask.Flask(
            "check_app", root_path=str(tmp_path), instance_path=str(tmp_path / "i")
        )
        app.config.update(GOOD)
        app.config.update(config)

        @app.route("/", methods=["GET", "POST"])
        def index() -> str:
            return ""

        return app

    return make


def ids(app: flask.Flask, deploy: bool = True) -> dict[str, str]:
    return {p.id: p.severity for p in run_checks(app, deploy).problems}


def test_the_good_configuration_passes(make_app):
    report = run_checks(make_app(), deploy=True)
    assert report.problems == []
    assert report.checks_run == len(BUILTIN)


SECRET_FAILURES = {
    "missing": {"SECRET_KEY": None},
    "placeholder": {"SECRET_KEY": " ChangeMe"},
    "docs_key": {"SECRET_KEY": b'_5#y2L"F4Q8z\n\xec]/'},
    "placeholder_fallback": {"SECRET_KEY_FALLBACKS": ["dev"]},
    "short": {"SECRET_KEY": "a1b2c3d4e5f6a7b8"},
    "repetitive": {"SECRET_KEY": "ab" * 20},
    "short_bytes_fallback": {"SECRET_KEY_FALLBACKS": [b"\x01" * 16]},
}

#: For each built-in check: configurations that fail it (and pass it once
#: reverted to GOOD, which the test above shows).
FAILING: dict[str, list[dict[str, t.Any]]] = {
    "flask.secret_key.missing": [{"SECRET_KEY": None}, {"SECRET_KEY": ""}],
    "flask.secret_key.placeholder": [
        SECRET_FAILURES["placeholder"],
        SECRET_FAILURES["docs_key"],
        SECRET_FAILURES["placeholder_fallback"],
        {"SECRET_KEY": "replace me with the output of the command below"},
    ],
    "flask.secret_key.weak": [
        SECRET_FAILURES["short"],
        SECRET_FAILURES["repetitive"],
        SECRET_FAILURES["short_bytes_fallback"],
    ],
    "flask.secret_key.fallbacks_string": [
        {"SECRET_KEY_FALLBACKS": "an old key"},
        {"SECRET_KEY_FALLBACKS": b"an old key"},
    ],
    "flask.secret_key.fallback_repeats_key": [{"SECRET_KEY_FALLBACKS": [KEY]}],
    "flask.debug": [{"DEBUG": True}],
    "flask.testing": [{"TESTING": True}],
    "flask.propagate_exceptions": [{"PROPAGATE_EXCEPTIONS": True}],
    "flask.debugger_pin_disabled": [{"_env": ("WERKZEUG_DEBUG_PIN", "off")}],
    "flask.session_cookie.not_secure": [{"SESSION_COOKIE_SECURE": False}],
    "flask.session_cookie.not_httponly": [{"SESSION_COOKIE_HTTPONLY": False}],
    "flask.session_cookie.samesite_none": [
        {"SESSION_COOKIE_SAMESITE": "None", "SESSION_COOKIE_SECURE": False}
    ],
    "flask.session_cookie.samesite_unset": [
        {"SESSION_COOKIE_SAMESITE": None, "SESSION_COOKIE_SECURE": False}
    ],
    "flask.session_lifetime": [
        {"PERMANENT_SESSION_LIFETIME": timedelta(days=400)},
        {"PERMANENT_SESSION_LIFETIME": 400 * 86400},
    ],
    "flask.max_content_length": [{"MAX_CONTENT_LENGTH": None}],
    "flask.form_limits": [
        {"MAX_CONTENT_LENGTH": None, "MAX_FORM_MEMORY_SIZE": 50_000_000},
        {"MAX_CONTENT_LENGTH": None, "MAX_FORM_PARTS": None},
    ],
    "flask.trusted_hosts": [{"TRUSTED_HOSTS": None}, {"TRUSTED_HOSTS": []}],
    "flask.server_name_port": [
        {"SERVER_NAME": "blog.example:8080"},
        {"SERVER_NAME": "[::1]:5000"},
    ],
    "flask.x_sendfile": [{"USE_X_SENDFILE": True}],
    "flask.serving_hooks": [{"_serving": "before"}, {"_serving": "after"}],
    "flask.static_folder_exposes": [{"_file": "static/app.py"}, {"_instance": True}],
    "flask.csrf": [{"CROSS_ORIGIN_PROTECTION": False}],
    "flask.security_headers": [{"SECURITY_HEADERS": False}],
    "flask.security_headers_invalid": [
        {"SECURITY_HEADERS": "yes"},
        {"SECURITY_HEADERS": {"X-Frame-Options": 3}},
    ],
    "flask.trusted_origins_invalid": [
        {"CROSS_ORIGIN_TRUSTED_ORIGINS": "https://sso.example"},
        {"CROSS_ORIGIN_TRUSTED_ORIGINS": ["sso.example"]},
    ],
}


def test_every_builtin_check_has_failing_cases():
    assert sorted(FAILING) == sorted(c.id for c in BUILTIN)


@pytest.mark.parametrize(
    ("check_id", "config"),
    [(i, c) for i, configs in FAILING.items() for c in configs],
    ids=lambda v: v if isinstance(v, str) else "-".join(v),
)
def test_builtin_check_fails(
    make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, check_id, config
):
    config = dict(config)

    if "_env" in config:
        monkeypatch.setenv(*config.pop("_env"))

    source = config.pop("_file", None)
    serving_hook = config.get("_serving")
    app = make_app(**{k: v for k, v in config.items() if k != "_serving"})

    if source:
        (tmp_path / source).write_text("SECRET = 1")

    if config.pop("_instance", False):
        app.instance_path = str(tmp_path / "static" / "instance")

    serving = serving_hook

    if serving is not None:
        getattr(app, f"{serving}_serving")(lambda: None)

    [check] = [c for c in BUILTIN if c.id == check_id]
    found = ids(app)
    assert found.get(check_id) == check.severity
    [problem] = [p for p in run_checks(app, True).problems if p.id == check_id]
    assert problem.message.endswith(".") and problem.fix.endswith(".")


@pytest.mark.parametrize(
    "config",
    [
        {"SECRET_KEY": KEY.encode()},
        {"SECRET_KEY_FALLBACKS": ["e" * 12 + KEY]},
        {"PREFERRED_URL_SCHEME": "http", "SESSION_COOKIE_SECURE": False},
        {"SESSION_COOKIE_SAMESITE": None},
        {"SESSION_COOKIE_SAMESITE": "None"},
        {"PERMANENT_SESSION_LIFETIME": timedelta(days=365)},
        {"MAX_FORM_MEMORY_SIZE": 50_000_000},
        {"MAX_FORM_PARTS": 100},
        {"SERVER_NAME": "blog.example"},
        {"SERVER_NAME": "[::1]"},
        {"PROPAGATE_EXCEPTIONS": False},
        {"SECURITY_HEADERS": {"X-Frame-Options": None}},
        {"CROSS_ORIGIN_TRUSTED_ORIGINS": ["https://sso.example"]},
    ],
    ids=lambda c: "-".join(f"{k}={v!r}"[:40] for k, v in c.items()),
)
def test_near_misses_pass(make_app, config):
    assert ids(make_app(**config)) == {}


def test_csrf_passes_without_unsafe_routes(make_app):
    app = flask.Flask("check_app")
    app.config.update(GOOD, CROSS_ORIGIN_PROTECTION=False)
    app.add_url_rule("/", "index", lambda: "", methods=["GET"])
    assert "flask.csrf" not in ids(app)


def test_csrf_passes_with_flask_wtf(make_app):
    csrf = pytest.importorskip("flask_wtf.csrf")
    app = make_app(CROSS_ORIGIN_PROTECTION=False)
    csrf.CSRFProtect(app)
    assert "flask.csrf" not in ids(app)
    app.config["WTF_CSRF_ENABLED"] = False
    assert "flask.csrf" in ids(app)


def test_csrf_names_the_endpoints(make_app):
    app = make_app(CROSS_ORIGIN_PROTECTION=False)

    for i in range(6):
        app.add_url_rule(f"/d{i}", f"delete{i}", lambda: "", methods=["DELETE"])

    [problem] = [p for p in run_checks(app, True).problems if p.id == "flask.csrf"]
    assert problem.message.startswith(
        "7 endpoints (delete0, delete1, delete2, delete3, delete4, ...) accept"
    )


def test_blueprint_static_folders_are_checked(make_app, tmp_path: Path):
    app = make_app()
    (tmp_path / "bp_static").mkdir()
    (tmp_path / "bp_static" / "deep").mkdir()
    (tmp_path / "bp_static" / "deep" / "settings.py").write_text("")
    bp = flask.Blueprint("bp", __name__, static_folder=str(tmp_path / "bp_static"))
    app.register_blueprint(bp)
    [problem] = [p for p in run_checks(app).problems]
    assert problem.id == "flask.static_folder_exposes"
    assert "(deep/settings.py)" in problem.message


def test_deploy_checks_only_with_deploy(make_app):
    app = make_app(DEBUG=True, SECRET_KEY_FALLBACKS="old")
    assert set(ids(app, deploy=False)) == {"flask.secret_key.fallbacks_string"}
    assert "flask.debug" in ids(app, deploy=True)


# -- silencing -----------------------------------------------------------------


@pytest.mark.parametrize(
    "silenced",
    [
        ["flask.debug", "flask.trusted_hosts"],
        ("flask.debug", "flask.trusted_hosts"),
        ["flask.*"],
    ],
)
def test_silenced(make_app, silenced):
    app = make_app(DEBUG=True, TRUSTED_HOSTS=None, CHECKS_SILENCED=silenced)
    report = run_checks(app, deploy=True)
    assert report.problems == []
    assert sorted(p.id for p in report.silenced) == [
        "flask.debug",
        "flask.trusted_hosts",
    ]


def test_silenced_as_a_string(make_app):
    app = make_app(DEBUG=True, TRUSTED_HOSTS=None, CHECKS_SILENCED="flask.debug")
    assert list(ids(app)) == ["flask.trusted_hosts"]


def test_silence_prefix_needs_the_dot(make_app):
    app = make_app(SESSION_COOKIE_HTTPONLY=False, CHECKS_SILENCED=["flask.session.*"])
    assert list(ids(app)) == ["flask.session_cookie.not_httponly"]


# -- the command -------------------------------------------------------------


def invoke(app: flask.Flask, *args: str):
    # The app's own DEBUG stands, not FLASK_DEBUG's.
    info = ScriptInfo(create_app=lambda: app, set_debug_flag=False)
    return CliRunner().invoke(check_command, list(args), obj=info)


def test_command_text_report(make_app):
    app = make_app(SECRET_KEY="dev", TRUSTED_HOSTS=None, DEBUG=False)
    rv = invoke(app, "--deploy")
    assert rv.exit_code == 1
    assert rv.output == (
        "flask.secret_key.placeholder (error)\n"
        "  SECRET_KEY is 'dev', a value published in examples: anyone can sign"
        " session cookies with it and be logged in as anybody.\n"
        "  Fix: Set it to a long random value, kept out of the code (the instance"
        " config or the environment): python -c 'import secrets;"
        " print(secrets.token_hex())'.\n\n"
        "flask.trusted_hosts (warning)\n"
        "  TRUSTED_HOSTS is not set: the app answers any Host header, which lets"
        " attackers poison caches and the links it builds in emails.\n"
        "  Fix: Set TRUSTED_HOSTS to the host names the app is served under.\n\n"
        f"1 error, 1 warning ({len(BUILTIN)} checks run).\n"
    )


def test_command_passes(make_app):
    rv = invoke(make_app(), "--deploy")
    assert rv.exit_code == 0
    assert rv.output == f"No problems found ({len(BUILTIN)} checks run).\n"


def test_command_without_deploy_hints_at_it(make_app):
    rv = invoke(make_app(DEBUG=True))
    assert rv.exit_code == 0
    deploy_checks = sum(c.deploy for c in BUILTIN)
    assert rv.output == (
        f"No problems found ({len(BUILTIN) - deploy_checks} checks run).\n"
        "Add --deploy to check the production settings too.\n"
    )


def test_command_warnings_fail_only_when_strict(make_app):
    app = make_app(TRUSTED_HOSTS=None, DEBUG=True, CHECKS_SILENCED=["flask.debug"])
    assert invoke(app, "--deploy").exit_code == 0
    rv = invoke(app, "--deploy", "--strict")
    assert rv.exit_code == 1
    assert rv.output.endswith(
        f"0 errors, 1 warning, 1 silenced ({len(BUILTIN)} checks run).\n"
    )


def test_command_silenced_only(make_app):
    rv = invoke(make_app(DEBUG=True, CHECKS_SILENCED=["flask.debug"]), "--deploy")
    assert rv.exit_code == 0
    assert rv.output.startswith("No problems found, 1 silenced (")


def test_command_json(make_app):
    app = make_app(DEBUG=True, TRUSTED_HOSTS=None, CHECKS_SILENCED=["flask.debug"])
    rv = invoke(app, "--deploy", "--format", "json", "--strict")
    assert rv.exit_code == 1
    doc = json.loads(rv.output)
    assert doc == {
        "ok": False,
        "deploy": True,
        "checks": len(BUILTIN),
        "errors": 0,
        "warnings": 1,
        "problems": [
            {
                "id": "flask.trusted_hosts",
                "severity": "warning",
                "message": doc["problems"][0]["message"],
                "fix": "Set TRUSTED_HOSTS to the host names the app is served under.",
            }
        ],
        "silenced": ["flask.debug"],
    }
    ok = json.loads(invoke(make_app(), "--format", "json").output)
    assert ok["ok"] is True and ok["problems"] == [] and ok["deploy"] is False


def test_command_runs_in_the_app_context(make_app):
    app = make_app()
    seen = []

    @app.check("app.context")
    def context(app: flask.Flask) -> None:
        seen.append(flask.current_app._get_current_object())  # type: ignore[attr-defined]

    assert invoke(app).exit_code == 0
    assert seen == [app]


def test_command_in_the_flask_group(make_app, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = make_app()
    cli = FlaskGroup(create_app=lambda: app)
    assert "check" in cli.list_commands(flask.cli.click.Context(cli))
    rv = CliRunner().invoke(cli, ["check", "--deploy"])
    assert rv.exit_code == 1
    assert "flask.debug (error)" in rv.output
    rv = CliRunner().invoke(cli, ["--help"])
    # (Installed plugins, such as Flask-Limiter's, may widen the column.)
    assert re.search(
        r"^  check +Check the app for deployment mistakes\.$", rv.output, re.M
    )


# -- checks of the app and of packages -----------------------------------------


def test_app_check(make_app):
    app = make_app()

    def needs_admin(app: flask.Flask) -> str | None:
        if not app.config.get("ADMIN"):
            return "No administrator is configured: nobody can moderate."
        return None

    rv = app.check("blog.admin", severity="error", fix="Set ADMIN.")(needs_admin)
    assert rv is needs_admin
    assert run_checks(app).problems == [
        Problem(
            "blog.admin",
            "error",
            "No administrator is configured: nobody can moderate.",
            "Set ADMIN.",
        )
    ]
    app.config["ADMIN"] = "ada"
    assert run_checks(app).problems == []
    # Only the app that registered it runs it.
    assert run_checks(make_app()).checks_run == len(BUILTIN) - sum(
        c.deploy for c in BUILTIN
    )


def test_app_check_many_results_and_deploy_only(make_app):
    app = make_app()

    @app.check("blog.many", deploy=True)
    def many(app: flask.Flask) -> list[str | Problem]:
        return ["one.", Problem("blog.other", "error", "two.", "fix two.")]

    assert run_checks(app).problems == []
    assert run_checks(app, deploy=True).problems == [
        Problem("blog.many", "warning", "one.", ""),
        Problem("blog.other", "error", "two.", "fix two."),
    ]
    rv = invoke(app, "--deploy")
    assert "blog.many (warning)\n  one.\n\n" in rv.output


def test_a_failing_check_is_reported(make_app):
    app = make_app()

    @app.check("blog.broken")
    def broken(app: flask.Flask) -> None:
        raise LookupError("no table")

    [problem] = run_checks(app).problems
    assert problem == Problem(
        "flask.check_failed",
        "error",
        "The check 'blog.broken' raised LookupError: no table",
        "Fix the check.",
    )


def test_check_class():
    with pytest.raises(ValueError, match="must be one of"):
        Check("x", severity="fatal")

    check = Check("x.y", severity="error", fix="Do it.")
    assert repr(check) == "<Check 'x.y' (error)>"

    with pytest.raises(TypeError, match="has no function"):
        check.run(flask.Flask("x"))

    assert check(lambda app: "wrong.") is check
    assert check.run(flask.Flask("x")) == [Problem("x.y", "error", "wrong.", "Do it.")]


@Check("plugin.one", severity="error", fix="Install it properly.")
def plugin_one(app: flask.Flask) -> str | None:
    return None if app.config.get("PLUGIN_OK") else "The plugin is not configured."


PLUGIN_LIST = [
    Check("plugin.two", lambda app: None),
    Check("plugin.three", lambda app: "Three is wrong.", deploy=True),
]
NOT_A_CHECK = object()


def _entry_points(*values: str) -> t.Callable[..., list[importlib.metadata.EntryPoint]]:
    points = [
        importlib.metadata.EntryPoint(f"ep{i}", value, "flask.checks")
        for i, value in enumerate(values)
    ]

    def entry_points(*, group: str) -> list[importlib.metadata.EntryPoint]:
        assert group == "flask.checks"
        return points

    return entry_points


def test_entry_point_checks(make_app, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(
        importlib.metadata,
        "entry_points",
        _entry_points(f"{__name__}:plugin_one", f"{__name__}:PLUGIN_LIST"),
    )
    app = make_app()
    report = run_checks(app, deploy=True)
    assert [p.id for p in report.problems] == ["plugin.one", "plugin.three"]
    assert report.checks_run == len(BUILTIN) + 3
    app.config["PLUGIN_OK"] = True
    assert [p.id for p in run_checks(app).problems] == []


def test_broken_entry_points(make_app, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(
        importlib.metadata,
        "entry_points",
        _entry_points(f"{__name__}:NOT_A_CHECK", "no_such_module_here:x"),
    )
    problems = run_checks(make_app()).problems
    assert [(p.id, p.severity) for p in problems] == [
        ("flask.check_failed", "error")
    ] * 2
    assert "'ep0'" in problems[0].message
    assert "neither a Check nor a list" in problems[0].message
    assert "no_such_module_here" in problems[1].message


def test_the_docs_list_every_check():
    page = Path(__file__).parent.parent / "docs" / "deploying" / "safely.rst"
    text = page.read_text("utf8")

    for check in BUILTIN:
        row = f"   * - ``{check.id}``\n     - {check.severity}\n"
        deploy = f"     - {'yes' if check.deploy else 'no'}\n"
        assert row + deploy in text, check.id
