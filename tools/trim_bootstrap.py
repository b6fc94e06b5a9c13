"""Trim Bootstrap's stylesheet to the rules the portal's pages can use.

Bootstrap's full stylesheet is 232 KB (31 KB gzipped) and a phone on a slow link downloads all of it before the
first page shows; the portal uses a small share of it. This keeps a rule only when every class its selector
names appears somewhere in the sources that write class names: the project's templates, its Python and
JavaScript, and the crispy-forms Bootstrap 5 templates and tags that render the forms. A class built from parts
at run time ("alert-" + a message's level) is listed in SAFELIST.

    .venv/bin/python tools/trim_bootstrap.py          # writes static/vendor/bootstrap/bootstrap.portal.min.css
    .venv/bin/python tools/trim_bootstrap.py --check  # exit 1 when the committed file is out of date

tests/prakerja/test_static_budget.py runs the check, so a template that starts using a Bootstrap class
this file dropped fails until the file is rebuilt. No dependency: minified CSS has a simple grammar (rules,
at-rules with blocks, strings, comments), read here by brace matching.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "static/vendor/bootstrap/bootstrap.min.css"
OUTPUT = ROOT / "static/vendor/bootstrap/bootstrap.portal.min.css"

# Classes the sources compose from parts: templates/_messages.html writes "alert-" + the message's level.
SAFELIST = {"alert-success", "alert-info", "alert-warning", "alert-danger"}

APPS = ("accounts", "assessment", "audit", "dukcapil", "journey", "notifications", "prakerja", "regions")
APPS += ("uploads", "verification", "waves")

WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
CLASS = re.compile(r"\.((?:\\.|[A-Za-z0-9_-])+)")
ATTRIBUTE = re.compile(r"\[\s*([A-Za-z0-9_-]+)[^\]]*\]")


def _site_packages_dirs() -> list[Path]:
    """The crispy-forms packages: their templates and template tags write the form controls' classes."""
    import crispy_bootstrap5
    import crispy_forms

    return [Path(crispy_forms.__file__).parent, Path(crispy_bootstrap5.__file__).parent]


def sources() -> list[Path]:
    files = sorted((ROOT / "templates").rglob("*.html"))
    files += sorted((ROOT / "static/js").rglob("*.js"))
    for app in APPS:
        files += sorted(path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts)
    for package in _site_packages_dirs():
        files += sorted(package.rglob("*.html")) + sorted(package.rglob("*.py"))
    return files


def used_words(files: list[Path] | None = None) -> set[str]:
    """Every word of the sources: over-inclusive (a word of prose may keep a rule), never under."""
    words = set(SAFELIST)
    for path in files if files is not None else sources():
        words.update(WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return words


# --- Reading minified CSS ----------------------------------------------------------------------------------


def _skip_string(css: str, i: int) -> int:
    quote = css[i]
    i += 1
    while css[i] != quote:
        i += 2 if css[i] == "\\" else 1
    return i + 1


def _block_end(css: str, i: int) -> int:
    """The index just past the "}" closing the block whose "{" is at ``i``."""
    depth = 0
    while True:
        char = css[i]
        if char in "\"'":
            i = _skip_string(css, i)
            continue
        if css.startswith("/*", i):
            i = css.index("*/", i) + 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1


def parse(css: str) -> list[tuple]:
    """Nodes: ("comment", text), ("statement", text) for "@charset …;", ("rule", prelude, body) and
    ("block", prelude, children) for @media/@supports/@container."""
    nodes: list[tuple] = []
    i = 0
    while i < len(css):
        if css[i].isspace():
            i += 1
            continue
        if css.startswith("/*", i):
            end = css.index("*/", i) + 2
            nodes.append(("comment", css[i:end]))
            i = end
            continue
        start = i
        while css[i] not in "{;":
            i = _skip_string(css, i) if css[i] in "\"'" else i + 1
        prelude = css[start:i].strip()
        if css[i] == ";":
            nodes.append(("statement", prelude + ";"))
            i += 1
            continue
        end = _block_end(css, i)
        body = css[i + 1 : end - 1]
        if re.match(r"@(media|supports|container|layer)\b", prelude):
            nodes.append(("block", prelude, parse(body)))
        else:
            nodes.append(("rule", prelude, body))
        i = end
    return nodes


def _split_top_level(text: str, separator: str = ",") -> list[str]:
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _without_negations(selector: str) -> str:
    """The selector without the insides of :not(…): a rule for ".btn:not(.dropdown-toggle)" applies to buttons
    whether or not the page has a dropdown."""
    out, i = [], 0
    while i < len(selector):
        if selector.startswith(":not(", i):
            depth, i = 1, i + 5
            while depth:
                depth += {"(": 1, ")": -1}.get(selector[i], 0)
                i += 1
            continue
        out.append(selector[i])
        i += 1
    return "".join(out)


def selector_used(selector: str, words: set[str]) -> bool:
    plain = _without_negations(selector)
    for attribute in ATTRIBUTE.findall(plain):
        if attribute.startswith("data-bs-") and attribute not in words:
            return False
    plain = ATTRIBUTE.sub("", plain)
    return all(name.replace("\\", "") in words for name in CLASS.findall(plain))


def trim(nodes: list[tuple], words: set[str]) -> list[tuple]:
    kept = []
    for node in nodes:
        if node[0] == "comment" and node[1].startswith("/*# sourceMappingURL"):
            continue  # the full file's map does not describe this one
        if node[0] == "rule":
            _, prelude, body = node
            if prelude.startswith("@"):  # @keyframes, @font-face: decided by trim_keyframes
                kept.append(node)
                continue
            selectors = [part for part in _split_top_level(prelude) if selector_used(part, words)]
            if selectors:
                kept.append(("rule", ",".join(selectors), body))
        elif node[0] == "block":
            children = trim(node[2], words)
            if children:
                kept.append(("block", node[1], children))
        else:
            kept.append(node)
    return kept


def serialize(nodes: list[tuple]) -> str:
    out = []
    for node in nodes:
        if node[0] in {"comment", "statement"}:
            out.append(node[1])
        elif node[0] == "rule":
            out.append(f"{node[1]}{{{node[2]}}}")
        else:
            out.append(f"{node[1]}{{{serialize(node[2])}}}")
    return "".join(out)


def trim_keyframes(nodes: list[tuple]) -> list[tuple]:
    """Drop @keyframes no kept rule animates with."""
    text = serialize([node for node in nodes if not (node[0] == "rule" and node[1].startswith("@keyframes"))])
    return [
        node
        for node in nodes
        if not (node[0] == "rule" and node[1].startswith("@keyframes") and node[1].split()[-1] not in text)
    ]


def build(words: set[str] | None = None) -> str:
    words = used_words() if words is None else words
    nodes = trim(parse(SOURCE.read_text(encoding="utf-8")), words)
    css = serialize(trim_keyframes(nodes))
    licence_end = css.index("*/") + 2  # Bootstrap's licence comment stays first
    note = "/* Trimmed to the rules the portal uses by tools/trim_bootstrap.py: edit the templates, not this file. */"
    return css[:licence_end] + note + css[licence_end:] + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed output is out of date")
    args = parser.parse_args()
    css = build()
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != css:
            print(f"{OUTPUT.relative_to(ROOT)} is out of date: run tools/trim_bootstrap.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(css, encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {len(css):,} bytes (from {SOURCE.stat().st_size:,})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
