"""Templates: rendering and streaming, the standard context, context
processors, filters/tests/globals, autoescaping, the Jinja environment
and its loader, and the template signals.
"""

from __future__ import annotations

import logging
import os

import pytest
from blueprintapp import make_shop
from jinja2 import DictLoader
from jinja2 import TemplateNotFound
from jinja2 import TemplatesNotFound
from markupsafe import Markup

import flask
from flask.templating import DispatchingJinjaLoader
from flask.templating import Environment

TESTS_DIR = os.path.dirname(__file__)
CATALOG_DIR = os.path.join(TESTS_DIR, "blueprintapp", "catalog")

# --- rendering -------------------------------------------------------------


def test_render_template_from_app_folder(app, client):
    @app.route("/")
    def index():
        return flask.render_template("hello.html", greeting="Hi", name="Ana")

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b"<h1>Hi, Ana!</h1>"
    assert rv.mimetype == "text/html"


def test_render_template_string(app, client):
    @app.route("/")
    def index():
        return flask.render_template_string("{{ a }} + {{ b }} = {{ a + b }}", a=2, b=3)

    assert client.get("/").data == b"2 + 3 = 5"


def test_render_template_in_subfolder(app, client):
    @app.route("/")
    def index():
        return flask.render_template("nested/inner.txt", value="deep")

    assert client.get("/").data == b"nested: deep"


def test_render_template_with_inheritance(app, client):
    @app.route("/")
    def index():
        return flask.render_template("child.html", value=7)

    assert client.get("/").data == b"<main>child 7</main>"


def test_render_template_list_uses_first_existing(app, client):
    @app.route("/")
    def index():
        return flask.render_template(
            ["missing.html", "nested/inner.txt", "hello.html"], value="first"
        )

    assert client.get("/").data == b"nested: first"


def test_render_template_accepts_template_object(app, app_ctx):
    template = app.jinja_env.from_string("object {{ x }}")
    assert flask.render_template(template, x=1) == "object 1"


def test_template_not_found_raises(app, client):
    @app.route("/")
    def index():
        return flask.render_template("does_not_exist.html")

    with pytest.raises(TemplateNotFound) as exc_info:
        client.get("/")

    assert exc_info.value.name == "does_not_exist.html"


def test_template_list_not_found_names_all(app_ctx):
    with pytest.raises(TemplatesNotFound) as exc_info:
        flask.render_template(["one.html", "two.html"])

    assert exc_info.value.templates == ["one.html", "two.html"]
    assert "one.html" in str(exc_info.value)
    assert "two.html" in str(exc_info.value)


