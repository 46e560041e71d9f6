"""Shared BCF test conditions (a module with a unique name, so imports never collide)."""

from __future__ import annotations

from bcfpipe.bcf.expr import Builder, Condition, Op


def cover_letter() -> Condition:
    """BCF.md's cover-letter example: t = (w0 s>> 31) & -134; t s<= -1 && t == -136."""
    b = Builder()
    r0 = b.var(0, 64)
    t = b.binop(
        Op.AND, b.binop(Op.ARSH, b.extract(r0, 31, 0), b.const(31, 32)), b.signed_const(-134, 32)
    )
    cons = [b.binop(Op.SLE, t, b.signed_const(-1, 32)), b.binop(Op.EQ, t, b.signed_const(-136, 32))]
    return b.condition(cons, b.false(), names={0: "r0"})
