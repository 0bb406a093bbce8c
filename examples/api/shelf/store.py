"""An in-memory book store: a dict behind a lock.

A real service would use a database. The store is enough to show the API
layer, and keeps this example free of any setup.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import asdict
from dataclasses import dataclass
from typing import Any


@dataclass
class Book:
    id: int
    title: str
    author: str
    year: int | None = None
    read: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class BookStore:
    """Books by id. Every method takes the lock: the development server
    and most WSGI servers call views from several threads at once.
    """

    def __init__(self) -> None:
        self._books: dict[int, Book] = {}
        self._next_id = 1
        self._lock = threading.Lock()

    def add(self, fields: Mapping[str, Any]) -> Book:
        with self._lock:
            book = Book(id=self._next_id, **fields)
            self._books[book.id] = book
            self._next_id += 1
            return book

    def get(self, book_id: int) -> Book | None:
        with self._lock:
            return self._books.get(book_id)

    def update(self, book_id: int, fields: Mapping[str, Any]) -> Book | None:
        with self._lock:
            book = self._books.get(book_id)

            if book is not None:
                for name, value in fields.items():
                    setattr(book, name, value)

            return book

    def delete(self, book_id: int) -> bool:
        with self._lock:
            return self._books.pop(book_id, None) is not None

    def query(self, author: str | None = None) -> list[Book]:
        """Books in id order, optionally only those of one author
        (case-insensitive substring match)."""
        with self._lock:
            books = list(self._books.values())

        if author:
            needle = author.casefold()
            books = [b for b in books if needle in b.author.casefold()]

        return books
