import pytest
from django.urls import reverse

from regions.models import District, Province, Regency
from regions.selectors import district_list, province_list, regency_list, region_code_exists
from regions.services import regions_load
from tests.data_migrations import data_migration_run

pytestmark = pytest.mark.django_db

KEMENDAGRI_2025_COUNTS = (38, 514, 7285)


def _counts() -> tuple[int, int, int]:
    return Province.objects.count(), Regency.objects.count(), District.objects.count()


def _snapshot() -> tuple[list, list, list]:
    return (
        list(Province.objects.values_list("code", "name")),
        list(Regency.objects.values_list("code", "province_id", "name", "kind")),
        list(District.objects.values_list("code", "regency_id", "name")),
    )


def test_the_migration_loads_38_provinces_514_regencies_and_7285_districts():
    assert _counts() == KEMENDAGRI_2025_COUNTS


def test_kota_depok_is_a_kota_in_jawa_barat():
    depok = Regency.objects.select_related("province").get(code="32.76")

    assert str(depok) == "Kota Depok"
    assert depok.province.name == "Jawa Barat"
    assert depok.kind == Regency.Kind.KOTA
    assert depok.digits == "3276"


def test_regency_kind_follows_the_kabupaten_or_kota_prefix_including_jakarta_administrative_ones():
    assert Regency.objects.get(code="32.01").kind == Regency.Kind.KABUPATEN  # Kabupaten Bogor
    assert Regency.objects.get(code="31.01").kind == Regency.Kind.KABUPATEN  # Kab. Adm. Kepulauan Seribu
    assert Regency.objects.get(code="31.71").kind == Regency.Kind.KOTA  # Kota Adm. Jakarta Pusat
    assert Regency.objects.filter(kind=Regency.Kind.KABUPATEN).count() == 416
    assert Regency.objects.filter(kind=Regency.Kind.KOTA).count() == 98


def test_every_region_hangs_under_the_parent_its_code_names():
    assert all(r.code.startswith(r.province_id + ".") for r in Regency.objects.all())
    assert all(d.code.startswith(d.regency_id + ".") for d in District.objects.all())


def test_loading_twice_changes_nothing():
    before = _snapshot()

    assert regions_load() == KEMENDAGRI_2025_COUNTS
    assert regions_load() == KEMENDAGRI_2025_COUNTS

    assert _snapshot() == before


def test_loading_restores_the_regions_after_the_tables_were_emptied():
    # Given the tables emptied, as Django's flush leaves them after a transactional test
    District.objects.all().delete()
    Regency.objects.all().delete()
    Province.objects.all().delete()
    assert _counts() == (0, 0, 0)

    # When
    regions_load()

    # Then
    assert _counts() == KEMENDAGRI_2025_COUNTS
    assert Regency.objects.get(code="32.76").name == "Kota Depok"


def test_loading_puts_back_the_official_name_of_an_existing_code():
    District.objects.filter(code="32.76.01").update(name="Nama Lama")

    regions_load()

    assert District.objects.get(code="32.76.01").name == "Pancoran Mas"


def test_the_data_migration_runs_with_historical_models_and_can_be_reversed():
    data_migration_run("regions", "0002_load_regions", backwards=True)
    assert _counts() == (0, 0, 0)

    data_migration_run("regions", "0002_load_regions")
    assert _counts() == KEMENDAGRI_2025_COUNTS


def test_selectors_list_each_level_in_code_order():
    provinces = list(province_list())
    regencies = list(regency_list(province_code="32"))
    districts = list(district_list(regency_code="32.76"))

    assert len(provinces) == 38
    assert [p.code for p in provinces] == sorted(p.code for p in provinces)
    assert (provinces[0].code, provinces[0].name) == ("11", "Aceh")

    assert {r.province_id for r in regencies} == {"32"}
    assert [r.code for r in regencies] == sorted(r.code for r in regencies)
    assert "Kota Depok" in [r.name for r in regencies]

    assert [d.code for d in districts] == [f"32.76.{n:02}" for n in range(1, 12)]
    assert districts[0].name == "Pancoran Mas"


def test_selectors_return_nothing_for_an_unknown_parent():
    assert list(regency_list(province_code="99")) == []
    assert list(district_list(regency_code="32.99")) == []


@pytest.mark.parametrize(
    ("code_digits", "exists"),
    [
        ("32", True),
        ("3276", True),
        ("327601", True),
        ("3299", False),
        ("99", False),
        ("329901", False),
        ("", False),
        ("3", False),
        ("327", False),
        ("32760101", False),
        ("32.76", False),
        ("３２", False),  # full-width digits pass str.isdigit() but are no region code
    ],
)
def test_region_code_exists_for_undotted_province_regency_and_district_codes(
    code_digits, exists, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1):
        assert region_code_exists(code_digits) is exists


@pytest.mark.parametrize("model", [Province, Regency, District])
def test_the_admin_lists_regions_for_a_superuser_without_letting_anyone_add_change_or_delete(admin_client, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    response = admin_client.get(changelist)

    assert response.status_code == 200
    assert response.context["has_add_permission"] is False
    assert admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
    first = model.objects.first()
    change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
    assert admin_client.get(change_url).status_code == 200  # a read-only view
    assert admin_client.post(change_url, {"name": "Diubah"}).status_code == 403
    delete_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[first.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=first.pk).exists()


def test_the_admin_finds_regions_by_code_prefix_and_filters_districts_by_province(admin_client):
    regencies = admin_client.get(reverse("admin:regions_regency_changelist"), {"q": "32.76"})
    districts = admin_client.get(
        reverse("admin:regions_district_changelist"), {"regency__province__code__exact": "32", "q": "Beji"}
    )

    assert [r.code for r in regencies.context["cl"].result_list] == ["32.76"]
    assert [d.code for d in districts.context["cl"].result_list] == ["32.76.06"]


@pytest.mark.django_db
def test_a_nik_region_from_before_the_papua_split_is_still_valid():
    from regions.selectors import nik_region_exists

    assert nik_region_exists("930101")  # Merauke today
    assert nik_region_exists("910101")  # Merauke before 2022: NIKs keep their code
    assert nik_region_exists("920101") is nik_region_exists("960101")  # Sorong, moved to Papua Barat Daya
    assert not nik_region_exists("910199")  # no such district under Merauke, then or now
    assert not nik_region_exists("990101")
    assert not nik_region_exists("91010")


@pytest.mark.django_db
def test_every_moved_regency_points_at_a_regency_that_exists_and_its_old_code_is_gone():
    from regions.historical import MOVED_REGENCIES
    from regions.models import Regency

    current = set(Regency.objects.values_list("code", flat=True))
    for old, (new, _law) in MOVED_REGENCIES.items():
        assert new in current, new
        assert old not in current, old
