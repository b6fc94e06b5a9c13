"""Rotating the keys of personal data while the portal serves (issue #15 item 2): ``pii_rotate_keys`` for the
encryption keys, ``pii_reindex`` for the blind index key; both resumable, and neither loses a write made while
it runs."""

import io
import threading

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from notifications.models import Message
from prakerja import pii
from prakerja.crypto import IdentifierKind, pii_decrypt, pii_digest, pii_is_token, pii_under_first_key
from tests.factories import ApplicantFactory
from tests.helpers import require_service, stored
from verification.models import IdentityVerification, OtpCode, PersonalData, PhoneNumber
from verification.otp import otp_send
from verification.selectors import applicants_by_number, niks_in_use
from waves.errors import WaveError, WaveErrorCode
from waves.models import Card, Result
from waves.selection import selection_run

pytestmark = pytest.mark.django_db

NEW_KEY = Fernet.generate_key().decode()
NEW_INDEX_KEY = "a-new-blind-index-key"


def _rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("pii_rotate_keys", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _every_encrypted_value() -> list[tuple[str, object]]:
    """Every encrypted value of the portal, read back plain (reading one fails if no configured key opens it)."""
    values = []
    for model in pii.reencrypt_order():
        for obj in model._base_manager.order_by("pk"):
            for field in pii.encrypted_fields(model):
                value = getattr(obj, field.attname)
                if isinstance(value, str) and pii_is_token(value):  # a token column read as it is (nik_encrypted)
                    value = pii_decrypt(value)
                values.append((f"{model._meta.label}.{field.name}", value))
    return values


@pytest.fixture
def journey(frozen):
    """A selected applicant (identity, data, photo, phone, results, card, announcement), with a code just sent."""
    user = ApplicantFactory(selected=True)
    frozen.tick(600)
    otp_send(user=user, number="+6285612345678")
    return user


def test_rotation_moves_every_value_to_the_new_key_and_the_old_key_can_then_go(settings, journey):
    before = _every_encrypted_value()
    old_keys = list(settings.PII_ENCRYPTION_KEYS)
    settings.PII_ENCRYPTION_KEYS = [NEW_KEY, *old_keys]

    with pytest.raises(CommandError, match="still to do"):
        _rotate("--check")
    report = _rotate()
    _rotate("--check")  # nothing left: no error

    assert "verification.PersonalData" in report and "notifications.Message" in report
    settings.PII_ENCRYPTION_KEYS = [NEW_KEY]
    assert _every_encrypted_value() == before
    (address,) = stored(journey.personal_data, "address")
    assert pii_under_first_key(address)
    assert PersonalData.objects.get(user=journey).full_name == journey.personal_data.full_name


def test_a_second_run_finds_nothing_to_do_and_an_interrupted_one_is_resumed(settings, journey):
    settings.PII_ENCRYPTION_KEYS = [NEW_KEY, *settings.PII_ENCRYPTION_KEYS]
    batches = []

    def stop_after_the_first(report):
        batches.append(report)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pii.table_reencrypt(Message, batch_size=1, on_batch=stop_after_the_first)
    resumed = pii.table_reencrypt(Message, batch_size=1)
    again = pii.table_reencrypt(Message, batch_size=1)

    # (The first batch may change nothing: a row of a bulk announcement keeps its text in a shared body, and an
    # email recipient is in clear.)
    assert len(batches) == 1 and resumed.changed >= 1 and again.changed == 0
    bodies = [stored(m, "body")[0] for m in Message.objects.all()]
    assert all(pii_under_first_key(body) for body in bodies if body)


def test_a_value_written_while_the_rotation_runs_is_kept(settings, journey, monkeypatch):
    settings.PII_ENCRYPTION_KEYS = [NEW_KEY, *settings.PII_ENCRYPTION_KEYS]
    reencrypted = pii._reencrypted

    def a_request_writes_meanwhile(field, value):
        new = reencrypted(field, value)
        if field.name == "address" and new is not None:
            # Between the rotation's read and its write, the applicant's address changes (written under the
            # first key, as every write is).
            PersonalData.objects.filter(user=journey).update(address="Jl. Baru 2, Depok")
        return new

    monkeypatch.setattr(pii, "_reencrypted", a_request_writes_meanwhile)
    report = pii.table_reencrypt(PersonalData, batch_size=10)

    assert report.lost_races == 1
    assert PersonalData.objects.get(user=journey).address == "Jl. Baru 2, Depok"


@pytest.mark.django_db(transaction=True)
def test_a_write_committed_by_another_connection_during_a_batch_is_kept(settings, monkeypatch):
    if connection.vendor != "postgresql":
        require_service("postgresql")
    user = ApplicantFactory(personal_data_done=True)
    settings.PII_ENCRYPTION_KEYS = [NEW_KEY, *settings.PII_ENCRYPTION_KEYS]
    reencrypted = pii._reencrypted

    def another_request(field, value):
        new = reencrypted(field, value)
        if field.name == "address" and new is not None:

            def write() -> None:
                try:
                    PersonalData.objects.filter(user=user).update(address="Jl. Baru 2, Depok")
                finally:
                    connection.close()

            thread = threading.Thread(target=write)
            thread.start()
            thread.join(timeout=30)  # commits: the batch has read the row but holds no lock on it
        return new

    monkeypatch.setattr(pii, "_reencrypted", another_request)
    report = pii.table_reencrypt(PersonalData, batch_size=10)

    assert report.lost_races == 1
    assert PersonalData.objects.get(user=user).address == "Jl. Baru 2, Depok"


def test_values_still_in_clear_are_encrypted_by_the_rotation(journey):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE verification_personaldata SET mother_name = %s", ["Nurhayati"])

    assert PersonalData.objects.get(user=journey).mother_name == "Nurhayati"  # readable meanwhile
    pii.table_reencrypt(PersonalData, batch_size=10)

    (mother_name,) = stored(PersonalData.objects.get(user=journey), "mother_name")
    assert pii_is_token(mother_name) and PersonalData.objects.get(user=journey).mother_name == "Nurhayati"


# --- The blind index key --------------------------------------------------------------------------------


def _reindex(*args: str) -> str:
    out = io.StringIO()
    call_command("pii_reindex", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_new_index_key_finds_everything_before_during_and_after_the_reindex(settings, journey):
    identity = IdentityVerification.objects.get(user=journey)
    phone = PhoneNumber.objects.get(user=journey).number
    old_key = settings.PII_BLIND_INDEX_KEYS[0]

    # during: the new key writes, both are tried
    settings.PII_BLIND_INDEX_KEYS = [NEW_INDEX_KEY, old_key]
    assert niks_in_use([identity.nik]) == {identity.nik}
    assert IdentityVerification.objects.filter(applicants_by_number(phone, path="user__")).get() == identity
    with pytest.raises(CommandError, match="still to do"):
        _reindex("--check")
    _reindex()
    _reindex("--check")

    # after: the old key is gone, and every index is the new key's
    settings.PII_BLIND_INDEX_KEYS = [NEW_INDEX_KEY]
    identity.refresh_from_db()
    assert identity.nik_digest == pii_digest(identity.nik, kind=IdentifierKind.NIK)
    assert identity.kk_digest == pii_digest(identity.kk, kind=IdentifierKind.KK)
    assert niks_in_use([identity.nik]) == {identity.nik}
    assert PhoneNumber.objects.filter(number_digest=pii_digest(phone, kind=IdentifierKind.PHONE)).exists()
    assert OtpCode.objects.filter(number_digest=pii_digest("+6285612345678", kind=IdentifierKind.PHONE)).exists()
    # the copies follow their original: the KK cap counts cards by it
    assert set(Card.objects.filter(user=journey).values_list("kk_digest", flat=True)) == {identity.kk_digest}
    assert set(Result.objects.filter(user=journey).values_list("kk_digest", flat=True)) == {identity.kk_digest}
    sms = Message.objects.filter(user=journey, channel="sms", recipient_digest__gt="")
    assert sms.exists() and {m.recipient_digest for m in sms} <= {
        pii_digest(m.recipient, kind=IdentifierKind.PHONE) for m in sms
    }


def test_no_selection_runs_while_two_index_keys_are_configured(settings):
    from tests.factories import WaveFactory

    wave = WaveFactory(closed=True)
    settings.PII_BLIND_INDEX_KEYS = [NEW_INDEX_KEY, *settings.PII_BLIND_INDEX_KEYS]

    with pytest.raises(WaveError) as refused:
        selection_run(wave=wave, acting_user=None, seed=1)

    assert refused.value.code == WaveErrorCode.BLIND_INDEX_ROTATING


# --- What an account deletion keeps, through a rotation (prakerja/crypto.py, "Seals") --------------------------
#
# A deleted recipient's retained NIK index and their card's KK index cannot be recomputed from a value the portal
# no longer holds. Found by trying it: rotate the index key after a deletion, and the recipient who came back was
# eligible again, and the family of two deleted recipients could be given a third card.

FAMILY = "3276010102150011"


def _index_key_rotated(settings) -> None:
    settings.PII_BLIND_INDEX_KEYS = [NEW_INDEX_KEY, *settings.PII_BLIND_INDEX_KEYS]
    _reindex()
    _reindex("--check")
    settings.PII_BLIND_INDEX_KEYS = [NEW_INDEX_KEY]


def _failed_rules(user) -> set[str]:
    from tests.factories import WaveFactory
    from waves.rules import rule_failures

    return {rule.code for rule in rule_failures(user_id=user.pk, wave=WaveFactory(open=True))}


def _deleted_recipient(**kwargs):
    from dukcapil.models import Resident
    from journey.services import account_delete
    from tests.factories import PASSWORD

    user = ApplicantFactory(selected=True, **kwargs)
    resident = Resident.objects.get(nik=user.identity.nik)
    account_delete(user=user, password=PASSWORD)
    return resident


def _every_stored_index() -> set[str]:
    indexes = set()
    for model in pii.reindex_order():
        for field in pii.index_fields(model):
            indexes |= set(
                model._base_manager.exclude(**{f"{field.name}__isnull": True}).values_list(field.name, flat=True)
            )
    return indexes - {""}


def test_a_deleted_recipient_who_comes_back_after_the_index_key_rotated_is_still_a_past_recipient(settings, frozen):
    from verification.models import RetainedNikIndex
    from waves.reasons import ResultReason

    resident = _deleted_recipient()
    old_index = pii_digest(resident.nik, kind=IdentifierKind.NIK)

    _index_key_rotated(settings)

    # No account holds the NIK, so its index could not follow the key: it is emptied, not left under the old key.
    assert old_index not in _every_stored_index()
    assert RetainedNikIndex.objects.get().nik_digest is None
    newcomer = ApplicantFactory(test_passed=True, resident=resident)
    assert ResultReason.PAST_RECIPIENT in _failed_rules(newcomer)
    assert RetainedNikIndex.objects.get().nik_digest == newcomer.identity.nik_digest


def test_a_recipient_who_came_back_before_the_rotation_stays_a_past_recipient_after_it(settings, frozen):
    from waves.reasons import ResultReason

    newcomer = ApplicantFactory(test_passed=True, resident=_deleted_recipient())

    _index_key_rotated(settings)

    assert ResultReason.PAST_RECIPIENT in _failed_rules(newcomer)


def test_a_family_with_two_deleted_recipients_gets_no_third_card_after_the_index_key_rotated(settings, frozen):
    from tests.factories import WaveFactory
    from waves.models import AgreementText
    from waves.reasons import ResultReason
    from waves.services import enrollment_join

    _deleted_recipient(resident__family__kk=FAMILY)
    _deleted_recipient(resident__family__kk=FAMILY)
    old_index = pii_digest(FAMILY, kind=IdentifierKind.KK)

    _index_key_rotated(settings)

    assert old_index not in _every_stored_index()
    assert set(Card.objects.values_list("kk_digest", flat=True)) == {""}
    sibling = ApplicantFactory(test_passed=True, resident__family__kk=FAMILY)
    wave = WaveFactory(open=True)
    with pytest.raises(WaveError) as refused:
        enrollment_join(user=sibling, wave=wave, agreement=AgreementText.objects.get(is_current=True))
    assert refused.value.params["rules"] == (ResultReason.KK_FULL,)
    assert set(Card.objects.values_list("kk_digest", flat=True)) == {sibling.identity.kk_digest}


def test_a_relative_registered_during_the_rotation_keeps_the_family_count(settings, frozen):
    from waves.reasons import ResultReason

    _deleted_recipient(resident__family__kk=FAMILY)
    _deleted_recipient(resident__family__kk=FAMILY)
    sibling = ApplicantFactory(test_passed=True, resident__family__kk=FAMILY)

    _index_key_rotated(settings)

    # The sibling's account holds the KK, so the cards' index moved with it to the new key.
    assert (
        set(Card.objects.values_list("kk_digest", flat=True))
        == {pii_digest(FAMILY, kind=IdentifierKind.KK)}
        == {IdentityVerification.objects.get(user=sibling).kk_digest}
    )
    assert ResultReason.KK_FULL in _failed_rules(sibling)


def test_a_new_retained_index_key_extends_the_seals_without_the_values(settings, frozen):
    from verification.models import RetainedNikIndex
    from waves.reasons import ResultReason

    resident = _deleted_recipient(resident__family__kk=FAMILY)
    settings.PII_RETAINED_INDEX_KEYS = [*settings.PII_RETAINED_INDEX_KEYS, "a-second-retained-index-key"]
    before = RetainedNikIndex.objects.get().nik_seal

    with pytest.raises(CommandError, match="still to do"):
        _reindex("--check")
    _reindex()
    _reindex("--check")

    retained, card = RetainedNikIndex.objects.get(), Card.objects.get()
    assert (retained.nik_seal_generation, card.kk_seal_generation) == (2, 2) and retained.nik_seal != before
    _index_key_rotated(settings)
    newcomer = ApplicantFactory(test_passed=True, resident=resident)
    assert ResultReason.PAST_RECIPIENT in _failed_rules(newcomer)
