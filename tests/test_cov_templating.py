"""Template details the area suites leave out: blueprints without a
template folder among those searched, a loader given in ``jinja_options``,
and the template context outside a request.
"""

from __future__ import annotations

import jinja2
import pytest

import flask


@pytest.fixture
def bp_templates(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "cov_bp_only.html").write_text("bp says {{ word }}")
    return tmp_path


@pytest.mark.parametrize("explain", [False, True])
def test_blueprint_without_templates_is_skipped(app, bp_templates, explain):
    app.config["EXPLAIN_TEMPLATE_LOADING"] = explain
    app.logger.disabled = True
    app.register_blueprint(flask.Blueprint("plain", __name__))
    app.register_blueprint(
        flask.Blueprint(
            "themed", __name__, root_path=str(bp_templates), template_folder="templates"
        )
    )

    @app.route("/")
    def index():
        return flask.render_template("cov_bp_only.html", word="hi")

    assert app.test_client().get("/").data == b"bp says hi"


def test_list_templates_skips_blueprints_without_templates(app, bp_templates):
    app.register_blueprint(flask.Blueprint("plain", __name__))
    app.register_blueprint(
        flask.Blueprint(
            "themed", __name__, root_path=str(bp_templates), template_folder="templates"
        )
    )
    names = app.jinja_env.list_templates()
    assert "cov_bp_only.html" in names
    # The app's own folder is listed too.
    assert "hello.html" in names


def test_loader_from_jinja_options_replaces_the_dispatching_loader(app):
    loader = jinja2.DictLoader({"only.html": "dict {{ 1 + 1 }}"})
    app.jinja_options = {"loader": loader}

    with app.app_context():
        assert app.jinja_env.loader is loader
        assert flask.render_template("only.html") == "dict 2"
        assert app.jinja_env.list_templates() == ["only.html"]

        # The app's template folder is not searched.
        with pytest.raises(jinja2.TemplateNotFound):
            flask.render_template("hello.html")


def test_update_template_context_per_active_context(app):
    @app.context_processor
    def extra():
        return {"extra": 1}

    context = {"extra": "given"}
    app.update_template_context(context)
    # No context: only the processors' own values; given values win.
    assert context == {"extra": "given"}

    with app.app_context():
        context = {}
        app.update_template_context(context)
        assert context == {"g": flask.g._get_current_object(), "extra": 1}

        with app.test_request_context():
            context = {}
            app.update_template_context(context)
            assert sorted(context) == ["extra", "g", "request"]
            assert context["request"] is flask.request._get_current_object()
