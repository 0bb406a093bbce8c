"""Longer explanations of some common mistakes, used in debug mode only.

The app imports this module lazily, the first time one of these helps.
"""

from __future__ import annotations

import functools
import typing as t
import weakref

from jinja2.loaders import BaseLoader
from werkzeug.routing import RequestRedirect

from .blueprints import Blueprint
from .globals import _cv_request
from .sansio.app import App

if t.TYPE_CHECKING:  # pragma: no cover
    from werkzeug.datastructures import MultiDict

    from .sansio.scaffold import Scaffold
    from .wrappers import Request


# COMPAT(3.1): every text below is shown to users and is Flask's wording.

_FILES_MISSING = (
    "You tried to access the file {key!r} in the request.files dictionary"
    " but it does not exist. The mimetype for the request is {mimetype!r}"
    " instead of 'multipart/form-data' which means that no file contents"
    " were transmitted. To fix this error you should provide"
    ' enctype="multipart/form-data" in your form.'
)
_FILES_NAMES_SENT = (
    "\n\nThe browser instead transmitted some file names. This was submitted: {}"
)

_REDIRECT_SENT = (
    "A request was sent to '{url}', but routing issued a redirect to the"
    " canonical URL '{target}'."
)
_REDIRECT_SLASH = (
    " The URL was defined with a trailing slash. Flask will redirect to the"
    " URL with a trailing slash if it was accessed without one."
)
_REDIRECT_ADVICE = (
    " Send requests to the canonical URL, or use 307 or 308 for routing"
    " redirects. Otherwise, browsers will drop form data.\n\n"
    "This exception is only raised in debug mode."
)

# What to add after the attempts, by the number of loaders that matched
# (2 standing for "more than one"); nothing when exactly one did.
_VERDICTS = {
    0: "Error: the template could not be found.",
    2: "Warning: multiple loaders returned a match for the template.",
}
_BLUEPRINT_HINT = (
    "  The template was looked up from an endpoint that belongs to the"
    " blueprint {!r}.\n"
    "  Maybe you did not place a template in the right folder?\n"
    "  See https://flask.palletsprojects.com/blueprints/#templates"
)
_INDENT = " " * 7

_Files = t.TypeVar("_Files", bound="MultiDict[str, t.Any]")


class UnexpectedUnicodeError(AssertionError, UnicodeError):
    """Text was given in debug mode where bytes were needed."""


class DebugFilesKeyError(KeyError, AssertionError):
    """A key of ``request.files`` is missing because the form was not
    sent as ``multipart/form-data``; the message says how to fix the form.

    Being a :exc:`KeyError`, it is caught wherever the plain error is.
    """

    def __init__(self, request: Request, key: str) -> None:
        # NOTE: ``args`` stay (request, key), as KeyError leaves them.
        text = _FILES_MISSING.format(key=key, mimetype=request.mimetype)
        sent = request.form.getlist(key)

        if sent:
            text += _FILES_NAMES_SENT.format(", ".join(map(repr, sent)))

        #: The full explanation, also what ``str()`` gives.
        self.msg = text

    def __str__(self) -> str:
        return self.msg


class FormDataRoutingRedirect(AssertionError):
    """Routing answered a request that has a body (a form ``POST``, say)
    with a redirect the browser would follow without the body. Usually
    the URL lacks the trailing slash its rule has.
    """

    def __init__(self, request: Request) -> None:
        redirect = request.routing_exception

        if not isinstance(redirect, RequestRedirect):
            raise AssertionError(
                "FormDataRoutingRedirect explains a RequestRedirect, but the"
                f" request's routing error is {redirect!r}."
            )

        target = redirect.new_url
        parts = [_REDIRECT_SENT.format(url=request.url, target=target)]

        # Only the trailing slash differs, the query string aside.
        if target.split("?", 1)[0] == request.base_url + "/":
            parts.append(_REDIRECT_SLASH)

        parts.append(_REDIRECT_ADVICE)
        super().__init__("".join(parts))


