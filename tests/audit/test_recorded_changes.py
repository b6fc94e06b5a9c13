"""Every staff change is in the audit log — complaint decisions, wave edits and moves, province quotas,
selection runs and voids, new versions of the legal texts — with who, their role, which record, when and from
which address (also when a service or a Celery task does the work); the schedule's own moves with no one."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from accounts.roles import Role
from assessment.models import DeclarationText
from audit.context import client_address_set
from audit.models import Action, Entry
from tests.factories import WaveFactory, enrolled_many, staff_user
from tests.helpers import login_verified
from waves.models import AgreementText, Complaint, ProvinceQuota, SelectionRun, StatementText, Wave
from waves.selection import selection_run
from waves.services import selection_queue, selections_schedule, waves_record_schedule

pytestmark = pytest.mark.django_db

ADDRESS = "36.80.1.2"


def entries(action: Action) -> list[Entry]:
    return list(Entry.objects.filter(action=action).order_by("pk"))


def the_entry(action: Action) -> Entry:
    (entry,) = entries(action)
    return entry


@pytest.fixture
def operator(client):
    user = staff_user(Role.OPERATOR)
    login_verified(client, user)
    return user


def wave_action(client, action: str, wave: Wave, **data):
    """A bulk action of the wave list, or (``buka``, ``tutup``, ``seleksi``, ``batalkan-seleksi``) the POST of the
    wave's confirmation page."""
    if action in {"buka", "tutup", "seleksi", "batalkan-seleksi"}:
        return client.post(f"/admin/waves/wave/{wave.pk}/{action}/", data, REMOTE_ADDR=ADDRESS)
    return client.post(
        "/admin/waves/wave/", {"action": action, "_selected_action": [wave.pk], **data}, REMOTE_ADDR=ADDRESS
    )


def closed_wave(**fields) -> Wave:
    """Closed yesterday, its results announced in two days."""
    return WaveFactory(opens_at=timezone.now() - timedelta(days=8), pool_unused_quota=False, **fields)


# --- Complaint decisions ------------------------------------------------------------------------------------------


@pytest.fixture
def complaint(settings, tmp_path):
    from django.core.files.base import ContentFile

    from tests.factories import ApplicantFactory
    from tests.uploads_catalogue import letter_pdf

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    complaint = Complaint(
        user=ApplicantFactory(test_passed=True),
        text=StatementText.objects.get(),
        failed_selections=3,
        letter_kind="pdf",
        letter_bytes=len(letter_pdf()),
        submitted_at=timezone.now(),
    )
    complaint.letter.save("surat", ContentFile(letter_pdf()), save=False)
    complaint.save()
    return complaint


@pytest.mark.parametrize(
    ("action", "decision", "recorded"),
    [("approve", "approved", {}), ("reject", "rejected", {"reason": "lainnya"})],
)
def test_a_complaint_decision_is_recorded_without_its_reason(client, complaint, action, decision, recorded):
    """The reviewer's words may name the applicant, so only the reason's code is recorded."""
    reviewer = staff_user(Role.REVIEWER)
    login_verified(client, reviewer)
    reason = f"Nama di surat bukan {complaint.user.personal_data.full_name}."

    client.post(
        "/admin/waves/complaint/",
        {
            "action": action,
            "_selected_action": [complaint.pk],
            "confirm": "yes",
            "rejection": "lainnya",
            "reason": reason,
        },
        REMOTE_ADDR=ADDRESS,
    )

    assert Complaint.objects.get().status == decision
    entry = the_entry(Action.COMPLAINT_DECIDE)
    assert (entry.acting_user, entry.roles, entry.client_address) == (reviewer, Role.REVIEWER, ADDRESS)
    assert (entry.target_type, entry.target_id) == ("waves.complaint", str(complaint.pk))
    assert entry.details == {"decision": decision, **recorded}


