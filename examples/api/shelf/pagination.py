"""Page through a list, and tell the client where the other pages are."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from typing import Generic
from typing import TypeVar

from flask import abort
from flask import current_app
from flask import request
from flask import url_for

T = TypeVar("T")


@dataclass
class Page(Generic[T]):
    items: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    def links(self, endpoint: str, **values: Any) -> dict[str, str]:
        """URLs of the neighbouring, first and last pages, by relation."""

        def at(page: int) -> str:
            return url_for(
                endpoint, page=page, per_page=self.per_page, _external=True, **values
            )

        rels = {"first": at(1), "last": at(self.pages)}

        if self.page > 1:
            rels["prev"] = at(min(self.page - 1, self.pages))

        if self.page < self.pages:
            rels["next"] = at(self.page + 1)

        return rels


def _positive_arg(name: str, default: int) -> int:
    value = request.args.get(name, default, type=int)

    # type=int turns "abc" into the default; refuse it instead, a client
    # that sends garbage wants to know.
    if name in request.args and str(value) != request.args[name].strip():
        abort(400, f"Query parameter {name!r} must be a whole number.")

    if value < 1:
        abort(400, f"Query parameter {name!r} must be 1 or more.")

    return value


def paginate(items: Sequence[T]) -> Page[T]:
    """Cut ``items`` to the page the request asks for with ``?page=`` and
    ``?per_page=``. A page past the end is empty, not an error.

    :raises werkzeug.exceptions.BadRequest: a parameter is not a positive
        whole number, or ``per_page`` is above ``MAX_PER_PAGE``.
    """
    page = _positive_arg("page", 1)
    per_page = _positive_arg("per_page", current_app.config["DEFAULT_PER_PAGE"])
    limit = current_app.config["MAX_PER_PAGE"]

    if per_page > limit:
        abort(400, f"Query parameter 'per_page' must be {limit} or less.")

    start = (page - 1) * per_page
    return Page(items[start : start + per_page], page, per_page, len(items))
