"""Draw static/img/favicon.ico (16, 32 and 48 pixels) from the mark (templates/_mark.html, static/img/favicon.svg), with Pillow.

Browsers that read the SVG icon use static/img/favicon.svg; /favicon.ico is for those that ask for it by name.
Run once after the mark changes: .venv/bin/python tools/make_favicon.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
SIZE = 256  # drawn large on the mark's 32-unit grid, then scaled down by Pillow
UNIT = SIZE / 32


def draw() -> Image.Image:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, SIZE - 1, SIZE - 1), radius=7 * UNIT, fill="#0b4f8a")
    pen.rounded_rectangle((5 * UNIT, 23 * UNIT, 27 * UNIT, 26 * UNIT), radius=1.5 * UNIT, fill="#5b8fc0")
    points = [(7.5 * UNIT, 19.5 * UNIT), (13 * UNIT, 14 * UNIT), (17 * UNIT, 18 * UNIT), (24 * UNIT, 10.5 * UNIT)]
    pen.line(points, fill="#f5a524", width=round(3.2 * UNIT), joint="curve")
    for x, y in (points[0], points[-1]):
        radius = 1.6 * UNIT
        pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill="#f5a524")
    pen.ellipse((21.6 * UNIT, 8.1 * UNIT, 26.4 * UNIT, 12.9 * UNIT), fill="#ffffff")
    return image


if __name__ == "__main__":
    draw().save(ROOT / "static/img/favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
