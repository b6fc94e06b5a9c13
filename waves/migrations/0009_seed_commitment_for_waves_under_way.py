from django.db import migrations
from django.db.models import Exists, OuterRef
from django.utils import timezone


def commit(apps, schema_editor) -> None:
    """Waves published or open when seeds began to be committed get one now, before they close: their selection
    then uses a seed the public saw committed (later than their opening, which the public page shows), rather
    than one drawn at selection time. Closed waves are left without: a commitment after the close proves
    nothing."""
    from waves.lottery import seed_commitment, seed_new

    Wave = apps.get_model("waves", "Wave")
    SeedCommitment = apps.get_model("waves", "SeedCommitment")
    now = timezone.now()
    under_way = Wave.objects.filter(status__in=["draft", "open"], published_at__isnull=False, closes_at__gt=now)
    current = SeedCommitment.objects.filter(wave=OuterRef("pk"), voided_at__isnull=True)
    for wave in under_way.exclude(Exists(current)):
        seed = seed_new()
        SeedCommitment.objects.create(wave=wave, seed=seed, commitment=seed_commitment(seed), committed_at=now)


class Migration(migrations.Migration):
    dependencies = [("waves", "0008_seed_commitment")]

    operations = [migrations.RunPython(commit, migrations.RunPython.noop, elidable=True)]
