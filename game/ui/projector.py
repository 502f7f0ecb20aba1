"""The projector theme: near-black, white text, one strong yellow accent, for a class run.

Every pair of text and background colours it sets is at least 7:1 in contrast (WCAG AAA),
so the screen stays readable from the back of a room on a washed-out projector. It is
registered with the app (so it is also in the palette's theme list) and put on by itself
when a classroom run starts; it is never remembered as a player's own theme.
"""

from __future__ import annotations

from textual.theme import Theme

PROJECTOR = "divergence-projector"

BACKGROUND = "#0a0a0a"  # near-black: a projector shows black as dark grey anyway
SURFACE = "#141414"
PANEL = "#1f1f1f"
WHITE = "#ffffff"  # 19.8:1 on the background
ACCENT = "#ffd23f"  # the one strong colour: 13.7:1 on the background
MUTED = "#cfcfcf"  # secondary text: 12.7:1 on the background, 10.6:1 on the panel
DISABLED = "#b0b0b0"  # locked choices: still 9.1:1
INK = "#000000"  # text on the accent: 14.5:1

PROJECTOR_THEME = Theme(
    name=PROJECTOR,
    primary=ACCENT,
    secondary=MUTED,
    accent=ACCENT,
    warning="#ffb84d",  # 11.5:1
    error="#ff9e9e",  # 10.0:1
    success="#7dff7d",  # 15.5:1
    foreground=WHITE,
    background=BACKGROUND,
    surface=SURFACE,
    panel=PANEL,
    dark=True,
    text_alpha=1.0,
    variables={
        "text": WHITE,
        "text-muted": MUTED,
        "text-disabled": DISABLED,
        "foreground-muted": MUTED,
        "block-cursor-foreground": INK,
        "block-cursor-background": ACCENT,
        "block-cursor-blurred-foreground": WHITE,
        "block-cursor-blurred-background": "#333333",  # white on it: 12.6:1
        "block-hover-background": "#333333",
        "border": ACCENT,
        "border-blurred": MUTED,
        "footer-background": PANEL,
        "footer-foreground": WHITE,
        "footer-key-foreground": ACCENT,
        "footer-description-foreground": WHITE,
        "button-color-foreground": INK,
        "input-cursor-background": ACCENT,
        "input-cursor-foreground": INK,
        "input-selection-background": "#665410",
    },
)

# The text and background pairs the theme promises, for the contrast test.
CONTRAST_PAIRS = [
    (WHITE, BACKGROUND),
    (WHITE, SURFACE),
    (WHITE, PANEL),
    (ACCENT, BACKGROUND),
    (ACCENT, PANEL),
    (MUTED, BACKGROUND),
    (MUTED, PANEL),
    (DISABLED, BACKGROUND),
    (INK, ACCENT),
    (WHITE, "#333333"),
    ("#ffb84d", BACKGROUND),
    ("#ff9e9e", BACKGROUND),
    ("#7dff7d", BACKGROUND),
]
