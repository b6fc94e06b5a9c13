"""Every translatable string of the assessment app has an English entry (in the project's catalogue or, until
it is merged there, the app's own assessment/locale)."""

import polib

from tests.helpers import PO_PATH, PYTHON_STRING, ROOT, TEMPLATE_STRING

APP_PO = ROOT / "assessment/locale/en/LC_MESSAGES/django.po"


def assessment_msgids() -> set[str]:
    found = set()
    for path in (ROOT / "templates/assessment").rglob("*.html"):
        found.update(match[1] for match in TEMPLATE_STRING.findall(path.read_text()))
    for path in (ROOT / "assessment").rglob("*.py"):
        if "migrations" not in path.parts:
            found.update(match[1] for match in PYTHON_STRING.findall(path.read_text()))
    return found


def test_every_assessment_string_has_an_english_translation():
    translated = {
        entry.msgid
        for catalogue in (PO_PATH, APP_PO)
        if catalogue.exists()
        for entry in polib.pofile(str(catalogue))
        if entry.translated() and not entry.obsolete
    }

    missing = sorted(assessment_msgids() - translated)

    assert not missing, f"translate these (docs/TRANSLATIONS.md): {missing[:10]}"
