"""Where curator keeps its files.

Resolution order for each path: explicit option, then environment (`CURATOR_DB`, `CURATOR_OPML`),
then `CURATOR_HOME` (relocates everything; tests use it), then the platform's user dirs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "curator"


def _home() -> Path | None:
    value = os.environ.get("CURATOR_HOME")
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    home = _home()
    return home / "data" if home else platformdirs.user_data_path(APP_NAME)


def config_dir() -> Path:
    home = _home()
    return home / "config" if home else platformdirs.user_config_path(APP_NAME)


def cache_dir() -> Path:
    home = _home()
    return home / "cache" if home else platformdirs.user_cache_path(APP_NAME)


def exports_dir() -> Path:
    """Where the TUI offers to save exports: Documents/curator (CURATOR_EXPORTS overrides),
    never the folder the terminal happened to be in."""
    value = os.environ.get("CURATOR_EXPORTS")
    if value:
        return Path(value).expanduser()
    home = _home()
    return home / "exports" if home else platformdirs.user_documents_path() / APP_NAME


def bundled_opml() -> Path:
    """The starter feed list shipped with curator (top-level feeds.opml in a checkout)."""
    from importlib import resources  # first run only: keeps ~10 ms off every start

    packaged = resources.files("curator") / "data" / "feeds.opml"
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "feeds.opml"


def resolve_db(option: str | os.PathLike[str] | None = None) -> str:
    """Return the database location: a filesystem path or an SQLAlchemy URL."""
    value = option or os.environ.get("CURATOR_DB")
    if value:
        text = str(value)
        return text if "://" in text else str(Path(text).expanduser())
    return str(data_dir() / "curator.db")


def resolve_opml(option: str | os.PathLike[str] | None = None, *, create: bool = True) -> Path:
    """Return the OPML feed list to use, seeding the config copy from the starter list on first use."""
    value = option or os.environ.get("CURATOR_OPML")
    if value:
        return Path(value).expanduser()
    local = Path.cwd() / "feeds.opml"
    if local.is_file() and _home() is None:
        return local
    target = config_dir() / "feeds.opml"
    if create and not target.exists():
        starter = bundled_opml()
        if starter.is_file():
            import shutil

            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(starter, target)
    return target


@dataclass(frozen=True)
class Locations:
    """Every place curator reads or writes, for `curator paths` and the services."""

    db: str
    opml: Path
    config_dir: Path
    data_dir: Path
    cache_dir: Path
    opml_named: bool = True  # False: the default feeds.opml, not one the user named

    @property
    def db_is_url(self) -> bool:
        """A server (or any SQLAlchemy URL), not a database file on this machine."""
        return "://" in self.db

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def templates_dir(self) -> Path:
        return self.config_dir / "templates"

    @property
    def exports_dir(self) -> Path:
        return exports_dir()

    @classmethod
    def resolve(cls, db: str | None = None, opml: str | None = None) -> Locations:
        """The locations from options, else the environment, else the defaults. With a server
        database no starter feed list is made: the database's list is the community's."""
        database = resolve_db(db)
        return cls(
            db=database,
            opml=resolve_opml(opml, create="://" not in database),
            config_dir=config_dir(),
            data_dir=data_dir(),
            cache_dir=cache_dir(),
            opml_named=bool(opml or os.environ.get("CURATOR_OPML")),
        )
