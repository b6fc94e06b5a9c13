"""The first version of the "gagal 3 kali" statement's text, and the reviewers' group (DESIGN §5).

The group holds only what reviewing needs: seeing complaints (and, through them, the signed letter) and
deciding them. It cannot edit complaints or see anything else in the admin; a reviewer account is staff and a
member of this group, nothing more. Later versions of the text are added by staff in the admin.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.utils import timezone

REVIEWERS_GROUP = "Peninjau pengaduan"
REVIEWER_PERMISSIONS = ("view_complaint", "review_complaint")

TITLE = "Surat Pernyataan Gagal Seleksi Kartu Prakerja 3 Kali"
OPENING = "Yang bertanda tangan di bawah ini:"
BODY = (
    "Dengan ini menyatakan bahwa saya telah mendaftar Program Kartu Prakerja dan mengikuti seleksi pada gelombang "
    "di atas, tetapi belum berhasil menjadi penerima Kartu Prakerja.\n"
    "Saya menyatakan bahwa seluruh data yang saya sampaikan dalam pendaftaran dan dalam surat ini benar, bahwa saya "
    "tidak sedang menempuh pendidikan formal, dan bahwa saya bukan pejabat negara, pimpinan atau anggota DPR/DPRD, "
    "Aparatur Sipil Negara, prajurit TNI, anggota Polri, kepala desa atau perangkat desa, maupun direksi, "
    "komisaris, atau dewan pengawas BUMN/BUMD.\n"
    "Dengan surat ini saya memohon agar Manajemen Pelaksana Program Kartu Prakerja meninjau pendaftaran saya untuk "
    "seleksi gelombang berikutnya.\n"
    "Apabila di kemudian hari pernyataan ini terbukti tidak benar, saya bersedia kepesertaan saya dibatalkan, "
    "mengembalikan seluruh bantuan yang telah saya terima, dan menerima sanksi sesuai peraturan "
    "perundang-undangan.\n"
    "Demikian surat pernyataan ini saya buat dengan sebenar-benarnya, dalam keadaan sadar dan tanpa paksaan dari "
    "pihak mana pun."
)


def forwards(apps, schema_editor):
    StatementText = apps.get_model("waves", "StatementText")
    if not StatementText.objects.exists():
        StatementText.objects.create(
            version=1, title=TITLE, opening=OPENING, body=BODY, published_at=timezone.now(), is_current=True
        )
    # Permissions are normally created after all migrations; the group needs them now. (The real app config
    # gets past create_permissions' "has models" check; the models it reads are this migration's.)
    create_permissions(global_apps.get_app_config("waves"), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=REVIEWERS_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label="waves", codename__in=REVIEWER_PERMISSIONS))


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=REVIEWERS_GROUP).delete()
    apps.get_model("waves", "StatementText").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("waves", "0006_complaint"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(forwards, backwards)]