def attach_enctype_error_multidict(request: Request) -> None:
    """Make ``request.files[key]`` raise :exc:`DebugFilesKeyError` when
    ``key`` was sent as a form field, instead of a bare :exc:`KeyError`.
    """
    files = request.files
    # A weak reference: the files dict must not keep the request alive.
    files.__dict__["_explain_for"] = weakref.ref(request)
    files.__class__ = _explaining(type(files))


@functools.cache
def _explaining(base: type[_Files]) -> type[_Files]:
    """A subclass of ``base`` whose missing keys are explained; one per
    class, made on first use. It keeps the base's names, which show up
    in reprs and error pages.
    """

    def __getitem__(self: _Files, key: str) -> t.Any:
        try:
            return base.__getitem__(self, key)
        except KeyError as e:
            ref = self.__dict__.get("_explain_for")
            request = None if ref is None else ref()

            if request is None or key not in request.form:
                raise

            error = DebugFilesKeyError(request, key)
            raise error.with_traceback(e.__traceback__) from None

    explaining = type(
        base.__name__,
        (base,),
        {
            "__getitem__": __getitem__,
            "__module__": base.__module__,
            "__qualname__": base.__qualname__,
        },
    )
    return t.cast("type[_Files]", explaining)


def _describe_owner(owner: object) -> str:
    """How an attempt names the app or blueprint the loader belongs to."""
    if isinstance(owner, App):
        return f"application {owner.import_name!r}"

    if isinstance(owner, Blueprint):
        return f"blueprint {owner.name!r} ({owner.import_name})"

    return repr(owner)


def _field_lines(name: str, value: object) -> list[str]:
    """A loader attribute as shown: scalars with their repr, sequences of
    strings one item a line; anything else is left out.
    """
    if isinstance(value, (str, int, float, bool)):
        return [f"{name}: {value!r}"]

    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return [f"{name}:", *[f"  - {item}" for item in value]]

    return []


def _describe_loader(loader: BaseLoader) -> list[str]:
    """The loader's class, then its public attributes by name."""
    kind = type(loader)
    lines = [f"class: {kind.__module__}.{kind.__name__}"]
    fields = sorted(getattr(loader, "__dict__", {}).items())

    for name, value in fields:
        if not name.startswith("_"):
            lines += _field_lines(name, value)

    return lines


def explain_template_loading_attempts(
    app: App,
    template: str,
    attempts: list[
        tuple[
            BaseLoader,
            Scaffold,
            tuple[str, str | None, t.Callable[[], bool] | None] | None,
        ]
    ],
) -> None:
    """Log at INFO level, on the app's logger, the loaders tried for
    ``template`` and what each found. Used when the
    ``EXPLAIN_TEMPLATE_LOADING`` config is set.

    :param app: The app whose logger gets the explanation.
    :param template: The name looked up.
    :param attempts: For each loader tried: the loader, the app or
        blueprint it belongs to, and what its ``get_source`` returned
        (``None`` when it raised ``TemplateNotFound``).
    """
    report = [f"Locating template {template!r}:"]
    matches = 0

    for number, (loader, owner, source) in enumerate(attempts, start=1):
        report.append(f"{number:5}: trying loader of {_describe_owner(owner)}")
        report.extend(_INDENT + line for line in _describe_loader(loader))

        if source is None:
            report.append(f"{_INDENT}-> no match")
        else:
            matches += 1
            filename = source[1] or "<string>"
            report.append(f"{_INDENT}-> found ({filename!r})")

    verdict = _VERDICTS.get(min(matches, 2))

    if verdict is not None:
        report.append(verdict)
        ctx = _cv_request.get(None)
        blueprint = None if ctx is None else ctx.request.blueprint

        # A blueprint's view that misses its template: the usual cause is
        # a template folder the blueprint does not search.
        if blueprint is not None:
            report.append(_BLUEPRINT_HINT.format(blueprint))

    app.logger.info("\n".join(report))
