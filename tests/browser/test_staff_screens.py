"""Staff pages fit a 1366 × 768 laptop screen, the operators' and reviewers' usual one: no sideways scrolling on
the lists, a wave's page, a run's page, the confirmation pages and the reviewer's workbench."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from tests.browser.actions import csp_watch
from tests.factories import ComplaintFactory, WaveFactory, enrolled_many
from tests.helpers import login_verified
from waves.models import SelectionRun
from waves.selection import selection_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_pages_fit_a_1366_pixel_screen(browser, live_server, private_media):
    quotas = dict.fromkeys(("11", "12", "13", "31", "32", "33", "35", "51", "73", "94"), 164000)
    wave = WaveFactory(
        opens_at=timezone.now() - timedelta(days=8),
        name="Gelombang dengan nama yang cukup panjang untuk diuji",
        province_quotas=quotas,
        pool_unused_quota=False,
    )
    enrolled_many(wave, 30, provinces=("32", "33", "51"))
    selection_run(wave=wave, acting_user=None, seed=1)
    WaveFactory(number=2, open=True)
    complaint = ComplaintFactory()
    superuser = get_user_model().objects.create_superuser(email="super@contoh.id", password="Rahasia-Kuat-2026")
    client = Client()
    login_verified(client, superuser)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 768})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    violations = csp_watch(page)
    run = SelectionRun.objects.get()

    too_wide = {}
    for url in [
        "/admin/waves/wave/",
        f"/admin/waves/wave/{wave.pk}/change/",
        f"/admin/waves/wave/{wave.pk}/batalkan-seleksi/",
        "/admin/waves/selectionrun/",
        f"/admin/waves/selectionrun/{run.pk}/change/",
        "/admin/waves/complaint/",
        f"/admin/waves/complaint/{complaint.pk}/change/",
    ]:
        assert page.goto(url).ok, url
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 1366:
            too_wide[url] = width
    context.close()

    assert not too_wide, too_wide
    assert not violations, violations
