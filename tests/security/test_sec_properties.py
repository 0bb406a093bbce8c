"""Property-based tests: URL building and matching agree for every
converter, the tagged session serializer gives back what it was given,
``make_response`` turns every valid return value into the right response
and every invalid one into a ``TypeError``, and ``from_prefixed_env``
reads generated variables the way Flask 3.1 does.

The number of examples comes from the ``HYPOTHESIS_PROFILE`` environment
variable: ``ci`` (default, derandomized, fast) or ``fuzz`` (many random
examples, for ``tox -e fuzz``).
"""

from __future__ import annotations

import json
import os
import shutil
import string
import subprocess
import sys
import typing as t
import uuid
from datetime import datetime
from datetime import timezone
from unittest import mock

import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import HealthCheck
from hypothesis import settings
from hypothesis import strategies as st
from markupsafe import Markup
from werkzeug.datastructures import Headers

import flask
from flask.json.tag import TaggedJSONSerializer

_PROFILES = {
    "ci": settings(
        max_examples=60,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    ),
    "fuzz": settings(
        max_examples=3000,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    ),
}
SETTINGS = _PROFILES[os.environ.get("HYPOTHESIS_PROFILE", "ci")]

# Text that survives UTF-8 (no lone surrogates).
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
segment = text.filter(lambda s: s and "/" not in s)

app = flask.Flask("sec_properties")
app.config.update(TESTING=True, SECRET_KEY="k")
CHOICES = ["alpha", "beta-1", "δέλτα"]


def _echo(**kwargs: t.Any) -> dict[str, t.Any]:
    return {
        "values": {k: repr(v) for k, v in kwargs.items()},
        "args": flask.request.args.to_dict(flat=False),
    }


app.add_url_rule("/s/<v>", "string", _echo)
app.add_url_rule("/s2/<string(minlength=2,maxlength=8):v>", "string_len", _echo)
app.add_url_rule("/i/<int:v>", "int", _echo)
app.add_url_rule("/is/<int(signed=True):v>", "int_signed", _echo)
app.add_url_rule("/f/<float:v>", "float", _echo)
app.add_url_rule("/fs/<float(signed=True):v>", "float_signed", _echo)
app.add_url_rule("/p/<path:v>", "path", _echo)
app.add_url_rule("/u/<uuid:v>", "uuid", _echo)
app.add_url_rule(f"/a/<any({','.join(repr(c) for c in CHOICES)}):v>", "any", _echo)
app.add_url_rule("/multi/<int:a>/<v>/<path:rest>", "multi", _echo)
client = app.test_client()


def _round_trip(endpoint: str, **values: t.Any) -> None:
    with app.test_request_context():
        url = flask.url_for(endpoint, **values)

    assert "\r" not in url and "\n" not in url and " " not in url
    rv = client.get(url)
    assert rv.status_code == 200, (url, rv.status_code)
    assert rv.json["values"] == {
        k: repr(v) for k, v in values.items() if not k.startswith("q")
    }

    for key, value in values.items():
        if key.startswith("q"):
            assert rv.json["args"][key] == [str(value)]


@SETTINGS
@given(v=segment, q=text)
def test_string_converter_round_trip(v: str, q: str) -> None:
    _round_trip("string", v=v, q=q)


@SETTINGS
@given(v=text.filter(lambda s: 2 <= len(s) <= 8 and "/" not in s))
def test_string_converter_with_length_round_trip(v: str) -> None:
    _round_trip("string_len", v=v)


@SETTINGS
@given(v=st.integers(min_value=0, max_value=10**30))
def test_int_converter_round_trip(v: int) -> None:
    _round_trip("int", v=v)


@SETTINGS
@given(v=st.integers(min_value=-(10**30), max_value=10**30))
def test_signed_int_converter_round_trip(v: int) -> None:
    _round_trip("int_signed", v=v)


