from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
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
    # The versions ticked at sign-up ("Saya menyetujui Syarat dan Ketentuan dan Kebijakan Privasi"), as a
    # declaration records its text: a later version does not change what this applicant agreed to. Empty for
    # accounts made otherwise (staff, management commands). No index: nothing looks accounts up by version, and
    # a published version is never deleted (the PROTECT is a guard, not a path).
    privacy_policy_text = models.ForeignKey(
        "PrivacyPolicyText",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("Kebijakan Privasi yang disetujui"),
    )
    terms_text = models.ForeignKey(
        "TermsText",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("Syarat dan Ketentuan yang disetujui"),
    )

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
        indexes = [
            # Retention's purge of never-verified accounts (services.unverified_accounts_purge), oldest first.
            # Partial: it holds only accounts still unverified, a small share that leaves it on verification.
            models.Index(
                fields=["date_joined"], condition=Q(email_verified_at__isnull=True), name="accounts_user_unverified_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    # Django keys each session to this hash and ends the session when it no longer matches. Django's own
    # covers the password only; an account's email is as much its key (logins, codes, reset links go there),
    # so a change of either ends every session made before it. The session that made the change keeps going
    # with ``update_session_auth_hash``.
    SESSION_AUTH_HASH_SALT = "accounts.User.get_session_auth_hash"

    def _session_auth_hash(self, secret: str | None = None) -> str:
        return salted_hmac(
            self.SESSION_AUTH_HASH_SALT, f"{self.password}\n{self.email}", secret=secret, algorithm="sha256"
        ).hexdigest()

    def get_session_auth_hash(self) -> str:
        return self._session_auth_hash()

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_auth_hash(secret=secret)


class LoginCode(models.Model):
    """A code emailed when an account under attack logs in from a browser it does not know ("Kode masuk").

    Stored as a keyed hash bound to the row and the account, valid LOGIN_CODE_VALIDITY, single use, void
    after LOGIN_CODE_MAX_GUESSES wrong entries. Each login attempt has its own code, so the codes other
    people's attempts cause never void the owner's.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_codes", verbose_name=_("pengguna"))
    code_hash = models.CharField(_("hash kode"), max_length=64)
    created_at = models.DateTimeField(_("dibuat pada"))
    expires_at = models.DateTimeField(_("kedaluwarsa pada"))
    wrong_guesses = models.PositiveSmallIntegerField(_("tebakan salah"), default=0)
    used_at = models.DateTimeField(_("dipakai pada"), null=True, blank=True)
    voided_at = models.DateTimeField(_("dibatalkan pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("kode masuk")
        verbose_name_plural = _("kode masuk")
        indexes = [
            # The hourly cap counts an account's codes by creation time.
            models.Index(fields=["user", "created_at"], name="accounts_logincode_user_idx"),
        ]

    def __str__(self) -> str:
        return f"Kode masuk #{self.pk}"


class EmailChange(models.Model):
    """A request to move the account to another email ("Ganti email"), waiting for the link sent there.

    The account keeps its email until that link is opened (accounts/tokens.py: signed, expiring, bound to
    the account's email and password as they were). A newer request voids this one. Both addresses are kept
    so that support can trace a takeover; the rows go with the account.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes", verbose_name=_("pengguna"))
    old_email = models.EmailField(_("email lama"), max_length=254)
    new_email = models.EmailField(_("email baru"), max_length=254)
    created_at = models.DateTimeField(_("diminta pada"))
    confirmed_at = models.DateTimeField(_("dikonfirmasi pada"), null=True, blank=True)
    voided_at = models.DateTimeField(_("dibatalkan pada"), null=True, blank=True)

    class Meta:
        verbose_name = _("penggantian email")
        verbose_name_plural = _("penggantian email")
        indexes = [
            # A new request voids the account's earlier ones.
            models.Index(fields=["user", "created_at"], name="accounts_emailchange_user_idx"),
        ]

    def __str__(self) -> str:
        return f"Penggantian email #{self.pk}"


class PublicText(models.Model):
    """A text every visitor may read and every applicant accepts at sign-up (the Kebijakan Privasi and the
    Syarat dan Ketentuan), versioned like the other legal texts (prakerja/versioning.py): a published version
    never changes, and an account records the version its owner accepted.

    ``body`` is written by staff as lines (prakerja/markup.py): "## " starts a section heading, "- " a list
    item, any other line is a paragraph, and ``[words](/path/)`` is a link.
    """

    version = models.PositiveIntegerField(_("versi"), unique=True)
    title = models.CharField(_("judul"), max_length=150)
    body = models.TextField(
        _("isi"),
        help_text=_(
            "Satu paragraf per baris. Baris yang diawali “## ” menjadi judul bagian, “- ” butir daftar; "
            "[teks](/alamat/) menjadi tautan."
        ),
    )
    is_current = models.BooleanField(_("berlaku"), default=False)
    published_at = models.DateTimeField(_("berlaku sejak"))

    class Meta:
        abstract = True
        ordering = ("-version",)
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="%(app_label)s_%(class)s_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}: {self.title}"


class PrivacyPolicyText(PublicText):
    """The Kebijakan Privasi: what the portal holds about an applicant, why, who sees it, for how long, and
    the applicant's rights under UU PDP 27/2022."""

    class Meta(PublicText.Meta):
        verbose_name = _("teks Kebijakan Privasi")
        verbose_name_plural = _("teks Kebijakan Privasi")


class TermsText(PublicText):
    """The Syarat dan Ketentuan: the program's rules an applicant agrees to when creating an account."""

    class Meta(PublicText.Meta):
        verbose_name = _("teks Syarat dan Ketentuan")
        verbose_name_plural = _("teks Syarat dan Ketentuan")