def test_a_decision_from_the_workbench_is_recorded(client, complaint):
    reviewer = staff_user(Role.REVIEWER)
    login_verified(client, reviewer)

    client.post(
        f"/admin/waves/complaint/{complaint.pk}/putuskan/",
        {"decision": "reject", "rejection": "unsigned", "checklist": ["meterai", "name_matches"]},
        REMOTE_ADDR=ADDRESS,
    )

    entry = the_entry(Action.COMPLAINT_DECIDE)
    assert (entry.acting_user, entry.roles, entry.client_address) == (reviewer, Role.REVIEWER, ADDRESS)
    assert entry.details == {"decision": "rejected", "reason": "unsigned"}


# --- Waves: edits, quotas, publishing, moves ----------------------------------------------------------------------


class FormFields(HTMLParser):
    """What a browser would post from the first form on a page whose id is ``form_id``."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in {"submit", "button", "file"} or (kind in {"checkbox", "radio"} and "checked" not in attributes):
                return
            self.data[name] = attributes.get("value", "on")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.data[self._select] = attributes.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data: str) -> None:
        if self.inside and self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        self._select = None if tag == "select" else self._select
        self._textarea = None if tag == "textarea" else self._textarea


def form_data(html: str, form_id: str) -> dict[str, str]:
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.data


def test_editing_a_wave_and_its_province_quotas_records_each_change_from_what_to_what(client, operator):
    wave = WaveFactory(province_quotas={"32": 100, "31": 50}, draft=True)
    url = f"/admin/waves/wave/{wave.pk}/change/"
    data = form_data(client.get(url).content.decode(), "wave_form")
    rows = {data[f"province_quotas-{n}-province"]: n for n in range(int(data["province_quotas-TOTAL_FORMS"]))}
    jabar, jakarta = ProvinceQuota.objects.get(province_id="32"), ProvinceQuota.objects.get(province_id="31")

    data.update(
        {
            "quota": "130",
            f"province_quotas-{rows['32']}-quota": "120",
            f"province_quotas-{rows['31']}-DELETE": "on",
            "province_quotas-2-province": "33",
            "province_quotas-2-quota": "10",
            "province_quotas-2-wave": str(wave.pk),
            "province_quotas-TOTAL_FORMS": "3",
        }
    )
    response = client.post(url, data, REMOTE_ADDR=ADDRESS)

    assert response.status_code == 302, response.content.decode()[:3000]
    edit = the_entry(Action.WAVE_CHANGE)
    assert (edit.acting_user, edit.roles, edit.client_address) == (operator, Role.OPERATOR, ADDRESS)
    assert (edit.target_type, edit.target_id, edit.details) == (
        "waves.wave",
        str(wave.pk),
        {"fields": {"quota": [150, 130]}},
    )
    added = ProvinceQuota.objects.get(province_id="33")
    quotas = {entry.target_id: entry.details for entry in entries(Action.QUOTA_CHANGE)}
    assert quotas == {
        str(jabar.pk): {"wave": wave.pk, "province": "32", "from": 100, "to": 120},
        str(jakarta.pk): {"wave": wave.pk, "province": "31", "from": 50, "to": None},
        str(added.pk): {"wave": wave.pk, "province": "33", "from": None, "to": 10},
    }
    assert {entry.target_type for entry in entries(Action.QUOTA_CHANGE)} == {"waves.provincequota"}
    assert {entry.client_address for entry in entries(Action.QUOTA_CHANGE)} == {ADDRESS}


def test_adding_a_wave_records_its_fields_and_each_province_quota(client, operator):
    data = form_data(client.get("/admin/waves/wave/add/").content.decode(), "wave_form")
    data.update(
        {
            "number": "9",
            "name": "Gelombang 9",
            "opens_at_0": "2027-01-04",
            "opens_at_1": "09:00:00",
            "closes_at_0": "2027-01-11",
            "closes_at_1": "09:00:00",
            "announce_at_0": "2027-01-14",
            "announce_at_1": "09:00:00",
            "quota": "10",
            "province_quotas-0-province": "32",
            "province_quotas-0-quota": "10",
            "province_quotas-TOTAL_FORMS": "1",
        }
    )

    response = client.post("/admin/waves/wave/add/", data, REMOTE_ADDR=ADDRESS)

    assert response.status_code == 302, response.content.decode()[:3000]
    wave = Wave.objects.get(number=9)
    created = the_entry(Action.WAVE_CHANGE)
    assert (created.acting_user, created.target_id) == (operator, str(wave.pk))
    assert created.details["fields"]["quota"] == [None, 10] and created.details["fields"]["name"] == [
        None,
        "Gelombang 9",
    ]
    quota = the_entry(Action.QUOTA_CHANGE)
    assert quota.target_id == str(wave.province_quotas.get().pk)
    assert quota.details == {"wave": wave.pk, "province": "32", "from": None, "to": 10}


def test_publishing_and_opening_and_closing_a_wave_now_are_recorded(client, operator):
    wave = WaveFactory(opens_at=timezone.now() + timedelta(days=3), draft=True)

    wave_action(client, "publish", wave)
    wave_action(client, "buka", wave)
    wave_action(client, "tutup", wave)

    publish = the_entry(Action.WAVE_PUBLISH)
    assert (publish.acting_user, publish.client_address, publish.target_id) == (operator, ADDRESS, str(wave.pk))
    opened, closed = entries(Action.WAVE_MOVE)
    assert (opened.details["from"], opened.details["to"]) == ("draft", "open")
    assert (closed.details["from"], closed.details["to"]) == ("open", "closed")
    assert {opened.acting_user, closed.acting_user} == {operator}
    assert {opened.roles, closed.roles} == {Role.OPERATOR}
    assert {opened.client_address, closed.client_address} == {ADDRESS}
    assert opened.details["event"] == wave.events.get(to_status="open").pk


def test_the_schedules_moves_are_recorded_with_no_one_acting_and_no_address():
    wave = WaveFactory(opens_at=timezone.now() - timedelta(days=12))  # opened and closed by time

    waves_record_schedule()

    moves = entries(Action.WAVE_MOVE)
    assert [(entry.details["from"], entry.details["to"]) for entry in moves] == [("draft", "open"), ("open", "closed")]
    assert {(entry.acting_user, entry.roles, entry.client_address) for entry in moves} == {(None, "", None)}
    assert {entry.target_id for entry in moves} == {str(wave.pk)}


# --- Selections -----------------------------------------------------------------------------------------------


def test_a_selection_run_from_the_admin_records_its_queueing_start_and_end_as_the_operators(
    client, operator, django_capture_on_commit_callbacks
):
    wave = closed_wave(province_quotas={"32": 2})
    enrolled_many(wave, 5, provinces=("32",))

    with django_capture_on_commit_callbacks(execute=True):
        wave_action(client, "seleksi", wave)

    run = SelectionRun.objects.get()
    queued, started, ended = (
        the_entry(Action.SELECTION_QUEUE),
        the_entry(Action.SELECTION_START),
        the_entry(Action.SELECTION_END),
    )
    assert (queued.target_type, queued.target_id) == ("waves.wave", str(wave.pk))
    assert (
        (started.target_type, started.target_id)
        == (ended.target_type, ended.target_id)
        == (
            "waves.selectionrun",
            str(run.pk),
        )
    )
    assert ended.details == {"wave": wave.pk, "status": "succeeded", "selected": 2}
    # The run happened in a task; it still names the operator and the address they queued it from.
    for entry in (queued, started, ended):
        assert (entry.acting_user, entry.roles, entry.client_address) == (operator, Role.OPERATOR, ADDRESS)
    moves = [(entry.details["from"], entry.details["to"]) for entry in entries(Action.WAVE_MOVE)]
    assert ("closed", "selecting") in moves and ("selecting", "selected") in moves


def test_the_queued_task_carries_the_operators_address_to_the_worker(django_capture_on_commit_callbacks):
    operator = staff_user(Role.OPERATOR)
    wave = closed_wave(province_quotas={"32": 1})

    with django_capture_on_commit_callbacks() as callbacks, client_address_set(ADDRESS):
        assert selection_queue(wave=wave, acting_user=operator)
    for callback in callbacks:
        callback()  # as a worker runs it: no request, no address of its own

    started, ended = the_entry(Action.SELECTION_START), the_entry(Action.SELECTION_END)
    assert (
        (started.acting_user, started.client_address)
        == (ended.acting_user, ended.client_address)
        == (
            operator,
            ADDRESS,
        )
    )


def test_a_selection_the_schedule_queues_is_recorded_with_no_one_acting(django_capture_on_commit_callbacks):
    wave = closed_wave(province_quotas={"32": 1})

    with django_capture_on_commit_callbacks(execute=True):
        assert selections_schedule() == [wave.pk]

    for action in (Action.SELECTION_QUEUE, Action.SELECTION_START, Action.SELECTION_END):
        entry = the_entry(action)
        assert (entry.acting_user, entry.client_address) == (None, None), action


@pytest.mark.django_db(transaction=True)
def test_a_run_that_is_interrupted_records_its_end_as_interrupted():
    wave = closed_wave(province_quotas={"32": 1})
    enrolled_many(wave, 3, provinces=("32",))

    def interrupt(progress):
        if progress.current == "cards":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        selection_run(wave=wave, acting_user=None, seed=1, on_progress=interrupt)

    run = SelectionRun.objects.get()
    ended = the_entry(Action.SELECTION_END)
    assert (ended.target_id, ended.details) == (str(run.pk), {"wave": wave.pk, "status": "interrupted"})
    assert the_entry(Action.SELECTION_START).target_id == str(run.pk)
    moves = [(entry.details["from"], entry.details["to"]) for entry in entries(Action.WAVE_MOVE)]
    assert moves[-2:] == [("closed", "selecting"), ("selecting", "closed")]


def test_voiding_a_run_is_recorded(client, operator):
    wave = closed_wave(province_quotas={"32": 1})
    enrolled_many(wave, 2, provinces=("32",))
    run = selection_run(wave=wave, acting_user=None, seed=1)

    wave_action(client, "batalkan-seleksi", wave)

    void = the_entry(Action.SELECTION_VOID)
    assert (void.acting_user, void.roles, void.client_address) == (operator, Role.OPERATOR, ADDRESS)
    assert (void.target_type, void.target_id, void.details) == ("waves.selectionrun", str(run.pk), {"wave": wave.pk})
    last_move = entries(Action.WAVE_MOVE)[-1]
    assert (last_move.acting_user, last_move.details["from"], last_move.details["to"]) == (
        operator,
        "selected",
        "closed",
    )


# --- Legal texts ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "path", "fields"),
    [
        (AgreementText, "waves/agreementtext", {"title": "Persetujuan", "clauses": "Saya setuju."}),
        (StatementText, "waves/statementtext", {"title": "Surat", "opening": "Yang bertanda tangan:", "body": "Isi."}),
        (
            DeclarationText,
            "assessment/declarationtext",
            {"title": "Pernyataan", "intro": "Saya menyatakan:", "clauses": "Benar."},
        ),
    ],
    ids=["agreement", "statement", "declaration"],
)
def test_publishing_a_new_version_of_a_legal_text_is_recorded(client, operator, model, path, fields):
    response = client.post(f"/admin/{path}/add/", fields, REMOTE_ADDR=ADDRESS)

    assert response.status_code == 302
    text = model.objects.get(is_current=True)
    entry = the_entry(Action.TEXT_PUBLISH)
    assert (entry.acting_user, entry.roles, entry.client_address) == (operator, Role.OPERATOR, ADDRESS)
    assert (entry.target_type, entry.target_id) == (model._meta.label_lower, str(text.pk))
    assert entry.details == {"version": text.version}
