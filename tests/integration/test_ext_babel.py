"""Flask-Babel: a compiled catalog, locale and timezone selectors,
``gettext`` in views and templates, lazy strings, formatting filters and
``force_locale``.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timezone
from pathlib import Path

import pytest
from integration_helpers import NOT_INSTALLED

pytest.importorskip("flask_babel", reason=NOT_INSTALLED)

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask_babel import Babel
from flask_babel import force_locale
from flask_babel import format_decimal
from flask_babel import get_locale
from flask_babel import gettext
from flask_babel import lazy_gettext

from flask import Flask
from flask import has_request_context
from flask import render_template
from flask import request

GREETING = lazy_gettext("Welcome")
WHEN = datetime(2024, 7, 1, 12, 30, tzinfo=timezone.utc)


def _compile_catalog(root: Path) -> Path:
    """Write translations/de/LC_MESSAGES/messages.mo the way pybabel would."""
    catalog = Catalog(locale="de")
    catalog.add("Welcome", "Willkommen")
    catalog.add("Hello %(name)s", "Hallo %(name)s")
    catalog.add(
        ("%(num)d apple", "%(num)d apples"),
        ("%(num)d Apfel", "%(num)d Äpfel"),
    )
    target = root / "translations" / "de" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    return root / "translations"


def create_app(translations: Path) -> Flask:
    app = Flask(__name__)
    app.config.update(
        TESTING=True,
        BABEL_TRANSLATION_DIRECTORIES=str(translations),
        BABEL_DEFAULT_LOCALE="en",
    )

    def select_locale() -> str | None:
        if not has_request_context():
            return None  # CLI commands and background jobs use the default.
        return request.args.get("lang") or request.accept_languages.best_match(
            ["en", "de"]
        )

    def select_timezone() -> str | None:
        return request.args.get("tz") if has_request_context() else None

    Babel(app, locale_selector=select_locale, timezone_selector=select_timezone)

    @app.get("/welcome")
    def welcome() -> str:
        return f"{GREETING} / {gettext('Hello %(name)s', name='Ann')} / {get_locale()}"

    @app.get("/page")
    def page() -> str:
        return render_template("babel.html", name="Ann", when=WHEN, amount=1234.5)

    return app


@pytest.fixture
def babel_app(tmp_path: Path) -> Flask:
    return create_app(_compile_catalog(tmp_path))


def test_locale_from_accept_language(babel_app: Flask) -> None:
    client = babel_app.test_client()
    assert client.get("/welcome").text == "Welcome / Hello Ann / en"
    rv = client.get("/welcome", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert rv.text == "Willkommen / Hallo Ann / de"


def test_templates_and_formatting(babel_app: Flask) -> None:
    client = babel_app.test_client()
    de = client.get("/page?lang=de&tz=Europe/Berlin").text
    assert "<p>Hallo Ann</p>" in de
    assert "<p>3 Äpfel</p>" in de
    assert "<p>01.07.24, 14:30</p>" in de
    assert "<p>1.234,5</p>" in de

    en = client.get("/page?lang=en").text
    assert "<p>Hello Ann</p>" in en
    assert "<p>3 apples</p>" in en
    assert "<p>1,234.5</p>" in en


def test_locale_is_per_request(babel_app: Flask) -> None:
    client = babel_app.test_client()
    assert client.get("/welcome?lang=de").text.endswith("/ de")
    assert client.get("/welcome").text.endswith("/ en")


def test_force_locale_and_app_context(babel_app: Flask) -> None:
    with babel_app.test_request_context():
        assert str(GREETING) == "Welcome"
        with force_locale("de"):
            assert str(GREETING) == "Willkommen"
            assert format_decimal(1234.5) == "1.234,5"
        assert str(get_locale()) == "en"

    with babel_app.app_context():
        assert gettext("Welcome") == "Welcome"
