"""Builds regions/data/historical_districts.csv from the published Kemendagri editions.

Inputs (all in the repository; where each came from is in regions/data/README.md):
- each edition's list in regions/data/editions/ (``regions.historical.EDITIONS``);
- today's list, regions/data/wilayah.json.gz;
- the regency moves of each edition (``Edition.moved_regencies``: the 2022 laws for the pre-split editions, the
  2025 renumbering for Papua Barat Daya as the 2022 edition codes it);
- regions/data/historical_decisions.csv: a decision, with its evidence, for every district whose name does not
  lead to exactly one district today, or whose name leads to the wrong one.

How a district code of an edition is mapped to today's district:
- in a regency that did not move, to the same code, which must still name a district;
- in a moved regency, to the district of the regency's new code with the same name (compared without case,
  spaces, punctuation and bracketed alternatives), which must be exactly one, unless a decision says which it is.
Every regency move is checked by name too, and a code must map to one district in every edition that lists it.
Anything else stops the build with the list of what needs a decision.

Run ``python manage.py regions_build_historical`` to rewrite the table and print the counts per edition;
``--check`` only compares (the tests do the same).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from regions.historical import (
    DATA_DIR,
    EDITIONS,
    HISTORICAL_FIELDS,
    Edition,
    HistoricalDistrict,
    MatchedBy,
    Status,
)

DECISIONS_PATH = DATA_DIR / "historical_decisions.csv"

_BRACKETED = re.compile(r"\([^)]*\)")
_NOT_ALNUM = re.compile(r"[^0-9a-z]")
_REGENCY_PREFIXES = (
    ("kabupaten administrasi ", "kabupaten "),
    ("kota administrasi ", "kota "),
    ("kabupaten ", "kabupaten "),
    ("kab. ", "kabupaten "),
    ("kab ", "kabupaten "),
    ("kota ", "kota "),
)


class HistoricalBuildError(ValueError):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Decision:
    code: str
    current_code: str
    reason: str


@dataclass
class EditionCounts:
    """What the build found in one edition (printed by the command, asserted by the tests)."""

    provinces: int = 0
    regencies: int = 0
    districts: int = 0
    in_moved_regencies: int = 0
    same: int = 0  # the code is today's code of the same district
    moved: int = 0
    reused: int = 0
    by_decision: int = 0


@dataclass
class BuildResult:
    rows: list[HistoricalDistrict]
    counts: dict[str, EditionCounts]
    decisions: list[Decision] = field(default_factory=list)


def district_name_key(name: str) -> str:
    """What two spellings of one district name have in common: "Suru-suru" and "Suru Suru", "Atsj (Atsy)" and
    "Atsj" give the same key."""
    return _NOT_ALNUM.sub("", _BRACKETED.sub("", name).lower())


def regency_name_key(name: str) -> str:
    """ "KAB. MERAUKE", "Kab. Merauke" and "Kabupaten Merauke" give the same key; a kota stays a kota."""
    lowered = name.strip().lower()
    for prefix, kind in _REGENCY_PREFIXES:
        if lowered.startswith(prefix):
            lowered = kind + lowered[len(prefix) :]
            break
    return _NOT_ALNUM.sub("", lowered)


def edition_read(edition: Edition) -> dict[str, str]:
    """An edition's list: dotted code -> name, provinces, regencies and districts."""
    raw = edition.path.read_bytes()
    text = (gzip.decompress(raw) if edition.path.suffix == ".gz" else raw).decode("utf-8")
    return {row["code"]: row["name"] for row in csv.DictReader(io.StringIO(text))}


def decisions_read(path: Path = DECISIONS_PATH) -> dict[str, Decision]:
    with path.open(encoding="utf-8", newline="") as f:
        return {row["code"]: Decision(row["code"], row["current_code"], row["reason"]) for row in csv.DictReader(f)}


