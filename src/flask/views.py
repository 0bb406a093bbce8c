"""Views written as classes: :class:`View`, and :class:`MethodView`, which
has a method per HTTP verb.
"""

from __future__ import annotations

import functools
import typing as t

from . import typing as ft
from .globals import _cv_app
from .globals import _cv_request
from .globals import current_app
from .globals import request

#: The method names :class:`MethodView` recognises as HTTP verbs.
http_method_funcs = frozenset(
    ["get", "post", "head", "options", "delete", "put", "trace", "patch"]
)


def _call(func: t.Callable[..., t.Any], url_values: dict[str, t.Any]) -> t.Any:
    """Call ``func`` through the current app's ``ensure_sync``, so that it
    may be a coroutine function.
    """
    ctx = _cv_app.get(None)
    # Outside an app context the proxy raises its usual error.
    app = current_app if ctx is None else ctx.app
    return app.ensure_sync(func)(**url_values)


class View:
    """Base class for a view written as a class.

    Implement :meth:`dispatch_request`, then register the function that
    :meth:`as_view` makes::

        class UserPage(View):
            def __init__(self, template):
                self.template = template

            def dispatch_request(self, user_id):
                return render_template(self.template, user=load_user(user_id))

        app.add_url_rule(
            "/users/<int:user_id>",
            view_func=UserPage.as_view("user_page", "user.html"),
        )

    A new instance handles each request, unless :attr:`init_every_request`
    is turned off.
    """

    #: The HTTP methods the view's rule allows. ``None`` leaves the choice
    #: to :meth:`~flask.Flask.add_url_rule` (``GET``, so ``HEAD`` and
    #: ``OPTIONS`` too).
    methods: t.ClassVar[t.Collection[str] | None] = None

    #: Whether ``OPTIONS`` requests get the automatic answer; ``None``
    #: leaves it to the app's setting.
    provide_automatic_options: t.ClassVar[bool | None] = None

    #: Decorators for the view function, applied in this order, so the
    #: last one is the outermost. They wrap the function :meth:`as_view`
    #: returns, not the methods of the class.
    decorators: t.ClassVar[list[t.Callable[..., t.Any]]] = []

    #: With ``True``, each request gets a new instance, made with the
    #: arguments given to :meth:`as_view`. With ``False``, one instance is
    #: made by :meth:`as_view` and serves every request: quicker, but
    #: nothing request-specific may be stored on ``self``.
    init_every_request: t.ClassVar[bool] = True

    def dispatch_request(self) -> ft.ResponseReturnValue:
        """Answer the request. The URL's variables are passed as keyword
        arguments; the return value is whatever a view function may return.
        """
        raise NotImplementedError

    @classmethod
    def as_view(
        cls, name: str, *class_args: t.Any, **class_kwargs: t.Any
    ) -> ft.RouteCallable:
        """Make a view function for this class, to give to
        :meth:`~flask.Flask.add_url_rule`. The function carries the class
        as ``view_class``, and :attr:`methods` and
        :attr:`provide_automatic_options` for the rule.

        :param name: The endpoint name, also the function's ``__name__``.
        :param class_args: Positional arguments for the constructor.
        :param class_kwargs: Keyword arguments for the constructor.
        """
        if cls.init_every_request:
            func = _new_instance_each_time(cls, class_args, class_kwargs)
        else:
            func = _one_instance(cls(*class_args, **class_kwargs))

        # Decorators such as functools.wraps copy these, so set them first.
        func.__name__ = name
        func.__module__ = cls.__module__
        view = functools.reduce(lambda f, deco: deco(f), cls.decorators, func)

        labels = {
            "__name__": name,
            "__module__": cls.__module__,
            "__doc__": cls.__doc__,
            "view_class": cls,
            "methods": cls.methods,
            "provide_automatic_options": cls.provide_automatic_options,
        }

        for attribute, value in labels.items():
            setattr(view, attribute, value)

        return t.cast(ft.RouteCallable, view)


def _new_instance_each_time(
    cls: type[View], args: tuple[t.Any, ...], kwargs: dict[str, t.Any]
) -> t.Callable[..., ft.ResponseReturnValue]:
    """The view function of a class with ``init_every_request``."""

    def view(**url_values: t.Any) -> ft.ResponseReturnValue:
        instance = cls(*args, **kwargs)
        return _call(instance.dispatch_request, url_values)  # type: ignore[no-any-return]

    return view


def _one_instance(instance: View) -> t.Callable[..., ft.ResponseReturnValue]:
    """The view function of a class whose one instance serves all."""

    def view(**url_values: t.Any) -> ft.ResponseReturnValue:
        return _call(instance.dispatch_request, url_values)  # type: ignore[no-any-return]

    return view


class MethodView(View):
    """A view that calls the method named after the request's verb:
    ``get`` for ``GET``, ``post`` for ``POST``, and so on. ``HEAD`` falls
    back to ``get``.

    Unless a subclass sets :attr:`methods` itself, it is the verbs the
    class has a method for, together with the bases' :attr:`methods`::

        class ItemAPI(MethodView):
            def get(self, item_id):
                return find_item(item_id).to_dict()

            def delete(self, item_id):
                remove_item(item_id)
                return "", 204

        app.add_url_rule("/items/<int:item_id>", view_func=ItemAPI.as_view("item"))
    """

    def __init_subclass__(cls, **kwargs: t.Any) -> None:
        super().__init_subclass__(**kwargs)

        if "methods" in cls.__dict__:
            return

        verbs = {
            verb
            for base in cls.__bases__
            for verb in (getattr(base, "methods", None) or ())
        }
        verbs.update(name.upper() for name in http_method_funcs if hasattr(cls, name))

        if verbs:
            cls.methods = verbs

    def dispatch_request(self, **kwargs: t.Any) -> ft.ResponseReturnValue:
        """Call the method for the request's verb with the URL's variables."""
        ctx = _cv_request.get(None)
        verb = (request if ctx is None else ctx.request).method.lower()
        handler = getattr(self, verb, None)

        if handler is None and verb == "head":
            handler = getattr(self, "get", None)

        if handler is None:
            # COMPAT(3.1): an AssertionError, with Flask's words.
            raise AssertionError(f"Unimplemented method {verb.upper()!r}")

        return _call(handler, kwargs)  # type: ignore[no-any-return]
