"""Checked by mypy only: hooks, error handlers and app-level registries
keep the types of the functions they register.
"""

from __future__ import annotations

import typing as t

from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import NotFound

from flask import Blueprint
from flask import Flask
from flask import Response

app = Flask(__name__)
bp = Blueprint("bp", __name__)


@app.before_request
def before() -> None:
    return None


@app.before_request
def before_short_circuit() -> str | None:
    return None


@app.after_request
def after(response: Response) -> Response:
    return response


@app.teardown_request
def teardown(exc: BaseException | None) -> None:
    pass


@app.teardown_appcontext
def teardown_app(exc: BaseException | None) -> None:
    pass


@app.errorhandler(404)
def not_found(e: NotFound) -> tuple[str, int]:
    return "not found", 404


@app.errorhandler(HTTPException)
def http_error(e: HTTPException) -> HTTPException:
    return e


@app.errorhandler(ValueError)
def value_error(e: ValueError) -> tuple[dict[str, str], int]:
    return {"error": str(e)}, 400


@app.context_processor
def inject() -> dict[str, t.Any]:
    return {"site": "example"}


@app.template_filter("reverse")
def reverse(s: str) -> str:
    return s[::-1]


@app.template_test("even")
def even(n: int) -> bool:
    return n % 2 == 0


@app.template_global()
def double(n: int) -> int:
    return 2 * n


@app.url_defaults
def add_lang(endpoint: str, values: dict[str, t.Any]) -> None:
    values.setdefault("lang", "en")


@app.url_value_preprocessor
def pull_lang(endpoint: str | None, values: dict[str, t.Any] | None) -> None:
    if values:
        values.pop("lang", None)


@app.shell_context_processor
def shell_names() -> dict[str, t.Any]:
    return {"answer": 42}


@bp.before_app_request
def bp_before() -> None:
    return None


@bp.app_errorhandler(500)
def bp_server_error(e: Exception) -> str:
    return "oops"


@bp.app_template_filter()
def shout(s: str) -> str:
    return s.upper()


app.register_blueprint(bp, url_prefix="/bp")

# Registration returns the function unchanged.
assert_filter: t.Callable[[str], str] = reverse
assert_handler: t.Callable[[ValueError], tuple[dict[str, str], int]] = value_error
