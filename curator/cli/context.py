"""The object click passes to every command: resolved locations and a lazily built facade."""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import TYPE_CHECKING, Any

import click

from curator.paths import Locations

if TYPE_CHECKING:
    from curator.services import Curator


class AppContext:
    def __init__(self, db: str | None, opml: str | None) -> None:
        self.db = db
        self.opml = opml
        self._locations: Locations | None = None
        self._curator: Curator | None = None

    @property
    def locations(self) -> Locations:
        if self._locations is None:
            self._locations = Locations.resolve(self.db, self.opml)
        return self._locations

    @property
    def curator(self) -> Curator:
        if self._curator is None:
            from curator.services import Curator  # the data layer: only for commands that use it

            self._curator = Curator(self.locations)
        return self._curator

    def nothing_due(self) -> bool:
        """Whether a plain poll would surely find nothing due (asked without the data layer)."""
        from curator.services.poll_probe import poll_has_nothing_due

        return poll_has_nothing_due(self.locations)

    def close(self) -> None:
        if self._curator is not None:
            self._curator.close()


def pass_app(func: Callable[..., Any]) -> Callable[..., Any]:
    """Like click.pass_obj, typed for AppContext."""

    @click.pass_context
    def wrapper(ctx: click.Context, *args: Any, **kwargs: Any) -> Any:
        return ctx.invoke(func, ctx.find_root().obj, *args, **kwargs)

    return update_wrapper(wrapper, func)
