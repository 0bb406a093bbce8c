"""Run every code sample of ``docs/quickstart.rst``.

The page's code blocks are read from the file itself, each under a
``.. sample: NAME`` comment. The Python samples, joined in order, form the
``hello.py`` a reader builds by following the page; each sample has a check
below that exercises it through the test client or the CLI, and the test
fails when the page gains a sample without a check, or a check loses its
sample.
"""

from __future__ import annotations

import importlib
import io
import logging
import shlex
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner
from docs_samples import read_samples

SAMPLES = read_samples("quickstart.rst")
PYTHON = [name for name, (lang, _) in SAMPLES.items() if lang == "python"]
CHECKS: dict[str, Callable[..., None]] = {}


def check(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def register(f: Callable[..., None]) -> Callable[..., None]:
        for name in names:
            CHECKS[name] = f
        return f

    return register


class Quickstart:
    """The reader's project folder: ``hello.py``, templates, static."""

    def __init__(self, root: Path, sample_names: list[str]) -> None:
        self.root = root
        source = "\n\n".join(SAMPLES[name][1] for name in sample_names)
        (root / "hello.py").write_text(source, "utf8")
        (root / "templates").mkdir()
        (root / "templates" / "hello.html").write_text(
            SAMPLES["hello-template"][1], "utf8"
        )
        (root / "static").mkdir()
        (root / "static" / "style.css").write_text("body { margin: 0 }\n")
        sys.path.insert(0, str(root))
        # Another test may have left a module of the same name behind.
        sys.modules.pop("hello", None)
        importlib.invalidate_caches()
        self.stdout = io.StringIO()

        with redirect_stdout(self.stdout):
            self.module: ModuleType = importlib.import_module("hello")

        self.app: Any = self.module.app
        self.client = self.app.test_client()


@pytest.fixture
def quickstart(tmp_path: Path) -> Quickstart:
    return Quickstart(tmp_path, PYTHON)


def test_every_sample_has_a_check():
    assert set(SAMPLES) == set(CHECKS)


@pytest.mark.parametrize("name", list(SAMPLES))
def test_sample(name: str, request: pytest.FixtureRequest):
    check_function = CHECKS[name]
    fixtures = check_function.__code__.co_varnames[
        : check_function.__code__.co_argcount
    ]
    check_function(*(request.getfixturevalue(f) for f in fixtures))


# -- the checks --------------------------------------------------------------


@check("hello")
def check_hello(tmp_path: Path) -> None:
    # The first sample on its own is a complete application.
    qs = Quickstart(tmp_path, ["hello"])
    response = qs.client.get("/")
    assert response.status_code == 200
    assert response.text == "Hello from Flask!"
    assert response.mimetype == "text/html"


def _run_console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> dict:
    """Run the sample's ``flask ...`` line with the server replaced."""
    import werkzeug.serving

    import flask.cli
    from flask.cli import cli

    Quickstart(tmp_path, ["hello"])
    calls: list[dict[str, Any]] = []

    def fake_run_simple(host: str, port: int, app: Any, **kwargs: Any) -> None:
        calls.append({"host": host, "port": port, "app": app, **kwargs})

    monkeypatch.setattr(werkzeug.serving, "run_simple", fake_run_simple)
    # Should flask.cli hold its own reference, replace that one too.
    monkeypatch.setattr(flask.cli, "run_simple", fake_run_simple, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FLASK_SKIP_DOTENV", "1")
    line = SAMPLES[name][1].strip()
    assert line.startswith("$ flask ")
    args = shlex.split(line)[2:]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    call = calls[0]
    client = call["app"].test_client()
    assert client.get("/").text == "Hello from Flask!"
    return call


@check("run")
def check_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    call = _run_console(tmp_path, monkeypatch, "run")
    assert (call["host"], call["port"]) == ("127.0.0.1", 5000)
    assert not call["use_reloader"]
    assert not call["use_debugger"]


@check("run-debug")
def check_run_debug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    call = _run_console(tmp_path, monkeypatch, "run-debug")
    assert call["use_reloader"]
    assert call["use_debugger"]


@check("escape")
def check_escape(quickstart: Quickstart) -> None:
    response = quickstart.client.get("/greet/<i>you")
    assert response.text == "<p>Hello, &lt;i&gt;you!</p>"


@check("variable-rules")
def check_variable_rules(quickstart: Quickstart) -> None:
    client = quickstart.client
    assert client.get("/users/ada").text == "Profile of ada"
    assert client.get("/posts/7").text == "Post 7; the next one is 8"
    assert client.get("/posts/abc").status_code == 404
    assert client.get("/files/a/b/c.txt").text == "File a/b/c.txt"
    assert client.get("/users/a/b").status_code == 404


@check("trailing-slash")
def check_trailing_slash(quickstart: Quickstart) -> None:
    client = quickstart.client
    assert client.get("/projects/").text == "Our projects"
    response = client.get("/projects")
    assert response.status_code in {301, 308}
    assert response.headers["Location"].endswith("/projects/")
    assert client.get("/about").text == "About us"
    assert client.get("/about/").status_code == 404


@check("url-for", "url-for-output")
def check_url_for(quickstart: Quickstart) -> None:
    assert quickstart.stdout.getvalue() == SAMPLES["url-for-output"][1]


@check("methods")
def check_methods(quickstart: Quickstart) -> None:
    client = quickstart.client
    assert "<form" in client.get("/subscribe").text
    response = client.post("/subscribe", data={"email": "a@example.com"})
    assert response.text == "Subscribed a@example.com"
    assert client.get("/notes").text == "All the notes"
    response = client.post("/notes")
    assert (response.status_code, response.text) == (201, "Note added")
    response = client.put("/notes")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {
        "GET",
        "HEAD",
        "OPTIONS",
        "POST",
    }


@check("render-template", "hello-template")
def check_templates(quickstart: Quickstart) -> None:
    client = quickstart.client
    assert "<h1>Hello, whoever you are!</h1>" in client.get("/hello/").text
    assert "<h1>Hello, Ada!</h1>" in client.get("/hello/Ada").text
    text = client.get("/hello/<script>").text
    assert "&lt;script&gt;" in text
    assert "<script>" not in text


@check("request-data")
def check_request_data(quickstart: Quickstart) -> None:
    client = quickstart.client
    assert client.get("/search?q=owls&page=2").text == "Results for 'owls', page 2"
    # type=int falls back to the default when the value does not convert.
    assert client.get("/search?page=two").text == "Results for '', page 1"
    response = client.post(
        "/login", data={"username": "ali", "password": "open sesame"}
    )
    assert response.text == "Welcome, ali"
    response = client.post("/login", data={"username": "ali", "password": "no"})
    assert response.status_code == 401
    assert client.post("/login", data={"username": "ali"}).status_code == 400


@check("upload")
def check_upload(quickstart: Quickstart, tmp_path: Path) -> None:
    folder = tmp_path / "uploads"
    folder.mkdir()
    quickstart.app.config["UPLOAD_FOLDER"] = str(folder)
    response = quickstart.client.post(
        "/upload",
        data={"document": (io.BytesIO(b"data"), "../../etc/passwd")},
    )
    assert response.text == "Saved etc_passwd"
    assert (folder / "etc_passwd").read_bytes() == b"data"


@check("cookies")
def check_cookies(quickstart: Quickstart) -> None:
    client = quickstart.client
    assert client.get("/theme").text == "light"
    response = client.get("/theme/dark")
    assert response.text == "Theme set to dark"
    assert "Max-Age=31536000" in response.headers["Set-Cookie"]
    assert client.get("/theme").text == "dark"


@check("redirects-errors")
def check_redirects_errors(quickstart: Quickstart) -> None:
    client = quickstart.client
    response = client.get("/me")
    assert response.status_code == 302
    assert response.headers["Location"] == "/accounts/ada"
    assert client.get("/me", follow_redirects=True).text == "Ada Lovelace"
    for url in ("/accounts/bob", "/no/such/page"):
        response = client.get(url)
        assert response.status_code == 404
        assert response.text == "Nothing lives at this address."


@check("json")
def check_json(quickstart: Quickstart) -> None:
    response = quickstart.client.get("/api/status")
    assert response.mimetype == "application/json"
    assert response.json == {"ok": True, "version": 3}
    assert quickstart.client.get("/api/tags").json == ["python", "web"]


@check("sessions")
def check_sessions(quickstart: Quickstart) -> None:
    client = quickstart.client
    assert client.get("/whoami").text == "Not signed in"
    response = client.post("/sign-in", data={"user": "grace"}, follow_redirects=True)
    assert response.text == "Signed in as grace"
    # The cookie is signed: a changed value is ignored, not trusted.
    cookie = client.get_cookie("session")
    assert cookie is not None
    client.set_cookie("session", cookie.value[:-2] + "xx")
    assert client.get("/whoami").text == "Not signed in"
    client.set_cookie("session", cookie.value)
    response = client.post("/sign-out", follow_redirects=True)
    assert response.text == "Not signed in"


@check("secret-key")
def check_secret_key() -> None:
    line = SAMPLES["secret-key"][1].strip()
    args = shlex.split(line)[1:]
    assert args[0] == "python"
    result = subprocess.run(
        [sys.executable, *args[1:]], capture_output=True, text=True, check=True
    )
    key = result.stdout.strip()
    assert len(key) == 64
    int(key, 16)


@check("logging")
def check_logging(quickstart: Quickstart, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="hello"):
        assert quickstart.client.get("/checkout").text == "Done"
    assert "checkout started for 127.0.0.1" in caplog.text


@check("middleware")
def check_middleware(quickstart: Quickstart, caplog: pytest.LogCaptureFixture) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    assert isinstance(quickstart.app.wsgi_app, ProxyFix)

    with caplog.at_level(logging.INFO, logger="hello"):
        quickstart.client.get("/checkout", headers={"X-Forwarded-For": "203.0.113.9"})
    assert "checkout started for 203.0.113.9" in caplog.text
