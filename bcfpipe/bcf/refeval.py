"""Reference evaluator: eBPF semantics on Python integers, written from the instruction set.

This is the oracle the bit-blaster is tested against, so it deliberately shares nothing with it:
values are whole integers, division is Python division, and every eBPF corner case is spelled out
as the instruction-set document states it (Documentation/bpf/standardization/instruction-set.rst):

* ``BPF_DIV``/``BPF_MOD`` unsigned: ``x / 0 = 0`` and ``x % 0 = x``.
* ``BPF_SDIV``/``BPF_SMOD`` (offset 1): truncating C division; ``x s/ 0 = 0``, ``x s% 0 = x``;
  ``INT_MIN s/ -1 = INT_MIN`` and ``INT_MIN s% -1 = 0`` (the machine result wraps).
* shifts mask the amount: ``& 63`` for 64-bit and ``& 31`` for 32-bit operations; for a width
  ``w`` that is no power of two the amount keeps its low ``ceil(log2 w)`` bits and amounts ``>= w``
  shift everything out.
* ``BPF_END``: ``bswapN`` reverses the bytes of the low N bits and clears the rest.
* ``JSET``: ``(a & b) != 0``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from bcfpipe.bcf.ops import BOOL, Op

if TYPE_CHECKING:
    from bcfpipe.bcf.expr import Condition

__all__ = ["apply", "evaluate", "holds"]


def _m(width: int) -> int:
    return (1 << width) - 1


def _s(v: int, width: int) -> int:
    return v - (1 << width) if v >> (width - 1) & 1 else v


def _shift_amount(b: int, width: int) -> int:
    return b & _m((width - 1).bit_length())


def _tdiv(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return -q if (a < 0) != (b < 0) else q


def apply(op: Op, width: int, arg_widths: Sequence[int], a: Sequence[int], imm: int = 0) -> int:
    """The value of one operation; booleans are 0/1, bit-vectors unsigned integers."""
    w = width
    if op is Op.CONST:
        return imm
    if op is Op.ADD:
        return (a[0] + a[1]) & _m(w)
    if op is Op.SUB:
        return (a[0] - a[1]) & _m(w)
    if op is Op.MUL:
        return (a[0] * a[1]) & _m(w)
    if op is Op.UDIV:
        return 0 if a[1] == 0 else a[0] // a[1]
    if op is Op.UMOD:
        return a[0] if a[1] == 0 else a[0] % a[1]
    if op is Op.SDIV:
        if a[1] == 0:
            return 0
        return _tdiv(_s(a[0], w), _s(a[1], w)) & _m(w)
    if op is Op.SMOD:
        if a[1] == 0:
            return a[0]
        x, y = _s(a[0], w), _s(a[1], w)
        return (x - y * _tdiv(x, y)) & _m(w)
    if op is Op.AND:
        return a[0] & a[1]
    if op is Op.OR:
        return a[0] | a[1]
    if op is Op.XOR:
        return a[0] ^ a[1]
    if op is Op.LSH:
        n = _shift_amount(a[1], w)
        return 0 if n >= w else (a[0] << n) & _m(w)
    if op is Op.RSH:
        n = _shift_amount(a[1], w)
        return 0 if n >= w else a[0] >> n
    if op is Op.ARSH:
        n = min(_shift_amount(a[1], w), w - 1)
        return (_s(a[0], w) >> n) & _m(w)
    if op is Op.NEG:
        return -a[0] & _m(w)
    if op in (Op.BSWAP16, Op.BSWAP32, Op.BSWAP64):
        nbytes = {Op.BSWAP16: 2, Op.BSWAP32: 4, Op.BSWAP64: 8}[op]
        low = (a[0] & _m(8 * nbytes)).to_bytes(nbytes, "little")
        return int.from_bytes(low, "big")
    if op is Op.ZEXT:
        return a[0]
    if op is Op.SEXT:
        return _s(a[0], arg_widths[0]) & _m(w)
    if op is Op.EXTRACT:
        return (a[0] >> imm) & _m(w)
    if op is Op.CONCAT:
        return (a[0] << arg_widths[1]) | a[1]
    if op is Op.ITE:
        return a[1] if a[0] else a[2]
    if op in (Op.EQ, Op.NE, Op.SET, Op.UGT, Op.UGE, Op.ULT, Op.ULE):
        x, y = a
        return int(
            {
                Op.EQ: x == y,
                Op.NE: x != y,
                Op.SET: (x & y) != 0,
                Op.UGT: x > y,
                Op.UGE: x >= y,
                Op.ULT: x < y,
                Op.ULE: x <= y,
            }[op]
        )
    if op in (Op.SGT, Op.SGE, Op.SLT, Op.SLE):
        x, y = _s(a[0], arg_widths[0]), _s(a[1], arg_widths[1])
        return int({Op.SGT: x > y, Op.SGE: x >= y, Op.SLT: x < y, Op.SLE: x <= y}[op])
    if op is Op.LNOT:
        return 1 - a[0]
    if op is Op.LAND:
        return a[0] & a[1]
    if op is Op.LOR:
        return a[0] | a[1]
    if op is Op.LIMPLIES:
        return (1 - a[0]) | a[1]
    raise ValueError(f"no semantics for {op!r}")


def evaluate(cond: Condition, assignment: Mapping[int, int]) -> list[int]:
    """Values of every node; variables missing from ``assignment`` are 0."""
    values: list[int] = []
    for n in cond.nodes:
        if n.op is Op.VAR:
            values.append(assignment.get(n.imm, 0) & _m(n.width))
            continue
        widths = [cond.nodes[x].width for x in n.args]
        values.append(apply(n.op, n.width, widths, [values[x] for x in n.args], n.imm))
        assert n.width != BOOL or values[-1] in (0, 1)
    return values


def holds(cond: Condition, assignment: Mapping[int, int]) -> bool:
    """Does ``assignment`` satisfy ``constraints ∧ ¬goal``, i.e. refute the condition?"""
    values = evaluate(cond, assignment)
    return all(values[c] for c in cond.constraints) and not values[cond.goal]
