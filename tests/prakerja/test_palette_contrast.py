"""The palette (static/css/portal.css, the --pk-* custom properties) holds WCAG 2.1 AA: every text colour on
every background the pages put it on reaches 4.5:1, and input borders and focus rings 3:1 (1.4.11)."""

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "static/css/portal.css"

TEXT_PAIRS = [  # (text, background)
    ("ink", "surface"),
    ("ink", "canvas"),
    ("ink", "canvas-deep"),
    ("ink", "brand-tint"),
    ("ink-muted", "surface"),
    ("ink-muted", "canvas"),
    ("ink-muted", "canvas-deep"),
    ("ink-muted", "brand-tint"),
    ("brand", "surface"),
    ("brand", "canvas"),
    ("brand", "brand-tint"),
    ("brand-dark", "surface"),
    ("brand-dark", "brand-tint"),
    ("on-dark", "brand"),
    ("on-dark", "brand-dark"),
    ("on-dark-muted", "brand-dark"),
    ("on-dark", "ink-muted"),
    ("success", "surface"),
    ("success", "success-tint"),
    ("on-dark", "success"),
    ("danger", "surface"),
    ("danger", "danger-tint"),
    ("on-dark", "danger"),
    ("warning-ink", "warning-tint"),
    ("info-ink", "info-tint"),
    ("on-dark", "info-ink"),
]
NON_TEXT_PAIRS = [  # (component, what it sits on)
    ("control-line", "surface"),
    ("brand-dark", "surface"),  # the outer focus ring on light pages
    ("accent", "brand-dark"),  # the focus ring on the dark header and footer bands
]


def palette() -> dict[str, str]:
    root = re.search(r":root\s*\{(.*?)\}", CSS.read_text(encoding="utf-8"), re.DOTALL)[1]
    return dict(re.findall(r"--pk-([a-z-]+):\s*(#[0-9a-fA-F]{6})\s*;", root))


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_formula_matches_the_wcag_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize(("text", "background"), TEXT_PAIRS)
def test_text_on_its_backgrounds_reaches_4_5_to_1(text, background):
    colours = palette()

    assert contrast(colours[text], colours[background]) >= 4.5


@pytest.mark.parametrize(("component", "background"), NON_TEXT_PAIRS)
def test_borders_and_focus_rings_reach_3_to_1(component, background):
    colours = palette()

    assert contrast(colours[component], colours[background]) >= 3


def test_the_palette_is_only_defined_once():
    # Components read var(--pk-…); a hex colour elsewhere in the file would escape the checks above.
    css = CSS.read_text(encoding="utf-8")
    root = re.search(r":root\s*\{.*?\}", css, re.DOTALL)
    outside = css[: root.start()] + css[root.end() :]

    assert re.findall(r"#[0-9a-fA-F]{3,6}\b", outside) == []
