"""Templates: the app's Jinja environment, the loader that looks in the app
and in every blueprint, and the functions that render or stream a template.
"""

from __future__ import annotations

import itertools
import typing as t

import markupsafe
from jinja2 import BaseLoader
from jinja2 import Environment as BaseEnvironment
from jinja2 import Template
from jinja2 import TemplateNotFound
from markupsafe import escape as _markupsafe_escape
from markupsafe import Markup

from .globals import _cv_app
from .globals import _cv_request
from .globals import current_app
from .globals import g
from .globals import request
from .globals import session
from .helpers import get_flashed_messages
from .helpers import stream_with_context
from .signals import before_render_template
from .signals import template_rendered

if t.TYPE_CHECKING:  # pragma: no cover
    from blinker import NamedSignal

    from .app import Flask
    from .sansio.app import App
    from .sansio.scaffold import Scaffold

_Source = tuple[str, str | None, t.Callable[[], bool] | None]


def _default_template_ctx_processor() -> dict[str, t.Any]:
    """The values every template sees: ``g`` within an app context, and
    ``request`` within a request.
    """
    app_ctx = _cv_app.get(None)
    req_ctx = _cv_request.get(None)
    values: dict[str, t.Any] = {} if app_ctx is None else {"g": app_ctx.g}

    if req_ctx is not None:
        values["request"] = req_ctx.request

    # COMPAT(3.1): no "session" here. Templates read the ``session``
    # global, a proxy, so an unused session stays unopened and a read one
    # is marked accessed; the context signals receive has no session key.
    return values


# The names ``getattr(some_dict, name)`` finds.
_DICT_ATTRIBUTES = frozenset(dir(dict))


def _next_getattr(cls: type) -> t.Any:
    """The ``getattr`` that :meth:`Environment.getattr` hands over to in
    the MRO of ``cls``.
    """
    mro = cls.__mro__
    after = mro[mro.index(Environment) + 1 :]
    return next(c.__dict__["getattr"] for c in after if "getattr" in c.__dict__)


# markupsafe's C (or pure Python) escaping of a str, without the Markup.
_escape_inner: t.Callable[[str], str] | None = getattr(
    markupsafe, "_escape_inner", None
)

_new_str = str.__new__


def _escape(s: t.Any, /) -> Markup:
    """``markupsafe.escape``, with the ``Markup`` of a plain ``str`` or
    ``int`` made directly (``Markup(text)`` checks for ``__html__``
    again, in Python, on text that cannot have it).
    """
    cls = type(s)

    if cls is str:
        return _new_str(Markup, _escape_inner(s))  # type: ignore[misc]

    if cls is int:
        return _new_str(Markup, _escape_inner(str(s)))  # type: ignore[misc]

    return _markupsafe_escape(s)


class _Template(Template):
    """The templates an app's environment compiles: jinja's, with
    :func:`_escape` as the ``escape`` their autoescaped output calls.

    PERF: escaping is the largest cost of rendering an autoescaped
    template after jinja's own code; the bench's 20-row table renders
    with 24% fewer instructions (callgrind). The code jinja generates is
    unchanged: only the name ``escape`` in its namespace is rebound, and
    only when it is markupsafe's own.
    """

    @classmethod
    def _from_namespace(
        cls,
        environment: BaseEnvironment,
        namespace: t.MutableMapping[str, t.Any],
        globals: t.MutableMapping[str, t.Any],
    ) -> Template:
        if _escape_inner is not None and namespace.get("escape") is _markupsafe_escape:
            namespace["escape"] = _escape

        return super()._from_namespace(environment, namespace, globals)


class Environment(BaseEnvironment):
    """The Jinja environment an app renders with. Unless ``loader`` is
    given, it finds templates through the app's
    :meth:`~flask.Flask.create_global_jinja_loader`.

    :param app: The app the environment belongs to, kept as ``app``.
    :param options: Passed on to :class:`jinja2.Environment`.
    """

    template_class = _Template

    def __init__(self, app: App, **options: t.Any) -> None:
        self.app = app
        # The dict-first lookup below stands in for jinja's own getattr
        # only; a class mixed in after this one (a sandbox) keeps its own.
        self._dict_first = _next_getattr(type(self)) is BaseEnvironment.getattr

        if "loader" not in options:
            options["loader"] = app.create_global_jinja_loader()

        super().__init__(**options)

    def getattr(self, obj: t.Any, attribute: str) -> t.Any:
        """Jinja's ``obj.attribute`` lookup: the attribute, else the item."""
        # PERF: for a plain dict, a name that is not a dict attribute can
        # only be found as a key, so look there first instead of letting
        # getattr raise; ``row.name`` on dicts is common in templates.
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES and self._dict_first:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)

        return super().getattr(obj, attribute)


def _lookup(
    loader: BaseLoader, environment: BaseEnvironment, template: str
) -> _Source | None:
    """What ``loader`` has for ``template``, or ``None`` if it has nothing."""
    try:
        return loader.get_source(environment, template)
    except TemplateNotFound:
        return None


