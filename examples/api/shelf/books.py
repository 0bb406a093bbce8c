"""The ``books`` resource: list, create, read, update, delete."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask import Blueprint
from flask import current_app
from flask import request
from flask import Response
from flask import url_for

from .pagination import paginate
from .problems import ValidationFailed
from .store import Book
from .store import BookStore

bp = Blueprint("books", __name__, url_prefix="/books")

# name: (type, required on create)
FIELDS: dict[str, tuple[type, bool]] = {
    "title": (str, True),
    "author": (str, True),
    "year": (int, False),
    "read": (bool, False),
}


def _store() -> BookStore:
    return current_app.extensions["shelf.store"]  # type: ignore[no-any-return]


def _get_or_404(book_id: int) -> Book:
    book = _store().get(book_id)

    if book is None:
        abort(404, f"There is no book with id {book_id}.")

    return book


def _validate(data: Any, partial: bool) -> dict[str, Any]:
    """Check a JSON body against :data:`FIELDS`.

    :param partial: a PATCH body, where every field is optional.
    :raises ValidationFailed: with one message per bad field.
    """
    if not isinstance(data, dict):
        raise ValidationFailed({"": "The body must be a JSON object."})

    errors = {}

    for name in data.keys() - FIELDS.keys():
        errors[name] = "Unknown field."

    for name, (kind, required) in FIELDS.items():
        if name not in data:
            if required and not partial:
                errors[name] = "This field is required."
            continue

        value = data[name]

        # bool is a subclass of int: reject true as a year explicitly.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            errors[name] = f"Expected {kind.__name__}."
        elif kind is str and not value.strip():
            errors[name] = "Must not be blank."

    if errors:
        raise ValidationFailed(errors)

    return dict(data)


@bp.get("")
def list_books() -> Response:
    """A page of books, optionally filtered with ``?author=``."""
    author = request.args.get("author")
    page = paginate(_store().query(author=author))
    extra = {"author": author} if author else {}
    links = page.links("api.books.list_books", **extra)
    response = current_app.json.response(
        {
            "items": [b.to_json() for b in page.items],
            "page": page.page,
            "per_page": page.per_page,
            "total": page.total,
            "pages": page.pages,
            "links": links,
        }
    )
    # RFC 8288 Link header, which generic HTTP clients understand.
    response.headers["Link"] = ", ".join(
        f'<{url}>; rel="{rel}"' for rel, url in links.items()
    )
    return response


@bp.post("")
def create_book() -> tuple[dict[str, Any], int, dict[str, str]]:
    """Add a book; answer 201 with its URL in ``Location``."""
    book = _store().add(_validate(request.get_json(), partial=False))
    location = url_for("api.books.get_book", book_id=book.id)
    return book.to_json(), 201, {"Location": location}


@bp.get("/<int:book_id>")
def get_book(book_id: int) -> dict[str, Any]:
    return _get_or_404(book_id).to_json()


@bp.patch("/<int:book_id>")
def update_book(book_id: int) -> dict[str, Any]:
    """Change some fields of a book."""
    _get_or_404(book_id)
    _store().update(book_id, _validate(request.get_json(), partial=True))
    # Read it again: another request may have deleted it in the meantime.
    return _get_or_404(book_id).to_json()


@bp.delete("/<int:book_id>")
def delete_book(book_id: int) -> tuple[str, int]:
    if not _store().delete(book_id):
        abort(404, f"There is no book with id {book_id}.")

    return "", 204
