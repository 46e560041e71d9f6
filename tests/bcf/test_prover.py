"""CaDiCaL's LRAT trace → the strict certificate: id mapping and chains the checker accepts."""

from __future__ import annotations

import itertools
import random
import tempfile

import pytest

from bcfpipe.bcf.bitblast import CNF
from bcfpipe.bcf.checker import check_certificate, check_lrat_text
from bcfpipe.bcf.prover import (
    _cadical,
    _parse_trace,
    encode_certificate,
    lrat_text,
    renumber,
    solve,
)
from bcfpipe.errors import PipelineError

# 1: [1 2]  2: [1 -2]  3: [-1 3]  4: [-1 -3]
FOUR = [[1, 2], [1, -2], [-1, 3], [-1, -3]]


def noop_hints(cnf: CNF, trace: list[tuple[str, int, list[int], list[int]]]) -> int:
    """Hints in CaDiCaL's own chains whose one non-false literal is already true."""
    derived = {cid for kind, cid, _, _ in trace if kind == "a"}
    originals = (cid for cid in itertools.count(1) if cid not in derived)
    db = dict(zip(originals, cnf.clauses, strict=False))
    count = 0
    for kind, cid, lits, hints in trace:
        if kind == "d":
            continue
        true = {-lit for lit in lits}
        for h in hints:
            free = {lit for lit in db[h] if -lit not in true}
            if len(free) != 1:
                break
            count += free <= true
            true |= free
        db[cid] = lits
    return count


def assert_certified(cnf: CNF) -> None:
    res = solve(cnf)
    assert res.status == "unsat"
    check_lrat_text(cnf.num_vars, cnf.clauses, lrat_text(cnf, res.steps))
    key = bytes(range(32))
    check_certificate(key, cnf.num_vars, cnf.clauses, encode_certificate(key, cnf, res.steps))


def test_noop_unit_hint_is_dropped() -> None:
    # Step 6 contains -1 and names the unit [1] first: lenient LRAT, not the checker's RUP.
    trace = [
        ("a", 5, [1], [1, 2]),
        ("a", 6, [-1, 3], [5, 3]),
        ("a", 7, [], [5, 6, 4]),
    ]
    text = lrat_text(CNF(3, FOUR), [s for s in renumber(trace, FOUR) if s.kind == "a"])
    assert text.splitlines()[1] == "6 -1 3 0 3 0"
    check_lrat_text(3, FOUR, lrat_text(CNF(3, FOUR), renumber(trace, FOUR)))


def test_hints_after_the_conflict_are_cut_and_unused_steps_trimmed() -> None:
    trace = [
        ("a", 5, [1], [1, 2]),
        ("a", 6, [3], [5, 3]),
        ("a", 7, [], [5, 3, 4, 6]),  # [-1 -3] is the conflict already: step 6 is not needed
    ]
    steps = renumber(trace, FOUR)
    assert [(s.kind, s.lits, s.hints) for s in steps] == [("a", [1], [1, 2]), ("a", [], [5, 3, 4])]
    check_lrat_text(3, FOUR, lrat_text(CNF(3, FOUR), steps))


def test_interleaved_derived_ids_map_to_the_right_originals() -> None:
    # CaDiCaL's id 3 is derived (e.g. an original shrunk at add time), so id 4 is original 3.
    trace = [
        ("a", 3, [1], [1, 2]),
        ("d", 3, [], [2]),
        ("a", 7, [], [3, 4, 5]),
    ]
    check_lrat_text(3, FOUR, lrat_text(CNF(3, FOUR), renumber(trace, FOUR)))


@pytest.mark.parametrize(
    ("trace", "why"),
    [
        ([("a", 5, [], [3, 1])], "not unit"),
        ([("a", 5, [1], [1]), ("a", 6, [], [5, 3, 4])], "do not propagate"),
        ([("a", 5, [], [9])], "no known clause"),
    ],
)
def test_chains_no_lrat_checker_accepts_are_refused(
    trace: list[tuple[str, int, list[int], list[int]]], why: str
) -> None:
    with pytest.raises(PipelineError, match=why):
        renumber(trace, FOUR)


def test_repeated_unit_literal_is_refused() -> None:
    # Under 1, the checkers read [2 2 -1] as two unassigned literals: not unit, so refused.
    clauses = [[2, 2, -1], [-2], [1]]
    with pytest.raises(PipelineError, match="repeats its literal"):
        renumber([("a", 4, [], [3, 1, 2])], clauses)


def test_tautologies_and_repeated_literals_in_the_cnf() -> None:
    """CaDiCaL deletes tautologies and shrinks repeated literals while clauses are added."""
    # Pigeonhole 4 into 3, every clause with a repeated literal, a tautology after each.
    var = {(p, h): 3 * p + h + 1 for p in range(4) for h in range(3)}
    php = [[var[p, h] for h in range(3)] for p in range(4)]
    php += [[-var[p, h], -var[q, h]] for h in range(3) for p in range(4) for q in range(p + 1, 4)]
    clauses: list[list[int]] = []
    for k, c in enumerate(php):
        clauses.append([c[0], *c])
        clauses.append([k % 12 + 1, 5, -(k % 12 + 1)])
    assert_certified(CNF(12, clauses))


def test_units_shrink_later_clauses_while_they_are_added() -> None:
    # [4] makes CaDiCaL derive [3] from [3 3 -4] and empty from what follows, all during adds.
    assert_certified(CNF(5, [[1, -1, 2], [4], [3, 3, -4], [2, 2, 2], [-3, 5], [-5, -3, -3]]))


def test_cadical_noop_hint_on_a_random_3cnf() -> None:
    """A real trace with a no-op unit hint in the needed part of the refutation (issue #5)."""
    rng = random.Random(104)
    clauses = [[rng.choice((-1, 1)) * v for v in rng.sample(range(1, 151), 3)] for _ in range(690)]
    cnf = CNF(150, clauses)
    with tempfile.NamedTemporaryFile() as f:
        status, _ = _cadical(cnf, f, None)
        f.seek(0)
        trace = _parse_trace(f.read().decode("ascii"))
    assert status is False
    assert noop_hints(cnf, trace) > 0, "CaDiCaL no longer writes the no-op hint this test is for"
    assert_certified(cnf)
