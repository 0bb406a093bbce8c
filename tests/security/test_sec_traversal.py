"""Path traversal against every way the framework serves files: the app's
static route, blueprint static routes (nested too) and
``send_from_directory`` with a name from the URL or the query string.

Each attack is paired with a canary: with werkzeug's ``safe_join`` (the
protection ``send_from_directory`` relies on) replaced by a naive join,
the same request does reach the secret, so the layout of the fixture
really puts the secret where the attack points.
"""

from __future__ import annotations

import os
import posixpath
import typing as t
from pathlib import Path

import pytest
import werkzeug.security
import werkzeug.utils
from http_support import bounded
from http_support import http_status
from http_support import live_server
from http_support import raw_http

import flask

SECRET = b"TOP-SECRET-7f3a"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """
    tmp/
      secret.txt                 outside the app
      app/
        secret.txt               beside the folders served
        static/hello.txt
        static/sub/inner.txt
        static-evil/secret.txt   a sibling whose name extends "static"
        files/doc.txt
        bp/static/bp.txt
        bp/secret.txt
        child/static/child.txt
        child/secret.txt
    """
    tmp_path = tmp_path_factory.mktemp("traversal")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    app_dir = tmp_path / "app"

    for rel, body in {
        "secret.txt": SECRET,
        "static/hello.txt": b"hello",
        "static/sub/inner.txt": b"inner",
        "static-evil/secret.txt": SECRET,
        "files/doc.txt": b"doc",
        "bp/static/bp.txt": b"bp",
        "bp/secret.txt": SECRET,
        "child/static/child.txt": b"child",
        "child/secret.txt": SECRET,
    }.items():
        path = app_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)

    return tmp_path


@pytest.fixture(scope="module")
def fapp(root: Path) -> flask.Flask:
    app = flask.Flask("sec_traversal", root_path=str(root / "app"))
    app.config.update(TESTING=True)

    @app.route("/sfd/<path:name>")
    def sfd(name: str) -> flask.Response:
        return flask.send_from_directory("files", name)

    @app.route("/sfd-abs/<path:name>")
    def sfd_abs(name: str) -> flask.Response:
        return flask.send_from_directory(str(root / "app" / "files"), name)

    @app.route("/sfd-query")
    def sfd_query() -> flask.Response:
        return flask.send_from_directory("files", flask.request.args["name"])

    bp = flask.Blueprint(
        "bp",
        __name__,
        root_path=str(root / "app" / "bp"),
        static_folder="static",
        static_url_path="/assets",
    )
    child = flask.Blueprint(
        "child",
        __name__,
        root_path=str(root / "app" / "child"),
        static_folder="static",
    )
    bp.register_blueprint(child, url_prefix="/child")
    app.register_blueprint(bp, url_prefix="/bp")
    return app


@pytest.fixture
def fclient(fapp: flask.Flask) -> flask.testing.FlaskClient:
    return fapp.test_client()


def _naive_join(directory: str, *parts: str) -> str:
    return os.path.join(directory, *parts)