class DispatchingJinjaLoader(BaseLoader):
    """The loader of an app's environment. It asks the app's own loader,
    then each blueprint's in the order they were registered, and takes the
    first template found.

    With the ``EXPLAIN_TEMPLATE_LOADING`` config set, every loader is asked
    and the app logs what each one found.

    :param app: The app whose loaders are searched.
    """

    def __init__(self, app: App) -> None:
        self.app = app

    def _sources(self) -> t.Iterator[tuple[Scaffold, BaseLoader]]:
        """The app and its blueprints that have a loader, with that loader."""
        owners: t.Iterable[Scaffold] = itertools.chain(
            (self.app,), self.app.iter_blueprints()
        )

        for owner in owners:
            loader = owner.jinja_loader

            if loader is not None:
                yield owner, loader

    def get_source(self, environment: BaseEnvironment, template: str) -> _Source:
        """Return the first loader's source for ``template``.

        :raises TemplateNotFound: No loader has it.
        """
        if self.app.config["EXPLAIN_TEMPLATE_LOADING"]:
            return self._get_source_explained(environment, template)

        answers = (_lookup(ld, environment, template) for _, ld in self._sources())
        found = next(filter(None, answers), None)

        if found is None:
            raise TemplateNotFound(template)

        return found

    def _get_source_explained(
        self, environment: BaseEnvironment, template: str
    ) -> _Source:
        """:meth:`get_source` that asks every loader and logs the answers."""
        from .debughelpers import explain_template_loading_attempts

        attempts = [
            (loader, owner, _lookup(loader, environment, template))
            for owner, loader in self._sources()
        ]
        explain_template_loading_attempts(self.app, template, attempts)
        found = [source for _, _, source in attempts if source is not None]

        if not found:
            raise TemplateNotFound(template)

        return found[0]

    def list_templates(self) -> list[str]:
        """The names every loader can list, each once."""
        names = {name for _, ld in self._sources() for name in ld.list_templates()}
        return list(names)


def _app() -> Flask:
    """The current app, without going through the proxy."""
    ctx = _cv_app.get(None)

    if ctx is None:
        # Raises the usual "outside of application context" error.
        return current_app._get_current_object()  # type: ignore[attr-defined,no-any-return]

    return ctx.app


def _notify(
    signal: NamedSignal, app: Flask, template: Template, context: dict[str, t.Any]
) -> None:
    """Send a template signal, if anything listens to it."""
    if signal.receivers:
        signal.send(
            app, _async_wrapper=app.ensure_sync, template=template, context=context
        )


def _render(app: Flask, template: Template, context: dict[str, t.Any]) -> str:
    """Render ``template`` at once, between the two template signals."""
    app.update_template_context(context)
    _notify(before_render_template, app, template, context)
    text = template.render(context)
    _notify(template_rendered, app, template, context)
    return text


def _pieces(
    app: Flask, template: Template, context: dict[str, t.Any]
) -> t.Iterator[str]:
    """Generate ``template``; ``template_rendered`` is sent after the end."""
    yield from template.generate(context)
    _notify(template_rendered, app, template, context)


def _stream(
    app: Flask, template: Template, context: dict[str, t.Any]
) -> t.Iterator[str]:
    """Render ``template`` lazily, as the returned iterator is consumed."""
    app.update_template_context(context)
    _notify(before_render_template, app, template, context)
    pieces = _pieces(app, template, context)

    # The response is sent after the view has returned and the request
    # context is gone; keep it for the template.
    if _cv_request.get(None) is None:
        return pieces

    return stream_with_context(pieces)


def render_template(
    template_name_or_list: str | Template | list[str | Template],
    **context: t.Any,
) -> str:
    """Render a template from the app's and blueprints' template folders.

    :param template_name_or_list: The name of the template, a
        :class:`~jinja2.Template`, or a list of them, of which the first
        that exists is used.
    :param context: The variables the template can use.
    """
    app = _app()
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _render(app, template, context)


def render_template_string(source: str, **context: t.Any) -> str:
    """Render a template written in ``source``.

    :param source: The template's text.
    :param context: The variables the template can use.
    """
    app = _app()
    return _render(app, app.jinja_env.from_string(source), context)


def stream_template(
    template_name_or_list: str | Template | list[str | Template],
    **context: t.Any,
) -> t.Iterator[str]:
    """Like :func:`render_template`, but the template is rendered bit by
    bit while the response is sent; return the iterator from a view. The
    request context stays available to the template.

    :param template_name_or_list: As for :func:`render_template`.
    :param context: The variables the template can use.
    """
    app = _app()
    template = app.jinja_env.get_or_select_template(template_name_or_list)
    return _stream(app, template, context)


def stream_template_string(source: str, **context: t.Any) -> t.Iterator[str]:
    """Like :func:`stream_template`, for a template written in ``source``.

    :param source: The template's text.
    :param context: The variables the template can use.
    """
    app = _app()
    return _stream(app, app.jinja_env.from_string(source), context)


def _make_environment(app: Flask) -> Environment:
    """The environment :meth:`flask.Flask.create_jinja_environment` makes:
    from :attr:`~flask.Flask.jinja_options`, with the app's autoescaping
    and reloading, and the globals every template sees.
    """
    options = {"autoescape": app.select_jinja_autoescape, **app.jinja_options}

    if "auto_reload" not in options:
        reload = app.config["TEMPLATES_AUTO_RELOAD"]
        options["auto_reload"] = app.debug if reload is None else reload

    env = app.jinja_environment(app, **options)
    # The proxies themselves, so that macros imported without the context
    # still reach the current request.
    env.globals.update(
        url_for=app.url_for,
        get_flashed_messages=get_flashed_messages,
        config=app.config,
        request=request,
        session=session,
        g=g,
    )
    env.policies["json.dumps_function"] = app.json.dumps
    return env
