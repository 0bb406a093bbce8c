from __future__ import annotations

import errno
import json
import os
import sys
import textwrap
import typing as t
from pathlib import Path

import pytest
from werkzeug.utils import ImportStringError

from flask.config import Config
from flask.config import ConfigAttribute

FIXTURES = Path(__file__).parent / "config_fixtures"


@pytest.fixture
def config() -> Config:
    return Config(FIXTURES)


def common_object_test(config: Config, secret_key: str) -> None:
    assert config["SECRET_KEY"] == secret_key
    assert config["TEST_KEY"] == "foo"
    assert "lower_key" not in config
    assert "lower" not in config


# --- construction ----------------------------------------------------------


def test_init_defaults_and_root_path() -> None:
    config = Config("/srv/app", {"A": 1})
    assert config.root_path == "/srv/app"
    assert config == {"A": 1}
    assert isinstance(config, dict)
    assert Config("/srv/app") == {}
    assert Config("/srv/app", None) == {}


def test_defaults_are_copied() -> None:
    defaults = {"A": 1}
    config = Config("/", defaults)
    config["A"] = 2
    assert defaults == {"A": 1}


def test_repr() -> None:
    assert repr(Config("/", {"A": 1})) == "<Config {'A': 1}>"

    class MyConfig(Config):
        pass

    assert repr(MyConfig("/")) == "<MyConfig {}>"


def test_subclass_is_used_by_loaders() -> None:
    class MyConfig(Config):
        pass

    config = MyConfig("/")
    assert config.from_mapping(A=1)
    assert config["A"] == 1


# --- from_object -----------------------------------------------------------


def test_from_object_class_and_instance() -> None:
    class Settings:
        SECRET_KEY = "from-class"
        TEST_KEY = "foo"
        lower_key = "ignored"

        @property
        def COMPUTED(self) -> str:
            return "computed"

    config = Config("/")
    config.from_object(Settings)
    common_object_test(config, "from-class")
    assert isinstance(config["COMPUTED"], property)

    config = Config("/")
    config.from_object(Settings())
    common_object_test(config, "from-class")
    assert config["COMPUTED"] == "computed"


