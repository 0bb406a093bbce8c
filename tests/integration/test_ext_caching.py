"""Flask-Caching with the simple (in-process) cache: ``@cache.cached``
views, ``memoize``, the template fragment ``{% cache %}`` tag and direct
``get``/``set``.
"""

from __future__ import annotations

import itertools

import pytest
from integration_helpers import NOT_INSTALLED

pytest.importorskip("flask_caching", reason=NOT_INSTALLED)

from flask_caching import Cache

from flask import Flask
from flask import render_template
from flask import request


def create_app() -> tuple[Flask, Cache]:
    app = Flask(__name__)
    app.config.update(TESTING=True, CACHE_TYPE="SimpleCache")
    cache = Cache(app)
    counter = itertools.count(1)
    calls: list[int] = []

    @app.get("/slow")
    @cache.cached(timeout=60)
    def slow() -> str:
        return f"computed {next(counter)}"

    @app.get("/search")
    @cache.cached(timeout=60, query_string=True)
    def search() -> str:
        return f"{request.args.get('q')} {next(counter)}"

    @app.post("/slow")
    def invalidate() -> str:
        cache.delete_memoized(square)
        cache.clear()
        return "cleared"

    @cache.memoize(timeout=60)
    def square(x: int) -> int:
        calls.append(x)
        return x * x

    @app.get("/square/<int:x>")
    def square_view(x: int) -> str:
        return str(square(x))

    @app.get("/fragment")
    def fragment() -> str:
        return render_template("cached_fragment.html", counter=lambda: next(counter))

    app.extensions["calls"] = calls
    return app, cache


@pytest.fixture
def cache_app() -> tuple[Flask, Cache]:
    return create_app()


def test_cached_view(cache_app: tuple[Flask, Cache]) -> None:
    app, cache = cache_app
    client = app.test_client()
    assert client.get("/slow").text == "computed 1"
    assert client.get("/slow").text == "computed 1"

    with app.test_request_context("/slow"):
        assert cache.get("view//slow") is not None

    assert client.post("/slow").text == "cleared"
    assert client.get("/slow").text == "computed 2"


def test_cached_view_query_string(cache_app: tuple[Flask, Cache]) -> None:
    client = cache_app[0].test_client()
    first = client.get("/search?q=tea").text
    assert client.get("/search?q=tea").text == first
    assert client.get("/search?q=coffee").text != first


def test_memoize(cache_app: tuple[Flask, Cache]) -> None:
    app, _ = cache_app
    client = app.test_client()
    assert client.get("/square/4").text == "16"
    assert client.get("/square/4").text == "16"
    assert client.get("/square/5").text == "25"
    assert app.extensions["calls"] == [4, 5]


def test_template_fragment_cache(cache_app: tuple[Flask, Cache]) -> None:
    client = cache_app[0].test_client()
    first = client.get("/fragment").text
    assert "fragment rendered" in first
    assert client.get("/fragment").text == first


def test_get_set_in_app_context(cache_app: tuple[Flask, Cache]) -> None:
    app, cache = cache_app
    with app.app_context():
        cache.set("answer", 42)
        assert cache.get("answer") == 42
        assert cache.cache.__class__.__name__ == "SimpleCache"
