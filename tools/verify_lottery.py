#!/usr/bin/env python3
"""Check a Kartu Prakerja wave's lottery with nothing but Python 3 (docs/LOTTERY.md).

    python3 verify_lottery.py --seed SEED --commitment COMMITMENT
    python3 verify_lottery.py --seed SEED --registration 7KQ2-M9XD-4RTA-ZB1C
    python3 verify_lottery.py --seed SEED --commitment COMMITMENT --registration 7KQ2-M9XD-4RTA-ZB1C \\
        --csv gelombang-5-undian.csv

Everything comes from /transparansi/: the wave's seed and commitment (its page, after the announcement) and the
anonymous list (its CSV); the registration number is the applicant's own, from their dashboard.

- ``--commitment``: checks that SHA-256 of the seed (its ASCII text) is the commitment published before the
  wave opened.
- ``--registration``: prints the applicant's lottery number, SHA-256 of "<seed>:<registration number>" (the
  number in capitals, in four groups of four joined by hyphens, as the dashboard shows it) in lowercase hex.
  With ``--csv`` it finds that number in the list and prints its province, place, tier and outcome, and the
  province's cut.
- ``--csv``: checks that in every province the places follow the rank (tier first, higher first; then the
  lottery number, smaller first), that the province selected no more than its quota, that nobody left out for
  the quota ranks before its last selection (only rows the KK cap set aside may), that a province short of its
  quota left nobody out for it, and that every national-pool selection ranks before every candidate left out
  for the quota. The KK cap itself is taken as published: the list names no Kartu Keluarga.

Exits 0 when every check passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import sys
from collections import defaultdict

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32
SELECTED, SELECTED_POOL, QUOTA, KK_CAP = "selected", "selected_pool", "quota", "kk_cap"


def registration_normalize(text: str) -> str:
    """The registration number as the lottery reads it: capitals, in four groups of four joined by hyphens.
    Spaces and hyphens may be left out, and letters Crockford's base 32 reads as digits (O, I, L) are taken as
    those digits."""
    digits = "".join(text.split()).replace("-", "").upper().translate(str.maketrans("OIL", "011"))
    if len(digits) != 16 or any(c not in ALPHABET for c in digits):
        raise ValueError(f"not a registration number: {text!r} (16 characters, e.g. 7KQ2-M9XD-4RTA-ZB1C)")
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def lottery_number(seed: str, registration: str) -> str:
    return hashlib.sha256(f"{seed}:{registration}".encode()).hexdigest()


def commitment_of(seed: str) -> str:
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def rank_key(row: dict) -> tuple:
    return (-int(row["tier"]), row["lottery"])


def read_list(path: str) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def check_list(rows: list[dict]) -> list[str]:
    """Every problem found in the published list (an empty list: it is consistent)."""
    problems = []
    provinces: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        provinces[row["province"]].append(row)
    for province, members in sorted(provinces.items()):
        members.sort(key=lambda row: int(row["place"]))
        if [int(row["place"]) for row in members] != list(range(1, len(members) + 1)):
            problems.append(f"province {province}: places are not 1..{len(members)}")
        for before, after in itertools.pairwise(members):
            if rank_key(before) >= rank_key(after):
                problems.append(f"province {province}: place {after['place']} does not rank after {before['place']}")
        quotas = {row["quota"] for row in members}
        if len(quotas) != 1:
            problems.append(f"province {province}: more than one quota {sorted(quotas)}")
            continue
        quota = int(quotas.pop())
        own = [i for i, row in enumerate(members) if row["outcome"] == SELECTED]
        if len(own) > quota:
            problems.append(f"province {province}: {len(own)} selected for a quota of {quota}")
        last = own[-1] if own else -1
        problems.extend(
            f"province {province}: place {row['place']} ({row['outcome']}) ranks before its last selection"
            for row in members[: last + 1]
            if row["outcome"] not in (SELECTED, KK_CAP)
        )
        left_out = [row for row in members if row["outcome"] in (QUOTA, SELECTED_POOL)]
        if len(own) < quota and left_out:
            problems.append(
                f"province {province}: {len(own)} selected of {quota}, yet place {left_out[0]['place']} "
                f"was left to the quota"
            )
    pool = [rank_key(row) for row in rows if row["outcome"] == SELECTED_POOL]
    rest = [rank_key(row) for row in rows if row["outcome"] == QUOTA]
    if pool and rest and max(pool) >= min(rest):
        problems.append("national pool: a candidate left out for the quota ranks before a national-pool selection")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", required=True, help="the wave's revealed seed")
    parser.add_argument("--commitment", help="the wave's published seed commitment (SHA-256 of the seed)")
    parser.add_argument("--registration", help="your registration number, from your dashboard")
    parser.add_argument("--csv", help="the wave's anonymous list (gelombang-N-undian.csv)")
    args = parser.parse_args(argv)
    ok = True
    seed = args.seed.strip()
    if args.commitment:
        matches = commitment_of(seed) == args.commitment.strip().lower()
        print(f"commitment: {'OK' if matches else 'MISMATCH'} (SHA-256 of the seed is {commitment_of(seed)})")
        ok &= matches
    rows = read_list(args.csv) if args.csv else None
    if args.registration:
        registration = registration_normalize(args.registration)
        mine = lottery_number(seed, registration)
        print(f"lottery number of {registration}: {mine}")
        if rows is not None:
            row = next((row for row in rows if row["lottery"] == mine), None)
            if row is None:
                print("not in the list: the list holds the candidates only (an applicant a rule excluded has no place)")
                ok = False
            else:
                own = [r for r in rows if r["province"] == row["province"] and r["outcome"] == SELECTED]
                cut = max(own, key=lambda r: int(r["place"])) if own else None
                print(
                    f"province {row['province']}, place {row['place']}, tier {row['tier']}, outcome {row['outcome']}"
                    + (
                        f"; the province's last selection: place {cut['place']}, tier {cut['tier']}, "
                        f"lottery {cut['lottery']}"
                        if cut
                        else ""
                    )
                )
    if rows is not None:
        problems = check_list(rows)
        for problem in problems:
            print(f"problem: {problem}")
        print(f"list: {len(rows)} candidates, {'consistent' if not problems else f'{len(problems)} problem(s)'}")
        ok &= not problems
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
