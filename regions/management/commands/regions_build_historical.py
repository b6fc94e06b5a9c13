"""Rebuild regions/data/historical_districts.csv from the vendored Kemendagri editions (regions/historical_build.py)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from regions.historical import HISTORICAL_DISTRICTS_PATH
from regions.historical_build import HistoricalBuildError, counts_describe, historical_build, historical_render
from regions.services import regions_read


class Command(BaseCommand):
    # Reads and writes files in the repository only: no database, cache or broker to check first.
    requires_system_checks: list[str] = []
    help = (
        "Map every district code of the earlier Kemendagri editions in regions/data/editions/ to today's district "
        "and write regions/data/historical_districts.csv. Prints the counts per edition and the manual decisions "
        "used; stops with the list of districts that need a decision. --check compares without writing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="fail if the committed table differs from a fresh build"
        )

    def handle(self, *args, check: bool, **options) -> None:
        try:
            result = historical_build(current=regions_read())
        except HistoricalBuildError as error:
            raise CommandError("the table cannot be built:\n" + "\n".join(error.problems)) from error
        for line in counts_describe(result):
            self.stdout.write(line)
        for decision in result.decisions:
            self.stdout.write(f"decision {decision.code} -> {decision.current_code}: {decision.reason}")

        rendered = historical_render(result.rows)
        committed = HISTORICAL_DISTRICTS_PATH.read_text(encoding="utf-8") if HISTORICAL_DISTRICTS_PATH.exists() else ""
        if check:
            if rendered != committed:
                raise CommandError(f"{HISTORICAL_DISTRICTS_PATH} is out of date: run regions_build_historical")
            self.stdout.write(f"{HISTORICAL_DISTRICTS_PATH.name} is up to date")
            return
        HISTORICAL_DISTRICTS_PATH.write_text(rendered, encoding="utf-8")
        self.stdout.write(f"wrote {len(result.rows)} rows to {HISTORICAL_DISTRICTS_PATH}")
