"""The console's downloads as CSV, streamed: a wave's results (a million rows in constant memory) and its funnel.

Rows go out as they are read, in blocks of about 64 KB, from a server-side cursor (waves.selectors.
result_rows_for_export), so neither the rows nor the file are ever held whole. Nothing personal leaves in clear:
the NIK and the card number are masked as the admin shows them (3273••••••••0001), the rest are codes, labels
and counts.
"""

import csv
from collections.abc import Iterable, Iterator

from console.funnel import STEP_NAMES
from console.selectors import WaveFunnel
from prakerja.crypto import pii_decrypt
from verification.identifiers import identifier_mask
from waves.reasons import ResultReason

RESULT_HEADER = [
    "pendaftaran",
    "nik",
    "kode_provinsi",
    "provinsi",
    "terpilih",
    "kuota_nasional",
    "alasan",
    "kode_alasan",
    "nomor_kartu",
]
BLOCK_BYTES = 64 * 1024


class _Line:
    """A file-like object whose ``write`` hands the line back (csv.writer then returns it)."""

    def write(self, value: str) -> str:
        return value


def csv_blocks(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """``header`` and ``rows`` as CSV text, in blocks of about BLOCK_BYTES (fewer, larger writes to the socket)."""
    writer = csv.writer(_Line())
    block, size = [writer.writerow(header)], 0
    for row in rows:
        line = writer.writerow(row)
        block.append(line)
        size += len(line)
        if size >= BLOCK_BYTES:
            yield "".join(block)
            block, size = [], 0
    if block:
        yield "".join(block)


def _yes(value: bool) -> str:
    return "ya" if value else "tidak"


def result_lines(rows: Iterable[tuple], *, names: dict[str, str]) -> Iterator[list]:
    """Each result row (as waves.selectors.result_rows_for_export reads it) as a CSV line: masked NIK (empty for
    an applicant who has since deleted their account), province code and name, selected, from the national pool,
    the reason's operator label and code, the masked card number."""
    labels = {reason.value: str(reason.label) for reason in ResultReason}
    for enrollment_id, province, selected, from_pool, reason, nik_token, card in rows:
        yield [
            enrollment_id,
            identifier_mask(pii_decrypt(nik_token)) if nik_token else "",
            province,
            names.get(province, province),
            _yes(selected),
            _yes(from_pool),
            labels.get(reason, reason or ""),
            reason or "",
            identifier_mask(card) if card else "",
        ]


def funnel_lines(funnel: WaveFunnel) -> Iterator[list]:
    """The wave's funnel, a line per province (the accounts without domicile last) and the total."""
    for figures in [*funnel.provinces, funnel.total]:
        counts = figures.counts
        yield [figures.code or "", figures.name, *(counts[step] for step in STEP_NAMES)]


FUNNEL_HEADER = ["kode_provinsi", "provinsi", *STEP_NAMES]
