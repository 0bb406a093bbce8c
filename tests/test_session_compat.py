"""Session cookies cross between this project and the real Flask 3.1.

A separate virtualenv with ``Flask==3.1.3`` from PyPI is built once and
cached by :mod:`ref_venv` (in ``$FLASK_REF_VENV``, or
``.cache/flask-ref-venv`` at the top of the repository). The same script,
:data:`HELPER`, runs there in a subprocess and here in-process: it signs
a session for every case and reads sessions back. The tests then compare
both directions and check that the cookies are byte-for-byte identical when
the signing time is the same.

If the reference virtualenv cannot be built (no package registry), every
test here is skipped with the reason.
"""

from __future__ import annotations

import json
import time
import typing as t
from pathlib import Path

import pytest
import ref_venv
from ref_venv import REF_VERSION

# Runs under both implementations. ``CASES`` maps a name to the data put in
# the session and whether the session is permanent.
HELPER = r"""
import datetime
import json
import sys
import types
import uuid

from markupsafe import Markup

DT = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)
CASES = {
    "text": ({"s": "value", "u": "caf\u00e9 \u2603 \U0001f600", "": "empty"}, False),
    "numbers": ({"i": -1, "f": 1.5, "n": None, "b": True, "big": 2**70}, False),
    "containers": ({"l": [1, [2]], "d": {"k": {"k2": "v"}}, "e": {}}, False),
    "tuple": ({"t": (1, (2, 3), [4]), "empty": ()}, False),
    "bytes": ({"b": bytes(range(256)), "empty": b""}, False),
    "markup": ({"m": Markup("<b>bold</b> &amp; \u00e9")}, False),
    "uuid": ({"u": uuid.UUID("12345678-1234-5678-1234-567812345678")}, False),
    "datetime": ({"d": DT}, False),
    "tag_lookalikes": (
        {"x": {" t": [1]}, "y": {" di": {" b": "AP8="}}, " t": "top"},
        False,
    ),
    "nested": (
        {"n": [{"a": (b"x", Markup("<i>"))}, (uuid.UUID(int=7), DT)]},
        False,
    ),
    "large": ({f"key{i}": "value " * 10 for i in range(40)}, False),
    "permanent": ({"user_id": 42}, True),
    "permanent_only": ({}, True),
}


def make_app(config):
    from flask import Flask
    from flask import session

    app = Flask("session_compat")
    app.config.update(config)

    @app.route("/set/<name>")
    def set_session(name):
        data, permanent = CASES[name]
        session.update(data)

        if permanent:
            session.permanent = True

        return ""

    @app.route("/get")
    def get_session():
        return repr(sorted(session.items()))

    return app


def freeze(timestamp):
    import itsdangerous.timed

    if timestamp is not None:
        itsdangerous.timed.time = types.SimpleNamespace(time=lambda: timestamp)


def sign(config, timestamp=None):
    freeze(timestamp)
    app = make_app(config)
    out = {}

    for name in CASES:
        rv = app.test_client().get(f"/set/{name}")
        (header,) = rv.headers.getlist("Set-Cookie")
        value = header.split(";", 1)[0].split("=", 1)[1]
        out[name] = {"cookie": value, "expires": "Expires=" in header}

    return out


def read(config, cookies, timestamp=None):
    freeze(timestamp)
    app = make_app(config)
    out = {}

    for name, value in cookies.items():
        client = app.test_client()
        client.set_cookie("session", value)
        rv = client.get("/get")
        assert rv.status_code == 200, rv.status
        out[name] = rv.get_data(as_text=True)

    return out


def run(jobs):
    rv = []

    for job in jobs:
        op = job.pop("op")
        rv.append(sign(**job) if op == "sign" else read(**job))

    return rv


if __name__ == "__main__":
    import importlib.metadata

    import flask

    result = {
        "version": importlib.metadata.version("flask"),
        "file": flask.__file__,
        "results": run(json.load(sys.stdin)),
    }
    json.dump(result, sys.stdout)
"""

_ns: dict[str, t.Any] = {"__name__": "session_compat_helper"}
exec(compile(HELPER, "<session-compat-helper>", "exec"), _ns)
CASES: dict[str, tuple[dict[str, t.Any], bool]] = _ns["CASES"]
NAMES = list(CASES)


def expected_repr(name: str) -> str:
    data, permanent = CASES[name]
    items = dict(data)

    if permanent:
        items["_permanent"] = True

    return repr(sorted(items.items()))


def ours(jobs: list[dict[str, t.Any]]) -> list[dict[str, t.Any]]:
    """Run jobs with this project's flask, restoring the signing clock."""
    import itsdangerous.timed

    saved = itsdangerous.timed.time  # type: ignore[attr-defined]

    try:
        return _ns["run"](jobs)  # type: ignore[no-any-return]
    finally:
        itsdangerous.timed.time = saved  # type: ignore[attr-defined]


# --- the reference virtualenv -------------------------------------------------


@pytest.fixture(scope="module")
def ref_python() -> Path:
    return ref_venv.ref_python()


