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

        rv = obj.config[self.__name__]

        if self.get_converter is not None:
            rv = self.get_converter(rv)

        return rv  # type: ignore[no-any-return]

    def __set__(self, obj: _HasConfig, value: t.Any) -> None:
        obj.config[self.__name__] = value


# A missing file, a directory, or a path through a regular file: what
# ``silent=True`` is meant to tolerate.
_MISSING_FILE_ERRNOS = (errno.ENOENT, errno.EISDIR, errno.ENOTDIR)


def _mark_load_error(e: OSError) -> None:
    """Prefix the error's description so the message says what failed."""
    e.strerror = f"Unable to load configuration file ({e.strerror})"


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

    def from_envvar(self, variable_name: str, silent: bool = False) -> bool:
        """Load a Python configuration file whose path is in an environment
        variable, with :meth:`from_pyfile`.

        :param variable_name: The environment variable holding the path.
        :param silent: Return ``False`` instead of raising when the variable
            is unset or empty, or the file is missing.
        :return: ``True`` if the file was loaded.
        :raises RuntimeError: If the variable is unset and ``silent`` is false.
        """
        rv = os.environ.get(variable_name)

        if not rv:
            if silent:
                return False

            raise RuntimeError(
                f"The environment variable {variable_name!r} is not set and as"
                " such configuration could not be loaded. Set this variable"
                " and make it point to a configuration file"
            )

        return self.from_pyfile(rv, silent=silent)

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
        prefix = f"{prefix}_"

        for key in sorted(os.environ):
            if not key.startswith(prefix):
                continue

            value: t.Any = os.environ[key]
            key = key[len(prefix) :]

            try:
                value = loads(value)
            except Exception:
                # Not valid for ``loads``: keep the raw string.
                pass

            if "__" not in key:
                self[key] = value
                continue

            current: dict[str, t.Any] = self
            *parts, tail = key.split("__")

            for part in parts:
                if part not in current:
                    current[part] = {}

                current = current[part]

            current[tail] = value

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
        filename = os.path.join(self.root_path, filename)
        d = types.ModuleType("config")
        d.__file__ = filename

        try:
            with open(filename, mode="rb") as config_file:
                exec(compile(config_file.read(), filename, "exec"), d.__dict__)
        except OSError as e:
            if silent and e.errno in _MISSING_FILE_ERRNOS:
                return False

            _mark_load_error(e)
            raise

        self.from_object(d)
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
        if isinstance(obj, str):
            obj = import_string(obj)

        for key in dir(obj):
            if key.isupper():
                self[key] = getattr(obj, key)

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
        filename = os.path.join(self.root_path, filename)

        try:
            # NOTE: text mode is UTF-8 whatever the locale: JSON and TOML
            # files are UTF-8 by specification.
            if text:
                with open(filename, encoding="utf-8") as f:
                    obj = load(f)
            else:
                with open(filename, "rb") as f:
                    obj = load(f)
        except OSError as e:
            # COMPAT(3.1): Flask does not tolerate ENOTDIR here, although
            # from_pyfile does; both loaders treat it as a missing file.
            if silent and e.errno in _MISSING_FILE_ERRNOS:
                return False

            _mark_load_error(e)
            raise

        return self.from_mapping(obj)

    def from_mapping(
        self, mapping: cabc.Mapping[str, t.Any] | None = None, **kwargs: t.Any
    ) -> bool:
        """Copy the upper-case keys of a mapping and of the keyword
        arguments; other keys are ignored.

        :param mapping: A mapping, or an iterable of key/value pairs.
        :param kwargs: More keys; they win over ``mapping``.
        :return: Always ``True``.
        """
        mappings: dict[str, t.Any] = {}

        if mapping is not None:
            mappings.update(mapping)

        mappings.update(kwargs)

        for key, value in mappings.items():
            if key.isupper():
                self[key] = value

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
        rv = {}

        for k, v in self.items():
            if not k.startswith(namespace):
                continue

            key = k[len(namespace) :] if trim_namespace else k

            if lowercase:
                key = key.lower()

            rv[key] = v

        return rv

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {dict.__repr__(self)}>"