def test_template_not_found_becomes_500_when_not_propagating(app, client, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    # The logger is shared by name between apps; restore it afterwards.
    monkeypatch.setattr(app.logger, "disabled", True)

    @app.route("/")
    def index():
        return flask.render_template("does_not_exist.html")

    assert client.get("/").status_code == 500


def test_no_template_folder_finds_nothing():
    app = flask.Flask("flask_test", template_folder=None)

    with app.app_context():
        assert app.jinja_loader is None

        with pytest.raises(TemplateNotFound):
            flask.render_template("hello.html")


@pytest.mark.parametrize(
    "render",
    [
        lambda: flask.render_template("hello.html"),
        lambda: flask.render_template_string("x"),
        lambda: flask.stream_template("hello.html"),
        lambda: flask.stream_template_string("x"),
    ],
)
def test_render_outside_app_context_fails(render):
    with pytest.raises(RuntimeError, match="application context"):
        render()


def test_render_with_app_context_only(app, app_ctx):
    flask.g.who = "cli"
    rv = flask.render_template_string("{{ g.who }} {{ config.TESTING }}")
    assert rv == "cli True"


def test_request_in_template_without_request_fails(app_ctx):
    with pytest.raises(RuntimeError, match="request context"):
        flask.render_template_string("{{ request.method }}")


def test_get_template_attribute_macro_and_variable(app, app_ctx):
    greet = flask.get_template_attribute("_macros.html", "greet")
    assert greet("Bo") == "Hello Bo!"
    assert flask.get_template_attribute("_macros.html", "answer") == 42


def test_get_template_attribute_missing_raises(app_ctx):
    with pytest.raises(AttributeError, match="nothing_here"):
        flask.get_template_attribute("_macros.html", "nothing_here")


# --- streaming -------------------------------------------------------------


def test_stream_template_through_response(app, client):
    streamed = []

    @app.route("/")
    def index():
        return flask.stream_template("stream.txt", items=["a", "b", "c"])

    @app.after_request
    def check(response):
        streamed.append(response.is_streamed)
        return response

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b"a;b;c;"
    assert streamed == [True]


def test_stream_template_string_through_response(app, client):
    @app.route("/")
    def index():
        return flask.stream_template_string(
            "{% for i in n %}{{ i }}.{% endfor %}", n=[1, 2]
        )

    rv = client.get("/")
    assert rv.data == b"1.2."


@pytest.mark.parametrize("streamer", ["template", "string"])
def test_stream_template_keeps_request_context(app, client, streamer):
    @app.before_request
    def set_g():
        flask.g.who = "streamer"

    @app.route("/")
    def index():
        flask.session["user"] = "ann"

        if streamer == "template":
            return flask.stream_template("standard_context.html")

        return flask.stream_template_string(
            "{{ request.args.q }} {{ g.who }} {{ session.user }} {{ url_for('index') }}"
        )

    rv = client.get("/?q=find")

    if streamer == "template":
        assert rv.data == (b"method=GET arg=find g=streamer debug=False session=ann")
    else:
        assert rv.data == b"find streamer ann /"


def test_stream_template_yields_pieces(app, req_ctx):
    chunks = list(flask.stream_template_string("{{ a }}-{{ b }}", a=1, b=2))
    assert len(chunks) > 1
    assert "".join(chunks) == "1-2"


def test_stream_template_with_app_context_only(app, app_ctx):
    rv = "".join(flask.stream_template_string("{{ v }} {{ g is defined }}", v="x"))
    assert rv == "x True"


def test_stream_template_escapes(app, client):
    @app.route("/")
    def index():
        return flask.stream_template("escape.html", body="<b>", trusted=Markup("<i>"))

    assert client.get("/").data == b"&lt;b&gt;|<i>|<b>"


# --- the standard context ----------------------------------------------------


def test_standard_context_in_request(app, client):
    @app.before_request
    def set_g():
        flask.g.who = "me"

    @app.route("/")
    def index():
        flask.session["user"] = "zoe"
        return flask.render_template("standard_context.html")

    rv = client.get("/?q=42")
    assert rv.data == b"method=GET arg=42 g=me debug=False session=zoe"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ config.SECRET_KEY }}", "test key"),
        ("{{ request.path }}", "/ctx/p"),
        ("{{ request.endpoint }}", "show"),
        ("{{ session.get('missing', 'none') }}", "none"),
        ("{{ g.get('x', 'no g') }}", "no g"),
        ("{{ url_for('show', part='z') }}", "/ctx/z"),
        ("{{ url_for('show', part='z', _external=True) }}", "http://localhost/ctx/z"),
        ("{{ get_flashed_messages()|length }}", "0"),
    ],
)
def test_standard_context_names(app, client, source, expected):
    @app.route("/ctx/<part>")
    def show(part):
        return flask.render_template_string(source)

    assert client.get("/ctx/p").data.decode() == expected


def test_url_for_in_template(app, client):
    @app.route("/")
    def index():
        return flask.render_template("links.html")

    assert client.get("/").data == b'<a href="/?page=2">next</a>'


def test_get_flashed_messages_in_template(app, client):
    @app.route("/flash")
    def flash_view():
        flask.flash("saved")
        flask.flash("<b>done</b>")
        return ""

    @app.route("/show")
    def show():
        return flask.render_template("flashes.html")

    client.get("/flash")
    rv = client.get("/show")
    assert rv.data == b"[saved][&lt;b&gt;done&lt;/b&gt;]"
    assert client.get("/show").data == b""


def test_context_values_override_standard_context(app, client):
    @app.route("/")
    def index():
        return flask.render_template_string("{{ config }}", config="mine")

    assert client.get("/").data == b"mine"


def test_macro_imported_without_context_sees_request(app, client):
    app.jinja_env.loader = DictLoader(
        {
            "macros.html": "{% macro path() %}{{ request.path }}{% endmacro %}",
            "page.html": '{% import "macros.html" as m %}[{{ m.path() }}]',
        }
    )

    @app.route("/somewhere")
    def somewhere():
        return flask.render_template("page.html")

    assert client.get("/somewhere").data == b"[/somewhere]"


# --- context processors -----------------------------------------------------


def test_app_context_processor(app, client):
    @app.context_processor
    def inject():
        return {"from_processor": "injected"}

    @app.route("/")
    def index():
        return flask.render_template("context.html", title="T")

    assert client.get("/").data == b"T:injected"


