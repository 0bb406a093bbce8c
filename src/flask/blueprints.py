"""``Blueprint``: the I/O-free blueprint, with its files and CLI group."""

from __future__ import annotations

import typing as t

from werkzeug.utils import cached_property

from .helpers import _PackageFilesMixin
from .sansio.blueprints import Blueprint as SansioBlueprint
from .sansio.blueprints import BlueprintSetupState as BlueprintSetupState  # noqa

if t.TYPE_CHECKING:  # pragma: no cover
    from .cli import AppGroup


class Blueprint(_PackageFilesMixin, SansioBlueprint):
    __doc__ = SansioBlueprint.__doc__

    @cached_property
    def cli(self) -> AppGroup:  # type: ignore[override]
        """The blueprint's commands, a click group. When the blueprint is
        registered they join the app's ``flask`` command, in a group named
        after ``cli_group``. Made on first use, as the app's is.
        """
        from .cli import AppGroup

        return AppGroup(self.name)

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
    ) -> t.IO[t.AnyStr]:
        """Open a file of the blueprint's package, relative to its
        :attr:`root_path`, for reading.

        :param resource: The file's path relative to :attr:`root_path`.
        :param mode: ``"rb"``, ``"r"`` or ``"rt"``.
        :param encoding: The encoding in text mode.
        """
        return self._open_resource(resource, mode, encoding)
