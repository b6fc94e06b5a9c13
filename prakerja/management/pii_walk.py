"""What pii_rotate_keys and pii_reindex share: a walk over the portal's tables, one progress bar per table."""

from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import models
from tqdm import tqdm

from prakerja.pii import BatchReport, table_size_estimate


class PiiWalkCommand(BaseCommand):
    verb = ""  # "re-encrypted", "re-indexed"

    def tables(self) -> list[type[models.Model]]:
        raise NotImplementedError

    def walk(self, model: type[models.Model], **kwargs) -> BatchReport:
        raise NotImplementedError

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=settings.PII_ROTATION_BATCH_SIZE,
            help="rows per transaction (default PII_ROTATION_BATCH_SIZE)",
        )
        parser.add_argument(
            "--model",
            action="append",
            default=[],
            metavar="APP.MODEL",
            help="only this model (repeatable), e.g. notifications.Message",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="write nothing; count what is left to do and exit with status 1 if anything is",
        )

    def handle(self, *args, batch_size: int, model: list[str], check: bool, **options) -> None:
        chosen = self._chosen(model)
        left = 0
        for table in chosen:
            label = table._meta.label
            with tqdm(
                total=table_size_estimate(table),
                desc=label,
                unit="rows",
                file=self.stderr._out,
                disable=options["verbosity"] < 1,
            ) as bar:
                progress: Callable[[BatchReport], None] = lambda report: bar.update(report.rows)  # noqa: E731
                report = self.walk(table, batch_size=batch_size, on_batch=progress, dry_run=check)
            left += report.changed
            if check:
                self.stdout.write(f"{label}: {report.rows:,} rows, {report.changed:,} values still to do")
            else:
                self.stdout.write(
                    f"{label}: {report.rows:,} rows, {report.changed:,} values {self.verb}"
                    + (f", {report.lost_races:,} written meanwhile by the portal (kept)" if report.lost_races else "")
                )
        if check and left:
            raise CommandError(f"{left:,} values still to do.", returncode=1)

    def _chosen(self, labels: list[str]) -> list[type[models.Model]]:
        everything = self.tables()
        if not labels:
            return everything
        try:
            chosen = [apps.get_model(label) for label in labels]
        except (LookupError, ValueError) as error:
            raise CommandError(str(error)) from None
        unknown = [model._meta.label for model in chosen if model not in everything]
        if unknown:
            raise CommandError(f"Nothing to do in {', '.join(unknown)}.")
        return [model for model in everything if model in chosen]
