"""python manage.py pii_rotate_keys [--check] [--model APP.MODEL] [--batch-size N]

Re-encrypts every encrypted column of the portal under the first key of PII_ENCRYPTION_KEYS, while the portal
serves (docs/PRIVACY.md, "Encryption and key rotation"). Each batch is its own short transaction and each value
is written only if it is still what was read, so a value a request changes meanwhile is kept (it was written
under the first key anyway). Values already under the first key in the current form are skipped (checking one
is one AEAD call), so an interrupted run is resumed by running it again; Fernet tokens of an earlier release are
rewritten in the current form. ``--check`` counts what is left, for deciding when the old key
may go.
"""

from prakerja.management.pii_walk import PiiWalkCommand
from prakerja.pii import reencrypt_order, table_reencrypt


class Command(PiiWalkCommand):
    help = "Re-encrypt every encrypted column under the first key of PII_ENCRYPTION_KEYS, in batches, online."
    verb = "re-encrypted"

    def tables(self):
        return reencrypt_order()

    def walk(self, model, **kwargs):
        return table_reencrypt(model, **kwargs)
