"""The curator Textual application (built out by the TUI issue)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from curator.services import Curator


class CuratorApp(App[None]):
    TITLE = "curator"

    def __init__(self, curator: Curator) -> None:
        super().__init__()
        self.curator = curator

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("curator")
        yield Footer()
