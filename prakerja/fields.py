"""Model fields that keep personal data encrypted at rest while every caller reads and writes plain values.

``PersonalData.full_name`` is a ``str`` in Python, in forms, templates and ``values()``; in the database it is a
token (prakerja/crypto.py). Encryption happens when a value is written (``get_prep_value``, so ``save``,
``create``, ``bulk_create``, ``bulk_update`` and ``update`` all encrypt), decryption when a row is read
(``from_db_value``). A value that is not a token is read as it is: what the portal wrote before these columns
were encrypted stays readable while the migration, or ``manage.py pii_rotate_keys``, encrypts it in batches.

An encrypted column cannot be compared in SQL (equal values are different tokens), so these fields refuse every
look-up but ``isnull``: a filter that could never match fails loudly instead. What the portal must find or keep
unique has a ``BlindIndexField`` next to it, and is looked up by that.

The registry of these columns is the model fields themselves: ``pii_rotate_keys`` re-encrypts every
``EncryptedField`` and ``FernetTokenField`` of every model, and ``pii_reindex`` recomputes every
``BlindIndexField`` that names its ``source``.
"""

from datetime import date

from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import models
from django.db.models import Q

from prakerja.crypto import pii_decrypt, pii_digest, pii_encrypt, pii_is_token, pii_seal, pii_seals


class EncryptedField:
    """What the encrypted fields share: plain in Python, a token in the database, no look-ups but ``isnull``."""

    def encrypts(self, value: str) -> bool:
        """Whether ``value`` (plain, not empty) is stored encrypted; a subclass may keep some values in clear."""
        return True

    def decrypted(self, value):
        """The plain text of a stored value: a token decrypted, anything else (written before encryption) as is."""
        if isinstance(value, str) and pii_is_token(value):
            return pii_decrypt(value)
        return value

    def _refuse(self, lookup_name: str):
        model = getattr(getattr(self, "model", None), "__name__", "?")
        raise FieldError(
            f"{model}.{self.name} is encrypted and cannot be compared in SQL ({lookup_name!r}); "
            "filter on its blind index instead."
        )

    def get_lookup(self, lookup_name: str):
        if lookup_name != "isnull":
            self._refuse(lookup_name)
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str):
        self._refuse(lookup_name)