@pytest.fixture
def no_safe_join(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove the protection: the canaries below must then get through."""
    monkeypatch.setattr(werkzeug.utils, "safe_join", _naive_join)


# (base URL, a file that must be served there)
BASES = [
    ("/static/", "hello.txt"),
    ("/sfd/", "doc.txt"),
    ("/sfd-abs/", "doc.txt"),
    ("/bp/assets/", "bp.txt"),
    ("/bp/child/static/", "child.txt"),
]

# Each resolves, under a naive join, to a path outside the served folder.
ESCAPES = [
    "../secret.txt",
    "../../secret.txt",
    "../../../secret.txt",
    "sub/../../secret.txt",
    "./../secret.txt",
    "../static-evil/secret.txt",
    "%2e%2e/secret.txt",
    "%2E%2E/%2e%2e/secret.txt",
    ".%2e/secret.txt",
    "..%2fsecret.txt",
    "..%2F..%2Fsecret.txt",
    "%2e%2e%2f%2e%2e%2fsecret.txt",
    "..;/secret.txt",
    "..%00/secret.txt",
    "%c0%ae%c0%ae/secret.txt",
    "%252e%252e%252fsecret.txt",
    "%25%32%65%25%32%65/secret.txt",
    "..\\secret.txt",
    "..%5csecret.txt",
    "%5c..%5csecret.txt",
    "hello.txt%00",
    "hello.txt%00.png",
    "%00../secret.txt",
    "....//secret.txt",
    "..%252f..%252fsecret.txt",
    "C:\\secret.txt",
    "C:/secret.txt",
    "\\\\server\\share\\secret.txt",
    "~/secret.txt",
    "%7e/secret.txt",
]


@pytest.mark.parametrize(("base", "ok"), BASES)
def test_files_inside_are_served(fclient, base: str, ok: str) -> None:
    rv = fclient.get(base + ok)
    assert rv.status_code == 200
    assert rv.data and SECRET not in rv.data
    rv.close()


@pytest.mark.parametrize(("base", "ok"), BASES)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_escape_is_404(fclient, base: str, ok: str, method: str) -> None:
    for name in ESCAPES:
        rv = fclient.open(base + name, method=method, follow_redirects=True)
        assert rv.status_code == 404, (base, name)
        assert SECRET not in rv.data


@pytest.mark.parametrize(("base", "ok"), BASES)
@pytest.mark.parametrize(
    "name", ["../secret.txt", "%2e%2e/secret.txt", "..%2fsecret.txt"]
)
def test_canary_escape_succeeds_without_safe_join(
    fclient, no_safe_join: None, base: str, ok: str, name: str
) -> None:
    rv = fclient.get(base + name)
    assert rv.status_code == 200
    assert rv.data == SECRET
    rv.close()


@pytest.mark.parametrize(("base", "ok"), BASES)
@pytest.mark.parametrize("prefix", ["/", "//", "%2f", "%2F%2F"])
def test_absolute_path_in_url(fclient, root: Path, base: str, ok: str, prefix: str):
    name = prefix + str(root / "secret.txt").lstrip("/")
    rv = fclient.get(base + name, follow_redirects=True)
    assert rv.status_code == 404
    assert SECRET not in rv.data


UNSAFE_QUERY_NAMES = [
    "../secret.txt",
    "../../secret.txt",
    "/__ROOT__/secret.txt",
    "__ROOT__/secret.txt",
    "//__ROOT__/secret.txt",
    "/etc/passwd",
    "..\\secret.txt",
    "doc.txt\x00",
    "doc.txt\x00.png",
    "\x00",
    "sub/\x00/../doc.txt",
    "..",
    ".",
    "",
    "/",
    "../files/../secret.txt",
    "\\..\\secret.txt",
]


def test_send_from_directory_unsafe_query(fclient, root: Path) -> None:
    for name in UNSAFE_QUERY_NAMES:
        name = name.replace("/__ROOT__", str(root)).replace("__ROOT__", str(root))
        rv = fclient.get("/sfd-query", query_string={"name": name})
        assert rv.status_code == 404, name
        assert SECRET not in rv.data


@pytest.mark.parametrize("name", ["../secret.txt", "/__ROOT__/secret.txt"])
def test_canary_query_escape_without_safe_join(
    fclient, root: Path, no_safe_join: None, name: str
) -> None:
    rv = fclient.get(
        "/sfd-query", query_string={"name": name.replace("/__ROOT__", str(root))}
    )
    assert rv.status_code == 200
    assert rv.data == SECRET
    rv.close()


def test_send_from_directory_direct_call_raises_not_found(fapp, root: Path) -> None:
    from werkzeug.exceptions import NotFound

    with fapp.test_request_context():
        for name in ["../secret.txt", str(root / "secret.txt"), "doc.txt\x00"]:
            with pytest.raises(NotFound):
                flask.send_from_directory("files", name)


DEVICE_NAMES = [
    "CON",
    "con",
    "aux.txt",
    "AUX.tar.gz",
    "NUL",
    "nul.txt",
    "PRN",
    "COM1",
    "com9.log",
    "LPT1",
    "lpt3.txt",
    "CONIN$",
    "CONOUT$",
    "CON ",
    "CON:",
    "sub/CON",
    "sub/aux.txt",
]


@pytest.fixture(scope="module")
def device_files(root: Path) -> list[str]:
    """On POSIX these are ordinary names, so create them as files: the
    only thing that can keep them from being served under a Windows
    ``os.name`` is the path check."""
    for name in DEVICE_NAMES:
        for folder in ("static", "bp/static", "files"):
            path = root / "app" / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"device")

    return DEVICE_NAMES


class _WindowsOs:
    """``os`` as werkzeug.security sees it on Windows, for the checks
    that depend on ``os.name``; the file system stays POSIX."""

    name = "nt"

    def __getattr__(self, attr: str) -> t.Any:
        return getattr(os, attr)


@pytest.fixture
def windows_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(werkzeug.security, "os", _WindowsOs())
    monkeypatch.setattr(werkzeug.security, "_os_alt_seps", ["\\"])


def test_windows_device_names_not_served_on_windows(
    fclient, device_files: list[str], windows_paths: None
) -> None:
    # A Windows device (CON, AUX, NUL, ...) would block or read the
    # console; send_from_directory must refuse it before opening it.
    for name in device_files:
        for base in ("/static/", "/bp/assets/"):
            assert fclient.get(base + name).status_code == 404, name

        rv = fclient.get("/sfd-query", query_string={"name": name})
        assert rv.status_code == 404, name


def test_windows_backslash_refused_on_windows(
    fclient, windows_paths: None, root: Path
) -> None:
    (root / "app" / "static" / "..\\secret.txt").write_bytes(SECRET)
    assert fclient.get("/static/..%5csecret.txt").status_code == 404
    assert fclient.get("/static/sub%5cinner.txt").status_code == 404


@pytest.mark.parametrize("name", ["CON", "aux.txt", "sub/CON"])
def test_canary_device_names_are_plain_files_on_posix(
    fclient, device_files: list[str], name: str
) -> None:
    # Without the Windows check they are served: the test above is not
    # passing by accident.
    rv = fclient.get("/static/" + name)
    assert rv.status_code == 200
    assert rv.data == b"device"
    rv.close()


def test_device_names_missing_on_posix_are_404_fast(fclient) -> None:
    for name in DEVICE_NAMES:
        rv = bounded(5, fclient.get, "/bp/child/static/" + name)
        assert rv.status_code == 404


def test_safe_join_used_with_posix_semantics() -> None:
    """The URL path is always split on "/" (posixpath), whatever the
    host OS; a guard against a switch to os.path in the helpers."""
    assert werkzeug.security.safe_join("static", "a/../../b") is None
    assert posixpath.normpath("a/../../b") == "../b"


RAW_TARGETS = [
    b"/bp/assets/../secret.txt",
    b"/bp/assets/%2e%2e/secret.txt",
    b"/bp/assets/%2E%2E%2Fsecret.txt",
    b"/bp/assets/..%2f..%2fsecret.txt",
    b"/bp/assets/..%5csecret.txt",
    b"/bp/assets/..\\secret.txt",
    b"/bp/assets/%252e%252e%252fsecret.txt",
    b"/bp/assets/bp.txt%00",
    b"/bp/assets/bp.txt%00/../../secret.txt",
    b"/bp/child/static/../../secret.txt",
    b"/bp/child/static/%2e%2e/%2e%2e/%2e%2e/secret.txt",
    b"/static/./../secret.txt",
    b"/static/.%2e/.%2e/secret.txt",
    b"/sfd/%2e%2e%2f%2e%2e%2fsecret.txt",
    b"/bp/child/static/CON",
    b"/bp/child/static/aux.txt",
    b"/sfd-query?name=..%2Fsecret.txt",
    b"/sfd-query?name=%2Fetc%2Fpasswd",
    b"/sfd-query?name=doc.txt%00",
]


def test_traversal_over_a_real_server(fapp, root: Path) -> None:
    with live_server(fapp) as port:

        def get(target: bytes) -> bytes:
            return raw_http(
                port,
                b"GET " + target + b" HTTP/1.1\r\nHost: localhost\r\n"
                b"Connection: close\r\n\r\n",
            )

        assert get(b"/bp/assets/bp.txt").endswith(b"\r\n\r\nbp")
        absolute = str(root / "secret.txt").encode()

        for target in [*RAW_TARGETS, b"/bp/assets/" + absolute, b"/static/" + absolute]:
            data = get(target)
            assert http_status(data) in {404, 308}, target
            assert SECRET not in data, target
