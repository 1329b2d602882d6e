"""What the inbox does to the post under the cursor: pick (and, after a yes, feature again),
move to another theme, mark read, hide, open.

Each action marks the row at once, then makes one service call (one transaction) on the app's write
queue, so quick presses run one at a time and in order; then the screen reloads from the database.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual import on

from curator.text import one_line
from curator.tui.messages import FeatureAgain
from curator.tui.screens.screen_base import CuratorScreen
from curator.types import PostInfo

if TYPE_CHECKING:
    from curator.tui.screens.modals import ThemePicker


class PostActions(CuratorScreen):
    """The inbox's actions on its current post; the inbox supplies what they act on."""

    theme_names: dict[str, str]

    @property
    def current_post(self) -> PostInfo | None:
        raise NotImplementedError

    def _mark_local(self, post: PostInfo) -> None:
        """Show a toggle at once (the screen's list)."""
        raise NotImplementedError

    def action_pick(self) -> None:
        post = self.current_post
        if post is not None:
            self._mark_local(replace(post, picked=not post.picked))
            self.toggle_pick(post.id, not post.picked, title=post.title)

    def toggle_pick(self, post_id: int, pick: bool, force: bool = False, title: str = "") -> None:
        """Pick (starting the draft when there is none) or unpick: one call, one transaction.
        The ✔ mark, or its absence after the reload, is the feedback."""
        from curator.errors import AlreadyFeaturedError

        def call() -> None:
            roundup = self.curator.roundup
            try:
                if pick:
                    roundup.pick([post_id], force=force, start_draft=True)
                else:
                    roundup.unpick([post_id])
            except AlreadyFeaturedError as exc:
                self.post_message(FeatureAgain(post_id, title or exc.what, exc.edition))

        self.write(call)

    @on(FeatureAgain)
    def _feature_again(self, message: FeatureAgain) -> None:
        from curator.tui.screens.modals import Confirm

        def answered(yes: bool | None) -> None:
            if yes:
                self.toggle_pick(message.post_id, True, force=True, title=message.title)

        self.app.push_screen(Confirm(f"“{one_line(message.title, 80)}” was featured in edition "
                                     f"#{message.edition}. Feature it again?"), answered)

    def action_retheme(self) -> None:
        post = self.current_post
        if post is None:
            return

        def chosen(slug: str | None) -> None:
            if slug and post is not None and slug != post.theme:
                self.set_theme(post.id, slug)

        self.app.push_screen(theme_picker()(self.theme_names, "Move to which theme?",
                                             current=post.theme), chosen)

    def set_theme(self, post_id: int, slug: str) -> None:
        self.write(lambda: self.curator.themes.set_post_theme(post_id, slug),
                   note=f"moved to {self.theme_names.get(slug, slug)}")

    def action_toggle_read(self) -> None:
        post = self.current_post
        if post is not None:
            self._mark_local(replace(post, read=not post.read))
            self.set_flag(post.id, "read", not post.read)

    def action_hide(self) -> None:
        post = self.current_post
        if post is not None:
            self.set_flag(post.id, "hidden", True)

    def set_flag(self, post_id: int, flag: str, value: bool) -> None:
        if flag == "read":
            self.write(lambda: self.curator.posts.mark_read([post_id], read=value))
        else:
            self.write(lambda: self.curator.posts.set_hidden([post_id], hidden=value),
                       note="hidden")

    def action_open(self) -> None:
        post = self.current_post
        if post is None or not post.link or not post.link.startswith(("http://", "https://")):
            self.notify("This post has no web link to open.", severity="warning")
            return
        self.app.open_url(post.link)
        if not post.read:
            self.set_flag(post.id, "read", True)



def theme_picker() -> type[ThemePicker]:
    """The picker's module (text areas, option lists) loads on first use: ~12 ms off the start."""
    from curator.tui.screens.modals import ThemePicker

    return ThemePicker
