"""Templates, flashing and streaming."""

from __future__ import annotations

import typing as t

from markupsafe import Markup

import flask

from . import _differs
from . import _kit
from . import scenario


def _template_app(**config: t.Any) -> tuple[flask.Flask, _kit.Probe]:
    app = _kit.make_app(NAME="cfg", **config)
    probe = _kit.observe(app)

    @app.context_processor
    def inject() -> dict[str, t.Any]:
        probe("context_processor")
        return {"injected": "yes", "title": "from processor"}

    @app.template_filter()
    def shout(s: t.Any) -> str:
        return str(s).upper() + "!"

    @app.template_filter("wrap")
    def wrap(s: t.Any) -> Markup:
        return Markup("<w>%s</w>") % s

    @app.template_test("even")
    def even(n: int) -> bool:
        return n % 2 == 0

    @app.template_global()
    def twice(x: t.Any) -> t.Any:
        return x * 2

    return app, probe


SOURCES: dict[str, tuple[str, dict[str, t.Any]]] = {
    "autoescape": ("{{ v }}", {"v": "<b>&"}),
    "markup": ("{{ v }}", {"v": Markup("<b>ok</b>")}),
    "safe": ("{{ v|safe }}", {"v": "<b>"}),
    "filters": ("{{ 'a'|shout }} {{ '<x>'|wrap }}", {}),
    "tests": ("{{ 4 is even }} {{ 3 is even }}", {}),
    "globals": ("{{ twice(3) }} {{ twice('ab') }}", {}),
    "injected": ("{{ injected }} {{ title }}", {}),
    "context_overrides": ("{{ title }}", {"title": "from call"}),
    "proxies": (
        "{{ request.path }} {{ session.get('k') }} {{ g.x }} {{ config.NAME }}",
        {},
    ),
    "url_for": (
        "{{ url_for('index', a=1) }} {{ url_for('static', filename='a b') }}",
        {},
    ),
    "tojson": ("{{ {'a': '<\\'>'}|tojson }}", {}),
    "get_flashed": ("{{ get_flashed_messages() }}", {}),
    "undefined": ("[{{ nope }}] [{{ nope.attr|default('d') }}]", {}),
    "undefined_attr_error": ("{{ nope.attr.deeper }}", {}),
    "syntax_error": ("{% if %}", {}),
    "autoescape_off": (
        "{% autoescape false %}{{ v }}{% endautoescape %}",
        {"v": "<i>"},
    ),
    "include_missing": ("{% include 'does_not_exist.html' %}", {}),
    "extends": ("{% extends 'page.html' %}", {"title": "ext"}),
    "dict_attr": (
        "{{ d.key }} {{ d.items.__name__ }} {{ d['items'] }}"
        " {{ d.missing is defined }}",
        {"d": {"key": "v", "items": "shadow"}},
    ),
}


@scenario(list(SOURCES))
def render_string(kind: str) -> t.Any:
    app, probe = _template_app()
    source, context = SOURCES[kind]

    @app.route("/")
    def index() -> t.Any:
        flask.g.x = "gx"
        flask.session["k"] = "sv"
        flask.flash("flashed")
        return flask.render_template_string(source, **context)

    return probe.record(out=_kit.get_all(app, "/"))


FILES: dict[str, dict[str, t.Any]] = {
    "page.html": {"title": "<T>"},
    "plain.txt": {"value": "<v>"},
    "value.html": {"value": "<v>"},
    "value.svg": {"value": "<v>"},
    "child.html": {"title": "child"},
    "missing.html": {},
    "includes_missing.html": {},
}


@scenario([(f, debug) for f in FILES for debug in (0, 1)])
def render_file(name: str, debug: int) -> t.Any:
    app, probe = _template_app(DEBUG=bool(debug), TESTING=True)

    @app.route("/")
    def index() -> t.Any:
        flask.flash("one", "info")
        flask.flash(Markup("<b>two</b>"), "warn")
        return flask.render_template(name, **FILES[name])

    def listing() -> t.Any:
        return flask.render_template(["missing.html", name], **FILES[name])

    @app.route("/list")
    def list_view() -> t.Any:
        return listing()

    return probe.record(out=_kit.get_all(app, "/", "/list"))


