"""WCAG 2.x contrast between two sRGB colours: plain maths, no Django."""

import re

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
# WCAG AA for normal text.
AA_NORMAL_TEXT = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance of `#rrggbb`."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """From 1 (the same) to 21 (black on white)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def darken(colour: str, amount: float) -> str:
    """The colour with each channel scaled towards black by `amount` (0 to 1): the hover
    shade of the accent."""
    r, g, b = (round(int(colour[i : i + 2], 16) * (1 - amount)) for i in (1, 3, 5))
    return f"#{r:02x}{g:02x}{b:02x}"


def mix(colour: str, other: str, amount: float) -> str:
    """`colour` moved towards `other` by `amount` (0: colour itself, 1: other)."""
    channels = (
        round(int(colour[i : i + 2], 16) * (1 - amount) + int(other[i : i + 2], 16) * amount)
        for i in (1, 3, 5)
    )
    return "#" + "".join(f"{c:02x}" for c in channels)


def lighten_until(colour: str, background: str, ratio: float) -> str:
    """The colour mixed with white just enough to reach `ratio` against a dark `background`:
    the accent as text and fill in dark mode."""
    for step in range(21):
        lighter = mix(colour, "#ffffff", step / 20)
        if contrast_ratio(lighter, background) >= ratio:
            return lighter
    return "#ffffff"
