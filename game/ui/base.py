"""What every screen of the game shares: a typed way to reach the game's app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.screen import ModalScreen, Screen

if TYPE_CHECKING:
    from game.ui.app import DivergenceApp


class GameScreen(Screen[Any]):
    @property
    def game(self) -> DivergenceApp:
        """The running DivergenceApp, typed (Textual types `self.app` as any App)."""
        return cast("DivergenceApp", self.app)


class GameModal(ModalScreen[Any]):
    @property
    def game(self) -> DivergenceApp:
        return cast("DivergenceApp", self.app)
