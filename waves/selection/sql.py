"""What the selection's statements share: the reasons they write, how far a first read goes, and the pieces they
are built from (VALUES lists, province ranges, the rules' KK room), all with named parameters."""

from django.db import connection

from waves.models import Result
from waves.reasons import ResultReason
from waves.rules import kk_room

QUOTA = ResultReason.QUOTA.value
KK_CAP = ResultReason.KK_CAP.value


# The KK cap reads first each province's best places up to its quota and this margin (the pool: each province's
# likely share of its places, and the margin): in real waves the cap sets aside about 1.5% of the places, so the
# rows that can matter are there. A population where they are not (one built to need more) costs one more read,
# of all the candidates (or of all the rows left out).
def scope(places: int) -> int:
    return places + places // 4 + 32


def values_sql(rows) -> tuple[str, dict]:
    """``rows`` (tuples) as the rows of a VALUES list with named parameters, and the parameters."""
    tuples, params = [], {}
    for i, row in enumerate(rows):
        names = [f"v{i}_{j}" for j in range(len(row))]
        params.update(zip(names, row, strict=True))
        tuples.append("(" + ", ".join(f"%({name})s" for name in names) + ")")
    return ", ".join(tuples), params


def ranges_sql(ranges: dict[str, tuple[int, int | None]], prefix: str = "g") -> tuple[str, dict]:
    """A condition on rows of the results: in a province of ``ranges``, at a place after its first number and up to
    its second (None: to the end), with named parameters (named after ``prefix``). Written as literal ranges, one
    index range each, which the planner reads as such (where a join to a list of bounds would have it scan every
    row of the run)."""
    conditions, params = ["1 = 0"], {}
    for i, (province, (after, upto)) in enumerate(ranges.items()):
        params.update({f"{prefix}{i}_p": province, f"{prefix}{i}_a": after, f"{prefix}{i}_u": upto})
        end = f" AND province_rank <= %({prefix}{i}_u)s" if upto is not None else ""
        conditions.append(f"(province_id = %({prefix}{i}_p)s AND province_rank > %({prefix}{i}_a)s{end})")
    return " OR ".join(conditions), params


def named(sql: str, params, prefix: str) -> tuple[str, dict]:
    """SQL the ORM compiled with positional ``%s`` placeholders, rewritten with named ones (``%(<prefix>_<i>)s``),
    so that it can stand inside a statement written with named parameters."""
    pieces = sql.split("%s")
    names = [f"{prefix}_{i}" for i in range(len(params))]
    if len(pieces) != len(names) + 1:
        raise ValueError(f"unexpected placeholders in compiled SQL: {sql}")
    return pieces[0] + "".join(f"%({name})s{piece}" for name, piece in zip(names, pieces[1:], strict=True)), dict(
        zip(names, params, strict=True)
    )


def room_sql(alias: str) -> tuple[str, dict]:
    """The rules' KK room (waves/rules.py, kk_room) of the KK in ``alias``.kk_digest, as SQL with named parameters:
    the one definition, compiled for rows of a statement here rather than for the results table."""
    query = Result.objects.annotate(room=kk_room(kk_digest="kk_digest")).query
    expression = query.annotations["room"].relabeled_clone({Result._meta.db_table: alias})
    sql, params = query.get_compiler(connection=connection).compile(expression)
    return named(sql, params, "room")
