"""``Blueprint`` without I/O: what it records, and how it is applied to
an app when registered.
"""

from __future__ import annotations

import os
import typing as t
from functools import partial

from werkzeug.utils import cached_property

from .. import typing as ft
from ._registry import new_handler_scope
from ._registry import scope_list
from .scaffold import _endpoint_from_view_func
from .scaffold import _registrar
from .scaffold import _sentinel
from .scaffold import F
from .scaffold import Scaffold
from .scaffold import setupmethod
from .scaffold import T_after_request
from .scaffold import T_before_request
from .scaffold import T_error_handler
from .scaffold import T_teardown
from .scaffold import T_template_context_processor
from .scaffold import T_template_filter
from .scaffold import T_template_global
from .scaffold import T_template_test
from .scaffold import T_url_defaults
from .scaffold import T_url_value_preprocessor

if t.TYPE_CHECKING:  # pragma: no cover
    from .app import App

DeferredSetupFunction = t.Callable[["BlueprintSetupState"], None]

_LATE_SETUP = (
    "The setup method '{name}' can no longer be called on the blueprint"
    " '{blueprint}'. It has already been registered at least once, any"
    " changes will not be applied consistently.\n"
    "Make sure all imports, decorators, functions, etc. needed to set up"
    " the blueprint are done before registering it."
)

# Registries merged into the app under the blueprint's name.
_HOOK_REGISTRIES = (
    "before_request_funcs",
    "after_request_funcs",
    "teardown_request_funcs",
    "url_default_functions",
    "url_value_preprocessors",
    "template_context_processors",
)


def _given(options: t.Mapping[str, t.Any], key: str, default: t.Any) -> t.Any:
    """``options[key]`` unless it is missing or ``None``."""
    value = options.get(key)
    return default if value is None else value


def _nest(
    outer: str | None, inner: str | None, join: t.Callable[[str, str], str]
) -> str | None:
    """Combine a parent's and a child's setting; either may be unset."""
    if outer is None:
        return inner

    if inner is None:
        return outer

    return join(outer, inner)


def _join_paths(outer: str, inner: str) -> str:
    return f"{outer.rstrip('/')}/{inner.lstrip('/')}"


def _join_subdomains(outer: str, inner: str) -> str:
    return f"{inner}.{outer}"


def _check_name(name: str) -> None:
    if not name:
        raise ValueError("'name' may not be empty.")

    if "." in name:
        raise ValueError("'name' may not contain a dot '.' character.")


def _add_recorded_rule(
    rule: str,
    endpoint: str | None,
    view_func: ft.RouteCallable | None,
    options: dict[str, t.Any],
    state: BlueprintSetupState,
) -> None:
    state.add_url_rule(rule, endpoint, view_func, **options)


class BlueprintSetupState:
    """Handed to a blueprint's recorded functions when it is registered:
    the app, the registration options, and :meth:`add_url_rule`, which
    adds the blueprint's prefix, subdomain, defaults and name.
    """

    def __init__(
        self,
        blueprint: Blueprint,
        app: App,
        options: t.Any,
        first_registration: bool,
    ) -> None:
        #: The app being registered on.
        self.app = app
        #: The blueprint being registered.
        self.blueprint = blueprint
        #: The options of :meth:`~flask.Flask.register_blueprint`.
        self.options = options
        #: True the first time this blueprint is registered on this app,
        #: for setup that must not be repeated.
        self.first_registration = first_registration
        #: The subdomain of the blueprint's rules.
        self.subdomain = _given(options, "subdomain", blueprint.subdomain)
        #: The path prefix of the blueprint's rules.
        self.url_prefix = _given(options, "url_prefix", blueprint.url_prefix)
        self.name = options.get("name", blueprint.name)
        self.name_prefix = options.get("name_prefix", "")
        #: Default view arguments of the blueprint's rules.
        self.url_defaults = {
            **blueprint.url_values_defaults,
            **dict(options.get("url_defaults", ())),
        }

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: ft.RouteCallable | None = None,
        **options: t.Any,
    ) -> None:
        """Add a rule of the blueprint to the app, under its prefix and
        subdomain, with its defaults, and its name before the endpoint.
        """
        prefix = self.url_prefix

        if prefix is not None:
            rule = _join_paths(prefix, rule) if rule else prefix

        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)

        options.setdefault("subdomain", self.subdomain)
        defaults = self.url_defaults

        if "defaults" in options:
            defaults = {**defaults, **options.pop("defaults")}

        full_name = ".".join((self.name_prefix, self.name, endpoint)).lstrip(".")
        self.app.add_url_rule(rule, full_name, view_func, defaults=defaults, **options)


