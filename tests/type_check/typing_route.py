"""Checked by mypy only: what views may return, and that route decorators
return the function unchanged.
"""

from __future__ import annotations

import typing as t
from http import HTTPStatus

from flask import Flask
from flask import jsonify
from flask import Response
from flask.views import MethodView
from flask.views import View

app = Flask(__name__)


@app.route("/str")
def hello_str() -> str:
    return "<p>Hello, World!</p>"


@app.route("/bytes")
def hello_bytes() -> bytes:
    return b"<p>Hello, World!</p>"


@app.route("/json")
def hello_json() -> Response:
    return jsonify("Hello, World!")


@app.route("/json/dict")
def hello_json_dict() -> dict[str, t.Any]:
    return {"response": "Hello, World!"}


@app.route("/json/list")
def hello_json_list() -> list[t.Any]:
    return [{"message": "Hello"}, {"message": "World"}]


@app.route("/generator")
def hello_generator() -> t.Generator[str, None, None]:
    def show() -> t.Generator[str, None, None]:
        for x in range(100):
            yield f"data:{x}\n\n"

    return show()


@app.route("/status")
@app.route("/status/<int:code>")
def tuple_status(code: int = 200) -> tuple[str, int]:
    return "hello", code


@app.route("/status-enum")
def tuple_status_enum() -> tuple[str, int]:
    return "hello", HTTPStatus.OK


@app.route("/headers")
def tuple_headers() -> tuple[str, dict[str, str]]:
    return "Hello, World!", {"Content-Type": "text/plain"}


@app.route("/all")
def tuple_all() -> tuple[str, int, dict[str, str]]:
    return "Hello, World!", 201, {"X-A": "1"}


@app.get("/typed-id/<int:id>")
def typed_id(id: int) -> str:
    return str(id)


class RenderTemplateView(View):
    def __init__(self: RenderTemplateView, template_name: str) -> None:
        self.template_name = template_name

    def dispatch_request(self: RenderTemplateView) -> str:
        return self.template_name


app.add_url_rule(
    "/about",
    view_func=RenderTemplateView.as_view("about_page", template_name="about.html"),
)


class Counter(MethodView):
    def get(self) -> str:
        return "0"

    def post(self) -> tuple[str, int]:
        return "1", 201


app.add_url_rule("/counter", view_func=Counter.as_view("counter"))

# The decorators return the function itself, with its type.
assert_str: t.Callable[[], str] = hello_str
assert_id: t.Callable[[int], str] = typed_id