def _plain_float(x: float) -> bool:
    # NOTE: werkzeug's float converter only matches "digits.digits";
    # floats that Python writes with an exponent (1e-05, 1e+16) build
    # a URL their own rule does not match (Flask 3.1 too).
    return "e" not in repr(x) and "n" not in repr(x)


@SETTINGS
@given(v=st.floats(min_value=0, allow_nan=False, allow_infinity=False))
def test_float_converter_round_trip(v: float) -> None:
    if _plain_float(v):
        _round_trip("float", v=v)


@SETTINGS
@given(v=st.floats(allow_nan=False, allow_infinity=False))
def test_signed_float_converter_round_trip(v: float) -> None:
    if _plain_float(v):
        _round_trip("float_signed", v=v)


def _plain_path(s: str) -> bool:
    parts = s.split("/")
    # A leading "/", an empty segment ("//" is merged by a redirect) or a
    # dot segment (normalised by clients) is not a path the rule can give
    # back unchanged. NOTE: nor is a newline: werkzeug's path regex is
    # "[^/].*?" without DOTALL, so "a\nb" builds a URL that is a 404
    # (Flask 3.1 too); the string converter has no such gap.
    return bool(s) and "\n" not in s and all(p and p not in {".", ".."} for p in parts)


@SETTINGS
@given(v=st.lists(segment, min_size=1, max_size=5).map("/".join).filter(_plain_path))
def test_path_converter_round_trip(v: str) -> None:
    _round_trip("path", v=v)


@SETTINGS
@given(v=st.uuids())
def test_uuid_converter_round_trip(v: uuid.UUID) -> None:
    _round_trip("uuid", v=v)


@SETTINGS
@given(v=st.sampled_from(CHOICES))
def test_any_converter_round_trip(v: str) -> None:
    _round_trip("any", v=v)


@SETTINGS
@given(v=text.filter(lambda s: s not in CHOICES))
def test_any_converter_refuses_to_build_other_values(v: str) -> None:
    # The choices go into the URL unquoted, so nothing else may.
    with app.test_request_context(), pytest.raises(ValueError):
        flask.url_for("any", v=v)


@SETTINGS
@given(
    a=st.integers(min_value=0),
    v=segment,
    rest=st.lists(segment, min_size=1, max_size=3).map("/".join).filter(_plain_path),
    q1=text,
    q2=st.integers(),
)
def test_several_converters_and_query_round_trip(
    a: int, v: str, rest: str, q1: str, q2: int
) -> None:
    _round_trip("multi", a=a, v=v, rest=rest, q1=q1, q2=q2)


# -- tagged JSON ---------------------------------------------------------------

TAG_KEYS = [" t", " d", " b", " u", " m", " di", " x", "", " "]
keys = st.one_of(text, st.sampled_from(TAG_KEYS))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    text,
    st.binary(max_size=30),
    text.map(Markup),
    st.uuids(),
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1)).map(
        lambda d: d.replace(microsecond=0, tzinfo=timezone.utc)
    ),
)
tagged_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(keys, children, max_size=4),
    ),
    max_leaves=20,
)
serializer = TaggedJSONSerializer()


def _same(a: t.Any, b: t.Any) -> bool:
    """Equal, and of the same types all the way down."""
    if type(a) is not type(b):
        return False

    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)

    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(_same, a, b))

    return bool(a == b)


@SETTINGS
@given(value=tagged_values)
def test_tagged_serializer_round_trip(value: t.Any) -> None:
    dumped = serializer.dumps(value)
    assert isinstance(dumped, str)
    json.loads(dumped)  # always plain JSON
    assert _same(serializer.loads(dumped), value)


@SETTINGS
@given(value=st.dictionaries(keys, tagged_values, max_size=5))
def test_session_cookie_round_trip(value: dict[str, t.Any]) -> None:
    """The whole way: into a signed cookie and back into the session."""
    interface = app.session_interface
    signer = interface.get_signing_serializer(app)
    assert signer is not None
    loaded = signer.loads(signer.dumps(value))
    assert _same(loaded, value)


# -- make_response -------------------------------------------------------------

