"""Files, configuration, the logger, async views, ``g`` and app contexts."""

from __future__ import annotations

import io
import logging
import os
import re
import typing as t

import flask

from . import _kit
from . import scenario

# The file's modification time feeds Last-Modified and ETag; both runs read
# the same checkout, so they are compared as they are.

SEND_FILE: dict[str, tuple[t.Callable[[], t.Any], dict[str, t.Any]]] = {
    "path": (lambda: flask.send_file(str(_kit.FIXTURES / "data.txt")), {}),
    "relative": (lambda: flask.send_file("data.txt"), {}),
    "as_attachment": (
        lambda: flask.send_file(
            "data.txt", as_attachment=True, download_name="r\u00e9sum\u00e9.txt"
        ),
        {},
    ),
    "bytesio_no_name": (lambda: flask.send_file(io.BytesIO(b"abc")), {}),
    "bytesio_mimetype": (
        lambda: flask.send_file(io.BytesIO(b"abc"), mimetype="text/csv"),
        {},
    ),
    "bytesio_download": (
        lambda: flask.send_file(io.BytesIO(b"abc"), download_name="x.json"),
        {},
    ),
    "no_etag": (lambda: flask.send_file("data.txt", etag=False), {}),
    "custom_etag": (lambda: flask.send_file("data.txt", etag="my-etag"), {}),
    "max_age": (lambda: flask.send_file("data.txt", max_age=10), {}),
    "conditional_etag": (
        lambda: flask.send_file("data.txt", etag="e1"),
        {"headers": {"If-None-Match": '"e1"'}},
    ),
    "range": (lambda: flask.send_file("data.txt"), {"headers": {"Range": "bytes=0-3"}}),
    "bad_range": (
        lambda: flask.send_file("data.txt"),
        {"headers": {"Range": "bytes=100-200"}},
    ),
    "missing": (lambda: flask.send_file("nope.txt"), {}),
    "from_dir": (lambda: flask.send_from_directory("static", "hello.txt"), {}),
    "from_dir_escape": (lambda: flask.send_from_directory("static", "../data.txt"), {}),
    "from_dir_missing": (lambda: flask.send_from_directory("static", "nope.txt"), {}),
    "static_route": (None, {}),  # type: ignore[dict-item]
}


@scenario([(k, m) for k in SEND_FILE for m in ("GET", "HEAD")])
def send_file(kind: str, method: str) -> t.Any:
    app = _kit.make_app(SEND_FILE_MAX_AGE_DEFAULT=None)
    make, kwargs = SEND_FILE[kind]

    @app.route("/")
    def index() -> t.Any:
        return make()

    path = "/static/hello.txt" if kind == "static_route" else "/"

    with _kit.chdir(_kit.FIXTURES):
        return _kit.get_all(app, (method, path, dict(kwargs)))


@scenario([None, 0, 60, "callable"])
def static_max_age(value: t.Any) -> t.Any:
    class App(flask.Flask):
        def get_send_file_max_age(self, filename: str | None) -> int | None:
            return 5 if filename == "hello.txt" else None

    app = _kit.make_app(App if value == "callable" else None)

    if value != "callable":
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = value

    return _kit.get_all(app, "/static/hello.txt")


CONFIG_LOADS: dict[str, t.Callable[[flask.Config], t.Any]] = {
    "from_mapping": lambda c: c.from_mapping({"NAME": "m", "lower": 1}, OTHER=2),
    "from_mapping_too_many": lambda c: c.from_mapping({"A": 1}, {"B": 2}),  # type: ignore[call-arg]
    "from_object_str": lambda c: c.from_object("scenarios.misc:ConfigObject"),
    "from_object_dotted": lambda c: c.from_object("scenarios.misc.ConfigObject"),
    "from_object_cls": lambda c: c.from_object(ConfigObject),
    "from_object_missing": lambda c: c.from_object("scenarios.nope.Thing"),
    "from_pyfile": lambda c: c.from_pyfile("config_ok.py"),
    "from_pyfile_missing": lambda c: c.from_pyfile("missing.py"),
    "from_pyfile_silent": lambda c: c.from_pyfile("missing.py", silent=True),
    "from_pyfile_broken": lambda c: c.from_pyfile("config_bad.py"),
    "from_file_json": lambda c: c.from_file(
        "config.json", load=__import__("json").load
    ),
    "from_file_binary": lambda c: c.from_file(
        "config.json", load=lambda f: {"NAME": type(f.read()).__name__}, text=False
    ),
    "from_file_missing": lambda c: c.from_file(
        "none.json", load=__import__("json").load
    ),
    "from_file_bad": lambda c: c.from_file(
        "config_ok.py", load=__import__("json").load
    ),
    "from_envvar": lambda c: c.from_envvar("DIFF_CONFIG"),
    "from_envvar_unset": lambda c: c.from_envvar("DIFF_UNSET"),
    "from_envvar_unset_silent": lambda c: c.from_envvar("DIFF_UNSET", silent=True),
    "from_prefixed_env": lambda c: c.from_prefixed_env(),
    "from_prefixed_env_other": lambda c: c.from_prefixed_env("MYAPP"),
    "get_namespace": lambda c: [
        c.update(IMAGE_A=1, IMAGE_B_C=2, OTHER=3),
        c.get_namespace("IMAGE_"),
        c.get_namespace("IMAGE_", lowercase=False, trim_namespace=False),
    ],
}


class ConfigObject:
    NAME = "object"
    lower = "ignored"
    _PRIVATE = "ignored?"


