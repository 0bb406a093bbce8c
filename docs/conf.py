"""Sphinx configuration for the project's documentation.

Build with ``tox -e docs``, or by hand::

    sphinx-build -W -n --keep-going -b html docs docs/_build/html

``-W`` turns every warning into an error and ``-n`` (nitpicky) reports
every cross-reference that does not resolve. The build has no network, so
there is no intersphinx: references into the standard library, Werkzeug,
Jinja, Click and the other dependencies cannot resolve and are ignored
below by pattern. Every reference to a ``flask`` name, and every ``:doc:``
and ``:ref:`` link between pages, must resolve.
"""

from __future__ import annotations

import importlib.metadata

project = "Flask, reimplemented"
author = "The project's authors"
copyright = "2024, the project's authors"
release = importlib.metadata.version("flask")
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
]

exclude_patterns = ["_build", "tests", "requirements.txt", "figures"]
templates_path: list[str] = []
html_static_path = ["_static"]
html_theme = "alabaster"
html_title = f"Flask {release}, reimplemented"
html_theme_options = {
    "description": "A drop-in implementation of Flask 3.1",
    "fixed_sidebar": True,
    "show_relbars": True,
}
html_sidebars = {
    "**": ["about.html", "navigation.html", "relations.html", "searchbox.html"]
}

# -- autodoc -----------------------------------------------------------------

autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
# Types go into the parameter descriptions, where they read better than in
# long signatures.
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_preserve_defaults = True
autoclass_content = "both"

# -- nitpicky ----------------------------------------------------------------

# Targets outside this project. Without intersphinx (the build is offline)
# these cannot be linked; anything under ``flask`` still must be.
_EXTERNAL = (
    r"(builtins|t|typing|typing_extensions|cabc|collections|abc|types|os|io"
    r"|sys|re|json|logging|datetime|decimal|uuid|dataclasses|enum|pathlib"
    r"|contextvars|importlib|ssl|socket|threading|asyncio|weakref|functools"
    r"|werkzeug|jinja2|click|itsdangerous|blinker|markupsafe|asgiref|dotenv"
    r"|_typeshed|te|ft|sansio|wsgiref|http|urllib|inspect|unittest|ast|pickle"
    r"|tomllib|hmac|sqlite3|pytest|secrets|shlex|subprocess|string|zlib)(\..+)?"
)
_BUILTINS = (
    r"(str|bytes|bytearray|int|float|bool|complex|None|NoneType|object|type"
    r"|list|tuple|dict|set|frozenset|callable|Callable|Any|Exception"
    r"|BaseException|KeyError|ValueError|TypeError|RuntimeError|AttributeError"
    r"|ImportError|OSError|LookupError|StopIteration|Ellipsis|ellipsis"
    r"|memoryview|range|slice|property|classmethod|staticmethod|iterable"
    r"|[A-Z]|T_\w+|F|R|P|BytesIO|StringIO|TextIO|IO|Path|PathLike|Iterator"
    r"|Iterable|Mapping|MutableMapping|Sequence|Generator|AsyncGenerator"
    r"|Awaitable|Coroutine|TracebackType|ModuleType|timedelta|datetime|date"
    r"|Decimal|UUID|optional|default|dict_keys|dict_values|dict_items"
    # Werkzeug, Jinja and itsdangerous classes named without their module
    # in our annotations and docstrings.
    r"|HTTPException|Rule|Map|MapAdapter|MultiDict|ImmutableMultiDict|Headers"
    r"|TestResponse(\.\w+)?|Template|TemplateNotFound|BaseLoader"
    r"|URLSafeTimedSerializer"
    r"|BaseResponse|BaseRequest|FileStorage|Client|CliRunner|Result|Group"
    r"|Command|Context|ParamType|Signal|NamedSignal|LocalProxy|Markup)"
)
nitpick_ignore_regex = [
    (r"py:.*", _EXTERNAL),
    (r"py:.*", _BUILTINS),
    # Type variables of decorators (T_route, F, ...) are not API.
    (r"py:.*", r"flask(\.\w+)*\.(T_\w+|T|F|R|P)"),
    # Private helpers that annotations or defaults name are not API either.
    (r"py:.*", r"flask(\.\w+)*\._\w+(\.\w+)*"),
    (r"py:.*", r"WebsocketTestSession"),
    # What flask.Check functions return, described in deploying/safely.
    (r"py:.*", r"(flask\._checks\.)?(CheckResult|Problem)"),
]


def _resolve_short_reference(app, env, node, contnode):
    """Resolve ``:meth:`should_set_cookie``` and the like, written without
    a module in a docstring, to the one documented ``flask`` object whose
    name ends that way. Anything ambiguous or unknown is left to the
    nitpicky warning.
    """
    if node.get("refdomain") != "py":
        return None

    target = node["reftarget"].lstrip(".~")

    if target.startswith("flask."):
        return None

    domain = env.get_domain("py")
    context = node.get("py:class")
    suffix = "." + target
    candidates = [
        name
        for name, obj in domain.objects.items()
        if name.endswith(suffix) and not obj.aliased
    ]

    # Prefer a member of the class the reference was written in.
    if context and len(candidates) > 1:
        own = [c for c in candidates if c.endswith(f".{context}{suffix}")]
        candidates = own or candidates

    if len(candidates) != 1:
        return _inherited_from_dependency(node, contnode, target)

    return domain.resolve_xref(
        env,
        node["refdoc"],
        app.builder,
        node["reftype"],
        candidates[0],
        node,
        contnode,
    )


def _inherited_from_dependency(node, contnode, target):
    """An attribute that a ``flask`` class inherits from Werkzeug (such as
    ``content_length`` on ``flask.Request``) is documented by Werkzeug;
    render it as plain code instead of warning."""
    import importlib

    module = node.get("py:module")
    cls = node.get("py:class")

    if not (module and cls and module.startswith("flask")):
        return None

    obj = importlib.import_module(module)

    for part in cls.split("."):
        obj = getattr(obj, part, None)

    if not isinstance(obj, type):
        return None

    for base in obj.__mro__:
        if target in vars(base):
            if base.__module__.startswith("flask"):
                return None

            return contnode

    return None


def _hide_private_bases(app, name, obj, options, bases):
    # Private mixins (flask.helpers._PackageFilesMixin) are not API.
    bases[:] = [b for b in bases if not b.__name__.startswith("_")]


def _skip_builtin_docstrings(app, what, name, obj, skip, options):
    # dict methods overridden without a docstring would be shown with
    # dict's docstring ("D.keys() -> a set-like object ..."), which is
    # neither ours nor about this class.
    if what == "class" and getattr(obj, "__doc__", None) is None:
        if hasattr(dict, name):
            return True

    return None


def setup(app):
    app.connect("missing-reference", _resolve_short_reference)
    app.connect("autodoc-process-bases", _hide_private_bases)
    app.connect("autodoc-skip-member", _skip_builtin_docstrings)