def test_render_arguments_win_over_context_processor(app, client):
    @app.context_processor
    def inject():
        return {"title": "processor", "from_processor": "p"}

    @app.route("/")
    def index():
        return flask.render_template("context.html", title="argument")

    assert client.get("/").data == b"argument:p"


def test_context_processors_run_in_order(app, client):
    @app.context_processor
    def first():
        return {"value": "first", "only_first": 1}

    @app.context_processor
    def second():
        return {"value": "second"}

    @app.route("/")
    def index():
        return flask.render_template_string("{{ value }} {{ only_first }}")

    assert client.get("/").data == b"second 1"


def test_context_processor_can_override_standard_context(app, client):
    @app.context_processor
    def inject():
        return {"g": "not g"}

    @app.route("/")
    def index():
        return flask.render_template_string("{{ g }}")

    assert client.get("/").data == b"not g"


def test_async_context_processor(app, client):
    pytest.importorskip("asgiref")

    @app.context_processor
    async def inject():
        return {"from_processor": "async"}

    @app.route("/")
    def index():
        return flask.render_template("context.html", title="A")

    assert client.get("/").data == b"A:async"


def test_blueprint_context_processor_only_for_its_requests(app, client):
    bp = flask.Blueprint("bp", __name__)

    @bp.context_processor
    def inject():
        return {"from_processor": "bp"}

    @bp.route("/bp")
    def bp_view():
        return flask.render_template("context.html", title="in")

    @app.route("/app")
    def app_view():
        return flask.render_template("context.html", title="out")

    app.register_blueprint(bp)
    assert client.get("/bp").data == b"in:bp"
    assert client.get("/app").data == b"out:"


def test_blueprint_app_context_processor_for_all_requests(app, client):
    bp = flask.Blueprint("bp", __name__)

    @bp.app_context_processor
    def inject():
        return {"from_processor": "everywhere"}

    @app.route("/")
    def index():
        return flask.render_template("context.html", title="app")

    app.register_blueprint(bp)
    assert client.get("/").data == b"app:everywhere"


def test_blueprint_context_processor_overrides_app(app, client):
    bp = flask.Blueprint("bp", __name__)

    @app.context_processor
    def app_inject():
        return {"from_processor": "app", "title": "app title"}

    @bp.context_processor
    def bp_inject():
        return {"from_processor": "bp"}

    @bp.route("/")
    def index():
        return flask.render_template("context.html")

    app.register_blueprint(bp)
    assert client.get("/").data == b"app title:bp"


def test_nested_blueprint_context_processors_inner_wins(app, client):
    app.register_blueprint(make_shop())
    assert client.get("/shop/").data == b"shop page, level shop"
    assert client.get("/shop/catalog/").data == b"catalog page, level catalog"
    assert client.get("/shop/catalog/items/").data == b"items page, level items"


def test_context_processor_without_request(app, app_ctx):
    bp = flask.Blueprint("bp", __name__)

    @bp.context_processor
    def bp_inject():
        return {"from_processor": "bp"}

    @app.context_processor
    def app_inject():
        return {"title": "app"}

    app.register_blueprint(bp)
    assert flask.render_template("context.html") == "app:"


def test_update_template_context(app, req_ctx):
    @app.context_processor
    def inject():
        return {"extra": 1, "keep": "processor"}

    context = {"keep": "mine"}
    app.update_template_context(context)
    assert context["extra"] == 1
    assert context["keep"] == "mine"
    assert context["request"] is flask.request._get_current_object()
    assert context["g"] is flask.g._get_current_object()
    # The session is a template global, not a context value.
    assert set(context) == {"extra", "keep", "request", "g"}


# --- filters, tests and globals -------------------------------------------


def _register(app, kind, form, func, name):
    """Register ``func`` as a template filter/test/global on ``app``
    through the decorator or the ``add_*`` method, with or without a name.
    """
    if form == "decorator":
        decorator = getattr(app, f"template_{kind}")
        return decorator(name)(func) if name else decorator()(func)

    add = getattr(app, f"add_template_{kind}")
    return add(func, name) if name else add(func)


@pytest.mark.parametrize("form", ["decorator", "add"])
@pytest.mark.parametrize("name", [None, "rev"])
def test_template_filter(app, client, form, name):
    def reverse_text(s):
        return s[::-1]

    _register(app, "filter", form, reverse_text, name)
    registered = name or "reverse_text"
    assert app.jinja_env.filters[registered] is reverse_text

    @app.route("/")
    def index():
        return flask.render_template_string(
            f"{{{{ value|{registered} }}}}", value="abc"
        )

    assert client.get("/").data == b"cba"