@scenario(list(CONFIG_LOADS))
def config_loading(kind: str) -> t.Any:
    os.environ["DIFF_CONFIG"] = str(_kit.FIXTURES / "config_ok.py")
    os.environ.update(
        {
            "FLASK_NAME": "env",
            "FLASK_NUM": "5",
            "FLASK_LIST": "[1, 2]",
            "FLASK_BAD_JSON": "{nope",
            "FLASK_NESTED__KEY": "nested",
            "MYAPP_SECRET_KEY": '"quoted"',
            "FLASK_TRUE": "true",
        }
    )
    app = flask.Flask(_kit.APP_NAME, root_path=str(_kit.FIXTURES))
    before = dict(app.config)
    rv = _kit.call(CONFIG_LOADS[kind], app.config)
    changed = {
        k: _kit.plain(v)
        for k, v in app.config.items()
        if k not in before or before[k] != v
    }
    return {"rv": rv, "changed": changed}


@scenario(sorted(flask.Flask.default_config))
def default_config(key: str) -> t.Any:
    app = flask.Flask(_kit.APP_NAME)
    value = app.config[key]
    return [_kit.plain(value), type(value).__name__]


@scenario(
    [
        "default",
        "debug",
        "handler_preset",
        "level_preset",
        "warning_in_request",
        "exception_in_request",
    ]
)
def logger(kind: str) -> t.Any:
    import flask.logging as flog

    name = _kit.APP_NAME
    log = logging.getLogger(name)

    if kind == "handler_preset":
        log.addHandler(logging.NullHandler())
    elif kind == "level_preset":
        log.setLevel(logging.ERROR)

    app = _kit.make_app(DEBUG=kind == "debug")
    lg = app.logger
    rv = {
        "name": lg.name,
        "level": lg.level,
        "effective": lg.getEffectiveLevel(),
        "handlers": [type(h).__name__ for h in lg.handlers],
        "default_handler": flog.default_handler in lg.handlers,
        "has_level_handler": flog.has_level_handler(lg),
        "formatter": flog.default_handler.formatter._fmt,  # type: ignore[union-attr]
    }

    if kind in ("warning_in_request", "exception_in_request"):
        stream = io.StringIO()

        @app.route("/")
        def index() -> t.Any:
            app.logger.warning("warned %s", 1)

            if kind == "exception_in_request":
                raise ValueError("logged")

            return "ok"

        app.test_client().get("/", errors_stream=stream)
        text = stream.getvalue()
        first = text.splitlines()[0] if text else ""
        rv["stream_first_line"] = re.sub(r"^\[[^\]]*\]", "[<time>]", first)

    return rv


@scenario(
    [
        "view",
        "before",
        "after",
        "error_handler",
        "teardown",
        "method_view",
        "async_raises",
    ]
)
def async_views(kind: str) -> t.Any:
    app = _kit.make_app()
    probe = _kit.observe(app, signals=False)

    async def view() -> t.Any:
        flask.g.x = 1
        probe("async view", flask.request.path)

        if kind == "async_raises":
            raise KeyError("async")

        if kind == "error_handler":
            raise ValueError("to handler")

        return "async result"

    if kind == "before":

        @app.before_request
        async def before() -> None:
            probe("async before")

    if kind == "after":

        @app.after_request
        async def after(r: t.Any) -> t.Any:
            probe("async after")
            return r

    if kind == "error_handler":

        @app.errorhandler(ValueError)
        async def on_value(e: Exception) -> t.Any:
            return "async handled", 400

    if kind == "teardown":

        @app.teardown_request
        async def td(exc: t.Any) -> None:
            probe("async teardown")

    if kind == "method_view":
        from flask.views import MethodView

        class V(MethodView):
            async def get(self) -> t.Any:
                return "async method view"

        app.add_url_rule("/", view_func=V.as_view("v"))
    else:
        app.add_url_rule("/", "view", view)

    return probe.record(out=_kit.get_all(app, "/"))


@scenario(["attrs", "get_pop_setdefault", "contains_iter", "repr", "missing_attr"])
def app_ctx_globals(kind: str) -> t.Any:
    app = _kit.make_app()

    def run() -> t.Any:
        g = flask.g
        g.a = 1

        if kind == "attrs":
            g.b = [1]
            return sorted(vars(g._get_current_object()).items())

        if kind == "get_pop_setdefault":
            return [
                g.get("a"),
                g.get("x", "d"),
                g.pop("a"),
                _kit.call(g.pop, "a"),
                g.pop("a", 9),
                g.setdefault("s", 3),
                g.s,
            ]

        if kind == "contains_iter":
            return ["a" in g, "z" in g, list(iter(g))]

        if kind == "repr":
            return repr(g._get_current_object())

        return g.nope

    with app.app_context():
        return _kit.call(run)


@scenario(
    [
        "instance_path",
        "open_resource",
        "open_resource_missing",
        "open_instance_resource",
        "import_name",
        "name_main",
    ]
)
def app_attributes(kind: str) -> t.Any:
    app = _kit.make_app()

    def run() -> t.Any:
        if kind == "instance_path":
            return os.path.relpath(app.instance_path, _kit.FIXTURES)

        if kind == "open_resource":
            with app.open_resource("data.txt") as f:
                return f.read()

        if kind == "open_resource_missing":
            return app.open_resource("nope.txt").read()

        if kind == "open_instance_resource":
            return app.open_instance_resource("nope.cfg").read()

        if kind == "import_name":
            return [app.import_name, app.name, app.static_url_path, app.template_folder]

        return flask.Flask("__main__", root_path=str(_kit.FIXTURES)).name

    rv = _kit.call(run)

    if "raised" in rv:
        rv["raised"]["message"] = rv["raised"]["message"].replace(
            str(_kit.FIXTURES), "<fixtures>"
        )

    return rv
