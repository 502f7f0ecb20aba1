"""The Textual interface. Everything here only shows state and sends choices: the rules live
in `game.session` and the engine, which never import this package."""