def historical_build(
    *,
    current: Mapping[str, str],
    editions: Sequence[Edition] = EDITIONS,
    decisions: Mapping[str, Decision] | None = None,
    lists: Mapping[str, Mapping[str, str]] | None = None,
) -> BuildResult:
    """The table: one row for each code of an earlier edition that is not today's code of the same district.

    ``current`` is today's list (regions.services.regions_read); ``lists`` may give the editions' lists by key
    instead of reading them (tests).
    """
    decisions = decisions_read() if decisions is None else decisions
    current_districts = {code: name for code, name in current.items() if code.count(".") == 2}
    districts_of_regency: dict[str, list[str]] = {}
    for code in current_districts:
        districts_of_regency.setdefault(code[:5], []).append(code)

    problems: list[str] = []
    used_decisions: set[str] = set()
    # code -> [(edition key, name as that edition writes it, today's code, matched by)]
    found: dict[str, list[tuple[str, str, str, MatchedBy | None]]] = {}
    counts: dict[str, EditionCounts] = {}

    for edition in editions:
        names = (lists or {}).get(edition.key) or edition_read(edition)
        edition_counts = counts[edition.key] = EditionCounts(
            provinces=sum(1 for code in names if code.count(".") == 0),
            regencies=sum(1 for code in names if code.count(".") == 1),
        )
        for old_regency, (new_regency, law) in edition.moved_regencies.items():
            if old_regency not in names:
                continue
            if regency_name_key(names[old_regency]) != regency_name_key(current.get(new_regency, "")):
                problems.append(
                    f"{edition.key}: regency {old_regency} {names[old_regency]!r} is not {new_regency} "
                    f"{current.get(new_regency)!r} today, as {law} says"
                )
        edition_targets: dict[str, list[str]] = {}
        for code, name in sorted(names.items()):
            if code.count(".") != 2:
                continue
            edition_counts.districts += 1
            move = edition.moved_regencies.get(code[:5])
            matched_by: MatchedBy | None = None
            if move is None:
                target = code
                if target not in current_districts:
                    problems.append(
                        f"{edition.key}: {code} {name!r} names no district today and its regency did not move"
                    )
                    continue
            else:
                edition_counts.in_moved_regencies += 1
                new_regency = move[0]
                same_name = [
                    candidate
                    for candidate in districts_of_regency.get(new_regency, [])
                    if district_name_key(current_districts[candidate]) == district_name_key(name)
                ]
                decision = decisions.get(code)
                if decision is not None:
                    used_decisions.add(code)
                    if decision.current_code[:5] != new_regency or decision.current_code not in current_districts:
                        problems.append(
                            f"decision for {code}: {decision.current_code} is no district of {new_regency} today"
                        )
                        continue
                    target, matched_by = decision.current_code, MatchedBy.DECISION
                elif len(same_name) == 1:
                    target, matched_by = same_name[0], MatchedBy.NAME
                else:
                    problems.append(
                        f"{edition.key}: {code} {name!r} (regency moved to {new_regency}) matches "
                        f"{_describe(same_name, current_districts)} by name; add a decision to "
                        f"{DECISIONS_PATH.name}"
                    )
                    continue
            edition_targets.setdefault(target, []).append(code)
            found.setdefault(code, []).append((edition.key, name, target, matched_by))
        for target, codes in sorted(edition_targets.items()):
            if len(codes) > 1:
                problems.append(
                    f"{edition.key}: {', '.join(codes)} all map to {target} {current_districts[target]!r}; "
                    "a merge needs a decision on which code it continues"
                )

    problems.extend(
        f"decision for {code} matches no district of a moved regency in any edition"
        for code in sorted(set(decisions) - used_decisions)
    )

    rows: list[HistoricalDistrict] = []
    for code, sightings in sorted(found.items()):
        targets = {target for _key, _name, target, _by in sightings}
        if len(targets) > 1:
            problems.append(f"{code} maps to {', '.join(sorted(targets))} in different editions")
            continue
        target = targets.pop()
        if target == code:
            status = None
        elif code in current_districts:
            status = Status.REUSED
        else:
            status = Status.MOVED
        for key, _name, _target, matched_by in sightings:
            edition_counts = counts[key]
            if status is None:
                edition_counts.same += 1
            elif status == Status.MOVED:
                edition_counts.moved += 1
            else:
                edition_counts.reused += 1
            if matched_by == MatchedBy.DECISION:
                edition_counts.by_decision += 1
        if status is None:
            continue
        keys = [key for key, *_rest in sightings]
        rows.append(
            HistoricalDistrict(
                code=code,
                editions=tuple(keys),
                name=sightings[0][1],
                current_code=target,
                current_name=current_districts[target],
                status=status,
                matched_by=MatchedBy.DECISION if code in used_decisions else MatchedBy.NAME,
            )
        )

    if problems:
        raise HistoricalBuildError(problems)
    return BuildResult(rows=rows, counts=counts, decisions=[decisions[code] for code in sorted(used_decisions)])


def historical_render(rows: Iterable[HistoricalDistrict]) -> str:
    """The table as regions/data/historical_districts.csv holds it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HISTORICAL_FIELDS)
    for row in rows:
        writer.writerow(
            (row.code, " ".join(row.editions), row.name, row.current_code, row.current_name, row.status, row.matched_by)
        )
    return buffer.getvalue()


def counts_describe(result: BuildResult) -> list[str]:
    lines = []
    for key, c in result.counts.items():
        lines.append(
            f"{key}: {c.provinces} provinces, {c.regencies} regencies, {c.districts} districts; "
            f"{c.in_moved_regencies} in moved regencies: {c.same} same code, {c.moved} moved, {c.reused} reused "
            f"({c.by_decision} by decision)"
        )
    statuses = Counter(row.status for row in result.rows)
    lines.append(f"table: {len(result.rows)} codes, {statuses[Status.MOVED]} moved, {statuses[Status.REUSED]} reused")
    return lines


def _describe(codes: Sequence[str], names: Mapping[str, str]) -> str:
    return ", ".join(f"{code} {names[code]!r}" for code in codes) if codes else "no district"