def test_from_object_import_string(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "cfg_mod_for_flask_tests.py").write_text(
        textwrap.dedent(
            """
            import os
            SECRET_KEY = "from-module"
            TEST_KEY = "foo"
            lower_key = "ignored"

            class Nested:
                SECRET_KEY = "from-nested"
                TEST_KEY = "foo"
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "cfg_mod_for_flask_tests", raising=False)

    config = Config("/")
    config.from_object("cfg_mod_for_flask_tests")
    common_object_test(config, "from-module")
    assert "os" not in config

    config = Config("/")
    config.from_object("cfg_mod_for_flask_tests.Nested")
    common_object_test(config, "from-nested")

    config = Config("/")
    config.from_object("cfg_mod_for_flask_tests:Nested")
    common_object_test(config, "from-nested")


def test_from_object_upper_case_rule() -> None:
    class Settings:
        _PRIVATE = 1  # str.isupper() is true: loaded
        MIXED_Case = 2
        A1 = 3
        _ = 4

    config = Config("/")
    config.from_object(Settings)
    assert config == {"_PRIVATE": 1, "A1": 3}


def test_from_object_dict_contributes_nothing() -> None:
    config = Config("/")
    config.from_object({"SECRET_KEY": "x"})
    assert config == {}


@pytest.mark.parametrize("name", ["no_such_module_xyz", "json.NoSuchThing"])
def test_from_object_bad_import_string(name: str) -> None:
    with pytest.raises(ImportStringError):
        Config("/").from_object(name)


# --- from_pyfile -----------------------------------------------------------


def test_from_pyfile_relative(config: Config) -> None:
    assert config.from_pyfile("settings.py") is True
    common_object_test(config, "from-pyfile")
    assert config["_PRIVATE_UPPER"] == "loaded"
    assert config["FILE_NAME"] == "settings.py"
    assert "os" not in config


def test_from_pyfile_absolute_and_pathlike() -> None:
    config = Config("/nonexistent")
    assert config.from_pyfile(str(FIXTURES / "settings.py"))
    common_object_test(config, "from-pyfile")

    config = Config(FIXTURES)
    assert config.from_pyfile(Path("settings.py"))
    common_object_test(config, "from-pyfile")


def test_from_pyfile_module_globals(tmp_path: Path) -> None:
    (tmp_path / "conf.py").write_text("FILE = __file__\nNAME = __name__\n")
    config = Config(tmp_path)
    config.from_pyfile("conf.py")
    assert config["FILE"] == str(tmp_path / "conf.py")
    assert config["NAME"] == "config"


def test_from_pyfile_encoding_cookie(tmp_path: Path) -> None:
    (tmp_path / "conf.py").write_bytes(b"# -*- coding: latin-1 -*-\nTEXT = '\xe9'\n")
    config = Config(tmp_path)
    config.from_pyfile("conf.py")
    assert config["TEXT"] == "\xe9"


def test_from_pyfile_missing(config: Config) -> None:
    with pytest.raises(FileNotFoundError) as exc_info:
        config.from_pyfile("missing.cfg")

    e = exc_info.value
    assert e.errno == errno.ENOENT
    msg = str(e)
    assert msg.startswith("[Errno 2] Unable to load configuration file (")
    assert msg.endswith("missing.cfg'")
    assert e.filename == os.path.join(FIXTURES, "missing.cfg")
    assert not config


@pytest.mark.parametrize(
    ("name", "exc"),
    [
        ("missing.cfg", FileNotFoundError),
        (".", IsADirectoryError),
        ("settings.py/child.py", NotADirectoryError),
    ],
)
def test_from_pyfile_silent(config: Config, name: str, exc: type[OSError]) -> None:
    assert config.from_pyfile(name, silent=True) is False
    assert not config

    with pytest.raises(exc, match="Unable to load configuration file"):
        config.from_pyfile(name)


def test_from_pyfile_errors_inside_file_propagate(
    config: Config, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="broken config"):
        config.from_pyfile("broken.py", silent=True)

    (tmp_path / "syntax.py").write_text("A = \n")

    with pytest.raises(SyntaxError):
        Config(tmp_path).from_pyfile("syntax.py", silent=True)


# --- from_envvar -----------------------------------------------------------


def test_from_envvar(config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLASK_TEST_SETTINGS", str(FIXTURES / "settings.py"))
    assert config.from_envvar("FLASK_TEST_SETTINGS") is True
    common_object_test(config, "from-pyfile")


def test_from_envvar_relative_to_root(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_TEST_SETTINGS", "settings.py")
    assert config.from_envvar("FLASK_TEST_SETTINGS")
    common_object_test(config, "from-pyfile")


@pytest.mark.parametrize("value", [None, ""])
def test_from_envvar_unset(
    config: Config, monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    if value is None:
        monkeypatch.delenv("FLASK_TEST_SETTINGS", raising=False)
    else:
        monkeypatch.setenv("FLASK_TEST_SETTINGS", value)

    with pytest.raises(RuntimeError) as exc_info:
        config.from_envvar("FLASK_TEST_SETTINGS")

    msg = str(exc_info.value)
    assert "'FLASK_TEST_SETTINGS' is not set" in msg
    assert "point to a configuration file" in msg
    assert config.from_envvar("FLASK_TEST_SETTINGS", silent=True) is False


def test_from_envvar_missing_file(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLASK_TEST_SETTINGS", "missing.cfg")

    with pytest.raises(FileNotFoundError) as exc_info:
        config.from_envvar("FLASK_TEST_SETTINGS")

    msg = str(exc_info.value)
    assert "[Errno 2] Unable to load configuration file (No such file or" in msg
    assert "missing.cfg'" in msg
    assert config.from_envvar("FLASK_TEST_SETTINGS", silent=True) is False


# --- from_file -------------------------------------------------------------


def test_from_file_json(config: Config) -> None:
    assert config.from_file("config.json", json.load) is True
    common_object_test(config, "from-json")
    assert config["NESTED"] == {"a": 1}


def test_from_file_toml(config: Config) -> None:
    tomllib = pytest.importorskip("tomllib")
    assert config.from_file("config.toml", tomllib.load, text=False) is True
    common_object_test(config, "from-toml")
    assert config["NESTED"] == {"a": 1}


def test_from_file_toml_needs_binary(config: Config) -> None:
    tomllib = pytest.importorskip("tomllib")

    with pytest.raises(TypeError, match="binary mode"):
        config.from_file("config.toml", tomllib.load)


def test_from_file_text_is_utf8(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_bytes('{"NAME": "caf\u00e9"}'.encode())
    config = Config(tmp_path)
    config.from_file("c.json", json.load)
    assert config["NAME"] == "caf\u00e9"


def test_from_file_absolute() -> None:
    config = Config("/nonexistent")
    assert config.from_file(FIXTURES / "config.json", json.load)
    common_object_test(config, "from-json")


def test_from_file_load_receives_open_file(config: Config) -> None:
    seen: list[t.IO[t.Any]] = []

    def load(f: t.IO[t.Any]) -> dict[str, t.Any]:
        seen.append(f)
        return {"MODE": f.mode, "lower": 1}

    config.from_file("config.json", load)
    config.from_file("config.toml", load, text=False)
    assert config == {"MODE": "rb"}
    assert len(seen) == 2
    assert all(f.closed for f in seen)


@pytest.mark.parametrize(
    ("name", "exc"),
    [("missing.json", FileNotFoundError), (".", IsADirectoryError)],
)
def test_from_file_missing(config: Config, name: str, exc: type[OSError]) -> None:
    with pytest.raises(exc) as exc_info:
        config.from_file(name, json.load)

    assert "Unable to load configuration file" in str(exc_info.value)
    assert config.from_file(name, json.load, silent=True) is False
    assert not config


def test_from_file_not_a_directory_silent(config: Config) -> None:
    # Flask 3.1 raises here even with silent=True; from_pyfile does not.
    assert config.from_file("config.json/x.json", json.load, silent=True) is False


def test_from_file_parse_error_propagates(config: Config) -> None:
    with pytest.raises(json.JSONDecodeError):
        config.from_file("settings.py", json.load, silent=True)


# --- from_mapping ----------------------------------------------------------


def test_from_mapping() -> None:
    config = Config("/")
    assert config.from_mapping({"SECRET_KEY": "m", "TEST_KEY": "foo"}) is True
    common_object_test(config, "m")

    config = Config("/")
    assert config.from_mapping(SECRET_KEY="kw", TEST_KEY="foo", lower_key=1)
    common_object_test(config, "kw")

    config = Config("/")
    config.from_mapping([("SECRET_KEY", "pairs"), ("TEST_KEY", "foo")])  # type: ignore[arg-type]
    common_object_test(config, "pairs")


def test_from_mapping_kwargs_win_and_lower_ignored() -> None:
    config = Config("/")
    config.from_mapping({"A": 1, "b": 2, "C": 3}, C=4, d=5)
    assert config == {"A": 1, "C": 4}


def test_from_mapping_empty() -> None:
    config = Config("/", {"A": 1})
    assert config.from_mapping() is True
    assert config.from_mapping(None) is True
    assert config == {"A": 1}


def test_from_mapping_too_many_positional() -> None:
    with pytest.raises(TypeError):
        Config("/").from_mapping({}, {})  # type: ignore[call-arg]


# --- from_prefixed_env -----------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for key in list(os.environ):
        if key.startswith(("FLASK_", "APP_")):
            monkeypatch.delenv(key)

    return monkeypatch


def test_from_prefixed_env(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("FLASK_STRING", "value")
    clean_env.setenv("FLASK_BOOL", "true")
    clean_env.setenv("FLASK_INT", "1")
    clean_env.setenv("FLASK_FLOAT", "1.2")
    clean_env.setenv("FLASK_LIST", "[1, 2]")
    clean_env.setenv("FLASK_DICT", '{"k": "v"}')
    clean_env.setenv("FLASK_NULL", "null")
    clean_env.setenv("FLASK_QUOTED", '"1"')
    clean_env.setenv("NOT_FLASK_OTHER", "other")
    clean_env.setenv("FLASKNOUNDERSCORE", "other")

    config = Config("/")
    assert config.from_prefixed_env() is True
    assert config == {
        "STRING": "value",
        "BOOL": True,
        "INT": 1,
        "FLOAT": 1.2,
        "LIST": [1, 2],
        "DICT": {"k": "v"},
        "NULL": None,
        "QUOTED": "1",
    }


@pytest.mark.parametrize("value", ["not json", "{bad", "tru", "1.2.3", ""])
def test_from_prefixed_env_bad_json_kept(
    clean_env: pytest.MonkeyPatch, value: str
) -> None:
    clean_env.setenv("FLASK_SECRET_KEY", value)
    config = Config("/")
    config.from_prefixed_env()
    assert config["SECRET_KEY"] == value


def test_from_prefixed_env_sorted_order(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("FLASK_B", "1")
    clean_env.setenv("FLASK_A", "2")
    clean_env.setenv("FLASK_a", "3")
    config = Config("/")
    config.from_prefixed_env()
    # Lower-case keys are kept, unlike the other loaders.
    assert list(config.items()) == [("A", 2), ("B", 1), ("a", 3)]


def test_from_prefixed_env_custom_prefix(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("FLASK_A", "1")
    clean_env.setenv("APP_A", "2")
    config = Config("/")
    config.from_prefixed_env("APP")
    assert config == {"A": 2}


def test_from_prefixed_env_custom_loads(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("FLASK_A", "1")
    clean_env.setenv("FLASK_B", "x")
    config = Config("/")
    config.from_prefixed_env(loads=lambda v: f"<{v}>")
    assert config == {"A": "<1>", "B": "<x>"}

    config = Config("/")
    config.from_prefixed_env(loads=int)
    assert config == {"A": 1, "B": "x"}


def test_from_prefixed_env_nested(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("FLASK_EXIST__ok", "other")
    clean_env.setenv("FLASK_EXIST__inner__ik", "2")
    clean_env.setenv("FLASK_EXIST__new__more", '{"k": false}')
    clean_env.setenv("FLASK_NEW__K", "v")

    config = Config("/", {"EXIST": {"ok": "value", "flag": True, "inner": {"ik": 1}}})
    config.from_prefixed_env()
    assert config["EXIST"] == {
        "ok": "other",
        "flag": True,
        "inner": {"ik": 2},
        "new": {"more": {"k": False}},
    }
    assert config["NEW"] == {"K": "v"}


def test_from_prefixed_env_nested_after_json_dict(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("FLASK_DB", '{"host": "a"}')
    clean_env.setenv("FLASK_DB__port", "5432")
    config = Config("/")
    config.from_prefixed_env()
    assert config["DB"] == {"host": "a", "port": 5432}


# --- get_namespace ---------------------------------------------------------


@pytest.fixture
def ns_config() -> Config:
    return Config(
        "/",
        {
            "FOO_OPTION_1": "foo option 1",
            "FOO_OPTION_2": "foo option 2",
            "BAR_STUFF_1": "bar stuff 1",
            "BAR_STUFF_2": "bar stuff 2",
        },
    )


def test_get_namespace(ns_config: Config) -> None:
    assert ns_config.get_namespace("FOO_") == {
        "option_1": "foo option 1",
        "option_2": "foo option 2",
    }
    assert ns_config.get_namespace("BAR_", lowercase=False) == {
        "STUFF_1": "bar stuff 1",
        "STUFF_2": "bar stuff 2",
    }
    assert ns_config.get_namespace("FOO_", trim_namespace=False) == {
        "foo_option_1": "foo option 1",
        "foo_option_2": "foo option 2",
    }
    assert ns_config.get_namespace("BAR_", lowercase=False, trim_namespace=False) == {
        "BAR_STUFF_1": "bar stuff 1",
        "BAR_STUFF_2": "bar stuff 2",
    }


def test_get_namespace_details(ns_config: Config) -> None:
    # The prefix is matched as given: case-sensitive, no underscore added.
    assert ns_config.get_namespace("foo_") == {}
    assert ns_config.get_namespace("FOO") == {
        "_option_1": "foo option 1",
        "_option_2": "foo option 2",
    }
    assert ns_config.get_namespace("BAZ_") == {}
    assert len(ns_config.get_namespace("")) == 4


# --- ConfigAttribute -------------------------------------------------------


class _Holder:
    name = ConfigAttribute[str]("NAME")
    seconds = ConfigAttribute[int]("SECONDS", get_converter=lambda v: int(v))

    def __init__(self) -> None:
        self.config = Config("/", {"NAME": "n", "SECONDS": "5"})


def test_config_attribute_get_set() -> None:
    h = _Holder()
    assert h.name == "n"
    h.name = "m"
    assert h.config["NAME"] == "m"
    h.config["NAME"] = "o"
    assert h.name == "o"


def test_config_attribute_converter_on_read_only() -> None:
    h = _Holder()
    assert h.seconds == 5
    h.seconds = "7"
    assert h.config["SECONDS"] == "7"
    assert h.seconds == 7


def test_config_attribute_on_class() -> None:
    attr = _Holder.__dict__["name"]
    assert _Holder.name is attr
    assert isinstance(attr, ConfigAttribute)
    assert attr.__name__ == "NAME"
    assert attr.get_converter is None


def test_config_attribute_missing_key() -> None:
    h = _Holder()
    del h.config["NAME"]

    with pytest.raises(KeyError):
        h.name  # noqa: B018
