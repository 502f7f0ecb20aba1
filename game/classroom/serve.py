"""`divergence serve`: the game in web browsers, one game process per browser tab.

textual-serve does the work. Its `Server` answers three things: the page (`/`), the
files the page needs (`/static/...`, from textual-serve's own package: xterm.js, a CSS
file and the Roboto Mono font), and a websocket (`/ws`). Each websocket connection
starts one process of `session_command()` under Textual's web driver, forwards the
keys typed in the browser to it and its screen back, and ends it when the tab closes.
So every browser tab is a game of its own, in a process of its own; they share only
the save folder, where each student's saves are kept apart by their name.

What is changed from textual-serve's own `Server.serve()`:

- the page is `serve.html` beside this module: textual-serve's page loads its font from
  fonts.googleapis.com, and in a classroom nothing leaves the machine the game runs on;
- the page's addresses come from the request, not from `--host`, so a server listening
  on 0.0.0.0 works for every machine that reaches it by whichever address;
- the port is bound before anything is announced, so a port in use is one clear line
  (and exit code 2) instead of a traceback after a banner;
- Ctrl-C (or SIGTERM) stops it cleanly: the games still running are told to quit;
- a websocket opened by another site's page (its Origin is not this server) is refused,
  so a page elsewhere cannot start games here through a student's browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import html
import ipaddress
import logging
import os
import shlex
import signal
import socket
import string
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

PAGE = Path(__file__).with_name("serve.html")
TITLE = "Divergence"
SESSION_OPTION = "--browser-session"  # the hidden option of `divergence` (game.cli.entry)
# how long games still running get to quit once the server is told to stop
SHUTDOWN_SECONDS = 3.0
ANY_HOST = ("0.0.0.0", "::", "")

log = logging.getLogger("divergence.serve")


class ServeError(Exception):
    """The server could not start: the message says why, for the teacher."""


def session_command(saves: Path, stories: Sequence[Path]) -> str:
    """The shell command each browser tab runs: this Python, this save folder, these stories."""
    parts = [sys.executable, "-m", "game", "--saves", str(saves)]
    for folder in stories:
        parts += ["--stories", str(folder)]
    parts.append(SESSION_OPTION)
    # textual-serve runs it through the shell (asyncio.create_subprocess_shell); `exec`
    # makes the game the shell's own process, so ending that process ends the game
    if os.name == "nt":
        return subprocess.list2cmdline(parts)
    return "exec " + shlex.join(parts)


class GameServer(Server):
    """textual-serve's server with a page that loads nothing from outside (see the module)."""

    def __init__(self, command: str, host: str, port: int) -> None:
        super().__init__(command, host=host, port=port, title=TITLE)
        self.page = string.Template(PAGE.read_text(encoding="utf-8"))
        self.sockets: set[web.WebSocketResponse] = set()  # one per game running

    def make_app(self) -> web.Application:
        app = web.Application()
        app.on_shutdown.append(self.close_sockets)
        app.add_routes(
            [
                web.get("/", self.page_for),
                web.get("/ws", self.handle_websocket),
                web.get("/download/{key}", self.handle_download),
                web.static("/static", self.statics_path),
            ]
        )
        return app

    async def page_for(self, request: web.Request) -> web.Response:
        """The page, with the addresses the browser used to reach this server."""
        scheme = "wss" if request.secure else "ws"
        font_size = min(max(to_int(request.query.get("fontsize", "16"), 16), 8), 48)
        text = self.page.substitute(
            title=html.escape(TITLE),
            static="/static/",
            websocket=html.escape(f"{scheme}://{request.host}/ws"),
            font_size=font_size,
        )
        return web.Response(text=text, content_type="text/html")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One browser tab: start its game, relay keys one way and the screen the other.

        As textual-serve's own, but the server keeps its sockets, so that stopping the
        server closes them and every game is told to quit. (With textual-serve's, a game
        outlives a server stopped by a signal sent to the server alone.)
        """
        origin = request.headers.get("Origin")
        if origin and urlsplit(origin).netloc != request.host:
            # another site's page, open in a student's browser, may not start games here
            raise web.HTTPForbidden(text="games start only from this server's own page")
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await websocket.prepare(request)

        async def close() -> None:  # the game ended: the page offers to play again
            await websocket.close()

        game = AppService(
            self.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        self.sockets.add(websocket)
        try:
            await game.start(width, height)
            await relay(websocket, game)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("a browser session failed")
        finally:
            self.sockets.discard(websocket)
            await end(game)
            with contextlib.suppress(Exception):
                await websocket.close()
        return websocket

    async def close_sockets(self, app: web.Application) -> None:
        """On shutdown: close every browser's socket, which ends its game."""
        await asyncio.gather(
            *(
                websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")
                for websocket in list(self.sockets)
            ),
            return_exceptions=True,
        )


