"""Text statistics: a page whose script asks a JSON endpoint for numbers.

The page is plain HTML. When the button is pressed, ``static/stats.js``
sends the text with ``fetch()`` to :func:`stats` and writes the answer into
the page, with no reload.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from flask import abort
from flask import Flask
from flask import jsonify
from flask import render_template
from flask import request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

#: Longest text accepted, in characters.
MAX_TEXT = 100_000

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)")


def analyse(text: str, top: int = 3) -> dict[str, Any]:
    """Count the words, characters and sentences of ``text`` and find its
    most frequent words (ties in order of first appearance)."""
    words = [w.casefold() for w in _WORD.findall(text)]
    stripped = text.strip()
    sentences = len(_SENTENCE_END.findall(stripped))

    # A last sentence without a full stop still counts.
    if stripped and not _SENTENCE_END.search(stripped[-1:]):
        sentences += 1

    return {
        "words": len(words),
        "characters": len(text),
        "sentences": sentences,
        "top": Counter(words).most_common(top),
    }


def create_app() -> Flask:
    app = Flask(__name__)
    # A request body larger than this is refused with 413 before the view
    # runs: four bytes per character is the UTF-8 worst case.
    app.config["MAX_CONTENT_LENGTH"] = MAX_TEXT * 4 + 1024

    @app.get("/")
    def index() -> str:
        return render_template("index.html", max_text=MAX_TEXT)

    @app.post("/api/stats")
    def stats() -> ResponseReturnValue:
        data = request.get_json()
        text = data.get("text") if isinstance(data, dict) else None

        if not isinstance(text, str):
            abort(400, 'Send a JSON object with a "text" string.')

        if len(text) > MAX_TEXT:
            abort(400, f"Texts are limited to {MAX_TEXT:,} characters.")

        return analyse(text)

    @app.errorhandler(HTTPException)
    def json_error(e: HTTPException) -> ResponseReturnValue:
        # The script shows this message; an HTML error page would be noise.
        response = jsonify(error=e.description)
        response.status_code = e.code or 500

        # Keep what the exception adds, such as Allow on a 405.
        for name, value in e.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value

        return response

    return app
