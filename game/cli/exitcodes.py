"""The exit codes of the `divergence` command, shared by every part that ends a run."""

OK = 0  # the story ended, the input ended, or the player quit
STORY = 1  # a story has errors, or cannot start
USAGE = 2  # the command line was wrong
SAVE = 3  # a save could not be loaded or written
BUG = 70  # an unexpected internal error
INTERRUPTED = 130  # Ctrl-C
