"""``Blueprint`` without I/O: deferred registration onto an app."""

from __future__ import annotations

import os
import typing as t
from collections import defaultdict

from .. import typing as ft
from .scaffold import _endpoint_from_view_func
from .scaffold import _sentinel
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


def _join_prefix(outer: str | None, inner: str | None) -> str | None:
    """Combine an enclosing URL prefix with a nested one."""
    if outer is not None and inner is not None:
        return outer.rstrip("/") + "/" + inner.lstrip("/")

    return inner if inner is not None else outer


def _join_subdomain(outer: str | None, inner: str | None) -> str | None:
    """Combine an enclosing subdomain with a nested one (``inner.outer``)."""
    if outer is not None and inner is not None:
        return f"{inner}.{outer}"

    return inner if inner is not None else outer


class BlueprintSetupState:
    """What a blueprint's deferred functions receive when the blueprint is
    registered on an app: the app, the options, and a URL-rule helper that
    applies the prefix, subdomain and defaults.
    """

    def __init__(
        self,
        blueprint: Blueprint,
        app: App,
        options: t.Any,
        first_registration: bool,
    ) -> None:
        #: The app the blueprint is registered on.
        self.app = app

        #: The blueprint being registered.
        self.blueprint = blueprint

        #: The options given to :meth:`~flask.Flask.register_blueprint`.
        self.options = options

        #: Whether this is the blueprint's first registration on the app,
        #: for setup that must happen only once.
        self.first_registration = first_registration

        subdomain = self.options.get("subdomain")

        if subdomain is None:
            subdomain = self.blueprint.subdomain

        #: The subdomain the blueprint's rules match.
        self.subdomain = subdomain

        url_prefix = self.options.get("url_prefix")

        if url_prefix is None:
            url_prefix = self.blueprint.url_prefix

        #: The prefix of the blueprint's URL rules.
        self.url_prefix = url_prefix

        self.name = self.options.get("name", blueprint.name)
        self.name_prefix = self.options.get("name_prefix", "")

        #: Default values for the blueprint's URL rules.
        self.url_defaults = dict(self.blueprint.url_values_defaults)
        self.url_defaults.update(self.options.get("url_defaults", ()))

    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: ft.RouteCallable | None = None,
        **options: t.Any,
    ) -> None:
        """Add a rule to the app with the blueprint's prefix, subdomain,
        defaults, and its name in front of the endpoint.
        """
        if self.url_prefix is not None:
            if rule:
                rule = "/".join((self.url_prefix.rstrip("/"), rule.lstrip("/")))
            else:
                rule = self.url_prefix

        options.setdefault("subdomain", self.subdomain)

        if endpoint is None:
            endpoint = _endpoint_from_view_func(view_func)

        defaults = self.url_defaults

        if "defaults" in options:
            defaults = dict(defaults, **options.pop("defaults"))

        self.app.add_url_rule(
            rule,
            f"{self.name_prefix}.{self.name}.{endpoint}".lstrip("."),
            view_func,
            defaults=defaults,
            **options,
        )