def test_template_filter_decorator_returns_function(app):
    @app.template_filter()
    def shout(s):
        return s.upper()

    assert shout("a") == "A"


@pytest.mark.parametrize("form", ["decorator", "add"])
@pytest.mark.parametrize("name", [None, "even"])
def test_template_test(app, client, form, name):
    def is_even_number(n):
        return n % 2 == 0

    _register(app, "test", form, is_even_number, name)
    registered = name or "is_even_number"
    assert app.jinja_env.tests[registered] is is_even_number

    @app.route("/<int:n>")
    def index(n):
        return flask.render_template_string(
            f"{{% if n is {registered} %}}even{{% else %}}odd{{% endif %}}", n=n
        )

    assert client.get("/4").data == b"even"
    assert client.get("/3").data == b"odd"


@pytest.mark.parametrize("form", ["decorator", "add"])
@pytest.mark.parametrize("name", [None, "answer"])
def test_template_global(app, client, form, name):
    def get_answer():
        return 42

    _register(app, "global", form, get_answer, name)
    registered = name or "get_answer"
    assert app.jinja_env.globals[registered] is get_answer

    @app.route("/")
    def index():
        return flask.render_template_string(f"{{{{ {registered}() }}}}")

    assert client.get("/").data == b"42"


def test_template_global_usable_in_macro_without_context(app, app_ctx):
    @app.template_global()
    def site_name():
        return "Site"

    app.jinja_env.loader = DictLoader(
        {
            "m.html": "{% macro title() %}{{ site_name() }}{% endmacro %}",
            "p.html": '{% from "m.html" import title %}{{ title() }}',
        }
    )
    assert flask.render_template("p.html") == "Site"


def test_template_filter_after_env_created(app, client):
    # Creating the environment first must not lose later registrations.
    assert app.jinja_env is not None

    @app.template_filter("twice")
    def twice(s):
        return s * 2

    @app.route("/")
    def index():
        return flask.render_template_string("{{ 'ab'|twice }}")

    assert client.get("/").data == b"abab"


# --- autoescaping ------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("escape.html", "&lt;script&gt;|<em>|<script>"),
        ("escape.htm", "&lt;script&gt;"),
        ("escape.xml", "<doc>&lt;script&gt;</doc>"),
        ("escape.xhtml", "<html>&lt;script&gt;</html>"),
        ("escape.svg", "<svg>&lt;script&gt;</svg>"),
        ("escape.txt", "<script>|<em>|<script>"),
    ],
)
def test_autoescape_by_extension(app, client, template, expected):
    @app.route("/")
    def index():
        return flask.render_template(template, body="<script>", trusted=Markup("<em>"))

    assert client.get("/").data.decode() == expected


def test_autoescape_template_string(app, client):
    @app.route("/")
    def index():
        return flask.render_template_string("{{ body }}", body="<a href='x'>")

    assert client.get("/").data == b"&lt;a href=&#39;x&#39;&gt;"


def test_user_input_escaped_in_html(app, client):
    @app.route("/")
    def index():
        return flask.render_template(
            "hello.html", greeting="Hi", name=flask.request.args["name"]
        )

    rv = client.get("/", query_string={"name": '<img src=x onerror="alert(1)">'})
    assert rv.data == (b"<h1>Hi, &lt;img src=x onerror=&#34;alert(1)&#34;&gt;!</h1>")


def test_user_input_not_escaped_in_txt(app, client):
    @app.route("/")
    def index():
        return flask.render_template(
            "mail.txt", name=flask.request.args["name"], note="&"
        )

    rv = client.get("/", query_string={"name": "<Ann & Bo>"})
    assert rv.data == b"Dear <Ann & Bo>,\n&"


@pytest.mark.parametrize("template", ["escape.html", "escape.txt"])
def test_markup_and_safe_pass_through(app, app_ctx, template):
    rv = flask.render_template(template, body="<b>x</b>", trusted=Markup("<i>y</i>"))
    assert rv.split("|")[1:] == ["<i>y</i>", "<b>x</b>"]


def test_autoescape_false_block(app, app_ctx):
    rv = flask.render_template_string(
        "{% autoescape false %}{{ v }}{% endautoescape %}|{{ v }}", v="<p>"
    )
    assert rv == "<p>|&lt;p&gt;"


def test_select_jinja_autoescape_default(app):
    assert app.select_jinja_autoescape(None) is True
    assert app.select_jinja_autoescape("page.html") is True
    assert app.select_jinja_autoescape("image.svg") is True
    assert app.select_jinja_autoescape("mail.txt") is False
    assert app.select_jinja_autoescape("script.js") is False


