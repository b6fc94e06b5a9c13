"""The English catalogue covers every Indonesian source string, and the committed .mo matches the .po."""

import polib

from tests.helpers import PO_PATH, PYTHON_STRING, ROOT, TEMPLATE_STRING

MO_PATH = ROOT / "locale/en/LC_MESSAGES/django.mo"
SOURCE_DIRS = [
    "prakerja",
    "accounts",
    "journey",
    "notifications",
    "audit",
    "regions",
    "verification",
    "assessment",
    "waves",
    "console",
    "dukcapil",
    "uploads",
    "templates",
]


def source_msgids() -> set[str]:
    found = set()
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix == ".html" or path.suffix == ".txt":
                found.update(match[1] for match in TEMPLATE_STRING.findall(path.read_text()))
            elif path.suffix == ".py" and "migrations" not in path.parts:
                found.update(match[1] for match in PYTHON_STRING.findall(path.read_text()))
    return {msgid.encode().decode("unicode_escape") if "\\u" in msgid else msgid for msgid in found}


def test_every_entry_of_the_english_catalogue_is_translated_and_not_fuzzy():
    catalogue = polib.pofile(str(PO_PATH))

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert not untranslated, f"translate these in {PO_PATH.name}: {untranslated[:10]}"
    assert not fuzzy, f"review these fuzzy entries: {fuzzy[:10]}"


def test_every_translatable_string_in_the_code_has_an_english_entry():
    known = {entry.msgid for entry in polib.pofile(str(PO_PATH))}

    missing = sorted(source_msgids() - known)

    assert not missing, f"run makemessages -l en and translate: {missing[:10]}"


def test_the_committed_mo_matches_the_po():
    po = {
        (e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural.get(0)) for e in polib.pofile(str(PO_PATH)) if not e.obsolete
    }
    mo = {(e.msgctxt, e.msgid): (e.msgstr or e.msgstr_plural.get(0)) for e in polib.mofile(str(MO_PATH))}

    assert po == mo, "recompile: manage.py compilemessages (see docs/TRANSLATIONS.md)"
