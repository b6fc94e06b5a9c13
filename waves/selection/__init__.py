"""Selection of a closed wave (DESIGN §4), set-based: a handful of SQL statements whatever the wave's size.

The outcome is that of taking the candidates one by one in rank order (priority tier, then lottery): a candidate
is selected while their province has a place and their Kartu Keluarga has room; one whose province still has a
place but whose KK is full is set aside ("kk_cap"), which leaves that place to the next in the province; the rest
are "quota". Then, if the wave pools unused quota, the places provinces could not fill go the same way to the
best-ranked remaining candidates nationwide. It is computed without a loop over applicants, in one transaction,
so a run that fails leaves no result behind. Where each part lives:

- ``run.py``: the run from start to end: its lock (``lock.py``), the wave's states, the phases below with their
  progress (waves/progress.py), the run's record and counts, and what happens when anything stops it.
- ``ranking.py``: step 1, one INSERT … SELECT of a result per enrollment: its first failed rule, tier, lottery,
  place in its province, and the province cut as if no KK were full.
- ``kk_cap.py``: step 2, the KK cap in the provinces, in about one statement per province.
- ``pool.py``: step 3, the national pool, in two statements.
- ``issue.py``: the cards and the announcement's messages.
- ``sql.py``: what the statements share; ``dialect.py``: every PostgreSQL/SQLite difference, in one object.
"""

from waves.selection.issue import announcement_key_prefix
from waves.selection.run import SelectionFailed, results_discard, selection_run

__all__ = ["SelectionFailed", "announcement_key_prefix", "results_discard", "selection_run"]