def test_select_jinja_autoescape_override(client):
    class TextEscapingFlask(flask.Flask):
        def select_jinja_autoescape(self, filename):
            if filename is not None and filename.endswith(".txt"):
                return True

            return super().select_jinja_autoescape(filename)

    app = TextEscapingFlask("flask_test", root_path=TESTS_DIR)

    @app.route("/")
    def index():
        return flask.render_template("mail.txt", name="<x>", note="")

    assert app.test_client().get("/").data == b"Dear &lt;x&gt;,\n"


# --- tojson -------------------------------------------------------------------


def test_tojson_filter_in_script(app, client):
    @app.route("/")
    def index():
        return flask.render_template(
            "tojson.html", data={"end": "</script>", "q": "'&"}
        )

    rv = client.get("/")
    assert rv.data == (
        b'<script>var data = {"end": "\\u003c/script\\u003e",'
        b' "q": "\\u0027\\u0026"};</script>'
    )


def test_tojson_output_is_safe(app, app_ctx):
    rv = flask.render_template_string("{{ data|tojson }}", data=["a", 1])
    assert rv == '["a", 1]'


def test_tojson_uses_app_json_provider(app, app_ctx):
    class ShoutingProvider(flask.json.provider.DefaultJSONProvider):
        def dumps(self, obj, **kwargs):
            return super().dumps(obj, **kwargs).upper()

    app.json = ShoutingProvider(app)
    app.jinja_env.policies["json.dumps_function"] = app.json.dumps
    assert flask.render_template_string("{{ 'abc'|tojson }}") == '"ABC"'


def test_tojson_sorts_keys(app, app_ctx):
    rv = flask.render_template_string("{{ d|tojson }}", d={"b": 1, "a": 2})
    assert rv == '{"a": 2, "b": 1}'


# --- the environment -----------------------------------------------------------


def test_jinja_env_is_flask_environment(app):
    env = app.jinja_env
    assert isinstance(env, Environment)
    assert env.app is app
    assert isinstance(env.loader, DispatchingJinjaLoader)
    assert app.jinja_env is env


def test_jinja_env_globals(app):
    env = app.jinja_env
    assert env.globals["config"] is app.config
    assert env.globals["url_for"] == app.url_for
    assert env.globals["get_flashed_messages"] is flask.get_flashed_messages
    assert env.globals["request"] is flask.request
    assert env.globals["session"] is flask.session
    assert env.globals["g"] is flask.g


@pytest.mark.parametrize(
    ("options", "source", "expected"),
    [
        ({"trim_blocks": True}, "{% if true %}\nyes\n{% endif %}\n", "yes\n"),
        ({"line_statement_prefix": "%"}, "% if true\nline\n% endif", "line\n"),
        ({"autoescape": False}, "{{ v }}", "<b>"),
        (
            {"variable_start_string": "[[", "variable_end_string": "]]"},
            "[[ v ]]",
            "&lt;b&gt;",
        ),
    ],
)
def test_jinja_options(options, source, expected):
    class CustomFlask(flask.Flask):
        jinja_options = options

    app = CustomFlask("flask_test")

    with app.app_context():
        assert flask.render_template_string(source, v="<b>") == expected


def test_jinja_options_keep_flask_defaults():
    class CustomFlask(flask.Flask):
        jinja_options = {"trim_blocks": True}

    app = CustomFlask("flask_test")
    assert app.jinja_env.trim_blocks is True
    assert app.jinja_env.autoescape == app.select_jinja_autoescape
    assert "url_for" in app.jinja_env.globals


def test_jinja_options_extensions():
    class CustomFlask(flask.Flask):
        jinja_options = {"extensions": ["jinja2.ext.loopcontrols"]}

    app = CustomFlask("flask_test")

    with app.app_context():
        rv = flask.render_template_string(
            "{% for i in range(5) %}{% if i == 2 %}{% break %}{% endif %}"
            "{{ i }}{% endfor %}"
        )

    assert rv == "01"


def test_custom_jinja_environment_class(client):
    class MyEnvironment(Environment):
        pass

    class CustomFlask(flask.Flask):
        jinja_environment = MyEnvironment

    app = CustomFlask("flask_test", root_path=TESTS_DIR)
    assert type(app.jinja_env) is MyEnvironment

    @app.route("/")
    def index():
        return flask.render_template("hello.html", greeting="Yo", name="env")

    assert app.test_client().get("/").data == b"<h1>Yo, env!</h1>"