async def relay(websocket: web.WebSocketResponse, game: AppService) -> None:
    """The browser's messages to the game, until the socket closes (textual-serve's protocol).

    Text frames are JSON lists: ["stdin", keys], ["resize", {"width", "height"}],
    ["ping", data] (answered with ["pong", data]), ["focus"] and ["blur"].
    """
    async for message in websocket:
        if message.type != WSMsgType.TEXT:
            continue
        try:
            envelope = message.json()
            kind = envelope[0]
            if kind == "stdin":
                await game.send_bytes(str(envelope[1]).encode("utf-8"))
            elif kind == "resize":
                await game.set_terminal_size(int(envelope[1]["width"]), int(envelope[1]["height"]))
            elif kind == "ping":
                await websocket.send_json(["pong", envelope[1]])
            elif kind == "blur":
                await game.blur()
            elif kind == "focus":
                await game.focus()
        except (ValueError, TypeError, LookupError):
            continue  # not the protocol: ignored, as a terminal ignores a stray byte


async def end(game: AppService) -> None:
    """Tell the game to quit and wait for it; kill it if it does not go in time."""
    try:
        await asyncio.wait_for(asyncio.shield(game.stop()), SHUTDOWN_SECONDS)
    except (Exception, asyncio.CancelledError):
        # AppService keeps its process private; textual-serve is pinned below 2.0
        process = getattr(game, "_process", None)
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()


def urls(host: str, port: int) -> tuple[list[str], list[str]]:
    """The addresses to open: (on this machine, from other machines)."""
    if host in ANY_HOST:
        return [f"http://localhost:{port}"], [
            f"http://{address}:{port}" for address in machine_addresses()
        ]
    shown = f"[{host}]" if ":" in host else host
    here = f"http://{shown}:{port}"
    if is_loopback(host):
        return [here], []
    return [], [here]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def machine_addresses() -> list[str]:
    """This machine's IPv4 addresses on its networks (not loopback), best guesses first.

    Asking the routing table which local address would be used to reach a private range
    sends nothing (connecting a UDP socket only picks a route); the host name's own
    addresses are added.
    """
    found: list[str] = []
    for probe in ("10.255.255.255", "172.31.255.255", "192.168.255.255"):
        with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.connect((probe, 9))
            found.append(udp.getsockname()[0])
    with contextlib.suppress(OSError):
        found += socket.gethostbyname_ex(socket.gethostname())[2]
    useful = []
    for address in found:
        ip = ipaddress.ip_address(address)
        if not (ip.is_loopback or ip.is_link_local or ip.is_unspecified) and address not in useful:
            useful.append(address)
    return useful


def serve(command: str, host: str, port: int, announce: Callable[[str, int], None]) -> None:
    """Serve until Ctrl-C or SIGTERM; `announce(host, port)` once listening.

    Raises ServeError when the port cannot be listened on.
    """
    server = GameServer(command, host, port)
    with contextlib.suppress(KeyboardInterrupt):  # Windows: no signal handlers for the loop
        asyncio.run(_serve(server, host, port, announce))


async def _serve(
    server: GameServer, host: str, port: int, announce: Callable[[str, int], None]
) -> None:
    runner = web.AppRunner(server.make_app(), access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host or None, port)
        try:
            await site.start()
        except OSError as error:
            raise ServeError(_bind_problem(host, port, error)) from None
        bound = runner.addresses[0][1] if runner.addresses else port
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, ValueError, RuntimeError):
                loop.add_signal_handler(signum, stop.set)
        announce(host, bound)
        await stop.wait()
    finally:
        await runner.cleanup()  # closes the websockets: their games are told to quit


def _bind_problem(host: str, port: int, error: OSError) -> str:
    where = f"{host or '*'}:{port}"
    if error.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)) or (
        "address already in use" in str(error).lower()
    ):
        return (
            f"port {port} is already in use on this machine (is another 'divergence serve' "
            f"running?); stop it, or choose another port, e.g. --port {port + 1 if port else 8001}"
        )
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"not allowed to listen on {where} (ports below 1024 need an administrator)"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"cannot listen on {where}: {host} is not an address of this machine"
    return f"cannot listen on {where}: {error.strerror or error}"