class Blueprint(Scaffold):
    """A set of views, hooks, error handlers, templates and static files
    that is recorded first and applied to an app when registered; it can
    be registered several times, under other names, or inside another
    blueprint.

    :param name: The blueprint's name, which prefixes its endpoints; it
        may not contain a dot.
    :param import_name: The blueprint's package, usually ``__name__``.
    :param static_folder: A folder of static files, served by the
        blueprint's ``static`` endpoint.
    :param static_url_path: The URL path of those static files.
    :param template_folder: A folder of templates, searched after the
        app's.
    :param url_prefix: A path before each of the blueprint's URLs.
    :param subdomain: The subdomain its rules match.
    :param url_defaults: Default view arguments of its rules.
    :param root_path: The blueprint's folder, if ``import_name`` cannot
        locate it.
    :param cli_group: The name of the CLI group of its commands; ``None``
        puts them in the app's own group.
    """

    _got_registered_once = False

    def __init__(
        self,
        name: str,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        url_prefix: str | None = None,
        subdomain: str | None = None,
        url_defaults: dict[str, t.Any] | None = None,
        root_path: str | None = None,
        cli_group: str | None = _sentinel,  # type: ignore[assignment]
    ):
        super().__init__(
            import_name, static_folder, static_url_path, template_folder, root_path
        )
        _check_name(name)
        self.name = name
        self.cli_group = cli_group
        self.url_prefix, self.subdomain = url_prefix, subdomain
        self.url_values_defaults = {} if url_defaults is None else url_defaults
        #: Called with a :class:`BlueprintSetupState` on each registration.
        self.deferred_functions: list[DeferredSetupFunction] = []
        # Nested blueprints and their options.
        self._blueprints: list[tuple[Blueprint, dict[str, t.Any]]] = []

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_registered_once:
            raise AssertionError(_LATE_SETUP.format(name=f_name, blueprint=self.name))

    @setupmethod
    def record(self, func: DeferredSetupFunction) -> None:
        """Call ``func`` with the setup state at each registration."""
        self.deferred_functions.append(func)

    @setupmethod
    def record_once(self, func: DeferredSetupFunction) -> None:
        """Call ``func`` with the setup state at the first registration on
        each app only.
        """
        self.record(lambda state: func(state) if state.first_registration else None)

    def make_setup_state(
        self, app: App, options: dict[str, t.Any], first_registration: bool = False
    ) -> BlueprintSetupState:
        """Make the setup state of one registration."""
        return BlueprintSetupState(self, app, options, first_registration)

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Nest ``blueprint`` in this one: when this one is registered, so
        is it, with this one's name, URL prefix and subdomain around its
        own.

        :param blueprint: The blueprint to nest.
        :param options: As for :meth:`flask.Flask.register_blueprint`.
        """
        if blueprint is self:
            raise ValueError("Cannot register a blueprint on itself")

        self._blueprints.append((blueprint, options))

    def register(self, app: App, options: dict[str, t.Any]) -> None:
        """Apply the blueprint to ``app``; this is what
        :meth:`flask.Flask.register_blueprint` calls.

        The static route comes first, then the blueprint's registries are
        copied into the app under its name, the recorded functions run,
        its commands join the app's CLI, and nested blueprints register.

        :param app: The app.
        :param options: The registration options.
        """
        own_name = options.get("name", self.name)
        name = f"{options.get('name_prefix', '')}.{own_name}".lstrip(".")
        taken = app.blueprints.get(name)

        if taken is not None:
            which = "this" if taken is self else "a different"
            full = f" '{name}'" if name != own_name else ""
            raise ValueError(
                f"The name '{own_name}' is already registered for {which}"
                f" blueprint{full}. Use 'name=' to provide a unique name."
            )

        state = self.make_setup_state(
            app, options, all(bp is not self for bp in app.blueprints.values())
        )
        app.blueprints[name] = self
        self._got_registered_once = True

        if self.has_static_folder:
            static_rule = f"{self.static_url_path}/<path:filename>"
            state.add_url_rule(static_rule, "static", self.send_static_file)  # type: ignore[attr-defined]

        self._merge_blueprint_funcs(app, name)

        for deferred in self.deferred_functions:
            deferred(state)

        self._register_cli(app, options, name)

        for child, child_options in self._blueprints:
            child.register(app, self._child_options(state, name, child, child_options))

    @staticmethod
    def _child_options(
        state: BlueprintSetupState,
        name: str,
        child: Blueprint,
        given: dict[str, t.Any],
    ) -> dict[str, t.Any]:
        """The options a nested blueprint registers with: its own, under
        this registration's name, URL prefix and subdomain.
        """
        options = {**given, "name_prefix": name}
        prefix = _nest(
            state.url_prefix, _given(given, "url_prefix", child.url_prefix), _join_paths
        )
        subdomain = _nest(
            state.subdomain,
            _given(given, "subdomain", child.subdomain),
            _join_subdomains,
        )

        if prefix is not None:
            options["url_prefix"] = prefix

        if subdomain is not None:
            options["subdomain"] = subdomain

        return options

    def _register_cli(self, app: App, options: dict[str, t.Any], name: str) -> None:
        """Make the blueprint's commands part of the app's CLI: in a group
        of their own, or, with ``cli_group=None``, directly.
        """
        made_on_use = isinstance(getattr(type(self), "cli", None), cached_property)
        if made_on_use and "cli" not in self.__dict__:
            return  # never used: no commands, and click stays unloaded

        if not self.cli.commands:
            return

        group = options.get("cli_group", self.cli_group)

        if group is None:
            app.cli.commands.update(self.cli.commands)
            return

        self.cli.name = name if group is _sentinel else group
        app.cli.add_command(self.cli)

    def _merge_blueprint_funcs(self, app: App, name: str) -> None:
        """Copy the blueprint's registries into the app, its own scope
        (``None``) under ``name`` and any others under ``name.scope``.
        """

        def rescope(scope: str | None) -> str:
            return name if scope is None else f"{name}.{scope}"

        # COMPAT(3.1): views given to ``endpoint()`` (or written into
        # ``view_functions``) reach the app under the endpoint as given.
        app.view_functions.update(self.view_functions)

        for scope, by_code in self.error_handler_spec.items():
            copied = new_handler_scope(app.error_handler_spec)

            for code, handlers in by_code.items():
                copied[code].update(handlers)

            app.error_handler_spec[rescope(scope)] = copied

        for attr in _HOOK_REGISTRIES:
            target = getattr(app, attr)

            for scope, funcs in getattr(self, attr).items():
                target[rescope(scope)].extend(funcs)

    def _on_app(self, registry: str, f: F) -> F:
        """Add ``f`` to the app's own scope of ``registry`` once, at the
        first registration.
        """
        self.record_once(
            lambda state: scope_list(getattr(state.app, registry), None).append(f)
        )
        return f

    def _app_jinja(
        self, table: str, f: t.Callable[..., t.Any], name: str | None
    ) -> None:
        """Add ``f`` to one of the app's Jinja tables once registered."""
        key = name or f.__name__
        self.record_once(
            lambda state: getattr(state.app.jinja_env, table).__setitem__(key, f)
        )

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: ft.RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Record a rule, added to the app at registration under the
        blueprint's prefix and name; see :meth:`flask.Flask.add_url_rule`.
        """
        if endpoint and "." in endpoint:
            raise ValueError("'endpoint' may not contain a dot '.' character.")

        if view_func and "." in getattr(view_func, "__name__", ""):
            raise ValueError("'view_func' name may not contain a dot '.' character.")

        options["provide_automatic_options"] = provide_automatic_options
        self.record(partial(_add_recorded_rule, rule, endpoint, view_func, options))

    @setupmethod
    def app_template_filter(
        self, name: str | None = None
    ) -> t.Callable[[T_template_filter], T_template_filter]:
        """Decorate a Jinja filter for all of the app's templates."""
        return _registrar(lambda f: self.add_app_template_filter(f, name=name))

    @setupmethod
    def add_app_template_filter(
        self, f: ft.TemplateFilterCallable, name: str | None = None
    ) -> None:
        """Add a Jinja filter for all of the app's templates."""
        self._app_jinja("filters", f, name)

    @setupmethod
    def app_template_test(
        self, name: str | None = None
    ) -> t.Callable[[T_template_test], T_template_test]:
        """Decorate a Jinja test for all of the app's templates."""
        return _registrar(lambda f: self.add_app_template_test(f, name=name))

    @setupmethod
    def add_app_template_test(
        self, f: ft.TemplateTestCallable, name: str | None = None
    ) -> None:
        """Add a Jinja test for all of the app's templates."""
        self._app_jinja("tests", f, name)

    @setupmethod
    def app_template_global(
        self, name: str | None = None
    ) -> t.Callable[[T_template_global], T_template_global]:
        """Decorate a global for all of the app's templates."""
        return _registrar(lambda f: self.add_app_template_global(f, name=name))

    @setupmethod
    def add_app_template_global(
        self, f: ft.TemplateGlobalCallable, name: str | None = None
    ) -> None:
        """Add a global for all of the app's templates."""
        self._app_jinja("globals", f, name)

    @setupmethod
    def before_app_request(self, f: T_before_request) -> T_before_request:
        """As :meth:`before_request`, for every request of the app."""
        return self._on_app("before_request_funcs", f)

    @setupmethod
    def after_app_request(self, f: T_after_request) -> T_after_request:
        """As :meth:`after_request`, for every request of the app."""
        return self._on_app("after_request_funcs", f)

    @setupmethod
    def teardown_app_request(self, f: T_teardown) -> T_teardown:
        """As :meth:`teardown_request`, for every request of the app."""
        return self._on_app("teardown_request_funcs", f)

    @setupmethod
    def app_context_processor(
        self, f: T_template_context_processor
    ) -> T_template_context_processor:
        """As :meth:`context_processor`, for every template of the app."""
        return self._on_app("template_context_processors", f)

    @setupmethod
    def app_errorhandler(
        self, code: type[Exception] | int
    ) -> t.Callable[[T_error_handler], T_error_handler]:
        """As :meth:`errorhandler`, for errors raised anywhere in the app."""
        return _registrar(
            lambda f: self.record_once(lambda state: state.app.errorhandler(code)(f))
        )

    @setupmethod
    def app_url_value_preprocessor(
        self, f: T_url_value_preprocessor
    ) -> T_url_value_preprocessor:
        """As :meth:`url_value_preprocessor`, for every request of the app."""
        return self._on_app("url_value_preprocessors", f)

    @setupmethod
    def app_url_defaults(self, f: T_url_defaults) -> T_url_defaults:
        """As :meth:`url_defaults`, for every URL the app builds."""
        return self._on_app("url_default_functions", f)