def test_create_jinja_environment_override():
    class CustomFlask(flask.Flask):
        def create_jinja_environment(self):
            env = super().create_jinja_environment()
            env.globals["brand"] = "ACME"
            return env

    app = CustomFlask("flask_test")

    with app.app_context():
        assert flask.render_template_string("{{ brand }}") == "ACME"


def test_jinja_env_created_lazily(monkeypatch):
    calls = []

    class CustomFlask(flask.Flask):
        def create_jinja_environment(self):
            calls.append(1)
            return super().create_jinja_environment()

    app = CustomFlask("flask_test")

    @app.route("/")
    def index():
        return "no templates"

    app.test_client().get("/")
    assert calls == []
    app.jinja_env  # noqa: B018
    app.jinja_env  # noqa: B018
    assert calls == [1]


def test_jinja_loader_override():
    class CustomFlask(flask.Flask):
        @property
        def jinja_loader(self):
            return DictLoader({"virtual.txt": "from dict {{ n }}"})

    app = CustomFlask("flask_test")

    with app.app_context():
        assert flask.render_template("virtual.txt", n=1) == "from dict 1"


# --- auto reload -----------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "debug", "expected"),
    [
        (None, False, False),
        (None, True, True),
        (True, False, True),
        (False, True, False),
    ],
)
def test_templates_auto_reload_config(config, debug, expected):
    app = flask.Flask("flask_test")
    app.config["TEMPLATES_AUTO_RELOAD"] = config
    app.config["DEBUG"] = debug
    assert app.jinja_env.auto_reload is expected


def test_debug_setter_updates_auto_reload():
    app = flask.Flask("flask_test")
    assert app.jinja_env.auto_reload is False
    app.debug = True
    assert app.jinja_env.auto_reload is True
    app.debug = False
    assert app.jinja_env.auto_reload is False


def test_debug_setter_keeps_explicit_auto_reload():
    app = flask.Flask("flask_test")
    app.config["TEMPLATES_AUTO_RELOAD"] = False
    assert app.jinja_env.auto_reload is False
    app.debug = True
    assert app.jinja_env.auto_reload is False


