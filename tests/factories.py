import factory
from django.utils import timezone

from accounts.models import User

PASSWORD = "Rahasia-Kuat-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"pendaftar{n}@contoh.id")
    password = factory.django.Password(PASSWORD)
    email_verified_at = None

    class Params:
        verified = factory.Trait(email_verified_at=factory.LazyFunction(timezone.now))
