"""The request and response classes, werkzeug's with the app's settings."""

from __future__ import annotations

import typing as t

from werkzeug.exceptions import BadRequest
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request as RequestBase
from werkzeug.wrappers import Response as ResponseBase

from . import json
from .globals import _cv_app
from .helpers import _split_blueprint_path

if t.TYPE_CHECKING:  # pragma: no cover
    from werkzeug.routing import Rule


class Request(RequestBase):
    """The request object of the framework, available as
    :data:`~flask.request`.

    It adds what routing found (:attr:`url_rule`, :attr:`view_args`,
    :attr:`endpoint`, :attr:`blueprint`) and reads the body limits from
    the current app's config unless they are set on the request itself.
    """

    #: Parses :attr:`json`; the request context sets it to ``app.json``.
    json_module: t.Any = json

    #: The rule that matched the request, or ``None`` before or without a
    #: match. Its ``methods`` tell which methods the URL accepts.
    url_rule: Rule | None = None

    #: The values captured from the URL by the matching rule.
    view_args: dict[str, t.Any] | None = None

    #: The routing error (404, 405, a redirect) kept until dispatch raises
    #: it, so hooks still run before it.
    routing_exception: HTTPException | None = None

    _max_content_length: int | None = None
    _max_form_memory_size: int | None = None
    _max_form_parts: int | None = None

    @property
    def max_content_length(self) -> int | None:
        """The largest body, in bytes, this request may send.

        Set it on the request to override the ``MAX_CONTENT_LENGTH``
        config of the current app.
        """
        if self._max_content_length is not None:
            return self._max_content_length

        ctx = _cv_app.get(None)

        if ctx is None:
            return super().max_content_length

        return ctx.app.config["MAX_CONTENT_LENGTH"]  # type: ignore[no-any-return]

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value

    @property
    def max_form_memory_size(self) -> int | None:
        """The largest non-file form field, in bytes.

        Set it on the request to override ``MAX_FORM_MEMORY_SIZE``.
        """
        if self._max_form_memory_size is not None:
            return self._max_form_memory_size

        ctx = _cv_app.get(None)

        if ctx is None:
            return super().max_form_memory_size

        return ctx.app.config["MAX_FORM_MEMORY_SIZE"]  # type: ignore[no-any-return]

    @max_form_memory_size.setter
    def max_form_memory_size(self, value: int | None) -> None:
        self._max_form_memory_size = value

    @property  # type: ignore[override]
    def max_form_parts(self) -> int | None:
        """The most fields a multipart form may have.

        Set it on the request to override ``MAX_FORM_PARTS``.
        """
        if self._max_form_parts is not None:
            return self._max_form_parts

        ctx = _cv_app.get(None)

        if ctx is None:
            return super().max_form_parts

        return ctx.app.config["MAX_FORM_PARTS"]  # type: ignore[no-any-return]

    @max_form_parts.setter
    def max_form_parts(self, value: int | None) -> None:
        self._max_form_parts = value

    @property
    def endpoint(self) -> str | None:
        """The endpoint of the matched rule, or ``None``."""
        if self.url_rule is not None:
            return self.url_rule.endpoint  # type: ignore[no-any-return]

        return None

    @property
    def blueprint(self) -> str | None:
        """The full dotted name of the blueprint the endpoint belongs to,
        or ``None`` for an app endpoint or no match.
        """
        endpoint = self.endpoint

        if endpoint is not None and "." in endpoint:
            return endpoint.rpartition(".")[0]

        return None

    @property
    def blueprints(self) -> list[str]:
        """The blueprint of the request and each of its parents, innermost
        first; empty outside a blueprint.
        """
        name = self.blueprint

        if name is None:
            return []

        return _split_blueprint_path(name)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        ctx = _cv_app.get(None)

        # In debug mode, explain a missing file key sent without the
        # multipart enctype instead of a bare KeyError.
        if (
            ctx is not None
            and ctx.app.debug
            and self.mimetype != "multipart/form-data"
            and not self.files
        ):
            from .debughelpers import attach_enctype_error_multidict

            attach_enctype_error_multidict(self)

    def on_json_loading_failed(self, e: ValueError | None) -> t.Any:
        """Turn a JSON parse error into a 400; the parser's message is only
        shown in debug mode.
        """
        try:
            return super().on_json_loading_failed(e)
        except BadRequest as ebr:
            ctx = _cv_app.get(None)

            if ctx is not None and ctx.app.debug:
                raise

            raise BadRequest() from ebr


class Response(ResponseBase):
    """The response class of the framework: werkzeug's, with ``text/html``
    as the default mimetype and the cookie size limit from config.
    """

    default_mimetype: str | None = "text/html"

    json_module = json

    autocorrect_location_header = False

    @property
    def max_cookie_size(self) -> int:  # type: ignore[override]
        """``MAX_COOKIE_SIZE`` of the current app, or werkzeug's default
        outside an app context.
        """
        ctx = _cv_app.get(None)

        if ctx is not None:
            return ctx.app.config["MAX_COOKIE_SIZE"]  # type: ignore[no-any-return]

        return super().max_cookie_size
