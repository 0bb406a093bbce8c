"""The app the load tests drive: routing (converters, a blueprint), JSON
in and out, a template with a loop, url_for and escaping, and a cookie
session that is read and written on every request to it.

``REQUESTS`` lists the mix of requests both load generators send.
"""

from __future__ import annotations

import os
import typing as t

import flask

app = flask.Flask(__name__, root_path=os.path.dirname(os.path.abspath(__file__)))
app.config.update(SECRET_KEY="load-test-secret", MAX_CONTENT_LENGTH=64 * 1024)
bp = flask.Blueprint("api", __name__, url_prefix="/api")


@app.get("/")
def index() -> str:
    return "hello"


@app.get("/user/<int:user_id>")
def user(user_id: int) -> dict[str, t.Any]:
    return {
        "id": user_id,
        "name": f"user{user_id}",
        "url": flask.url_for("user", user_id=user_id),
    }


@app.post("/echo")
def echo() -> t.Any:
    data = flask.request.get_json()
    return flask.jsonify(received=data, length=len(flask.request.get_data()))


@app.get("/page/<name>")
def page(name: str) -> str:
    items = [f"{name}-{i}<&>" for i in range(10)]
    return flask.render_template("load_page.html", title=name, items=items)


@app.get("/session")
def session_view() -> dict[str, t.Any]:
    flask.session["visits"] = flask.session.get("visits", 0) + 1
    flask.g.visits = flask.session["visits"]
    return {"visits": flask.g.visits}


@bp.get("/items/<path:rest>")
def items(rest: str) -> dict[str, t.Any]:
    return {
        "rest": rest,
        "self": flask.url_for(".items", rest=rest),
        "q": flask.request.args.get("q"),
    }


app.register_blueprint(bp)


def session_cookie() -> str:
    """A valid session cookie for the load generators to send."""
    with app.test_request_context():
        signer = app.session_interface.get_signing_serializer(app)
        assert signer is not None
        return "session=" + signer.dumps({"visits": 41})


#: (method, path, body) of the request mix; the JSON body goes with POST.
REQUESTS: list[tuple[str, str, bytes | None]] = [
    ("GET", "/", None),
    ("GET", "/user/42", None),
    ("POST", "/echo", b'{"a": [1, 2, 3], "b": "text"}'),
    ("GET", "/page/home", None),
    ("GET", "/session", None),
    ("GET", "/api/items/a/b/c?q=x", None),
]
