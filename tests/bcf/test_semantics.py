"""eBPF corner cases: the reference evaluator by hand, the bit-blaster against it at 32/64 bits."""

from __future__ import annotations

import pytest

from bcfpipe.bcf.bitblast import bitblast
from bcfpipe.bcf.encoding import encode
from bcfpipe.bcf.expr import Builder, Op
from bcfpipe.bcf.pipeline import prove
from bcfpipe.bcf.refeval import apply

M64 = (1 << 64) - 1
S64_MIN = 1 << 63
M1 = M64  # -1 as u64

CASES = [
    # (op, width, a, b, expected) straight from the instruction-set definition
    (Op.UDIV, 64, 7, 0, 0),
    (Op.UMOD, 64, 7, 0, 7),
    (Op.SDIV, 64, S64_MIN, M1, S64_MIN),
    (Op.SMOD, 64, S64_MIN, M1, 0),
    (Op.SDIV, 64, 5, 0, 0),
    (Op.SMOD, 64, (-5) & M64, 0, (-5) & M64),
    (Op.SDIV, 64, (-7) & M64, 2, (-3) & M64),  # truncates toward zero
    (Op.SMOD, 64, (-7) & M64, 2, (-1) & M64),  # takes the dividend's sign
    (Op.SMOD, 64, 7, (-2) & M64, 1),
    (Op.SDIV, 32, 1 << 31, 0xFFFFFFFF, 1 << 31),
    (Op.LSH, 64, 1, 65, 2),  # amount & 63
    (Op.RSH, 64, 1 << 63, 127, 1),
    (Op.ARSH, 64, S64_MIN, 63, M64),
    (Op.LSH, 32, 1, 33, 2),  # amount & 31
    (Op.ARSH, 32, 0x80000000, 0x3F, 0xFFFFFFFF),
    (Op.MUL, 64, M64, M64, 1),
    (Op.ADD, 64, M64, 2, 1),
    (Op.SUB, 32, 0, 1, 0xFFFFFFFF),
]


@pytest.mark.parametrize(("op", "width", "a", "b", "expected"), CASES)
def test_reference_evaluator(op: Op, width: int, a: int, b: int, expected: int) -> None:
    assert apply(op, width, [width, width], [a, b]) == expected


def test_unary_reference() -> None:
    assert apply(Op.NEG, 64, [64], [1]) == M64
    assert apply(Op.BSWAP16, 64, [64], [0x1122334455667788]) == 0x8877
    assert apply(Op.BSWAP32, 64, [64], [0x1122334455667788]) == 0x88776655
    assert apply(Op.BSWAP64, 64, [64], [0x1122334455667788]) == 0x8877665544332211
    assert apply(Op.SEXT, 64, [8], [0x80]) == 0xFFFFFFFFFFFFFF80
    assert apply(Op.SET, 0, [8, 8], [0x10, 0x30]) == 1
    assert apply(Op.SLT, 0, [8, 8], [0xFF, 0]) == 1


DIVISION = (Op.UDIV, Op.UMOD, Op.SDIV, Op.SMOD)
M16 = 0xFFFF
BLAST_CASES = [
    # 64-bit dividers are ~80k clauses each: slow suite; the same corners at 16 bits stay fast
    pytest.param(*c, marks=pytest.mark.slow) if c[0] in DIVISION and c[1] == 64 else c
    for c in CASES
] + [
    (Op.UDIV, 16, 7, 0, 0),
    (Op.UMOD, 16, 7, 0, 7),
    (Op.SDIV, 16, 1 << 15, M16, 1 << 15),
    (Op.SMOD, 16, 1 << 15, M16, 0),
    (Op.SDIV, 16, (-7) & M16, 2, (-3) & M16),
    (Op.SMOD, 16, (-7) & M16, 2, (-1) & M16),
    (Op.SMOD, 16, 7, (-2) & M16, 1),
]


@pytest.mark.parametrize(("op", "width", "a", "b", "expected"), BLAST_CASES)
def test_bitblaster_matches(op: Op, width: int, a: int, b: int, expected: int) -> None:
    """``x = a ∧ y = b ⊢ op(x, y) = expected`` is certified; ``= expected + 1`` is refuted."""
    for delta, verdict in ((0, "proved"), (1, "refuted")):
        bld = Builder()
        x, y = bld.var(1, width), bld.var(2, width)
        cons = [bld.binop(Op.EQ, x, bld.const(a, width)), bld.binop(Op.EQ, y, bld.const(b, width))]
        goal = bld.binop(Op.EQ, bld.binop(op, x, y), bld.const(expected + delta, width))
        cond = bld.condition(cons, goal)
        out = prove(cond, encode(cond), use_triage=False)
        assert out.verdict == verdict, (op, delta)


def test_alu32_zero_extends() -> None:
    b = Builder()
    r = b.var(1, 64)
    t = b.alu32(Op.ADD, r, b.const(1, 64))
    cond = b.condition([b.binop(Op.EQ, r, b.const(M64, 64))], b.binop(Op.EQ, t, b.const(0, 64)))
    assert prove(cond, encode(cond), use_triage=False).verdict == "proved"


def test_bitblast_is_deterministic_and_folds() -> None:
    b = Builder(fold=False)
    x = b.var(1, 8)
    zero = b.binop(Op.AND, x, b.const(0, 8))  # folded at the bit level, no gates
    cond = b.condition([], b.binop(Op.EQ, zero, b.const(0, 8)))
    cnf = bitblast(cond)
    assert cnf.num_vars == 8 and cnf.clauses == [[]]
    assert bitblast(cond).dimacs() == cnf.dimacs()


@pytest.mark.parametrize("width", [1, 4, 5])
def test_division_by_every_constant_is_exact(width: int) -> None:
    """udivrem_const's fresh quotient admits exactly the reference value, for every dividend.

    Its three side clauses must neither exclude the true quotient (the formula would be
    unsatisfiable whatever the goal, and any claim would be "proved") nor admit another one.
    """
    from pysat.solvers import Cadical195

    for op in DIVISION:
        for d in range(1, 1 << width):
            for x in range(1 << width):
                expected = apply(op, width, [width, width], [x, d])
                for wrong in (False, True):
                    bld = Builder(fold=False)
                    a = bld.var(1, width)
                    cons = [bld.binop(Op.EQ, a, bld.const(x, width))]
                    out = bld.binop(op, a, bld.const(d, width))
                    goal = bld.binop(Op.NE if wrong else Op.EQ, out, bld.const(expected, width))
                    cnf = bitblast(bld.condition(cons, goal))
                    with Cadical195(bootstrap_with=cnf.clauses) as s:
                        # unsatisfiable: the goal holds; satisfiable: the true value is admitted
                        assert s.solve() is wrong, (op, width, x, d)
