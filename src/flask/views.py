"""Class-based views: ``View`` and the per-method ``MethodView``."""

from __future__ import annotations

import typing as t

from . import typing as ft
from .globals import _cv_app
from .globals import _cv_request

#: The HTTP methods a :class:`MethodView` looks for as method names.
http_method_funcs = frozenset(
    ["get", "post", "head", "options", "delete", "put", "trace", "patch"]
)


class View:
    """A view as a class: subclass it, implement
    :meth:`dispatch_request`, and register ``as_view(name)``::

        class Hello(View):
            def dispatch_request(self, name):
                return f"Hello, {name}!"

        app.add_url_rule("/hello/<name>", view_func=Hello.as_view("hello"))

    An instance is created for each request, unless
    :attr:`init_every_request` is false.
    """

    #: The methods the view accepts; ``GET`` (with ``HEAD`` and
    #: ``OPTIONS``) when ``None``.
    methods: t.ClassVar[t.Collection[str] | None] = None

    #: Whether to answer ``OPTIONS`` automatically; the app config decides
    #: when ``None``.
    provide_automatic_options: t.ClassVar[bool | None] = None

    #: Decorators applied, in order, to the function ``as_view`` returns.
    decorators: t.ClassVar[list[t.Callable[..., t.Any]]] = []

    #: Create an instance per request. Set to false to create one when
    #: ``as_view`` is called and share it, which is faster but makes
    #: instance attributes shared between requests.
    init_every_request: t.ClassVar[bool] = True

    def dispatch_request(self) -> ft.ResponseReturnValue:
        """Handle a request; receives the URL's arguments as keyword
        arguments.
        """
        raise NotImplementedError()

    @classmethod
    def as_view(
        cls, name: str, *class_args: t.Any, **class_kwargs: t.Any
    ) -> ft.RouteCallable:
        """Return a view function for this class, to register with
        :meth:`~flask.Flask.add_url_rule`.

        :param name: The endpoint name.
        :param class_args: Passed to the class constructor.
        :param class_kwargs: Passed to the class constructor.
        """
        if cls.init_every_request:

            def view(**kwargs: t.Any) -> ft.ResponseReturnValue:
                self = view.view_class(  # type: ignore[attr-defined]
                    *class_args, **class_kwargs
                )
                return _app_ensure_sync(self.dispatch_request)(**kwargs)  # type: ignore[no-any-return]

        else:
            self = cls(*class_args, **class_kwargs)

            def view(**kwargs: t.Any) -> ft.ResponseReturnValue:
                return _app_ensure_sync(self.dispatch_request)(**kwargs)  # type: ignore[no-any-return]

        if cls.decorators:
            view.__name__ = name
            view.__module__ = cls.__module__

            for decorator in cls.decorators:
                view = decorator(view)

        # Attributes read by add_url_rule and by users; set after the
        # decorators so the outermost function carries them.
        view.view_class = cls  # type: ignore[attr-defined]
        view.__name__ = name
        view.__doc__ = cls.__doc__
        view.__module__ = cls.__module__
        view.methods = cls.methods  # type: ignore[attr-defined]
        view.provide_automatic_options = cls.provide_automatic_options  # type: ignore[attr-defined]
        return view


def _app_ensure_sync(func: t.Callable[..., t.Any]) -> t.Callable[..., t.Any]:
    """The current app's ``ensure_sync`` of ``func``."""
    return _cv_app.get().app.ensure_sync(func)


class MethodView(View):
    """A view that dispatches to the method named after the request's HTTP
    method (``get``, ``post``, ...). :attr:`methods` is set from the
    methods a class defines, inherited ones included::

        class CounterAPI(MethodView):
            def get(self):
                return str(session.get("counter", 0))

            def post(self):
                session["counter"] = session.get("counter", 0) + 1
                return redirect(url_for("counter"))

    A ``HEAD`` request uses ``get`` when there is no ``head``.
    """

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)

        if "methods" not in cls.__dict__:
            methods = set()

            for base in cls.__bases__:
                if getattr(base, "methods", None):
                    methods.update(base.methods)  # type: ignore[attr-defined]

            for key in http_method_funcs:
                if hasattr(cls, key):
                    methods.add(key.upper())

            if methods:
                cls.methods = methods

    def dispatch_request(self, **kwargs: t.Any) -> ft.ResponseReturnValue:
        method_name = _cv_request.get().request.method.lower()
        meth = getattr(self, method_name, None)

        # HEAD falls back to GET; werkzeug drops the body.
        if meth is None and method_name == "head":
            meth = getattr(self, "get", None)

        assert meth is not None, f"Unimplemented method {method_name.upper()!r}"
        return _app_ensure_sync(meth)(**kwargs)  # type: ignore[no-any-return]
