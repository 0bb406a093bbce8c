"""What ``import flask`` leaves for later: click and the CLI, ``flask check``,
the development server and the opt-in features are loaded when an app
first uses them, and everything still answers as if they had been there
from the start.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import flask

DEFERRED = [
    "click",
    "flask.cli",
    "flask._checks",
    "flask._devserver",
    "flask._discovery",
    "flask._cross_origin",
    "flask._security_headers",
]


def _loaded_after(code: str) -> dict[str, bool]:
    """Run *code* in a fresh interpreter; which DEFERRED modules it loaded."""
    script = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import json, sys
        print(json.dumps({{m: m in sys.modules for m in {DEFERRED!r}}}))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return dict(json.loads(out.splitlines()[-1]))


def test_serving_an_app_loads_none_of_them():
    loaded = _loaded_after(
        """
        import flask

        app = flask.Flask("lazy")
        bp = flask.Blueprint("bp", "lazy")

        @bp.route("/")
        def index():
            return {"session": dict(flask.session)}

        app.register_blueprint(bp)
        app.secret_key = "k"
        # Served as a WSGI server would (flask's test client is the CLI
        # runner's neighbour, and loads click).
        from werkzeug.test import Client

        assert Client(app).get("/").status_code == 200
        """
    )
    assert loaded == dict.fromkeys(DEFERRED, False)


def test_each_is_loaded_by_what_uses_it():
    loaded = _loaded_after(
        """
        import flask

        app = flask.Flask("lazy")
        app.cli
        """
    )
    assert loaded["click"] and loaded["flask.cli"]
    assert not loaded["flask._cross_origin"]

    loaded = _loaded_after(
        """
        import flask

        app = flask.Flask("lazy")
        app.config.update(CROSS_ORIGIN_PROTECTION=True, SECURITY_HEADERS=True)
        app.get("/")(lambda: "ok")
        from werkzeug.test import Client

        assert Client(app).get("/").status_code == 200
        """
    )
    assert loaded["flask._cross_origin"] and loaded["flask._security_headers"]
    assert not loaded["click"]


def test_the_package_still_offers_every_name():
    assert flask.cli.FlaskGroup.__module__ == "flask.cli"
    assert flask.Check.__module__ == "flask._checks"
    assert callable(flask.cross_origin_exempt)
    assert flask.CrossOriginProtection.__module__ == "flask._cross_origin"
    assert callable(flask.csp_nonce)
    from flask import Check
    from flask import cli

    assert Check is flask.Check and cli is flask.cli

    try:
        flask.not_a_name  # noqa: B018
    except AttributeError as e:
        assert "not_a_name" in str(e)
    else:
        raise AssertionError("flask.not_a_name did not raise")


def test_app_cli_is_made_on_first_use_and_can_be_replaced():
    app = flask.Flask("lazy_cli")
    assert "cli" not in vars(app)
    group = app.cli
    assert isinstance(group, flask.cli.AppGroup)
    assert group.name == "lazy_cli"
    assert app.cli is group

    import click

    replacement = flask.cli.AppGroup("other")
    app.cli = replacement
    assert app.cli is replacement

    @app.cli.command("hello")
    def hello():
        click.echo("hi")

    result = app.test_cli_runner().invoke(args=["hello"])
    assert result.output == "hi\n"


def test_blueprint_commands_join_the_app_and_unused_groups_stay_unmade():
    app = flask.Flask("lazy_bp")
    quiet = flask.Blueprint("quiet", __name__)
    loud = flask.Blueprint("loud", __name__)

    @loud.cli.command("shout")
    def shout():
        print("HEY")

    app.register_blueprint(quiet)
    app.register_blueprint(loud)
    assert "cli" not in vars(quiet)
    assert "cli" not in vars(app) or "quiet" not in app.cli.commands
    result = app.test_cli_runner().invoke(args=["loud", "shout"])
    assert result.output == "HEY\n"


def test_app_check_is_registered_without_importing_it_first():
    app = flask.Flask("lazy_check")

    @app.check("lazy.always", fix="Nothing to do.")
    def always(app):
        return "It always complains."

    from flask._checks import _app_checks

    (check,) = _app_checks[app]
    assert check.id == "lazy.always"
    assert check.severity == "warning"
