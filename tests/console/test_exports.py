"""The console's CSV downloads: a wave's results (masked, labelled, streamed in constant memory) and its funnel,
each recorded in the audit log."""

import csv
import io
import tracemalloc

import pytest
from django.http import StreamingHttpResponse

from audit.models import Action, Entry
from console import exports
from prakerja.crypto import pii_encrypt
from tests.factories import SelectionRunFactory, WaveFactory, enrolled_many
from verification.models import IdentityVerification
from waves.models import Card, Result

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def selected_wave():
    """A selected wave: 5 enrollments in Jawa Barat for 3 places, 2 in DKI Jakarta for 50."""
    wave = WaveFactory(closed=True, province_quotas={"32": 3, "31": 50}, pool_unused_quota=False)
    enrolled_many(wave, 5, provinces=("32",))
    enrolled_many(wave, 2, provinces=("31",))
    SelectionRunFactory(wave=wave)
    return wave


def read_csv(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_results_have_a_line_per_enrollment_masked_and_labelled(operator_client, selected_wave):
    response = operator_client.get(f"/operator/gelombang/{selected_wave.number}/hasil.csv")
    rows = read_csv(response)

    assert response["Content-Disposition"] == f'attachment; filename="gelombang-{selected_wave.number}-hasil.csv"'
    assert len(rows) == 7
    assert list(rows[0]) == exports.RESULT_HEADER
    nik = IdentityVerification.objects.get(user__enrollments__pk=rows[0]["pendaftaran"]).nik
    assert rows[0]["nik"] == nik[:4] + "••••••••" + nik[-4:]
    assert {row["provinsi"] for row in rows} == {"Jawa Barat", "Daerah Khusus Ibukota Jakarta"}
    assert [row["terpilih"] for row in rows].count("ya") == 5  # 3 in Jawa Barat, 2 in DKI Jakarta
    losers = [row for row in rows if row["terpilih"] == "tidak"]
    assert {(row["alasan"], row["kode_alasan"], row["nomor_kartu"]) for row in losers} == {
        ("Kuota provinsi terisi", "quota", "")
    }
    card = Card.objects.get(result__enrollment_id=next(r for r in rows if r["terpilih"] == "ya")["pendaftaran"])
    winner = next(row for row in rows if row["pendaftaran"] == str(card.result.enrollment_id))
    assert winner["nomor_kartu"] == card.number[:4] + "••••••••" + card.number[-4:]
    page = b"".join(operator_client.get(f"/operator/gelombang/{selected_wave.number}/hasil.csv").streaming_content)
    assert nik.encode() not in page and card.number.encode() not in page


def test_a_download_is_recorded_in_the_audit_log(operator_client, selected_wave):
    operator_client.get(f"/operator/gelombang/{selected_wave.number}/hasil.csv")
    operator_client.get(f"/operator/gelombang/{selected_wave.number}/corong.csv")

    entries = Entry.objects.filter(action__in=[Action.RESULTS_EXPORT, Action.FUNNEL_EXPORT]).order_by("pk")
    assert [entry.action for entry in entries] == [Action.RESULTS_EXPORT, Action.FUNNEL_EXPORT]
    assert entries[0].target_type == "waves.wave" and entries[0].target_id == str(selected_wave.pk)
    assert entries[0].details["rows"] == 7


def test_a_wave_without_results_has_nothing_to_download(operator_client):
    wave = WaveFactory()

    assert operator_client.get(f"/operator/gelombang/{wave.number}/hasil.csv").status_code == 404
    assert not Entry.objects.filter(action=Action.RESULTS_EXPORT).exists()


def test_the_funnel_downloads_as_its_snapshot_holds_it(operator_client, selected_wave):
    from console.services import funnel_refresh

    funnel_refresh(wave=selected_wave)

    rows = read_csv(operator_client.get(f"/operator/gelombang/{selected_wave.number}/corong.csv"))

    assert [row["provinsi"] for row in rows][-1] == selected_wave.label
    jabar = next(row for row in rows if row["kode_provinsi"] == "32")
    assert (jabar["provinsi"], jabar["joined"], jabar["selected"]) == ("Jawa Barat", "5", "3")


def test_rows_are_read_through_an_iterator_not_a_list(selected_wave, monkeypatch):
    from waves.selectors import result_rows_for_export

    rows = result_rows_for_export(run=selected_wave.selection_runs.get(), chunk_size=3)

    assert iter(rows) is rows  # a generator: the queryset's iterator(), never a list
    assert len(list(rows)) == Result.objects.count()


def _peak_while_streaming(count: int) -> int:
    """The peak memory of writing ``count`` result lines, read from a generator as the cursor hands them out."""
    token = pii_encrypt("3276011501900001")

    def rows():
        for n in range(count):
            # One in ten with a NIK to unmask (decrypting is the slow part under tracemalloc), as if the others had
            # deleted their accounts since.
            nik = token if n % 10 == 0 else None
            yield (n, "32", n % 5 == 0, False, None if n % 5 == 0 else "quota", nik, "1234567890123452")

    response = StreamingHttpResponse(
        exports.csv_blocks(exports.RESULT_HEADER, exports.result_lines(rows(), names={"32": "Jawa Barat"}))
    )
    tracemalloc.start()
    written = 0
    for block in response.streaming_content:
        written += len(block)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert written > count * 40
    return peak


def test_the_results_stream_in_constant_memory():
    small, large = _peak_while_streaming(10_000), _peak_while_streaming(100_000)

    # Ten times the rows, the same peak (a block of 64 KB and a line at a time), within noise.
    assert large < small * 1.5 + 64 * 1024
