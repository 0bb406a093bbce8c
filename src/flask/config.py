"""The application's configuration dict and the descriptor that exposes its
keys as attributes.
"""

from __future__ import annotations

import collections.abc as cabc
import errno
import json
import os
import types
import typing as t

from werkzeug.utils import import_string

if t.TYPE_CHECKING:  # pragma: no cover
    import typing_extensions as te

T = t.TypeVar("T")


class _HasConfig(t.Protocol):
    """Anything with a ``config`` mapping, such as an application."""

    @property
    def config(self) -> cabc.MutableMapping[str, t.Any]: ...


class ConfigAttribute(t.Generic[T]):
    """A descriptor that reads and writes one key of ``obj.config``.

    The application uses it so that ``app.debug`` and ``app.config["DEBUG"]``
    are the same value. Read on the class, it returns the descriptor itself.

    :param name: The configuration key.
    :param get_converter: Called with the stored value on every read; its
        result is returned instead. Writes store the value unchanged.
    """

    def __init__(
        self, name: str, get_converter: t.Callable[[t.Any], T] | None = None
    ) -> None:
        self.__name__ = name
        self.get_converter = get_converter

    @t.overload
    def __get__(self, obj: None, owner: type[t.Any] | None = None) -> te.Self: ...

    @t.overload
    def __get__(self, obj: _HasConfig, owner: type[t.Any] | None = None) -> T: ...

    def __get__(
        self, obj: _HasConfig | None, owner: type[t.Any] | None = None
    ) -> T | te.Self:
        if obj is None:
            return self

        convert = self.get_converter
        value = obj.config[self.__name__]
        return value if convert is None else convert(value)

    def __set__(self, obj: _HasConfig, value: t.Any) -> None:
        obj.config[self.__name__] = value


# A missing file, a directory, or a path through a regular file: what
# ``silent=True`` is meant to tolerate.
_MISSING_FILE_ERRNOS = frozenset((errno.ENOENT, errno.EISDIR, errno.ENOTDIR))

# Returned by ``Config._read_file`` when a silent load found no file.
_NOT_LOADED: t.Any = object()


def _exec_python_file(path: str) -> types.ModuleType:
    """Run a Python file in a fresh module namespace and return the module."""
    module = types.ModuleType("config")
    module.__file__ = path

    # Read as bytes so that an encoding declaration in the file is honoured.
    with open(path, "rb") as f:
        source = f.read()

    exec(compile(source, path, "exec"), module.__dict__)
    return module


