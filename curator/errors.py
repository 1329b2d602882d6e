"""Exception types that cross layer boundaries.

A `CuratorError` is a user-facing problem (bad input, missing file, unreachable feed): the CLI prints
its message as one line and exits 1, the TUI shows it as a notification. Anything else is a bug.
"""


class CuratorError(Exception):
    """A problem the user can act on; `str(err)` is a complete one-line message."""


class OpmlError(CuratorError):
    """The OPML file cannot be read, parsed or written."""


class UnsafeUrlError(CuratorError):
    """A URL uses a scheme or target curator refuses to fetch or publish."""


class NotFoundError(CuratorError):
    """A feed, post, theme or edition named by the user does not exist."""


class ConflictError(CuratorError):
    """The request clashes with existing state (duplicate feed, second draft, poller lock...)."""


class AlreadyFeaturedError(ConflictError):
    """A post or link was in a published edition; picking it again needs the user's yes."""

    def __init__(self, what: str, edition: int) -> None:
        super().__init__(f"{what} was already featured in edition #{edition} "
                         "(use --force to feature it again)")
        self.what, self.edition = what, edition


class DiscoveryError(CuratorError):
    """No feed could be found at a URL given as a blog homepage."""


class FeedDataError(CuratorError):
    """A fetched body is not a usable feed (HTML page, entity bomb, garbage)."""


class StaleEditError(ConflictError):
    """A text changed in the database after the editor loaded it: saving would overwrite
    someone else's words, so the save is refused."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} was changed elsewhere since you opened it; your text was not "
                         "saved (reload to see the new version, then edit again)")
        self.what = what


class QueryCancelled(CuratorError):
    """The caller's `cancelled()` turned true while its query ran (a newer keystroke came)."""

    def __init__(self) -> None:
        super().__init__("query cancelled")


class DeadLinksError(CuratorError):
    """Publishing refused: the edition links to pages that did not answer (see `report`)."""

    def __init__(self, message: str, report: object) -> None:
        super().__init__(message)
        self.report = report