def test_auto_reload_follows_flask_debug_env(monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = flask.Flask("flask_test")
    assert app.debug is True
    assert app.jinja_env.auto_reload is True


@pytest.mark.parametrize("auto_reload", [True, False])
def test_auto_reload_rereads_changed_template(tmp_path, auto_reload):
    (tmp_path / "templates").mkdir()
    path = tmp_path / "templates" / "page.txt"
    path.write_text("version 1")
    app = flask.Flask("flask_test", root_path=str(tmp_path))
    app.config["TEMPLATES_AUTO_RELOAD"] = auto_reload

    with app.app_context():
        assert flask.render_template("page.txt") == "version 1"
        path.write_text("version 2")
        mtime = os.path.getmtime(path) + 10
        os.utime(path, (mtime, mtime))
        expected = "version 2" if auto_reload else "version 1"
        assert flask.render_template("page.txt") == expected


# --- explain template loading -----------------------------------------------


@pytest.fixture
def app_logs(app, caplog, monkeypatch):
    """Capture the app logger's records from INFO up. The logger is shared
    by name between apps, so make sure an earlier test did not leave it
    disabled or cut off from the root logger.
    """
    monkeypatch.setattr(app.logger, "disabled", False)
    monkeypatch.setattr(app.logger, "propagate", True)
    caplog.set_level(logging.INFO, logger=app.logger.name)

    def messages():
        return [r.getMessage() for r in caplog.records if r.name == app.logger.name]

    return messages


def test_explain_template_loading_found(app, client, app_logs, caplog):
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True

    @app.route("/")
    def index():
        return flask.render_template("hello.html", greeting="a", name="b")

    assert client.get("/").status_code == 200
    records = [r for r in caplog.records if r.name == app.logger.name]
    assert [r.levelno for r in records] == [logging.INFO]
    message = records[0].getMessage()
    assert message.startswith("Locating template 'hello.html':")
    assert "trying loader of application 'flask_test'" in message
    assert f"-> found ({os.path.join(TESTS_DIR, 'templates', 'hello.html')!r})" in (
        message
    )
    assert "Error" not in message
    assert "Warning" not in message


def test_explain_template_loading_not_found(app, app_ctx, app_logs):
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True

    with pytest.raises(TemplateNotFound):
        flask.render_template("nope.txt")

    (message,) = app_logs()
    assert message.startswith("Locating template 'nope.txt':")
    assert "-> no match" in message
    assert "Error: the template could not be found." in message


def test_explain_template_loading_lists_every_loader(app, client, app_logs):
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    app.register_blueprint(make_shop())

    @app.route("/")
    def index():
        return flask.render_template("bp_shared.txt")

    assert client.get("/").data == b"catalog version of bp_shared"
    (message,) = app_logs()
    lines = [line.strip() for line in message.splitlines()]
    assert [line for line in lines if "trying loader" in line] == [
        "1: trying loader of application 'flask_test'",
        "2: trying loader of blueprint 'shop' (blueprintapp)",
        "3: trying loader of blueprint 'catalog' (blueprintapp.catalog)",
        "4: trying loader of blueprint 'items' (blueprintapp.catalog.items)",
    ]
    catalog = os.path.join(CATALOG_DIR, "templates", "bp_shared.txt")
    items = os.path.join(CATALOG_DIR, "items", "templates", "bp_shared.txt")
    assert [line for line in lines if line.startswith("->")] == [
        "-> no match",
        "-> no match",
        f"-> found ({catalog!r})",
        f"-> found ({items!r})",
    ]
    assert "Warning: multiple loaders returned a match for the template." in message


def test_explain_template_loading_from_blueprint_view(app, client, app_logs):
    app.config["EXPLAIN_TEMPLATE_LOADING"] = True
    app.register_blueprint(make_shop())
    assert client.get("/shop/catalog/").data == b"catalog page, level catalog"
    (message,) = app_logs()
    assert message.count("-> found") == 1
    assert "Warning" not in message


def test_explain_template_loading_off_logs_nothing(app, client, app_logs):
    @app.route("/")
    def index():
        return flask.render_template("hello.html")

    client.get("/")
    assert app_logs() == []


# --- the loader ----------------------------------------------------------


def test_app_templates_before_blueprint_templates(app, app_ctx):
    app.register_blueprint(make_shop())
    assert flask.render_template("shared.txt") == "app version of shared"


def test_blueprints_searched_in_registration_order(app, app_ctx):
    app.register_blueprint(make_shop())
    # Both nested levels have it; the middle one was registered first.
    assert flask.render_template("bp_shared.txt") == "catalog version of bp_shared"


def test_blueprint_registration_order_decides(app, app_ctx):
    first = flask.Blueprint("first", __name__, template_folder="templates")
    second = flask.Blueprint(
        "second",
        __name__,
        root_path=os.path.join(CATALOG_DIR, "items"),
        template_folder="templates",
    )
    third = flask.Blueprint(
        "third",
        __name__,
        root_path=CATALOG_DIR,
        template_folder="templates",
    )
    app.register_blueprint(first)
    app.register_blueprint(second)
    app.register_blueprint(third)
    assert flask.render_template("bp_shared.txt") == "items version of bp_shared"


def test_blueprint_view_renders_its_templates(app, client):
    app.register_blueprint(make_shop())
    assert client.get("/shop/catalog/items/").data == b"items page, level items"


def test_blueprint_template_visible_from_app_view(app, client):
    app.register_blueprint(make_shop())

    @app.route("/")
    def index():
        return flask.render_template("items/page.html", level="app")

    assert client.get("/").data == b"items page, level app"


def test_list_templates(app):
    app.register_blueprint(make_shop())
    names = app.jinja_env.list_templates()
    assert len(names) == len(set(names))
    for name in [
        "hello.html",
        "nested/inner.txt",
        "shop/page.html",
        "catalog/page.html",
        "items/page.html",
        "bp_shared.txt",
        "shared.txt",
    ]:
        assert name in names


def test_list_templates_without_folders():
    app = flask.Flask("flask_test", template_folder=None)
    assert app.jinja_env.list_templates() == []


def test_dispatching_loader_get_source(app):
    loader = app.jinja_env.loader
    source, filename, uptodate = loader.get_source(app.jinja_env, "hello.html")
    assert source == "<h1>{{ greeting }}, {{ name }}!</h1>\n"
    assert filename == os.path.join(app.root_path, "templates", "hello.html")
    assert uptodate()

    with pytest.raises(TemplateNotFound):
        loader.get_source(app.jinja_env, "missing.txt")


def test_blueprint_without_template_folder_is_skipped(app, app_ctx):
    app.register_blueprint(flask.Blueprint("plain", __name__))
    assert app.blueprints["plain"].jinja_loader is None
    assert flask.render_template("nested/inner.txt", value=1) == "nested: 1"


# --- signals -------------------------------------------------------------------


def test_template_rendered_signal(app, client):
    recorded = []

    @app.route("/")
    def index():
        return flask.render_template("hello.html", greeting="Hi", name="sig")

    def record(sender, template, context, **extra):
        recorded.append((sender, template, context))

    with flask.template_rendered.connected_to(record, app):
        client.get("/")

    assert len(recorded) == 1
    sender, template, context = recorded[0]
    assert sender is app
    assert template.name == "hello.html"
    assert context["name"] == "sig"
    assert "g" in context and "request" in context


def test_before_render_template_signal_can_change_context(app, client):
    @app.route("/")
    def index():
        return flask.render_template("hello.html", greeting="Hi", name="before")

    def change(sender, template, context, **extra):
        context["name"] = "changed"

    with flask.before_render_template.connected_to(change, app):
        rv = client.get("/")

    assert rv.data == b"<h1>Hi, changed!</h1>"


def test_signals_order_and_template_string(app, client):
    events = []

    @app.route("/")
    def index():
        events.append("view")
        return flask.render_template_string("{{ x }}", x=1)

    def before(sender, template, context, **extra):
        events.append(("before", template.name, context["x"]))

    def after(sender, template, context, **extra):
        events.append(("after", template.name))

    with flask.before_render_template.connected_to(before, app):
        with flask.template_rendered.connected_to(after, app):
            client.get("/")

    assert events == ["view", ("before", None, 1), ("after", None)]


def test_stream_template_signals(app, client):
    events = []

    @app.route("/")
    def index():
        return flask.stream_template("stream.txt", items=["a"])

    def before(sender, template, context, **extra):
        events.append(("before", template.name))

    def after(sender, template, context, **extra):
        events.append(("after", template.name))

    with flask.before_render_template.connected_to(before, app):
        with flask.template_rendered.connected_to(after, app):
            rv = client.get("/")
            # Rendering happens as the body is read.
            assert rv.data == b"a;"

    assert events == [("before", "stream.txt"), ("after", "stream.txt")]


def test_signals_not_sent_for_other_app(app, client):
    other = flask.Flask("other")
    recorded = []

    @app.route("/")
    def index():
        return flask.render_template_string("x")

    def record(sender, **extra):
        recorded.append(sender)

    with flask.template_rendered.connected_to(record, other):
        client.get("/")

    assert recorded == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ d.name }}", "n"),
        ("{{ d.missing }}", ""),
        ("{{ d.missing is defined }}", "False"),
        ("{{ d.items is callable }}", "True"),  # the method, not the key
        ("{{ d['items'] }}", "key"),
        ("{{ d.get('name') }}", "n"),
        ("{{ sub.name }}", "sub"),
        ("{{ obj.name }}", "attr"),
    ],
)
def test_dotted_lookup_on_dicts(app, source, expected):
    class Sub(dict):
        pass

    class Obj:
        name = "attr"

    with app.app_context():
        out = flask.render_template_string(
            source,
            d={"name": "n", "items": "key"},
            sub=Sub(name="sub"),
            obj=Obj(),
        )

    assert out == expected


