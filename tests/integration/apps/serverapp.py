"""The app every real server in test_servers.py serves.

``app`` is the WSGI callable; ``asgi`` wraps it with asgiref's
``WsgiToAsgi`` for ASGI servers. With ``SERVERAPP_PROXY_FIX=1`` it trusts
one proxy's ``X-Forwarded-*`` headers through werkzeug's ``ProxyFix``.
"""

from __future__ import annotations

import hashlib
import os
import time

from asgiref.wsgi import WsgiToAsgi
from werkzeug.middleware.proxy_fix import ProxyFix

from flask import Flask
from flask import jsonify
from flask import request
from flask import session
from flask import stream_with_context
from flask import url_for

app = Flask(__name__)
app.config["SECRET_KEY"] = "served for real"
app.config["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024

if os.environ.get("SERVERAPP_PROXY_FIX") == "1":
    app.wsgi_app = ProxyFix(
        app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_port=1, x_prefix=1
    )


@app.get("/")
def index() -> str:
    return "hello from the real server"


@app.get("/info")
def info():
    return jsonify(
        url=url_for("info", _external=True),
        remote_addr=request.remote_addr,
        scheme=request.scheme,
        host=request.host,
        script_root=request.script_root,
        pid=os.getpid(),
    )


@app.get("/stream")
def stream():
    count = request.args.get("n", 5, type=int)

    @stream_with_context
    def generate():
        for i in range(count):
            # The request context is still there while the body streams.
            yield f"chunk {i} of {request.path}\n"
            time.sleep(0.02)

    return generate(), {"Content-Type": "text/plain"}


@app.post("/upload")
def upload():
    f = request.files["file"]
    data = f.read()
    return jsonify(
        filename=f.filename,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        note=request.form.get("note"),
    )


@app.post("/visit")
def visit() -> str:
    session["n"] = session.get("n", 0) + 1
    return str(session["n"])


@app.get("/async")
async def async_view() -> str:
    return f"async {request.args.get('x', '')}"


asgi = WsgiToAsgi(app)
