"""send_file, send_from_directory, the static route and their cache,
conditional and range behaviour, and path traversal."""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import socket
import typing as t
from pathlib import Path

import pytest
from http_support import live_server
from werkzeug.exceptions import NotFound
from werkzeug.http import http_date
from werkzeug.http import parse_date

import flask
from flask.testing import FlaskClient

SECRET = b"TOP SECRET, NEVER SERVED"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An app folder with a static folder, a file beside it that must stay
    private, and a private folder next to the static one."""
    static = tmp_path / "static"
    (static / "sub").mkdir(parents=True)
    (static / "hello.txt").write_bytes(b"hello static\n")
    (static / "sub" / "style.css").write_bytes(b"body {}\n")
    (static / "\u00fcml\u00e4ut.txt").write_bytes(b"umlaut\n")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "key.txt").write_bytes(SECRET)
    return tmp_path


class BufferedClient(FlaskClient):
    """Reads and closes each response, so the files sent are closed
    without every test calling ``close()``."""

    def open(self, *args: t.Any, buffered: bool = True, **kwargs: t.Any) -> t.Any:
        return super().open(*args, buffered=buffered, **kwargs)


def _files_app(root: Path, cls: type[flask.Flask] = flask.Flask) -> flask.Flask:
    app = cls("files_app", root_path=str(root))
    app.config.update(TESTING=True)
    app.test_client_class = BufferedClient
    return app


@pytest.fixture
def fapp(root: Path) -> flask.Flask:
    app = _files_app(root)

    @app.route("/sfd/<path:name>")
    def sfd(name: str) -> flask.Response:
        return flask.send_from_directory("static", name)

    @app.route("/sfd-abs/<path:name>")
    def sfd_abs(name: str) -> flask.Response:
        return flask.send_from_directory(root / "static", name)

    @app.route("/sfd-query")
    def sfd_query() -> flask.Response:
        return flask.send_from_directory("static", flask.request.args["name"])

    return app


@pytest.fixture
def fclient(fapp: flask.Flask) -> FlaskClient:
    return fapp.test_client()


def _mtime_header(path: Path) -> str:
    return http_date(datetime.datetime.fromtimestamp(os.stat(path).st_mtime))


# -- send_file ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["relative", "absolute", "pathlib", "pathlib-abs"])
def test_send_file_path(fapp, fclient, root, kind):
    rel = "static/hello.txt"
    arg: t.Any = {
        "relative": rel,
        "absolute": str(root / rel),
        "pathlib": Path(rel),
        "pathlib-abs": root / rel,
    }[kind]

    @fapp.route("/f")
    def f():
        return flask.send_file(arg)

    rv = fclient.get("/f")
    assert rv.status_code == 200
    assert rv.data == b"hello static\n"
    assert rv.mimetype == "text/plain"
    assert rv.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert rv.headers["Content-Length"] == "13"
    assert rv.headers["Content-Disposition"] == "inline; filename=hello.txt"
    assert rv.headers["Accept-Ranges"] == "bytes"
    assert rv.headers["Cache-Control"] == "no-cache"
    assert rv.headers["Last-Modified"] == _mtime_header(root / rel)
    assert rv.headers["ETag"].startswith('"') and len(rv.headers["ETag"]) > 2
    assert "Expires" not in rv.headers
    rv.close()


def test_send_file_relative_path_uses_root_path_not_cwd(fapp, fclient, root, tmp_path):
    other = tmp_path / "elsewhere"
    (other / "static").mkdir(parents=True)
    (other / "static" / "hello.txt").write_bytes(b"wrong file")

    @fapp.route("/f")
    def f():
        return flask.send_file("static/hello.txt")

    with contextlib.chdir(other):
        rv = fclient.get("/f")

    assert rv.data == b"hello static\n"


def test_send_file_object(fapp, fclient, root):
    @fapp.route("/f")
    def f():
        return flask.send_file(open(root / "static/hello.txt", "rb"), mimetype="a/b")

    rv = fclient.get("/f")
    assert rv.status_code == 200
    assert rv.data == b"hello static\n"
    assert rv.headers["Content-Type"] == "a/b"
    # A file object has no name to show and no path to stat.
    assert "Content-Disposition" not in rv.headers
    assert "ETag" not in rv.headers
    assert "Last-Modified" not in rv.headers


def test_send_file_object_is_closed_with_the_response(fapp, fclient, root):
    opened = []

    @fapp.route("/f")
    def f():
        fp = open(root / "static/hello.txt", "rb")
        opened.append(fp)
        return flask.send_file(fp, mimetype="text/plain")

    rv = fclient.get("/f", buffered=False)
    assert not opened[0].closed
    assert b"".join(rv.response) == b"hello static\n"
    rv.close()
    assert opened[0].closed


def test_send_file_bytesio(app, client):
    @app.route("/f")
    def f():
        return flask.send_file(io.BytesIO(b"some bytes"), mimetype="text/plain")

    rv = client.get("/f")
    assert rv.data == b"some bytes"
    assert rv.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert rv.headers["Content-Length"] == "10"
    assert "ETag" not in rv.headers


@pytest.mark.parametrize(
    ("download_name", "mimetype"),
    [
        ("data.json", "application/json"),
        ("page.html", "text/html"),
        ("report.csv", "text/csv"),
        ("unknown.zzzz", "application/octet-stream"),
    ],
)
def test_send_file_mimetype_guessed_from_download_name(
    app, client, download_name, mimetype
):
    @app.route("/f")
    def f():
        return flask.send_file(io.BytesIO(b"x"), download_name=download_name)

    rv = client.get("/f")
    assert rv.mimetype == mimetype
    assert rv.headers["Content-Disposition"] == f"inline; filename={download_name}"


def test_send_file_mimetype_argument_wins(fapp, fclient):
    @fapp.route("/f")
    def f():
        return flask.send_file("static/hello.txt", mimetype="application/x-custom")

    rv = fclient.get("/f")
    assert rv.headers["Content-Type"] == "application/x-custom"


def test_send_file_object_without_name_or_mimetype_is_an_error(app, client):
    @app.route("/f")
    def f():
        return flask.send_file(io.BytesIO(b"x"))

    with pytest.raises(TypeError, match="Unable to detect the MIME type"):
        client.get("/f")


def test_send_file_object_without_name_is_a_500_outside_testing(app, client):
    app.testing = False
    app.logger.disabled = True

    @app.route("/f")
    def f():
        return flask.send_file(io.BytesIO(b"x"), as_attachment=True)

    rv = client.get("/f")
    assert rv.status_code == 500


def test_send_file_text_stream_is_rejected(app):
    with app.test_request_context():
        with pytest.raises(TypeError):
            flask.send_file(io.StringIO("text"))  # type: ignore[arg-type]


def test_send_file_needs_a_request_context(fapp):
    with pytest.raises(RuntimeError, match="request context"):
        flask.send_file("static/hello.txt")


@pytest.mark.parametrize(
    ("download_name", "expect"),
    [
        (None, "attachment; filename=hello.txt"),
        ("report.txt", "attachment; filename=report.txt"),
        ("with space.txt", 'attachment; filename="with space.txt"'),
        (
            "\u00dcn\u00efcode r\u00e9sum\u00e9.txt",
            'attachment; filename="Unicode resume.txt";'
            " filename*=UTF-8''%C3%9Cn%C3%AFcode%20r%C3%A9sum%C3%A9.txt",
        ),
        (
            "\u20ac rates.txt",
            'attachment; filename=" rates.txt";'
            " filename*=UTF-8''%E2%82%AC%20rates.txt",
        ),
        (
            "\u65e5\u672c.txt",
            "attachment; filename=.txt; filename*=UTF-8''%E6%97%A5%E6%9C%AC.txt",
        ),
    ],
)
def test_send_file_as_attachment(fapp, fclient, download_name, expect):
    @fapp.route("/f")
    def f():
        return flask.send_file(
            "static/hello.txt", as_attachment=True, download_name=download_name
        )

    rv = fclient.get("/f")
    assert rv.headers["Content-Disposition"] == expect
    # The type follows the file, not the download name, when a path is given.
    assert rv.mimetype == "text/plain"
    assert rv.data == b"hello static\n"


def test_send_file_download_name_sets_type_of_attachment(app, client):
    @app.route("/f")
    def f():
        return flask.send_file(
            io.BytesIO(b"a,b\n"), as_attachment=True, download_name="table.csv"
        )

    rv = client.get("/f")
    assert rv.headers["Content-Disposition"] == "attachment; filename=table.csv"
    assert rv.mimetype == "text/csv"


def test_send_file_etag_options(fapp, fclient):
    @fapp.route("/f/<mode>")
    def f(mode):
        etag: bool | str = {"off": False, "on": True, "custom": "v1"}[mode]
        return flask.send_file("static/hello.txt", etag=etag)

    assert "ETag" not in fclient.get("/f/off").headers
    assert fclient.get("/f/custom").headers["ETag"] == '"v1"'
    auto = fclient.get("/f/on").headers["ETag"]
    assert auto not in {'"v1"', ""}
    # The automatic ETag is stable between requests for an unchanged file.
    assert fclient.get("/f/on").headers["ETag"] == auto


def test_send_file_etag_changes_with_the_file(fapp, fclient, root):
    @fapp.route("/f")
    def f():
        return flask.send_file("static/hello.txt")

    first = fclient.get("/f").headers["ETag"]
    path = root / "static/hello.txt"
    path.write_bytes(b"changed content, longer\n")
    st = os.stat(path)
    os.utime(path, (st.st_atime, st.st_mtime + 10))
    rv = fclient.get("/f")
    assert rv.headers["ETag"] != first
    assert rv.data == b"changed content, longer\n"


@pytest.mark.parametrize(
    "value",
    [
        1_000,
        1_000.0,
        datetime.datetime(1970, 1, 1, 0, 16, 40, tzinfo=datetime.timezone.utc),
    ],
)
def test_send_file_last_modified(fapp, fclient, value):
    @fapp.route("/f")
    def f():
        return flask.send_file("static/hello.txt", last_modified=value)

    rv = fclient.get("/f")
    assert rv.headers["Last-Modified"] == "Thu, 01 Jan 1970 00:16:40 GMT"


def test_send_file_max_age_argument(fapp, fclient):
    @fapp.route("/f")
    def f():
        return flask.send_file("static/hello.txt", max_age=10)

    rv = fclient.get("/f")
    assert rv.headers["Cache-Control"] == "public, max-age=10"
    expires = parse_date(rv.headers["Expires"])
    date = parse_date(rv.headers["Date"])
    assert expires is not None and date is not None
    assert 9 <= (expires - date).total_seconds() <= 11


def test_send_file_max_age_callable_gets_the_path(fapp, fclient, root):
    seen = []

    def max_age(path: str | None) -> int:
        seen.append(path)
        return 5

    @fapp.route("/f")
    def f():
        return flask.send_file("static/hello.txt", max_age=max_age)

    rv = fclient.get("/f")
    assert rv.headers["Cache-Control"] == "public, max-age=5"
    assert seen == [str(root / "static" / "hello.txt")]


@pytest.mark.parametrize(
    ("config", "seconds"),
    [(None, None), (60, 60), (datetime.timedelta(hours=1), 3600), (0, 0)],
)
def test_send_file_max_age_default_config(fapp, fclient, config, seconds):
    fapp.config["SEND_FILE_MAX_AGE_DEFAULT"] = config

    @fapp.route("/f")
    def f():
        return flask.send_file("static/hello.txt")

    with fapp.app_context():
        assert fapp.get_send_file_max_age("hello.txt") == seconds
        assert fapp.get_send_file_max_age(None) == seconds

    expect = {
        None: "no-cache",
        0: "no-cache, max-age=0",
    }.get(seconds, f"public, max-age={seconds}")

    for url in ("/f", "/static/hello.txt", "/sfd/hello.txt"):
        rv = fclient.get(url)
        assert rv.status_code == 200, url
        assert rv.headers["Cache-Control"] == expect, url
        assert ("Expires" in rv.headers) is (seconds is not None), url
        rv.close()


def test_get_send_file_max_age_override(root):
    calls = []

    class App(flask.Flask):
        def get_send_file_max_age(self, filename):
            calls.append(filename)
            return 7 if filename and filename.endswith(".txt") else None

    app = _files_app(root, App)

    @app.route("/f")
    def f():
        return flask.send_file("static/hello.txt")

    client = app.test_client()
    assert client.get("/static/hello.txt").headers["Cache-Control"] == (
        "public, max-age=7"
    )
    assert client.get("/static/sub/style.css").headers["Cache-Control"] == "no-cache"
    assert client.get("/f").headers["Cache-Control"] == "public, max-age=7"
    static = root / "static"
    # As in Flask, a None from the static route's call falls back to
    # send_file's default, which asks again with the full path.
    assert calls == [
        "hello.txt",
        "sub/style.css",
        str(static / "sub/style.css"),
        str(static / "hello.txt"),
    ]


def test_blueprint_static_uses_blueprint_max_age(root):
    (root / "bpstatic").mkdir()
    (root / "bpstatic" / "app.js").write_bytes(b"js")

    class BP(flask.Blueprint):
        def get_send_file_max_age(self, filename):
            return 99

    app = _files_app(root)
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 33
    bp = BP(
        "custom",
        __name__,
        static_folder="bpstatic",
        static_url_path="/c",
        root_path=str(root),
    )
    plain = flask.Blueprint(
        "plain", __name__, static_folder="bpstatic", root_path=str(root)
    )
    app.register_blueprint(bp)
    app.register_blueprint(plain, url_prefix="/p")
    client = app.test_client()

    rv = client.get("/c/app.js")
    assert rv.data == b"js"
    assert rv.headers["Cache-Control"] == "public, max-age=99"
    rv = client.get("/p/bpstatic/app.js")
    assert rv.data == b"js"
    assert rv.headers["Cache-Control"] == "public, max-age=33"
    assert client.get("/c/../static/hello.txt").status_code == 404
    assert client.get("/p/bpstatic/../../secret.txt").status_code == 404


def test_use_x_sendfile(fapp, fclient, root):
    fapp.config["USE_X_SENDFILE"] = True

    @fapp.route("/f")
    def f():
        return flask.send_file("static/hello.txt")

    @fapp.route("/b")
    def b():
        return flask.send_file(io.BytesIO(b"in memory"), mimetype="text/plain")

    for url in ("/f", "/static/hello.txt", "/sfd/hello.txt"):
        rv = fclient.get(url)
        assert rv.headers["X-Sendfile"] == str(root / "static" / "hello.txt"), url
        assert rv.headers["Content-Length"] == "13"
        assert rv.data == b"", url

    # A file object has no path for the server to send.
    rv = fclient.get("/b")
    assert "X-Sendfile" not in rv.headers
    assert rv.data == b"in memory"


def test_x_sendfile_off_by_default(fapp, fclient):
    rv = fclient.get("/static/hello.txt")
    assert "X-Sendfile" not in rv.headers
    assert rv.data == b"hello static\n"


# -- conditional and range requests -----------------------------------------


def test_conditional_if_none_match_304(fclient):
    first = fclient.get("/static/hello.txt")
    etag = first.headers["ETag"]
    rv = fclient.get("/static/hello.txt", headers={"If-None-Match": etag})
    assert rv.status_code == 304
    assert rv.data == b""
    assert rv.headers["ETag"] == etag
    assert "Content-Length" not in rv.headers

    rv = fclient.get("/static/hello.txt", headers={"If-None-Match": '"other"'})
    assert rv.status_code == 200
    assert rv.data == b"hello static\n"


def test_conditional_if_modified_since_304(fclient):
    last_modified = fclient.get("/static/hello.txt").headers["Last-Modified"]
    rv = fclient.get("/static/hello.txt", headers={"If-Modified-Since": last_modified})
    assert rv.status_code == 304
    assert rv.data == b""

    rv = fclient.get(
        "/static/hello.txt",
        headers={"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"},
    )
    assert rv.status_code == 200


@pytest.mark.parametrize(
    ("header", "content_range", "body"),
    [
        ("bytes=0-4", "bytes 0-4/13", b"hello"),
        ("bytes=6-11", "bytes 6-11/13", b"static"),
        ("bytes=-3", "bytes 10-12/13", b"ic\n"),
        ("bytes=10-", "bytes 10-12/13", b"ic\n"),
        ("bytes=6-1000", "bytes 6-12/13", b"static\n"),
    ],
)
def test_range_206(fclient, header, content_range, body):
    rv = fclient.get("/static/hello.txt", headers={"Range": header})
    assert rv.status_code == 206
    assert rv.headers["Content-Range"] == content_range
    assert rv.headers["Content-Length"] == str(len(body))
    assert rv.data == body
    assert rv.mimetype == "text/plain"


def test_range_on_file_object(app, client):
    @app.route("/f")
    def f():
        return flask.send_file(io.BytesIO(b"0123456789"), mimetype="text/plain")

    rv = client.get("/f", headers={"Range": "bytes=2-4"})
    assert rv.status_code == 206
    assert rv.headers["Content-Range"] == "bytes 2-4/10"
    assert rv.data == b"234"


@pytest.mark.parametrize("header", ["bytes=100-200", "bytes=13-"])
def test_range_not_satisfiable_416(fclient, header):
    rv = fclient.get("/static/hello.txt", headers={"Range": header})
    assert rv.status_code == 416
    assert rv.headers["Content-Range"] == "bytes */13"
    assert b"hello static" not in rv.data


def test_if_range(fclient):
    etag = fclient.get("/static/hello.txt").headers["ETag"]
    rv = fclient.get(
        "/static/hello.txt", headers={"Range": "bytes=0-4", "If-Range": etag}
    )
    assert rv.status_code == 206
    assert rv.data == b"hello"

    # A stale validator gets the whole, current file instead of a slice.
    rv = fclient.get(
        "/static/hello.txt", headers={"Range": "bytes=0-4", "If-Range": '"stale"'}
    )
    assert rv.status_code == 200
    assert rv.data == b"hello static\n"


def test_not_conditional_ignores_range_and_validators(fapp, fclient):
    @fapp.route("/f")
    def f():
        return flask.send_file("static/hello.txt", conditional=False)

    rv = fclient.get("/f")
    etag = rv.headers["ETag"]
    assert "Accept-Ranges" not in rv.headers

    rv = fclient.get("/f", headers={"Range": "bytes=0-4", "If-None-Match": etag})
    assert rv.status_code == 200
    assert rv.data == b"hello static\n"


def test_head_has_headers_but_no_body(fclient):
    rv = fclient.head("/static/hello.txt")
    assert rv.status_code == 200
    assert rv.headers["Content-Length"] == "13"
    assert rv.data == b""


# -- send_from_directory and the static route --------------------------------


@pytest.mark.parametrize("base", ["/static/", "/sfd/", "/sfd-abs/"])
@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("hello.txt", b"hello static\n"),
        ("sub/style.css", b"body {}\n"),
        ("\u00fcml\u00e4ut.txt", b"umlaut\n"),
        ("sub/../hello.txt", b"hello static\n"),
        ("./hello.txt", b"hello static\n"),
        ("sub/./style.css", b"body {}\n"),
    ],
)
def test_send_from_directory_serves_files_inside(fclient, base, name, body):
    rv = fclient.get(base + name)
    assert rv.status_code == 200
    assert rv.data == body
    rv.close()


@pytest.mark.parametrize("base", ["/static/", "/sfd/", "/sfd-abs/"])
@pytest.mark.parametrize(
    "name", ["missing.txt", "sub", "sub/", ".", "...", "sub/missing.css"]
)
def test_send_from_directory_missing_is_404(fclient, base, name):
    rv = fclient.get(base + name)
    assert rv.status_code == 404


def test_send_from_directory_kwargs(fapp, root):
    with fapp.test_request_context():
        rv = flask.send_from_directory(
            root / "static",
            "hello.txt",
            as_attachment=True,
            download_name="greeting.bin",
            max_age=3,
            mimetype="application/x-greeting",
        )
        assert rv.headers["Content-Disposition"] == "attachment; filename=greeting.bin"
        assert rv.headers["Cache-Control"] == "public, max-age=3"
        assert rv.headers["Content-Type"] == "application/x-greeting"
        rv.close()


def test_send_from_directory_raises_not_found(fapp):
    with fapp.test_request_context():
        for name in ("../secret.txt", "missing.txt"):
            with pytest.raises(NotFound):
                flask.send_from_directory("static", name)


def test_send_static_file_without_static_folder(app):
    app = flask.Flask("nostatic", static_folder=None)

    with app.test_request_context():
        with pytest.raises(RuntimeError, match="'static_folder' must be set"):
            app.send_static_file("index.html")


TRAVERSALS = [
    "../secret.txt",
    "../private/key.txt",
    "sub/../../secret.txt",
    "%2e%2e/secret.txt",
    "%2E%2E/secret.txt",
    ".%2e/secret.txt",
    "%252e%252e/secret.txt",
    "%252e%252e%252fsecret.txt",
    "..%2fsecret.txt",
    "..%2Fsecret.txt",
    "..%5csecret.txt",
    "..\\secret.txt",
    "sub\\..\\..\\secret.txt",
    "hello.txt%00",
    "hello.txt%00.png",
    "%00",
    "C:\\secret.txt",
    "C:/secret.txt",
    "~/secret.txt",
]


@pytest.mark.parametrize("base", ["/static/", "/sfd/", "/sfd-abs/"])
@pytest.mark.parametrize("name", TRAVERSALS)
def test_traversal_is_404(fclient, base, name):
    rv = fclient.get(base + name)
    assert rv.status_code == 404
    assert SECRET not in rv.data
    assert b"hello static" not in rv.data


@pytest.mark.parametrize("base", ["/static/", "/sfd/", "/sfd-abs/"])
@pytest.mark.parametrize("prefix", ["/", "//", "%2f"])
def test_absolute_path_in_url_is_not_served(fclient, root, base, prefix):
    """An absolute path merges into the folder (the router collapses the
    doubled slash with a redirect); it never reaches the file system root.
    """
    name = prefix + str(root / "secret.txt").lstrip("/")
    rv = fclient.get(base + name, follow_redirects=True)
    assert rv.status_code == 404
    assert SECRET not in rv.data


@pytest.mark.parametrize(
    "name",
    [
        "../secret.txt",
        "../private/key.txt",
        "/etc/passwd",
        "__ROOT__/secret.txt",
        "..\\secret.txt",
        "hello.txt\x00",
        "\x00",
        "sub/\x00/../hello.txt",
        "static/hello.txt",
        "",
    ],
)
def test_send_from_directory_unsafe_names_from_query(fclient, root, name):
    name = name.replace("__ROOT__", str(root))
    rv = fclient.get("/sfd-query", query_string={"name": name})
    assert rv.status_code == 404
    assert SECRET not in rv.data


def test_send_from_directory_safe_name_from_query(fclient):
    rv = fclient.get("/sfd-query", query_string={"name": "sub/style.css"})
    assert rv.status_code == 200
    assert rv.data == b"body {}\n"


def test_symlink_inside_folder_is_followed(fapp, fclient, root):
    """The owner of the folder may link to a file elsewhere; Flask and
    werkzeug only check the requested name, not where a link points."""
    target = root / "private" / "key.txt"
    (root / "static" / "linked.txt").symlink_to(target)
    (root / "static" / "linked_dir").symlink_to(root / "private", True)

    for base in ("/static/", "/sfd/"):
        rv = fclient.get(base + "linked.txt")
        assert rv.status_code == 200
        assert rv.data == SECRET
        rv.close()
        rv = fclient.get(base + "linked_dir/key.txt")
        assert rv.status_code == 200
        assert rv.data == SECRET
        rv.close()

    # The link does not open a way out by name.
    assert fclient.get("/static/linked_dir/../../secret.txt").status_code == 404


def _raw_get(port: int, target: bytes) -> tuple[int, bytes]:
    """Send the request target exactly as given: HTTP client libraries
    would normalise the dot segments away before sending."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")
        chunks = []

        while chunk := sock.recv(65536):
            chunks.append(chunk)

    data = b"".join(chunks)
    status = int(data.split(b" ", 2)[1])
    return status, data


def test_traversal_over_a_real_server(fapp, root):
    targets = [
        b"/static/../secret.txt",
        b"/static/../private/key.txt",
        b"/static/%2e%2e/secret.txt",
        b"/static/%2E%2E%2Fsecret.txt",
        b"/static/..%2fsecret.txt",
        b"/static/..%5csecret.txt",
        b"/static/%252e%252e/secret.txt",
        b"/static/hello.txt%00",
        b"/sfd/../secret.txt",
        b"/sfd/%2e%2e/%2e%2e/secret.txt",
        b"/sfd-abs/..%2f..%2fsecret.txt",
        b"/static/" + str(root / "secret.txt").encode(),
    ]

    with live_server(fapp) as port:
        status, data = _raw_get(port, b"/static/hello.txt")
        assert status == 200
        assert data.endswith(b"hello static\n")

        for target in targets:
            status, data = _raw_get(port, target)
            assert status in {404, 308}, target
            assert SECRET not in data, target