class Config(dict):  # type: ignore[type-arg]
    """A :class:`dict` of configuration values with loaders for the usual
    sources: Python objects and files, JSON or TOML files, environment
    variables and plain mappings.

    Only upper-case keys are taken from objects, Python files and mappings,
    so that helper names and imports in a config module are left out::

        app.config.from_object("yourapp.default_settings")
        app.config.from_envvar("YOURAPP_SETTINGS", silent=True)

    :param root_path: Relative file names given to the file loaders are
        resolved against this folder; the application passes its root path
        or its instance path.
    :param defaults: Initial values.
    """

    def __init__(
        self,
        root_path: str | os.PathLike[str],
        defaults: dict[str, t.Any] | None = None,
    ) -> None:
        super().__init__(defaults or {})
        self.root_path = root_path

    def _read_file(
        self,
        filename: str | os.PathLike[str],
        silent: bool,
        read: t.Callable[[str], t.Any],
    ) -> t.Any:
        """Call ``read`` with the file's full path and return its result.

        An :class:`OSError` on the way (opening the file, or raised while
        reading it) gets a description that says a configuration file was
        being loaded; with ``silent``, a missing file gives ``_NOT_LOADED``.
        """
        path = os.path.join(self.root_path, filename)

        try:
            return read(path)
        except OSError as e:
            if silent and e.errno in _MISSING_FILE_ERRNOS:
                return _NOT_LOADED

            e.strerror = f"Unable to load configuration file ({e.strerror})"
            raise

    def from_envvar(self, variable_name: str, silent: bool = False) -> bool:
        """Load a Python configuration file whose path is in an environment
        variable, with :meth:`from_pyfile`.

        :param variable_name: The environment variable holding the path.
        :param silent: Return ``False`` instead of raising when the variable
            is unset or empty, or the file is missing.
        :return: ``True`` if the file was loaded.
        :raises RuntimeError: If the variable is unset and ``silent`` is false.
        """
        path = os.environ.get(variable_name)

        if path:
            return self.from_pyfile(path, silent=silent)

        if silent:
            return False

        raise RuntimeError(
            f"The environment variable {variable_name!r} is not set and as"
            " such configuration could not be loaded. Set this variable"
            " and make it point to a configuration file"
        )

    def from_prefixed_env(
        self, prefix: str = "FLASK", *, loads: t.Callable[[str], t.Any] = json.loads
    ) -> bool:
        """Load every environment variable named ``{prefix}_KEY`` as ``KEY``.

        Variables are read in sorted order. Each value is passed through
        ``loads``; when that fails, the string is kept as is, so
        ``FLASK_SECRET_KEY=abc`` gives ``"abc"`` and ``FLASK_PORT=8000``
        gives ``8000``. A double underscore in the key sets a nested key:
        ``FLASK_DB__HOST`` sets ``config["DB"]["HOST"]``, creating the
        inner dict when it is missing.

        :param prefix: The prefix, without the trailing underscore.
        :param loads: Converts each value; any exception it raises means
            "keep the string".
        :return: Always ``True``.
        """
        head = f"{prefix}_"
        names = sorted(name for name in os.environ if name.startswith(head))

        for name in names:
            raw = os.environ[name]

            try:
                value = loads(raw)
            except Exception:
                value = raw

            *outer, leaf = name[len(head) :].split("__")
            target: dict[str, t.Any] = self

            for part in outer:
                try:
                    target = target[part]
                except KeyError:
                    target[part] = target = {}

            target[leaf] = value

        return True

    def from_pyfile(
        self, filename: str | os.PathLike[str], silent: bool = False
    ) -> bool:
        """Execute a Python file and load its upper-case globals, as
        :meth:`from_object` does for a module.

        :param filename: The file, absolute or relative to :attr:`root_path`.
        :param silent: Return ``False`` instead of raising when the file is
            missing or is a directory.
        :return: ``True`` if the file was loaded.
        :raises OSError: If the file cannot be read, with the message
            starting "Unable to load configuration file".
        """
        module = self._read_file(filename, silent, _exec_python_file)

        if module is _NOT_LOADED:
            return False

        self.from_object(module)
        return True

    def from_object(self, obj: object | str) -> None:
        """Copy the upper-case attributes of an object, a class or a module.

        A string is imported first (``"package.module"`` or
        ``"package.module.Class"``). Keys that are not upper case are
        ignored, which lets a settings module keep imports and helpers.
        A dict passed here contributes nothing, because only attributes are
        read; use :meth:`from_mapping` for dicts.

        :param obj: The object, or an import string naming it.
        """
        source = import_string(obj) if isinstance(obj, str) else obj

        for name in dir(source):
            if name.isupper():
                self[name] = getattr(source, name)

    def from_file(
        self,
        filename: str | os.PathLike[str],
        load: t.Callable[[t.IO[t.Any]], cabc.Mapping[str, t.Any]],
        silent: bool = False,
        text: bool = True,
    ) -> bool:
        """Load a data file with the given parser, then
        :meth:`from_mapping` its result::

            import json
            app.config.from_file("config.json", load=json.load)

            import tomllib
            app.config.from_file("config.toml", load=tomllib.load, text=False)

        :param filename: The file, absolute or relative to :attr:`root_path`.
        :param load: Called with the open file; returns a mapping.
        :param silent: Return ``False`` instead of raising when the file is
            missing or is a directory.
        :param text: Open the file as UTF-8 text; ``False`` opens it in
            binary mode, as :func:`tomllib.load` needs.
        :return: ``True`` if the file was loaded.
        :raises OSError: If the file cannot be read, with the message
            starting "Unable to load configuration file".
        """
        # NOTE: text mode is UTF-8 whatever the locale: JSON and TOML files
        # are UTF-8 by specification.
        mode, encoding = ("r", "utf-8") if text else ("rb", None)

        def parse(path: str) -> cabc.Mapping[str, t.Any]:
            with open(path, mode, encoding=encoding) as f:
                return load(f)

        # COMPAT(3.1): Flask does not tolerate ENOTDIR here, although
        # from_pyfile does; both loaders treat it as a missing file.
        data = self._read_file(filename, silent, parse)

        if data is _NOT_LOADED:
            return False

        return self.from_mapping(data)

    def from_mapping(
        self, mapping: cabc.Mapping[str, t.Any] | None = None, **kwargs: t.Any
    ) -> bool:
        """Copy the upper-case keys of a mapping and of the keyword
        arguments; other keys are ignored.

        :param mapping: A mapping, or an iterable of key/value pairs.
        :param kwargs: More keys; they win over ``mapping``.
        :return: Always ``True``.
        """
        merged = dict(mapping or (), **kwargs)

        for key in [k for k in merged if k.isupper()]:
            self[key] = merged[key]

        return True

    def get_namespace(
        self, namespace: str, lowercase: bool = True, trim_namespace: bool = True
    ) -> dict[str, t.Any]:
        """Return the options whose keys start with ``namespace``, typically
        to pass them as keyword arguments::

            app.config["IMAGE_STORE_PATH"] = "/var/app/images"
            app.config.get_namespace("IMAGE_STORE_")
            # {'path': '/var/app/images'}

        :param namespace: The key prefix, matched case-sensitively.
        :param lowercase: Lower-case the returned keys.
        :param trim_namespace: Remove the prefix from the returned keys.
        """
        cut = len(namespace) if trim_namespace else 0
        found = {}

        for key, value in self.items():
            if key.startswith(namespace):
                name = key[cut:]
                found[name.lower() if lowercase else name] = value

        return found

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"
