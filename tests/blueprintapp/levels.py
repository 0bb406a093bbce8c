"""The routes, hooks and handlers every level of the tree installs."""

from __future__ import annotations

import flask


class LevelError(Exception):
    """Raised by a level's ``/fail`` view, handled by that level."""


def install_level(bp: flask.Blueprint) -> None:
    """Give ``bp`` a page rendered from its own template folder, hooks
    that leave a trace, and its own error handlers.
    """
    name = bp.name

    @bp.route("/")
    def page() -> str:
        return flask.render_template(f"{name}/page.html")

    @bp.route("/fail")
    def fail() -> str:
        raise LevelError(name)

    @bp.route("/missing")
    def missing() -> str:
        flask.abort(404)

    @bp.route("/where")
    def where() -> dict[str, object]:
        return {
            "blueprint": flask.request.blueprint,
            "blueprints": flask.request.blueprints,
            "endpoint": flask.request.endpoint,
            "trail": flask.g.get("trail", []),
            "self": flask.url_for(".where"),
            "static": flask.url_for(".static", filename="x.txt"),
        }

    @bp.before_request
    def before() -> None:
        flask.g.setdefault("trail", []).append(name)

    @bp.after_request
    def after(response: flask.Response) -> flask.Response:
        response.headers.add("X-After", name)
        return response

    @bp.errorhandler(LevelError)
    def handle_level_error(e: LevelError) -> tuple[str, int]:
        return f"{name} handled {e}", 500

    @bp.errorhandler(404)
    def handle_not_found(e: Exception) -> tuple[str, int]:
        return f"{name} not found", 404

    @bp.context_processor
    def level_context() -> dict[str, object]:
        return {"level": name}
