"""Helpers for views: URLs, redirects, errors, flashing, files, streaming."""

from __future__ import annotations

import importlib.util
import os
import sys
import typing as t
from datetime import datetime
from datetime import timedelta
from functools import cache
from functools import wraps

import werkzeug.utils
from werkzeug.exceptions import abort as _wz_abort
from werkzeug.utils import redirect as _wz_redirect
from werkzeug.wrappers import Response as BaseResponse

from .globals import _cv_app
from .globals import _cv_request
from .globals import _no_app_msg
from .globals import request
from .globals import request_ctx
from .globals import session
from .signals import message_flashed

if t.TYPE_CHECKING:  # pragma: no cover
    from _typeshed.wsgi import WSGIEnvironment

    from .app import Flask
    from .ctx import AppContext
    from .ctx import RequestContext
    from .wrappers import Response


_OFF_WORDS = frozenset(("0", "false", "no"))


def _env_switch(name: str) -> bool | None:
    """Read an on/off environment variable: ``None`` when unset or empty,
    ``False`` for "0", "false" or "no" in any case, ``True`` otherwise.
    """
    value = os.environ.get(name)
    return value.lower() not in _OFF_WORDS if value else None


def _app() -> Flask:
    """The current app, read from the context variable directly.

    PERF: skipping the proxy makes ``url_for`` about 0.7 us faster (3.3
    instead of 4.0 us on the bench machine), and a rendered page may call it
    many times. Outside an app context the error is the proxy's.
    """
    ctx = _cv_app.get(None)

    if ctx is None:
        raise RuntimeError(_no_app_msg)

    return ctx.app


def get_debug_flag() -> bool:
    """Whether the ``FLASK_DEBUG`` environment variable asks for debug mode."""
    return _env_switch("FLASK_DEBUG") is True


def get_load_dotenv(default: bool = True) -> bool:
    """Whether ``.env`` files should be loaded; ``FLASK_SKIP_DOTENV`` set to
    a true value turns it off.

    :param default: What to return when the variable is not set.
    """
    skip = _env_switch("FLASK_SKIP_DOTENV")
    return default if skip is None else not skip


def _replay_in(
    app_ctx: AppContext, req_ctx: RequestContext, source: t.Iterator[t.AnyStr]
) -> t.Iterator[t.AnyStr]:
    """Yield from ``source`` with the view's contexts pushed again.

    NOTE: the contexts are pushed when the server starts iterating, not in
    the view: a push made there would stay current in the server's thread
    after the app returns. So, as in Flask 3.1, the teardown functions run
    when the view's request ends and again when the stream is done. The app
    context is the view's own, so ``g`` is shared.
    """
    with app_ctx, req_ctx:
        try:
            yield from source
        finally:
            # Close the source even when the server stops early, so its own
            # cleanup runs while the contexts are still pushed.
            close = getattr(source, "close", None)

            if close is not None:
                close()


@t.overload
def stream_with_context(
    generator_or_function: t.Iterator[t.AnyStr],
) -> t.Iterator[t.AnyStr]: ...


@t.overload
def stream_with_context(
    generator_or_function: t.Callable[..., t.Iterator[t.AnyStr]],
) -> t.Callable[[t.Iterator[t.AnyStr]], t.Iterator[t.AnyStr]]: ...


def stream_with_context(
    generator_or_function: t.Iterator[t.AnyStr] | t.Callable[..., t.Iterator[t.AnyStr]],
) -> t.Iterator[t.AnyStr] | t.Callable[[t.Iterator[t.AnyStr]], t.Iterator[t.AnyStr]]:
    """Keep the current request context pushed while a streamed response
    is being generated, after the view has returned.

    Wrap a generator, or decorate a generator function. It must be called
    while a request is active.

    :raises RuntimeError: If no request context is active.
    """
    try:
        source = iter(generator_or_function)  # type: ignore[arg-type]
    except TypeError:
        # Not iterable: a generator function, wrapped so that each call's
        # generator is wrapped in turn.
        func = t.cast("t.Callable[..., t.Iterator[t.AnyStr]]", generator_or_function)

        @wraps(func)
        def wrapper(*args: t.Any, **kwargs: t.Any) -> t.Iterator[t.AnyStr]:
            return stream_with_context(func(*args, **kwargs))

        return wrapper

    req_ctx = _cv_request.get(None)

    if req_ctx is None:
        raise RuntimeError(
            "'stream_with_context' can only be used when a request"
            " context is active, such as in a view function."
        )

    return _replay_in(_cv_app.get(), req_ctx, source)


def make_response(*args: t.Any) -> Response:
    """Turn view-style return values into a response object, to change it
    before returning it from the view.

    With no arguments it returns an empty response; one argument is
    treated as the view's return value; several as a tuple.
    """
    app = _app()

    if args:
        return app.make_response(args[0] if len(args) == 1 else args)

    return app.response_class()


