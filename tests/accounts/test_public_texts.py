"""The Kebijakan Privasi and the Syarat dan Ketentuan (issue #15): public pages showing the current version,
versioned like the other legal texts, linked from the footer of every page."""

import pytest
from django.utils import timezone

from accounts.legal_texts import PRIVACY_BODY, PRIVACY_BODY_V2, privacy_policy_v2_publish
from accounts.models import PrivacyPolicyText, TermsText
from accounts.services import privacy_policy_text_publish, terms_text_publish
from prakerja.markup import legal_text_html

pytestmark = pytest.mark.django_db

PAGES = [
    pytest.param("/kebijakan-privasi/", PrivacyPolicyText, privacy_policy_text_publish, id="privacy"),
    pytest.param("/syarat-dan-ketentuan/", TermsText, terms_text_publish, id="terms"),
]


@pytest.mark.parametrize(("url", "model", "publish"), PAGES)
def test_a_visitor_reads_the_current_version_with_its_number_and_date(client, url, model, publish):
    current = model.objects.get(is_current=True)

    html = client.get(url).content.decode()

    assert current.title in html
    assert f'data-version="{current.version}"' in html
    assert f"Versi {current.version} · berlaku sejak" in html
    assert timezone.localtime(current.published_at).strftime("%Y") in html
    assert '<h2 class="h5 mt-4">1. ' in html  # the body's sections are headings


@pytest.mark.parametrize(("url", "model", "publish"), PAGES)
def test_a_new_version_replaces_the_old_one_on_the_page_at_once(client, url, model, publish):
    before = model.objects.get(is_current=True)
    publish(title="Versi Baru", body="## Bagian\nIsi yang baru.")

    html = client.get(url).content.decode()

    assert f'data-version="{before.version + 1}"' in html and "Versi Baru" in html and "Isi yang baru." in html
    assert model.objects.get(pk=before.pk).is_current is False


@pytest.mark.parametrize(("url", "model", "publish"), PAGES)
def test_without_any_published_version_the_page_is_not_found(client, url, model, publish):
    model.objects.update(is_current=False)

    assert client.get(url).status_code == 404


def test_the_privacy_policy_names_the_law_the_data_and_the_applicants_rights():
    body = PrivacyPolicyText.objects.get(is_current=True).body

    assert "Nomor 27 Tahun 2022" in body
    for held in (
        "NIK",
        "Kartu Keluarga",
        "nama ibu kandung",
        "alamat",
        "tanggal lahir",
        "Nomor HP",
        "email",
        "Foto KTP",
    ):
        assert held.lower() in body.lower(), held
    assert "](/dashboard/data-saya/)" in body and "](/dashboard/hapus-akun/)" in body
    assert "Berapa lama" in body and "7 hari" in body and "30 hari" in body


def test_the_privacy_policy_links_the_applicants_own_data_pages(client):
    html = client.get("/kebijakan-privasi/").content.decode()

    assert '<a href="/dashboard/data-saya/">Data saya</a>' in html
    assert '<a href="/dashboard/hapus-akun/">Hapus akun</a>' in html


def test_the_privacy_policy_says_what_data_saya_shows_and_what_a_deletion_leaves(client, applicant):
    # Version 1 said the NIK and KK were shown in full on Data saya; the page masks them like every other.
    current = PrivacyPolicyText.objects.get(is_current=True)
    assert current.version == 2 and current.body == PRIVACY_BODY_V2
    assert "ditampilkan lengkap di halaman [Data saya]" not in current.body
    assert "termasuk [Data saya](/dashboard/data-saya/), NIK dan nomor KK disamarkan" in current.body
    assert "hanya tertulis lengkap di berkas unduhan" in current.body
    # What a deleted recipient leaves behind (docs/PRIVACY.md): keyed hashes of the NIK and KK, nothing readable.
    assert "sidik berkunci (hash HMAC) dari NIK dan nomor KK" in current.body
    assert PrivacyPolicyText.objects.get(version=1).body == PRIVACY_BODY


