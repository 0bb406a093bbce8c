"""``Blueprint`` with its file serving and CLI group."""

from __future__ import annotations

import os
import typing as t

from .cli import AppGroup
from .helpers import _PackageFilesMixin
from .sansio.blueprints import Blueprint as SansioBlueprint
from .sansio.blueprints import BlueprintSetupState as BlueprintSetupState  # noqa
from .sansio.scaffold import _sentinel


class Blueprint(_PackageFilesMixin, SansioBlueprint):
    __doc__ = SansioBlueprint.__doc__

    def __init__(
        self,
        name: str,
        import_name: str,
        static_folder: str | os.PathLike[str] | None = None,
        static_url_path: str | None = None,
        template_folder: str | os.PathLike[str] | None = None,
        url_prefix: str | None = None,
        subdomain: str | None = None,
        url_defaults: dict[str, t.Any] | None = None,
        root_path: str | None = None,
        cli_group: str | None = _sentinel,  # type: ignore[assignment]
    ) -> None:
        super().__init__(
            name,
            import_name,
            static_folder,
            static_url_path,
            template_folder,
            url_prefix,
            subdomain,
            url_defaults,
            root_path,
            cli_group,
        )

        #: The click group of the blueprint's commands, added to the app's
        #: ``flask`` command under ``cli_group`` on registration.
        self.cli = AppGroup()
        self.cli.name = self.name

    def open_resource(
        self, resource: str, mode: str = "rb", encoding: str | None = "utf-8"
    ) -> t.IO[t.AnyStr]:
        """Open a file relative to the blueprint's :attr:`root_path` for
        reading.

        :param resource: The path relative to :attr:`root_path`.
        :param mode: ``"rb"``, ``"r"`` or ``"rt"``.
        :param encoding: The text encoding, in text mode.
        """
        return self._open_resource(resource, mode, encoding)
