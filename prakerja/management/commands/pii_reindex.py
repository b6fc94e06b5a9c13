"""python manage.py pii_reindex [--check] [--model APP.MODEL] [--batch-size N]

Recomputes every blind index of the portal under the first key of PII_BLIND_INDEX_KEYS, while the portal serves
(docs/PRIVACY.md, "Encryption and key rotation"): from the value it indexes (decrypted), or for a copy (the KK
index of results and cards) from what it copies, once that has been recomputed. Look-ups try every configured
key meanwhile, so nothing goes unfound; selections wait until only one key is left (the KK cap groups by the
index in SQL, and a family half re-indexed would be two). Each batch is its own short transaction, each value is
written only if it is still what was read, and an interrupted run is resumed by running it again.
"""

from prakerja.management.pii_walk import PiiWalkCommand
from prakerja.pii import reindex_order, table_reindex


class Command(PiiWalkCommand):
    help = "Recompute every blind index under the first key of PII_BLIND_INDEX_KEYS, in batches, online."
    verb = "re-indexed"

    def tables(self):
        return reindex_order()

    def walk(self, model, **kwargs):
        return table_reindex(model, **kwargs)
