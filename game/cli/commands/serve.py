"""`divergence serve`: play in web browsers, one game per browser tab (see game.classroom.serve)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.cli import exitcodes
from game.cli.commands.base import Context, add_command, bounded_int
from game.saves.locations import saves_folder

if TYPE_CHECKING:
    pass

NAME = "serve"
ORDER = 38  # after report and transcript: the tools for a class
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


port = bounded_int(0, 65535)  # 0: any free port


def register(commands: Any) -> None:
    parser = add_command(
        commands,
        NAME,
        "play in web browsers: one game per browser tab",
        "Serve the game to web browsers. Open the address it prints in a browser: every\n"
        "browser tab is a game of its own, which asks the student's name and starts at the\n"
        "title screen. All games save to this server's save folder (--saves), each\n"
        "student's under their name, ready for 'divergence report'. Stop the server with\n"
        "Ctrl-C; games are saved after every decision.\n\n"
        "By default only this machine can connect (--host 127.0.0.1). With --host 0.0.0.0\n"
        "other machines on the classroom network can connect too, at the addresses printed.\n"
        "There is no password: anyone who can reach the port can play. Nothing is loaded\n"
        "from the internet; the page, its script and its font come from this server.",
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help="address to listen on (default: 127.0.0.1, this machine only; "
        "0.0.0.0 lets other machines on the classroom network connect)",
    )
    parser.add_argument(
        "--port",
        type=port,
        default=DEFAULT_PORT,
        help=f"port to listen on (default: {DEFAULT_PORT}; 0 picks any free port)",
    )


def run(context: Context, args: argparse.Namespace) -> int:
    out = context.stdout
    try:
        from game.classroom.serve import ServeError, serve, session_command, urls
    except ImportError as error:  # a dependency, but an installation can still lose it
        context.stderr.write(f"divergence: serve needs textual-serve ({error}); pip install it\n")
        return exitcodes.USAGE
    saves = saves_folder(args.saves).resolve()
    try:
        saves.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        context.stderr.write(
            f"divergence: cannot use {saves} for saves: {error.strerror or error}\n"
        )
        return exitcodes.SAVE
    stories = [Path(folder).resolve() for folder in args.stories]
    command = session_command(saves, stories)

    def announce(host: str, bound: int) -> None:
        here, others = urls(host, bound)
        lines = ["Divergence is ready to play in web browsers.", ""]
        if here:
            lines += ["On this machine, open:", *(f"    {url}" for url in here), ""]
        if others:
            lines += ["From other machines on the network, open:"]
            lines += [f"    {url}" for url in others]
            lines += ["", "Anyone who can reach this machine can play: there is no password.", ""]
        elif host in ("0.0.0.0", "::", ""):
            lines += [
                "From other machines, use this machine's network address with port "
                f"{bound} (it could not be found automatically).",
                "",
            ]
        else:
            lines += [
                "Only this machine can connect; --host 0.0.0.0 lets other machines on the "
                "classroom network connect.",
                "",
            ]
        lines += [
            "Each browser tab is a game of its own; every student is asked their name.",
            f"Saves go to {saves}",
            "Press Ctrl-C to stop the server.",
        ]
        out.write("\n".join(lines) + "\n")
        out.flush()

    try:
        serve(command, args.host, args.port, announce)
    except ServeError as error:
        context.stderr.write(f"divergence: {error}\n")
        return exitcodes.USAGE
    out.write("\nServer stopped.\n")
    out.flush()
    return exitcodes.OK
