"""The exit codes of the `divergence` command, shared by every part that ends a run.

`MEANINGS` is the one wording of them: `divergence --help` prints it and a test holds
README's table to it.
"""

OK = 0  # the story ended, the input ended, or the player quit
STORY = 1  # a story has errors, or cannot start
USAGE = 2  # the command line was wrong
SAVE = 3  # a save could not be loaded or written
BUG = 70  # an unexpected internal error
INTERRUPTED = 130  # Ctrl-C

MEANINGS = {
    OK: "success: the story ended, the input ended, or the player quit",
    STORY: "a story has errors (`check` found problems, or the story failed to load)",
    USAGE: "the command line was wrong (unknown option, unknown story, bad value)",
    SAVE: "a save could not be loaded or written",
    BUG: "an internal error: a bug (`DIVERGENCE_DEBUG=1` shows the traceback)",
    INTERRUPTED: "interrupted with Ctrl-C (the game is saved first)",
}


def help_text() -> str:
    """The codes as `divergence --help` lists them."""
    lines = [f"  {code:<4} {meaning.replace('`', '')}" for code, meaning in MEANINGS.items()]
    return "exit codes:\n" + "\n".join(lines) + "\n"