@scenario(
    ["outside_request", "app_ctx", "no_ctx"], differs={"app_ctx": _differs.first_lines}
)
def render_contexts(kind: str) -> t.Any:
    app, probe = _template_app()

    def run() -> t.Any:
        return flask.render_template_string(
            "{{ injected }} {{ request }} {{ session }} {{ g }} {{ config.NAME }}"
        )

    if kind == "app_ctx":
        with app.app_context():
            rv = _kit.call(run)
    elif kind == "outside_request":
        with app.test_request_context("/x"):
            rv = _kit.call(run)
    else:
        rv = _kit.call(run)
        rv = {"raised_type": rv.get("raised", {}).get("type")}

    return probe.record(rv=rv)


@scenario(
    [
        "stream_template",
        "stream_string",
        "stream_with_context",
        "generator_no_ctx",
        "stream_error",
    ]
)
def streaming(kind: str) -> t.Any:
    app, probe = _template_app(testing=True)

    @app.route("/")
    def index() -> t.Any:
        flask.g.x = "gx"

        if kind == "stream_template":
            return flask.stream_template(
                "stream.html", a=flask.request.args["a"], items=[1, 2]
            )

        if kind == "stream_string":
            return flask.stream_template_string("{{ a }}{{ request.path }}", a=1)

        if kind == "stream_with_context":

            @flask.stream_with_context
            def gen() -> t.Iterator[str]:
                yield flask.request.args["a"]
                yield flask.g.x
                probe("gen end", _kit.ctx_state()["request"])

            return gen()

        if kind == "stream_error":

            def bad() -> t.Iterator[str]:
                yield "start"
                raise ValueError("mid-stream")

            return flask.Response(flask.stream_with_context(bad()))

        def gen2() -> t.Iterator[str]:
            yield "a"
            yield _kit.call(lambda: flask.request.path)["raised"]["type"]

        return gen2()

    return probe.record(out=_kit.get_all(app, "/?a=A"))


@scenario(["basic", "categories", "filter", "peek_twice", "no_session_key", "markup"])
def flashing(kind: str) -> t.Any:
    app = _kit.make_app(secret=None if kind == "no_session_key" else "s")
    probe = _kit.observe(app)

    @app.route("/flash")
    def do_flash() -> t.Any:
        flask.flash("plain")
        flask.flash("error msg", "error")
        flask.flash(Markup("<b>m</b>") if kind == "markup" else "warn msg", "warning")
        return "flashed"

    @app.route("/show")
    def show() -> t.Any:
        if kind == "categories":
            return {"m": flask.get_flashed_messages(with_categories=True)}

        if kind == "filter":
            return {
                "m": flask.get_flashed_messages(category_filter=["error", "warning"])
            }

        if kind == "peek_twice":
            return {"m": [flask.get_flashed_messages(), flask.get_flashed_messages()]}

        return {"m": [str(m) for m in flask.get_flashed_messages()]}

    client = app.test_client()
    return probe.record(
        out=[
            _kit.req(client, "/flash"),
            _kit.req(client, "/show"),
            _kit.req(client, "/show"),
        ]
    )


@scenario(
    [
        "loader_options",
        "jinja_options",
        "env_globals",
        "autoescape_select",
        "trim_blocks",
    ]
)
def jinja_environment(kind: str) -> t.Any:
    class App(flask.Flask):
        if kind == "jinja_options":
            jinja_options = {"line_statement_prefix": "%"}

        if kind == "trim_blocks":
            jinja_options = {"trim_blocks": True}

    app = _kit.make_app(App)

    if kind == "env_globals":
        app.jinja_env.globals["answer"] = 42
        app.jinja_env.filters["rev"] = lambda s: s[::-1]

    source = {
        "loader_options": "{{ self._TemplateReference__context.name }}",
        "jinja_options": "% for i in [1, 2]\n{{ i }}\n% endfor\n",
        "env_globals": "{{ answer }} {{ 'abc'|rev }}",
        "autoescape_select": "{{ '<x>' }}",
        "trim_blocks": "{% if true %}\nx\n{% endif %}\n",
    }[kind]

    with app.app_context():
        rv = _kit.call(flask.render_template_string, source)
        names = sorted(
            n
            for n in app.jinja_env.globals
            if n
            in ("url_for", "get_flashed_messages", "config", "request", "session", "g")
        )
        auto = [
            app.select_jinja_autoescape(n)
            for n in ("a.html", "a.txt", "a.xhtml", "a.svg", "a.xml", "a.htm")
        ]

    return {"rv": rv, "globals": names, "autoescape": auto}