def test_the_second_privacy_policy_is_not_published_over_a_newer_one_of_the_deployments():
    from django.apps import apps

    privacy_policy_text_publish(title="Kebijakan Privasi", body="## 1. Versi kami sendiri")
    PrivacyPolicyText.objects.filter(body=PRIVACY_BODY_V2).delete()
    ours = PrivacyPolicyText.objects.get(is_current=True)

    privacy_policy_v2_publish(apps)
    privacy_policy_v2_publish(apps)

    assert PrivacyPolicyText.objects.get(is_current=True) == ours
    assert not PrivacyPolicyText.objects.filter(body=PRIVACY_BODY_V2).exists()


def test_the_terms_say_one_account_per_nik_and_honest_data():
    body = TermsText.objects.get(version=1).body

    assert "Satu NIK hanya dapat dipakai oleh satu akun" in body
    assert "Data yang jujur" in body


@pytest.mark.parametrize("url", ["/", "/daftar/", "/masuk/"])
def test_every_page_links_both_texts_from_its_footer(client, url):
    html = client.get(url).content.decode()
    footer = html[html.index("<footer") :]

    assert 'href="/kebijakan-privasi/"' in footer and 'href="/syarat-dan-ketentuan/"' in footer


def test_the_pages_are_translated_around_the_text(client):
    client.cookies["prakerja_language"] = "en"

    html = client.get("/syarat-dan-ketentuan/").content.decode()

    assert "Version 1 · in force since" in html
    assert "Privacy Policy" in html  # the footer


@pytest.mark.parametrize(
    ("url", "model", "changelist"),
    [
        ("/kebijakan-privasi/", PrivacyPolicyText, "/admin/accounts/privacypolicytext/"),
        ("/syarat-dan-ketentuan/", TermsText, "/admin/accounts/termstext/"),
    ],
)
def test_staff_publish_a_version_in_the_admin_and_cannot_edit_a_published_one(
    admin_client, client, url, model, changelist
):
    v1 = model.objects.get(version=1)

    added = admin_client.post(f"{changelist}add/", {"title": "  Versi 2027  ", "body": "Isi baru."})
    edit = admin_client.post(f"{changelist}{v1.pk}/change/", {"title": "diubah diam-diam", "body": "x"})
    delete = admin_client.post(f"{changelist}{v1.pk}/delete/", {"post": "yes"})

    assert added.status_code == 302
    assert edit.status_code == 403 and delete.status_code == 403
    assert model.objects.get(is_current=True).title == "Versi 2027"
    assert model.objects.get(version=1).title == v1.title
    assert "Versi 2027" in client.get(url).content.decode()


# --- The markup staff write the texts in ----------------------------------------------------------------


def test_the_markup_makes_headings_paragraphs_lists_and_links():
    html = legal_text_html(
        "Pembuka.\n## 1. Bagian\n- satu\n- dua [Data saya](/dashboard/data-saya/)\nPenutup, [surat](mailto:a@b.id)."
    )

    assert html == (
        "<p>Pembuka.</p>\n"
        '<h2 class="h5 mt-4">1. Bagian</h2>\n'
        '<ul><li>satu</li><li>dua <a href="/dashboard/data-saya/">Data saya</a></li></ul>\n'
        '<p>Penutup, <a href="mailto:a@b.id">surat</a>.</p>'
    )


@pytest.mark.parametrize(
    "line",
    [
        '<script>alert("x")</script>',
        "[klik](javascript:alert(1))",
        '[klik](/a"onmouseover="x)',
        "[klik](//evil.example/)",
    ],
)
def test_the_markup_never_lets_markup_or_a_script_link_through(line):
    html = legal_text_html(line)

    assert "<script" not in html and "<b>" not in html
    assert "<a " not in html  # none of these is a link the markup accepts


def test_the_words_of_a_link_are_text():
    assert legal_text_html("[<b>tebal</b>](/dashboard/)") == '<p><a href="/dashboard/">&lt;b&gt;tebal&lt;/b&gt;</a></p>'
