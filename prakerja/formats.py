"""Numbers as staff read them: grouped in the active language's way ("164.000" in Indonesian, "164,000" in
English), whatever USE_THOUSAND_SEPARATOR says (it stays off, so years and ids in templates are never grouped)."""

from django.utils.formats import number_format


def thousands(value: int | None) -> str:
    """``value`` grouped by thousands; "—" for None."""
    if value is None:
        return "—"
    return number_format(value, decimal_pos=0, force_grouping=True)
