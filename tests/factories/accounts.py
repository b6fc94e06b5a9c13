"""Accounts: an account with a known password, and staff in a role's group."""

import factory
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role

PASSWORD = "Rahasia-Kuat-2026"


class UserFactory(factory.django.DjangoModelFactory):
    """An account and nothing more (``verified=True``: its email verified). An applicant who has taken steps of
    the journey is an ApplicantFactory."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"pendaftar{n}@contoh.id")
    password = factory.django.Password(PASSWORD)
    email_verified_at = None

    class Params:
        verified = factory.Trait(email_verified_at=factory.LazyFunction(timezone.now))


def staff_user(role: Role | None, **fields) -> User:
    """A staff account in ``role``'s group (none: staff with no group, who sees nothing behind the admin's door)."""
    from django.contrib.auth.models import Group

    user = UserFactory(verified=True, is_staff=True, **fields)
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    return user


def reviewer(**fields) -> User:
    """A reviewer of "gagal 3 kali" complaints."""
    return staff_user(Role.REVIEWER, **fields)