header_names = st.text(
    string.ascii_letters + string.digits + "-", min_size=1, max_size=12
)
header_values = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20
)
headers = st.one_of(
    st.dictionaries(header_names, header_values, min_size=1, max_size=3),
    st.lists(st.tuples(header_names, header_values), min_size=1, max_size=3),
    st.lists(st.tuples(header_names, header_values), min_size=1, max_size=3).map(
        Headers
    ),
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), text),
    lambda c: st.one_of(st.lists(c, max_size=3), st.dictionaries(text, c, max_size=3)),
    max_leaves=8,
)
bodies = st.one_of(
    text.map(lambda s: ("str", s)),
    st.binary(max_size=30).map(lambda b: ("bytes", b)),
    st.dictionaries(text, json_values, max_size=3).map(lambda d: ("json", d)),
    st.lists(json_values, max_size=3).map(lambda v: ("json", v)),
    st.lists(text, max_size=3).map(lambda v: ("iter", v)),
    text.map(lambda s: ("response", s)),
)
statuses = st.one_of(
    st.integers(min_value=200, max_value=599),
    st.integers(min_value=200, max_value=599).map(lambda c: f"{c} Custom Reason"),
)


def _body(kind: str, value: t.Any) -> t.Any:
    if kind == "iter":
        return iter(value)

    if kind == "response":
        return flask.Response(value, headers={"X-Own": "1"})

    return value


def _expected_data(kind: str, value: t.Any) -> bytes | None:
    if kind == "str" or kind == "response":
        return value.encode()

    if kind == "bytes":
        return t.cast(bytes, value)

    if kind == "iter":
        return "".join(value).encode()

    return None


@SETTINGS
@given(body=bodies, status=st.none() | statuses, hdrs=st.none() | headers)
def test_make_response_valid(body: tuple[str, t.Any], status: t.Any, hdrs: t.Any):
    kind, value = body
    rv: t.Any = _body(kind, value)

    if status is not None and hdrs is not None:
        rv = (rv, status, hdrs)
    elif status is not None:
        rv = (rv, status)
    elif hdrs is not None:
        rv = (rv, hdrs)

    with app.test_request_context():
        response = app.make_response(rv)

    assert isinstance(response, flask.Response)
    code = status if isinstance(status, int) else int(status[:3]) if status else 200
    assert response.status_code == code

    if isinstance(status, str):
        assert response.status == status

    # COMPAT(3.1): headers given with a str/bytes/iterator body go to the
    # constructor and repeated names are all kept; on a JSON or response
    # body they update it, and the last value of a name wins.
    last: dict[str, str] = {}

    for key, val in Headers(hdrs or []).items():
        last[key.lower()] = val

    for key, val in last.items():
        assert val in response.headers.getlist(key), (key, response.headers)

    data = response.get_data()
    expected = _expected_data(kind, value)

    if expected is not None:
        assert data == expected
    else:
        assert response.mimetype == "application/json"
        assert json.loads(data) == value


invalid_bodies = st.one_of(
    st.none(),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.sets(st.integers(), max_size=2),
    st.frozensets(st.integers(), max_size=2),
    st.complex_numbers(),
    st.just(object()),
    st.just(1j),
    st.just(Ellipsis),
)
invalid_statuses = st.one_of(
    st.floats(),
    st.binary(min_size=1),
    st.just(object()),
    st.complex_numbers(),
    st.sets(st.integers(), max_size=1),
)
valid_body = st.sampled_from(["x", b"x", {"a": 1}, [1]])


