"""Identities to try in the demo: residents of the mock registry that no account holds yet (DESIGN §9).

Demo tooling: it reads the mock registry's tables directly, which the portal's request and task paths never
do, and asks the portal which NIKs accounts already hold, so every identity printed can still be used.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from dukcapil.selectors import resident_sample
from verification.selectors import niks_in_use

KINDS = ("ordinary", "excluded", "underage", "old_code")


class Command(BaseCommand):
    help = (
        "Print residents of the mock registry to try the portal with (NIK, KK, birth date, names, domicile). "
        "By default adults with an ordinary occupation who can go all the way to a wave."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--count", type=int, default=5)
        parser.add_argument(
            "--kind",
            choices=KINDS,
            default="ordinary",
            help="ordinary (default); excluded: an excluded occupation on the KTP; underage: under 18; "
            "old_code: a NIK with a region code from before a split",
        )
        parser.add_argument("--seed", type=int, default=None, help="the same seed gives the same residents")
        parser.add_argument("--json", action="store_true", help="one JSON array instead of a table")

    def handle(self, *args, count: int, kind: str, seed: int | None, json: bool, **options) -> None:
        if count < 1:
            raise CommandError("--count must be at least 1")
        identities = resident_sample(count=count, kind=kind, rng_seed=seed, exclude_nik=niks_in_use)
        if not identities:
            raise CommandError("The mock registry has no such residents: run `manage.py seed_dukcapil` first.")
        fields = ("nik", "kk", "birth_date", "full_name", "mother_name", "province", "regency", "district")
        rows = [{field: identity[field] for field in fields} for identity in identities]
        if json:
            self.stdout.write(_json_dumps(rows))
            return
        for row in rows:
            self.stdout.write(
                f"NIK {row['nik']}  KK {row['kk']}  lahir {row['birth_date']}  {row['full_name']} "
                f"(ibu: {row['mother_name']})  {row['district']}, {row['regency']}, {row['province']}"
            )


def _json_dumps(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)