def run_reference(
    python: Path, jobs: list[dict[str, t.Any]], tmp_path: Path
) -> list[dict[str, t.Any]]:
    """Run jobs under the reference Flask in a subprocess."""
    script = tmp_path / "session_compat_helper.py"
    script.write_text(HELPER, encoding="utf-8")
    proc = ref_venv.run_python(
        python,
        [str(script)],
        input=json.dumps(jobs),
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    # Make sure the subprocess really used the reference Flask.
    assert out["version"] == REF_VERSION
    assert ref_venv.is_reference_file(python, out["file"])
    return out["results"]  # type: ignore[no-any-return]


# --- the scenarios ------------------------------------------------------------

KEY = {"SECRET_KEY": "current key"}
ROTATED = {"SECRET_KEY": "current key", "SECRET_KEY_FALLBACKS": ["old key"]}
OLD = {"SECRET_KEY": "old key"}


class Results(t.NamedTuple):
    ts: int
    flask_signed: dict[str, t.Any]
    ours_signed: dict[str, t.Any]
    flask_old_signed: dict[str, t.Any]
    flask_expired: dict[str, t.Any]
    flask_reads_ours: dict[str, t.Any]
    flask_reads_ours_old_only: dict[str, t.Any]
    flask_reads_ours_rotated: dict[str, t.Any]
    flask_rotated_signed: dict[str, t.Any]
    ours_rotated_signed: dict[str, t.Any]


@pytest.fixture(scope="module")
def results(ref_python: Path, tmp_path_factory: pytest.TempPathFactory) -> Results:
    ts = int(time.time())
    ours_signed, ours_rotated_signed = ours(
        [
            {"op": "sign", "config": KEY, "timestamp": ts},
            {"op": "sign", "config": ROTATED, "timestamp": ts},
        ]
    )
    ours_cookies = {n: v["cookie"] for n, v in ours_signed.items()}
    (
        flask_signed,
        flask_old_signed,
        flask_expired,
        flask_rotated_signed,
        flask_reads_ours,
        flask_reads_ours_old_only,
        flask_reads_ours_rotated,
    ) = run_reference(
        ref_python,
        [
            {"op": "sign", "config": KEY, "timestamp": ts},
            {"op": "sign", "config": OLD, "timestamp": ts},
            {"op": "sign", "config": KEY, "timestamp": ts - 7200},
            {"op": "sign", "config": ROTATED, "timestamp": ts},
            {"op": "read", "config": KEY, "cookies": ours_cookies},
            {"op": "read", "config": OLD, "cookies": ours_cookies},
            {
                "op": "read",
                "config": {
                    "SECRET_KEY": "newest key",
                    "SECRET_KEY_FALLBACKS": ["old key", "current key"],
                },
                "cookies": ours_cookies,
            },
        ],
        tmp_path_factory.mktemp("session-compat"),
    )
    return Results(
        ts,
        flask_signed,
        ours_signed,
        flask_old_signed,
        flask_expired,
        flask_reads_ours,
        flask_reads_ours_old_only,
        flask_reads_ours_rotated,
        flask_rotated_signed,
        ours_rotated_signed,
    )


def _cookies(signed: dict[str, t.Any]) -> dict[str, str]:
    return {name: value["cookie"] for name, value in signed.items()}


@pytest.mark.parametrize("name", NAMES)
def test_flask_cookie_read_here(results: Results, name: str) -> None:
    (rv,) = ours(
        [
            {
                "op": "read",
                "config": KEY,
                "cookies": {name: results.flask_signed[name]["cookie"]},
            }
        ]
    )
    assert rv[name] == expected_repr(name)


@pytest.mark.parametrize("name", NAMES)
def test_our_cookie_read_by_flask(results: Results, name: str) -> None:
    assert results.flask_reads_ours[name] == expected_repr(name)


@pytest.mark.parametrize("name", NAMES)
def test_cookies_identical(results: Results, name: str) -> None:
    assert results.ours_signed[name] == results.flask_signed[name]
    assert results.ours_rotated_signed[name] == results.flask_rotated_signed[name]


def test_permanent_cookies_expire(results: Results) -> None:
    for name in NAMES:
        permanent = CASES[name][1]
        assert results.flask_signed[name]["expires"] is permanent
        assert results.ours_signed[name]["expires"] is permanent


def test_expired_flask_cookie_refused(results: Results) -> None:
    config = {**KEY, "PERMANENT_SESSION_LIFETIME": 3600}
    cookies = _cookies(results.flask_expired)
    (rv,) = ours([{"op": "read", "config": config, "cookies": cookies}])
    assert set(rv.values()) == {"[]"}

    # Within the lifetime, the same cookies are accepted.
    config["PERMANENT_SESSION_LIFETIME"] = 3 * 3600
    (rv,) = ours([{"op": "read", "config": config, "cookies": cookies}])
    assert rv == {name: expected_repr(name) for name in NAMES}


def test_rotation_flask_old_key_read_here(results: Results) -> None:
    cookies = _cookies(results.flask_old_signed)
    (rotated, current_only) = ours(
        [
            {"op": "read", "config": ROTATED, "cookies": cookies},
            {"op": "read", "config": KEY, "cookies": cookies},
        ]
    )
    assert rotated == {name: expected_repr(name) for name in NAMES}
    assert set(current_only.values()) == {"[]"}


def test_rotation_our_cookie_signed_with_current_key(results: Results) -> None:
    # Flask with only the old key cannot read what we sign with the current
    # one; Flask that rotated again still accepts it as a fallback.
    assert set(results.flask_reads_ours_old_only.values()) == {"[]"}
    assert results.flask_reads_ours_rotated == {
        name: expected_repr(name) for name in NAMES
    }


def test_rotation_signing_matches_flask(results: Results) -> None:
    (rv,) = ours(
        [
            {
                "op": "read",
                "config": KEY,
                "cookies": _cookies(results.flask_rotated_signed),
            }
        ]
    )
    assert rv == {name: expected_repr(name) for name in NAMES}