class EncryptedTextField(EncryptedField, models.TextField):
    """Text stored as a token. ``max_length`` (as in a CharField) bounds the plain text in forms and
    validation; the column is ``text``, as a token is about 4/3 of the text plus 50 characters. The empty string
    is stored as it is: it says nothing, and a blanked body (retention) must stay blank."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return self.decrypted(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "" or not self.encrypts(value):
            return value
        return pii_encrypt(value)


class EncryptedDateField(EncryptedField, models.DateField):
    """A date (``datetime.date`` in Python) stored as the token of its ISO form, in a ``text`` column."""

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, date):
            return value
        return date.fromisoformat(self.decrypted(value))

    def get_prep_value(self, value):
        value = super().get_prep_value(value)  # a date, whatever it was given as
        return None if value is None else pii_encrypt(value.isoformat())

    def get_db_prep_value(self, value, connection, prepared=False):
        # Not DateField's: the database gets the token, not a date to adapt.
        return value if prepared else self.get_prep_value(value)


class FernetTokenField(models.TextField):
    """A column holding a token (prakerja/crypto.py) that the code reads and writes as a token
    (``IdentityVerification``'s ``nik_encrypted``: its plain value is the ``nik`` property). Nothing changes in
    Python; the class tells ``pii_rotate_keys`` to re-encrypt it with the others. (Named when tokens were Fernet's;
    the name stays, as the migrations that use it do.)"""


class BlindIndexField(models.CharField):
    """The blind index (keyed HMAC, prakerja/crypto.py) of a personal value, for look-ups, uniqueness and
    grouping without decrypting.

    With ``source``, the name of the attribute holding the plain value (a field or a property), the index is
    computed from it whenever the row is saved or bulk-created, so it can never disagree with the value it
    indexes, whoever writes the row; ``pii_reindex`` recomputes it under a new key from the same source. Without
    ``source`` it is kept as written; ``copy_of`` then names, as a look-up path, the index it copies (a card
    keeps its holder's KK index, ``user__identity__kk_digest``), for ``pii_reindex`` to copy again after moving
    that one to a new key. ``kind`` namespaces the index (``IdentifierKind``).

    ``follows`` ("app_label.Model.field") marks an index kept after the row it came from is gone (a deleted
    recipient's card, their retained NIK): ``pii_reindex`` moves it along with that field's values (old index to
    new), and empties it where no row holds its value any more, since it cannot be recomputed; the row's seal
    (``SealField``) then restores it when the value comes back (prakerja/crypto.py, "Seals")."""

    def __init__(self, *args, kind: str = "", source: str = "", copy_of: str = "", follows: str = "", **kwargs):
        self.kind = kind
        self.source = source
        self.copy_of = copy_of
        self.follows = follows
        kwargs["max_length"] = 64
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        del kwargs["max_length"]
        kwargs["kind"] = self.kind
        if self.source:
            kwargs["source"] = self.source
        if self.copy_of:
            kwargs["copy_of"] = self.copy_of
        if self.follows:
            kwargs["follows"] = self.follows
        return name, path, args, kwargs

    def digest_of(self, value: str | None) -> str | None:
        """The index of a plain value: "" (or None where the column allows it) for no value."""
        if not value:
            return None if self.null else ""
        return pii_digest(value, kind=self.kind)

    def digest_for(self, instance) -> str | None:
        """The index of ``instance``'s ``source``; none for a value its encrypted field keeps in clear (an email
        recipient in the outbox), which can be found as it is."""
        value = getattr(instance, self.source)
        try:
            source = instance._meta.get_field(self.source)
        except FieldDoesNotExist:
            source = None  # a property (IdentityVerification.nik)
        if value and isinstance(source, EncryptedField) and not source.encrypts(value):
            value = None
        return self.digest_of(value)

    def pre_save(self, model_instance, add: bool):
        if not self.source:
            return super().pre_save(model_instance, add)
        digest = self.digest_for(model_instance)
        setattr(model_instance, self.attname, digest)
        return digest


class SealField(models.CharField):
    """The seal (prakerja/crypto.py, "Seals") of a personal value the portal no longer holds but must recognise
    when it comes back, beside the ``BlindIndexField`` (with ``follows``) it restores. Its generation, how many
    keys it has been chained through, is kept in ``generation_field`` so that ``pii_reindex`` extends it through
    keys added since and a look-up tries each generation. "" for no seal."""

    def __init__(self, *args, kind: str = "", generation_field: str = "", restores: str = "", **kwargs):
        self.kind = kind
        self.generation_field = generation_field
        self.restores = restores  # the name of the BlindIndexField (with ``follows``) this seal can restore
        kwargs["max_length"] = 64
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_default", "")  # rows written in bulk SQL (cards_issue) have no seal
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        del kwargs["max_length"]
        kwargs["kind"] = self.kind
        kwargs["generation_field"] = self.generation_field
        kwargs["restores"] = self.restores
        return name, path, args, kwargs

    def sealed(self, value: str) -> dict:
        """The field values sealing ``value`` now, for ``update()`` or a constructor."""
        generation, seal = pii_seal(value, kind=self.kind)
        return {self.attname: seal, self.generation_field: generation}

    def matching(self, value: str) -> Q:
        """Rows whose seal is ``value``'s, at whichever generation each was last extended to."""
        matches = Q(pk__in=[])
        for generation, seal in pii_seals(value, kind=self.kind):
            matches |= Q(**{self.attname: seal, self.generation_field: generation})
        return matches
