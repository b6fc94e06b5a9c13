from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.text import text_clean


def normalize_email(email: str) -> str:
    """One spelling per address: emails are unique without regard to case, so they are stored lowercase, and
    without invisible characters (Django's validator lets zero-width ones through in the domain), so no
    address can read exactly like another's."""
    return text_clean(email or "").lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email=normalize_email(username))

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        if not email:
            raise ValueError("email is required")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("email_verified_at", timezone.now())
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with a login. Applicants, reviewers and operators are all users; staff flags tell them apart."""

    email = models.EmailField(_("email"), max_length=254, unique=True)
    email_verified_at = models.DateTimeField(_("email terverifikasi pada"), null=True, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    is_staff = models.BooleanField(_("staf"), default=False)
    date_joined = models.DateTimeField(_("tanggal daftar"), default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        constraints = [
            # The application stores emails lowercase; this guards the rule against any other writer.
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None