def test_dotted_lookup_missing_key_is_strict_when_undefined_is(app):
    from jinja2 import StrictUndefined
    from jinja2 import UndefinedError

    app.jinja_options = {"undefined": StrictUndefined}

    with app.app_context():
        with pytest.raises(UndefinedError, match="missing"):
            flask.render_template_string("{{ d.missing }}", d={})


def test_default_context_processor_values(app):
    from flask.templating import _default_template_ctx_processor

    assert _default_template_ctx_processor() == {}

    with app.app_context():
        assert _default_template_ctx_processor() == {"g": flask.g._get_current_object()}

    with app.test_request_context():
        values = _default_template_ctx_processor()
        assert sorted(values) == ["g", "request"]
        assert values["request"] is flask.request._get_current_object()


@pytest.mark.parametrize("explain", [False, True])
def test_loader_errors_other_than_not_found_propagate(app, explain):
    class Broken(DictLoader):
        def get_source(self, environment, template):
            raise ValueError("broken loader")

    app.config["EXPLAIN_TEMPLATE_LOADING"] = explain
    app.jinja_loader = None  # type: ignore[misc]
    bp = flask.Blueprint("broken", __name__)
    bp.jinja_loader = Broken({})  # type: ignore[misc]
    app.register_blueprint(bp)

    with app.app_context(), pytest.raises(ValueError, match="broken loader"):
        flask.render_template("any.html")