def url_for(
    endpoint: str,
    *,
    _anchor: str | None = None,
    _method: str | None = None,
    _scheme: str | None = None,
    _external: bool | None = None,
    **values: t.Any,
) -> str:
    """Build the URL of ``endpoint`` with ``values``; see
    :meth:`flask.Flask.url_for`.
    """
    # The options travel with the values; the app gives them their meaning.
    values.update(
        _anchor=_anchor, _method=_method, _scheme=_scheme, _external=_external
    )
    return _app().url_for(endpoint, **values)


def redirect(
    location: str, code: int = 302, Response: type[BaseResponse] | None = None
) -> BaseResponse:
    """Return a response that redirects the client to ``location``.

    Inside an app context this calls :meth:`flask.Flask.redirect`, so an
    app can change how redirects are built.

    :param location: The target URL.
    :param code: The redirect status code.
    :param Response: The response class; the app's by default.
    """
    ctx = _cv_app.get(None)

    if ctx is not None:
        return ctx.app.redirect(location, code=code)

    return _wz_redirect(location, code=code, Response=Response)


def abort(code: int | BaseResponse, *args: t.Any, **kwargs: t.Any) -> t.NoReturn:
    """Raise the :class:`~werkzeug.exceptions.HTTPException` for ``code``.

    Inside an app context the app's :attr:`~flask.Flask.aborter` is used.

    :param code: A status code, or a response to return as is.
    """
    ctx = _cv_app.get(None)

    if ctx is not None:
        ctx.app.aborter(code, *args, **kwargs)

    _wz_abort(code, *args, **kwargs)


def get_template_attribute(template_name: str, attribute: str) -> t.Any:
    """Return a macro or variable exported by a template, to call it from
    Python code.

    :param template_name: The template to load.
    :param attribute: The name of the macro or variable.
    """
    return getattr(_app().jinja_env.get_template(template_name).module, attribute)


def flash(message: str, category: str = "message") -> None:
    """Store ``message`` in the session for the next request to show with
    :func:`get_flashed_messages`.

    :param message: The text to show.
    :param category: Any string; ``"message"``, ``"error"``, ``"info"``
        and ``"warning"`` are customary.
    """
    # Reassigning the list marks the session as modified.
    flashes = session.get("_flashes", [])
    flashes.append((category, message))
    session["_flashes"] = flashes
    app = _app()

    if message_flashed.receivers:
        message_flashed.send(
            app, _async_wrapper=app.ensure_sync, message=message, category=category
        )


def get_flashed_messages(
    with_categories: bool = False, category_filter: t.Iterable[str] = ()
) -> list[str] | list[tuple[str, str]]:
    """Take the flashed messages out of the session and return them.

    The first call in a request removes them from the session; later calls
    in the same request return the same messages.

    :param with_categories: Return ``(category, message)`` pairs.
    :param category_filter: Only return messages of these categories.
    """
    ctx = request_ctx._get_current_object()  # type: ignore[attr-defined]
    flashes = ctx.flashes

    if flashes is None:
        flashes = ctx.session.pop("_flashes") if "_flashes" in ctx.session else []
        ctx.flashes = flashes

    if category_filter:
        flashes = [f for f in flashes if f[0] in category_filter]

    if not with_categories:
        return [x[1] for x in flashes]

    return flashes  # type: ignore[no-any-return]


def _send_with_app(
    send: t.Callable[..., BaseResponse],
    environ: WSGIEnvironment | None,
    *args: t.Any,
    **kwargs: t.Any,
) -> Response:
    """Call one of werkzeug's file senders with what the app and the
    current request supply: the environ, ``USE_X_SENDFILE``, the response
    class, the root path for relative names, and the app's max age when the
    caller gave none.

    COMPAT(3.1): called outside any context, ``send_file`` reports the
    missing request context and ``send_from_directory`` the missing app
    context. The first passes the request's environ in, the second passes
    ``None`` so it is read here, after the app.
    """
    app = _app()

    if environ is None:
        environ = request.environ

    if kwargs.get("max_age") is None:
        kwargs["max_age"] = app.get_send_file_max_age

    return send(  # type: ignore[return-value]
        *args,
        environ=environ,
        use_x_sendfile=app.config["USE_X_SENDFILE"],
        response_class=app.response_class,
        _root_path=app.root_path,
        **kwargs,
    )