class Blueprint(Scaffold):
    """A group of views, hooks, templates and static files registered on
    an app as a unit, possibly several times or nested in other
    blueprints. Registrations are recorded and applied when the blueprint
    is registered.

    :param name: The blueprint's name, prefixed to its endpoints; no dots.
    :param import_name: The blueprint's package, usually ``__name__``.
    :param static_folder: A folder of static files served under the
        blueprint's ``static`` endpoint.
    :param static_url_path: The URL path of the static files.
    :param template_folder: A folder of templates, searched after the
        app's.
    :param url_prefix: A path prefix for all the blueprint's URLs.
    :param subdomain: The subdomain the blueprint's routes match.
    :param url_defaults: Default view arguments for its routes.
    :param root_path: The blueprint's folder, when it cannot be found
        from ``import_name``.
    :param cli_group: The name of the group its CLI commands go in;
        ``None`` adds them to the app's group directly.
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
            import_name=import_name,
            static_folder=static_folder,
            static_url_path=static_url_path,
            template_folder=template_folder,
            root_path=root_path,
        )

        if not name:
            raise ValueError("'name' may not be empty.")

        if "." in name:
            raise ValueError("'name' may not contain a dot '.' character.")

        self.name = name
        self.url_prefix = url_prefix
        self.subdomain = subdomain
        self.deferred_functions: list[DeferredSetupFunction] = []

        if url_defaults is None:
            url_defaults = {}

        self.url_values_defaults = url_defaults
        self.cli_group = cli_group
        self._blueprints: list[tuple[Blueprint, dict[str, t.Any]]] = []

    def _check_setup_finished(self, f_name: str) -> None:
        if self._got_registered_once:
            raise AssertionError(
                f"The setup method '{f_name}' can no longer be called on the"
                f" blueprint '{self.name}'. It has already been registered at"
                " least once, any changes will not be applied"
                " consistently.\n"
                "Make sure all imports, decorators, functions, etc."
                " needed to set up the blueprint are done before"
                " registering it."
            )

    @setupmethod
    def record(self, func: DeferredSetupFunction) -> None:
        """Record a function to call with a :class:`BlueprintSetupState`
        each time the blueprint is registered.
        """
        self.deferred_functions.append(func)

    @setupmethod
    def record_once(self, func: DeferredSetupFunction) -> None:
        """Like :meth:`record`, but only on the first registration on a
        given app.
        """

        def wrapper(state: BlueprintSetupState) -> None:
            if state.first_registration:
                func(state)

        self.record(wrapper)

    def make_setup_state(
        self, app: App, options: dict[str, t.Any], first_registration: bool = False
    ) -> BlueprintSetupState:
        """Create the :class:`BlueprintSetupState` for a registration."""
        return BlueprintSetupState(self, app, options, first_registration)

    @setupmethod
    def register_blueprint(self, blueprint: Blueprint, **options: t.Any) -> None:
        """Nest ``blueprint`` in this one. It is registered on the app when
        this one is, with its name, prefix and subdomain under this one's.

        :param blueprint: The nested blueprint.
        :param options: As for :meth:`flask.Flask.register_blueprint`.
        """
        if blueprint is self:
            raise ValueError("Cannot register a blueprint on itself")

        self._blueprints.append((blueprint, options))

    def register(self, app: App, options: dict[str, t.Any]) -> None:
        """Register the blueprint on ``app``; called by
        :meth:`flask.Flask.register_blueprint`.

        It merges the blueprint's registries into the app, runs the
        recorded functions, then registers nested blueprints.

        :param app: The application.
        :param options: The registration options.
        """
        name_prefix = options.get("name_prefix", "")
        self_name = options.get("name", self.name)
        name = f"{name_prefix}.{self_name}".lstrip(".")

        if name in app.blueprints:
            bp_desc = "this" if app.blueprints[name] is self else "a different"
            existing_at = f" '{name}'" if self_name != name else ""

            raise ValueError(
                f"The name '{self_name}' is already registered for"
                f" {bp_desc} blueprint{existing_at}. Use 'name=' to"
                " provide a unique name."
            )

        first_bp_registration = not any(bp is self for bp in app.blueprints.values())

        app.blueprints[name] = self
        self._got_registered_once = True
        state = self.make_setup_state(app, options, first_bp_registration)

        if self.has_static_folder:
            state.add_url_rule(
                f"{self.static_url_path}/<path:filename>",
                view_func=self.send_static_file,  # type: ignore[attr-defined]
                endpoint="static",
            )

        # The name is new (checked above), so the registries are merged
        # under it even when the blueprint is registered again.
        self._merge_blueprint_funcs(app, name)

        for deferred in self.deferred_functions:
            deferred(state)

        self._register_cli(app, options, name)

        for blueprint, bp_options in self._blueprints:
            bp_options = bp_options.copy()
            url_prefix = bp_options.get("url_prefix")

            if url_prefix is None:
                url_prefix = blueprint.url_prefix

            url_prefix = _join_prefix(state.url_prefix, url_prefix)

            if url_prefix is not None:
                bp_options["url_prefix"] = url_prefix

            bp_subdomain = bp_options.get("subdomain")

            if bp_subdomain is None:
                bp_subdomain = blueprint.subdomain

            bp_subdomain = _join_subdomain(state.subdomain, bp_subdomain)

            if bp_subdomain is not None:
                bp_options["subdomain"] = bp_subdomain

            bp_options["name_prefix"] = name
            blueprint.register(app, bp_options)

    def _register_cli(self, app: App, options: dict[str, t.Any], name: str) -> None:
        """Add the blueprint's commands to the app's CLI group."""
        if not self.cli.commands:
            return

        cli_resolved_group = options.get("cli_group", self.cli_group)

        if cli_resolved_group is None:
            app.cli.commands.update(self.cli.commands)
            return

        self.cli.name = name if cli_resolved_group is _sentinel else cli_resolved_group
        app.cli.add_command(self.cli)

    def _merge_blueprint_funcs(self, app: App, name: str) -> None:
        """Copy this blueprint's scoped registries into the app under
        ``name`` (nested scopes become ``name.child``).
        """

        def scoped(key: str | None) -> str:
            return name if key is None else f"{name}.{key}"

        # COMPAT(3.1): views set with ``endpoint()`` (or written into
        # ``view_functions``) go to the app under the endpoint as given,
        # without the blueprint's name in front.
        app.view_functions.update(self.view_functions)

        for key, code_map in self.error_handler_spec.items():
            app.error_handler_spec[scoped(key)] = defaultdict(
                dict,
                {code: dict(handlers) for code, handlers in code_map.items()},
            )

        for registry_name in (
            "before_request_funcs",
            "after_request_funcs",
            "teardown_request_funcs",
            "url_default_functions",
            "url_value_preprocessors",
            "template_context_processors",
        ):
            bp_registry = getattr(self, registry_name)
            app_registry = getattr(app, registry_name)

            for key, values in bp_registry.items():
                app_registry.setdefault(scoped(key), []).extend(values)

    @setupmethod
    def add_url_rule(
        self,
        rule: str,
        endpoint: str | None = None,
        view_func: ft.RouteCallable | None = None,
        provide_automatic_options: bool | None = None,
        **options: t.Any,
    ) -> None:
        """Record a URL rule to add to the app with the blueprint's prefix
        and name; see :meth:`flask.Flask.add_url_rule`.
        """
        if endpoint and "." in endpoint:
            raise ValueError("'endpoint' may not contain a dot '.' character.")

        if view_func and hasattr(view_func, "__name__") and "." in view_func.__name__:
            raise ValueError("'view_func' name may not contain a dot '.' character.")

        self.record(
            lambda s: s.add_url_rule(
                rule,
                endpoint,
                view_func,
                provide_automatic_options=provide_automatic_options,
                **options,
            )
        )

    @setupmethod
    def app_template_filter(
        self, name: str | None = None
    ) -> t.Callable[[T_template_filter], T_template_filter]:
        """Like :meth:`flask.Flask.template_filter`; the filter is
        available in all of the app's templates.
        """

        def decorator(f: T_template_filter) -> T_template_filter:
            self.add_app_template_filter(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_filter(
        self, f: ft.TemplateFilterCallable, name: str | None = None
    ) -> None:
        """Register an app-wide Jinja filter; see
        :meth:`app_template_filter`.
        """

        def register_template(state: BlueprintSetupState) -> None:
            state.app.jinja_env.filters[name or f.__name__] = f

        self.record_once(register_template)

    @setupmethod
    def app_template_test(
        self, name: str | None = None
    ) -> t.Callable[[T_template_test], T_template_test]:
        """Like :meth:`flask.Flask.template_test`, app-wide."""

        def decorator(f: T_template_test) -> T_template_test:
            self.add_app_template_test(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_test(
        self, f: ft.TemplateTestCallable, name: str | None = None
    ) -> None:
        """Register an app-wide Jinja test; see :meth:`app_template_test`."""

        def register_template(state: BlueprintSetupState) -> None:
            state.app.jinja_env.tests[name or f.__name__] = f

        self.record_once(register_template)

    @setupmethod
    def app_template_global(
        self, name: str | None = None
    ) -> t.Callable[[T_template_global], T_template_global]:
        """Like :meth:`flask.Flask.template_global`, app-wide."""

        def decorator(f: T_template_global) -> T_template_global:
            self.add_app_template_global(f, name=name)
            return f

        return decorator

    @setupmethod
    def add_app_template_global(
        self, f: ft.TemplateGlobalCallable, name: str | None = None
    ) -> None:
        """Register an app-wide template global; see
        :meth:`app_template_global`.
        """

        def register_template(state: BlueprintSetupState) -> None:
            state.app.jinja_env.globals[name or f.__name__] = f

        self.record_once(register_template)

    def _app_registry_append(self, registry_name: str, f: t.Any) -> None:
        """On first registration, append ``f`` to one of the app's own
        (unscoped) registries.
        """
        self.record_once(
            lambda s: getattr(s.app, registry_name).setdefault(None, []).append(f)
        )

    @setupmethod
    def before_app_request(self, f: T_before_request) -> T_before_request:
        """Like :meth:`before_request`, for every request of the app."""
        self._app_registry_append("before_request_funcs", f)
        return f

    @setupmethod
    def after_app_request(self, f: T_after_request) -> T_after_request:
        """Like :meth:`after_request`, for every request of the app."""
        self._app_registry_append("after_request_funcs", f)
        return f

    @setupmethod
    def teardown_app_request(self, f: T_teardown) -> T_teardown:
        """Like :meth:`teardown_request`, for every request of the app."""
        self._app_registry_append("teardown_request_funcs", f)
        return f

    @setupmethod
    def app_context_processor(
        self, f: T_template_context_processor
    ) -> T_template_context_processor:
        """Like :meth:`context_processor`, for every template of the app."""
        self._app_registry_append("template_context_processors", f)
        return f

    @setupmethod
    def app_errorhandler(
        self, code: type[Exception] | int
    ) -> t.Callable[[T_error_handler], T_error_handler]:
        """Like :meth:`errorhandler`, for errors anywhere in the app."""

        def decorator(f: T_error_handler) -> T_error_handler:
            def from_blueprint(state: BlueprintSetupState) -> None:
                state.app.errorhandler(code)(f)

            self.record_once(from_blueprint)
            return f

        return decorator

    @setupmethod
    def app_url_value_preprocessor(
        self, f: T_url_value_preprocessor
    ) -> T_url_value_preprocessor:
        """Like :meth:`url_value_preprocessor`, for every request of the
        app.
        """
        self._app_registry_append("url_value_preprocessors", f)
        return f

    @setupmethod
    def app_url_defaults(self, f: T_url_defaults) -> T_url_defaults:
        """Like :meth:`url_defaults`, for every URL built in the app."""
        self._app_registry_append("url_default_functions", f)
        return f
