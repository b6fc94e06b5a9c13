"""docs/GLOSSARY.md cannot drift from the code: one row per word, and every identifier it cites exists.

An identifier in the "in code" column is read as docs/GLOSSARY.md says: ``dukcapil/`` is a directory;
``waves.models.Card.balance`` is a module path (``waves/models.py``) then names defined in it, each inside the
one before (``balance`` in the body of ``class Card``); a bare name (``acting_user``) appears as a word in some
source file. Only the source counts, not the tests or the docs, so a name the code dropped fails here.
"""

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "GLOSSARY.md"
NOT_SOURCE = {".git", ".venv", "docs", "locale", "node_modules", "static", "tests"}
COLUMNS = ("Indonesian (UI)", "English", "in code", "meaning")


@dataclass(frozen=True)
class Entry:
    line: int
    indonesian: str
    english: str
    code: str


def glossary_entries(text: str) -> list[Entry]:
    rows = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.startswith("|")]
    header = tuple(cell.strip() for cell in rows[0][1].strip("|").split("|"))
    assert header == COLUMNS, f"docs/GLOSSARY.md's table has the columns {header}, not {COLUMNS}"
    entries = []
    for number, line in rows[2:]:  # after the header and its |---| line
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == len(COLUMNS), f"docs/GLOSSARY.md:{number} has {len(cells)} cells: {line}"
        entries.append(Entry(number, cells[0], cells[1], cells[2]))
    return entries


def terms(cell: str) -> list[str]:
    """The words of a cell: "lolos / tidak lolos, "Kamu Belum Berhasil"" is three."""
    return [term.strip().strip('"').lower() for term in re.split(r"[,/]", cell) if term.strip()]


def cited(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


@cache
def source_files() -> tuple[Path, ...]:
    found = []
    for folder, subfolders, names in os.walk(ROOT):
        subfolders[:] = sorted(name for name in subfolders if name not in NOT_SOURCE)
        found += [Path(folder) / name for name in sorted(names) if name.endswith((".py", ".html"))]
    return tuple(found)


def _defined(name: str, text: str) -> re.Match | None:
    """Where ``name`` is defined or imported at the outer level of ``text`` (a module or a class body)."""
    indent = min((len(line) - len(line.lstrip()) for line in text.splitlines() if line.strip()), default=0)
    margin = " " * indent
    name = re.escape(name)
    return re.search(
        rf"^{margin}(?:(?:async\s+)?def\s+{name}\b|class\s+{name}\b|{name}\s*[:=]"
        rf"|(?:from\s+\S+\s+)?import\s+(?:\([^)]*|.*)\b{name}\b)",
        text,
        re.MULTILINE,
    )


def _block(text: str, start: int) -> str:
    """The indented body of the definition whose line starts at ``start``."""
    lines = text[start:].splitlines()
    depth = len(lines[0]) - len(lines[0].lstrip())
    body = []
    for line in lines[1:]:
        if line.strip() and len(line) - len(line.lstrip()) <= depth and not line.lstrip().startswith(")"):
            break
        body.append(line)
    return "\n".join(body)


def _module(parts: list[str]) -> tuple[Path, list[str]] | None:
    """The source file of the longest module path that starts ``parts``, and the names after it."""
    for end in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:end])
        for path in (base.with_suffix(".py"), base / "__init__.py"):
            if path.is_file():
                return path, parts[end:]
    return None


def identifier_exists(name: str, files: tuple[Path, ...]) -> bool:
    if name.endswith("/"):
        return (ROOT / name).is_dir()
    parts = name.split(".")
    found = _module(parts)
    if found is None:
        if len(parts) > 1:
            return False  # a dotted name must start with a module path
        word = re.compile(rf"\b{re.escape(name)}\b")
        return any(word.search(path.read_text(encoding="utf-8")) for path in files)
    path, names = found
    text = path.read_text(encoding="utf-8")
    for name in names:
        match = _defined(name, text)
        if match is None:
            return False
        text = _block(text, match.start())
    return True


ENTRIES = glossary_entries(GLOSSARY.read_text(encoding="utf-8"))


@pytest.mark.parametrize("column", ["indonesian", "english"])
def test_no_word_has_two_rows(column):
    rows: dict[str, list[int]] = {}
    for entry in ENTRIES:
        for term in terms(getattr(entry, column)):
            rows.setdefault(term, []).append(entry.line)

    assert {term: lines for term, lines in rows.items() if len(lines) > 1} == {}


def test_every_row_names_the_code_it_maps_to():
    assert [entry.line for entry in ENTRIES if not cited(entry.code)] == []


def test_every_identifier_the_glossary_cites_exists_in_the_source():
    files = source_files()

    missing = {name for entry in ENTRIES for name in cited(entry.code) if not identifier_exists(name, files)}

    assert missing == set()


@pytest.mark.parametrize(
    ("name", "exists"),
    [
        ("waves.models.Card.balance", True),
        ("waves.models.Card.reviewer", False),  # a field of another class of the same module
        ("waves.models.Complaint.reviewer", True),
        ("waves.selection.selection_run", True),  # re-exported by the package
        ("waves.statement", True),
        ("waves.nowhere", False),
        ("nowhere.Card", False),
        ("acting_user", True),
        ("actor_user_of_nothing", False),
        ("dukcapil/", True),
        ("dukcapil/nowhere/", False),
    ],
)
def test_the_check_reads_identifiers_as_the_glossary_says(name, exists):
    assert identifier_exists(name, source_files()) is exists
