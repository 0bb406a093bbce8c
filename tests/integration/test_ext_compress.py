"""Flask-Compress: gzip, brotli, zstd and deflate negotiation, minimum
size, streamed responses and ETags.
"""

from __future__ import annotations

import gzip
import zlib

import pytest
from integration_helpers import NOT_INSTALLED

pytest.importorskip("flask_compress", reason=NOT_INSTALLED)

import brotli
from flask_compress import Compress

from flask import Flask
from flask import stream_with_context

try:
    from compression import zstd
except ImportError:  # Python < 3.14
    from backports import zstd

BODY = "<p>" + "compress me " * 500 + "</p>"


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        TESTING=True,
        COMPRESS_ALGORITHM=["zstd", "br", "gzip", "deflate"],
        COMPRESS_STREAMS=True,
    )
    Compress(app)

    @app.get("/page")
    def page() -> str:
        return BODY

    @app.get("/tiny")
    def tiny() -> str:
        return "tiny"

    @app.get("/stream")
    def stream():
        def generate():
            for i in range(100):
                yield f"line {i} " * 20 + "\n"

        return stream_with_context(generate()), {"Content-Type": "text/html"}

    return app


@pytest.fixture
def compress_app() -> Flask:
    return create_app()


@pytest.mark.parametrize(
    ("encoding", "decode"),
    [
        ("gzip", gzip.decompress),
        ("br", brotli.decompress),
        ("zstd", zstd.decompress),
        ("deflate", zlib.decompress),
    ],
)
def test_negotiated_encoding(compress_app: Flask, encoding: str, decode) -> None:
    rv = compress_app.test_client().get("/page", headers={"Accept-Encoding": encoding})
    assert rv.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in rv.headers["Vary"]
    assert int(rv.headers["Content-Length"]) == len(rv.data) < len(BODY)
    assert decode(rv.data).decode() == BODY


def test_preference_and_identity(compress_app: Flask) -> None:
    client = compress_app.test_client()
    rv = client.get("/page", headers={"Accept-Encoding": "gzip, br, zstd"})
    assert rv.headers["Content-Encoding"] == "zstd"

    rv = client.get("/page")
    assert "Content-Encoding" not in rv.headers
    assert rv.text == BODY

    rv = client.get("/tiny", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in rv.headers


def test_streamed_response(compress_app: Flask) -> None:
    client = compress_app.test_client()
    # Streams are compressed with a streaming-friendly algorithm (not gzip).
    with client.get("/stream", headers={"Accept-Encoding": "gzip, br"}) as rv:
        assert rv.is_streamed
        assert rv.headers["Content-Encoding"] == "br"
        assert "Content-Length" not in rv.headers
        text = brotli.decompress(rv.data).decode()
    assert text.startswith("line 0 line 0")
    assert text.count("\n") == 100


def test_etag_is_weakened_or_kept_consistent(compress_app: Flask) -> None:
    compress_app.config["COMPRESS_EVALUATE_CONDITIONAL_REQUEST"] = True

    @compress_app.get("/tagged")
    def tagged():
        from flask import make_response

        rv = make_response(BODY)
        rv.add_etag()
        return rv.make_conditional(__import__("flask").request)

    client = compress_app.test_client()
    rv = client.get("/tagged", headers={"Accept-Encoding": "gzip"})
    assert rv.headers["Content-Encoding"] == "gzip"
    etag = rv.headers["ETag"]
    rv = client.get(
        "/tagged", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
    )
    assert rv.status_code == 304