def send_file(
    path_or_file: os.PathLike[t.AnyStr] | str | t.BinaryIO,
    mimetype: str | None = None,
    as_attachment: bool = False,
    download_name: str | None = None,
    conditional: bool = True,
    etag: bool | str = True,
    last_modified: datetime | int | float | None = None,
    max_age: None | (int | t.Callable[[str | None], int | None]) = None,
) -> Response:
    """Send a file, or a binary file object, to the client.

    Relative paths are resolved against the app's root path. Never pass a
    path taken from the user; use :func:`send_from_directory` for that.
    Range and conditional requests are answered with 206, 304 or 416.

    :param path_or_file: The file path, or a file object opened in binary
        mode.
    :param mimetype: Guessed from the file name when not given.
    :param as_attachment: Ask the browser to save rather than show it.
    :param download_name: The file name the browser sees.
    :param conditional: Answer conditional and range requests.
    :param etag: Compute an ETag, or use this string.
    :param last_modified: Taken from the file when not given.
    :param max_age: Seconds to cache, or a function of the file name;
        :meth:`~flask.Flask.get_send_file_max_age` by default.
    """
    return _send_with_app(
        werkzeug.utils.send_file,
        request.environ,
        path_or_file,
        mimetype=mimetype,
        as_attachment=as_attachment,
        download_name=download_name,
        conditional=conditional,
        etag=etag,
        last_modified=last_modified,
        max_age=max_age,
    )


def send_from_directory(
    directory: os.PathLike[str] | str,
    path: os.PathLike[str] | str,
    **kwargs: t.Any,
) -> Response:
    """Send the file at ``path`` inside ``directory``, safely.

    ``path`` may come from the client: a path that would leave
    ``directory`` gives a 404, as does a missing file.

    :param directory: The folder files are served from, relative to the
        app's root path.
    :param path: The file's path inside ``directory``.
    :param kwargs: Passed to :func:`send_file`.
    """
    return _send_with_app(
        werkzeug.utils.send_from_directory, None, directory, path, **kwargs
    )


def _module_file(import_name: str) -> str | None:
    """The file a module was, or would be, loaded from; ``None`` when no
    loader knows it (``__main__`` in an interactive session, or a module
    that does not exist yet).

    :raises RuntimeError: If the module loads but names no file, as a
        namespace package or a module from some import hooks does.
    """
    loaded = getattr(sys.modules.get(import_name), "__file__", None)

    if loaded is not None:
        return t.cast(str, loaded)

    try:
        spec = importlib.util.find_spec(import_name)
    except (ImportError, ValueError):
        # ValueError: a module in sys.modules without a spec, e.g. __main__.
        return None

    loader = None if spec is None else spec.loader

    if loader is None:
        return None

    if hasattr(loader, "get_filename"):
        return t.cast(str, loader.get_filename(import_name))

    # The loader cannot say where the file is without loading the module.
    __import__(import_name)
    filename: str | None = getattr(sys.modules[import_name], "__file__", None)

    if filename is None:
        raise RuntimeError(
            f"No root path can be found for the provided module {import_name!r}."
            " This can happen because the module came from an import hook that"
            " does not provide file name information or because it's a namespace"
            " package. In this case the root path needs to be explicitly provided."
        )

    return filename


def get_root_path(import_name: str) -> str:
    """Return the folder of the module or package named ``import_name``,
    or the working directory when it cannot be found.

    :raises RuntimeError: If the module has no file to take the folder of.
    """
    filename = _module_file(import_name)

    if filename is None:
        return os.getcwd()

    return os.path.dirname(os.path.abspath(filename))


@cache
def _split_blueprint_path(name: str) -> list[str]:
    """``"a.b.c"`` -> ``["a.b.c", "a.b", "a"]``: a blueprint and its
    parents, innermost first.
    """
    out: list[str] = [name]

    while "." in name:
        name = name.rpartition(".")[0]
        out.append(name)

    return out


class _PackageFilesMixin:
    """Serving and opening the files of an app's or blueprint's package;
    shared by :class:`~flask.Flask` and :class:`~flask.Blueprint`.
    """

    root_path: str
    static_folder: str | None
    has_static_folder: bool

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """The cache max age, in seconds, for a file sent by
        :func:`send_file`: the ``SEND_FILE_MAX_AGE_DEFAULT`` config, so
        ``None`` by default (conditional requests instead of caching).

        :param filename: The file's name, for overrides that depend on it.
        """
        value = _app().config["SEND_FILE_MAX_AGE_DEFAULT"]

        if isinstance(value, timedelta):
            value = int(value.total_seconds())

        return value  # type: ignore[no-any-return]

    def send_static_file(self, filename: str) -> Response:
        """The view of the ``static`` endpoint: send ``filename`` from
        :attr:`static_folder`.
        """
        if not self.has_static_folder:
            raise RuntimeError("'static_folder' must be set to serve static_files.")

        # Looked up on self so a subclass can change the max age per file.
        max_age = self.get_send_file_max_age(filename)
        return send_from_directory(
            t.cast(str, self.static_folder), filename, max_age=max_age
        )

    def _open_package_file(
        self, folder: str, resource: str, mode: str, encoding: str | None
    ) -> t.IO[t.Any]:
        path = os.path.join(folder, resource)

        if "b" in mode:
            return open(path, mode)

        return open(path, mode, encoding=encoding)

    def _open_resource(
        self, resource: str, mode: str, encoding: str | None
    ) -> t.IO[t.Any]:
        if mode not in {"r", "rt", "rb"}:
            raise ValueError("Resources can only be opened for reading.")

        return self._open_package_file(self.root_path, resource, mode, encoding)