@SETTINGS
@given(
    rv=st.one_of(
        invalid_bodies,
        st.tuples(invalid_bodies, statuses),
        st.tuples(invalid_bodies, headers),
        st.tuples(invalid_bodies, statuses, headers),
        st.tuples(valid_body, invalid_statuses),
        st.tuples(valid_body, invalid_statuses, headers),
        st.tuples(),
        st.tuples(valid_body),
        st.tuples(valid_body, statuses, headers, st.integers()),
    )
)
@example(rv=("x", 1.5))
@example(rv=("x", b"200 OK"))
@example(rv=("x", object(), {"X": "1"}))
@example(rv=({"a": 1}, 2.0))
@example(rv=(None, 200))
@example(rv=1.5)
def test_make_response_invalid_is_type_error(rv: t.Any) -> None:
    with app.test_request_context():
        with pytest.raises(TypeError):
            app.make_response(rv)


# -- config from the environment ----------------------------------------------

env_names = st.text(string.ascii_uppercase + string.digits + "_", max_size=10)
env_values = st.one_of(
    json_values.map(json.dumps),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
)


def _load_env(environ: dict[str, str]) -> tuple[str, t.Any]:
    config = flask.Config(".")

    with mock.patch.dict(os.environ, environ, clear=True):
        try:
            config.from_prefixed_env()
        except Exception as e:
            return "error", type(e).__name__

    return "ok", dict(config)


@SETTINGS
@given(env=st.dictionaries(env_names, env_values, max_size=6))
def test_from_prefixed_env_reads_generated_vars(env: dict[str, str]) -> None:
    environ = {f"FLASK_{k}": v for k, v in env.items()}
    environ["OTHER_THING"] = "ignored"
    status, result = _load_env(environ)

    if status == "error":
        # Only a nested key under a value that is not a dict can fail.
        assert any("__" in k for k in env), (env, result)
        return

    assert "OTHER_THING" not in result and "THING" not in result

    for key, raw in env.items():
        if "__" in key:
            continue

        try:
            expected = json.loads(raw)
        except ValueError:
            expected = raw

        # A nested key sorted after it may have turned it into a dict.
        if not any(k.startswith(key + "__") for k in env):
            # Through JSON, so that NaN equals NaN.
            assert json.dumps(result[key]) == json.dumps(expected), (key, raw)
            assert type(result[key]) is type(expected)


_FLASK_PY = shutil.which("python3")


def _real_flask_available() -> bool:
    if _FLASK_PY is None or os.path.realpath(_FLASK_PY) == os.path.realpath(
        sys.executable
    ):
        return False

    probe = subprocess.run(
        [
            _FLASK_PY,
            "-c",
            "import flask, sys; sys.exit(flask.Flask.__module__ != 'flask.app')",
        ],
        capture_output=True,
        timeout=60,
    )
    return probe.returncode == 0 and b"/work/" not in probe.stdout


_REAL_SCRIPT = """
import json, os, sys
import flask
out = []
for environ in json.load(sys.stdin):
    os.environ.clear()
    os.environ.update(environ)
    config = flask.Config(".")
    try:
        config.from_prefixed_env()
        out.append(["ok", dict(config)])
    except Exception as e:
        out.append(["error", type(e).__name__])
json.dump(out, sys.stdout)
"""


def test_from_prefixed_env_matches_flask() -> None:
    """The same generated environments through the real Flask 3.1 (as a
    black box, in the system interpreter) and through ours."""
    if not _real_flask_available():
        pytest.skip("the reference Flask is not installed in the system python3")

    import random

    rnd = random.Random(1234)
    names = ["A", "B", "A__B", "A__C", "B__X__Y", "", "_", "__", "A__", "__A", "X_Y"]
    raw_values = ["1", '"s"', "[1, 2]", '{"k": 1}', "true", "null", "text", "", "1.5"]
    cases = [
        {
            f"FLASK_{rnd.choice(names)}": rnd.choice(raw_values)
            for _ in range(rnd.randint(1, 5))
        }
        for _ in range(150)
    ]
    real = subprocess.run(
        [_FLASK_PY, "-c", _REAL_SCRIPT],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd="/",
        env={"PATH": os.environ.get("PATH", "")},
    )
    expected = json.loads(real.stdout)

    for case, want in zip(cases, expected, strict=True):
        got = list(_load_env(case))
        assert json.loads(json.dumps(got)) == want, case
