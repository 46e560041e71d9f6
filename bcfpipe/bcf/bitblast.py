"""Tseitin bit-blasting of ``constraints ∧ ¬goal`` with the fixed encoding of docs/bcf-format.md.

The kernel's C bit-blaster must produce the identical CNF, so everything here is part of the
spec: the gate set (AND, XOR, MUX; OR is a negated AND), each gate's folding rules *in the order
they are tried*, the clauses of a fresh gate in order, and the order in which each node builds
its gates. Nodes are blasted in encoding order, each once. A bit is a literal: a DIMACS variable,
its negation, or one of the constants ``T``/``F`` (never written to the CNF).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bcfpipe.bcf.expr import BSWAP_BITS, Condition, Op

T = 1 << 62
F = -T
Bits = list[int]


@dataclass
class CNF:
    num_vars: int = 0
    clauses: list[list[int]] = field(default_factory=list)
    # variable id → its DIMACS variables, LSB first
    var_bits: dict[int, list[int]] = field(default_factory=dict)

    def dimacs(self) -> str:
        lines = [f"p cnf {self.num_vars} {len(self.clauses)}"]
        lines += [" ".join(map(str, [*c, 0])) for c in self.clauses]
        return "\n".join(lines) + "\n"

    def model(self, solution: Sequence[int]) -> dict[int, int]:
        """Variable values from a SAT solution (a list of signed DIMACS literals)."""
        true = {lit for lit in solution if lit > 0}
        return {
            vid: sum(1 << k for k, v in enumerate(bits) if v in true)
            for vid, bits in self.var_bits.items()
        }


def constant(bits: Bits) -> int | None:
    """The value of a word whose bits are all constants, else None."""
    if any(x not in (T, F) for x in bits):
        return None
    return sum(1 << k for k, x in enumerate(bits) if x == T)


class _Gates:
    def __init__(self, cnf: CNF) -> None:
        self.cnf = cnf
        self.clauses = cnf.clauses

    def fresh(self) -> int:
        self.cnf.num_vars += 1
        return self.cnf.num_vars

    def and2(self, a: int, b: int) -> int:
        if a == F or b == F:
            return F
        if a == T:
            return b
        if b == T:
            return a
        if a == b:
            return a
        if a == -b:
            return F
        o = self.fresh()
        self.clauses += ([-o, a], [-o, b], [o, -a, -b])
        return o

    def or2(self, a: int, b: int) -> int:
        return -self.and2(-a, -b)

    def xor2(self, a: int, b: int) -> int:
        if a == F:
            return b
        if a == T:
            return -b
        if b == F:
            return a
        if b == T:
            return -a
        if a == b:
            return F
        if a == -b:
            return T
        o = self.fresh()
        self.clauses += ([-o, a, b], [-o, -a, -b], [o, -a, b], [o, a, -b])
        return o

    def mux(self, c: int, t: int, e: int) -> int:
        """``c ? t : e``."""
        if c == T:
            return t
        if c == F:
            return e
        if t == e:
            return t
        if t == T:
            return self.or2(c, e)
        if t == F:
            return self.and2(-c, e)
        if e == T:
            return self.or2(-c, t)
        if e == F:
            return self.and2(c, t)
        if t == -e:
            return self.xor2(c, e)
        o = self.fresh()
        self.clauses += ([-o, -c, t], [-o, c, e], [o, -c, -t], [o, c, -e])
        return o

    # -- word-level circuits ------------------------------------------------------------------
    def adder(self, a: Bits, b: Bits, cin: int, carry_out: bool = False) -> tuple[Bits, int]:
        """Ripple carry: per bit x = a^b, sum = x^c, carry = x ? c : a (last carry on demand)."""
        out: Bits = []
        c = cin
        for k in range(len(a)):
            x = self.xor2(a[k], b[k])
            out.append(self.xor2(x, c))
            if k < len(a) - 1 or carry_out:
                c = self.mux(x, c, a[k])
        return out, c

    def neg(self, a: Bits) -> Bits:
        return self.adder([F] * len(a), [-x for x in a], T)[0]

    def unit(self, lit: int) -> None:
        """A clause of one literal (T: none, F: the empty clause), as the top level writes them."""
        if lit == F:
            self.clauses.append([])
        elif lit != T:
            self.clauses.append([lit])

    def mul(self, a: Bits, b: Bits) -> Bits:
        # A constant on the left moves right, where its zero bits fold whole rows away: the
        # goal's ``13 * (x / 13)`` is then built like udivrem_const's product ``Q * 13``.
        if constant(a) is not None and constant(b) is None:
            a, b = b, a
        w = len(a)
        acc = [F] * w
        for i in range(w):
            partial = [F] * i + [self.and2(a[j], b[i]) for j in range(w - i)]
            acc = self.adder(acc, partial, F)[0]
        return acc

    def udivrem(self, a: Bits, b: Bits) -> tuple[Bits, Bits]:
        """Restoring division, MSB first; a zero divisor yields Q = all ones, R = a."""
        d = constant(b)
        if d:
            return self.udivrem_const(a, b, d)
        w = len(a)
        rem = [F] * w
        quot = [F] * w
        divisor = [-x for x in b] + [T]  # ~zext(b), w+1 bits
        for i in range(w - 1, -1, -1):
            trial = [a[i], *rem]
            diff, no_borrow = self.adder(trial, divisor, T, carry_out=True)
            quot[i] = no_borrow
            rem = [self.mux(no_borrow, diff[k], trial[k]) for k in range(w)]
        return quot, rem

    def udivrem_const(self, a: Bits, b: Bits, d: int) -> tuple[Bits, Bits]:
        """Division by a constant d > 0 as its definition: Q fresh, R = A − Q·d, and three units.

        ``Q·d`` cannot wrap (Q ≤ ⌊(2^w−1)/d⌋), ``Q·d ≤ A`` and ``R < d`` admit exactly one Q, the
        quotient, so the CNF is equisatisfiable with the restoring circuit's. A solver reasons about
        one multiplier and one subtractor instead of w trial subtractions: at 64 bits,
        ``x % 13 ≤ 15`` has a 2 KB certificate instead of 0.9 MB, and clang-14's
        ``x − (x / 13) · 13`` repeats R's circuit, which CaDiCaL matches in 0.1 s (91 KB)
        where the restoring divider took 9 s (5.4 MB).
        """
        w = len(a)
        q = [self.fresh() for _ in range(w)]
        p = self.mul(q, b)
        r = self.adder(a, [-x for x in p], T)[0]
        qmax = ((1 << w) - 1) // d
        no_wrap = -self.ult([T if qmax >> k & 1 else F for k in range(w)], q)
        below = -self.ult(a, p)
        short = self.ult(r, b)
        for lit in (no_wrap, below, short):
            self.unit(lit)
        return q, r

    def is_zero(self, a: Bits) -> int:
        acc = F
        for x in a:
            acc = self.or2(acc, x)
        return -acc

    def abs_(self, a: Bits) -> Bits:
        n = self.neg(a)
        return [self.mux(a[-1], n[k], a[k]) for k in range(len(a))]

    def shift(self, op: Op, a: Bits, s: Bits) -> Bits:
        """Barrel shifter over the low ceil(log2 w) bits of the amount, stage 1, 2, 4, ..."""
        w = len(a)
        cur = a
        for j in range((w - 1).bit_length()):
            sh = 1 << j
            if op is Op.LSH:
                src = [cur[i - sh] if i >= sh else F for i in range(w)]
            elif op is Op.RSH:
                src = [cur[i + sh] if i + sh < w else F for i in range(w)]
            else:
                src = [cur[i + sh] if i + sh < w else cur[w - 1] for i in range(w)]
            cur = [self.mux(s[j], src[i], cur[i]) for i in range(w)]
        return cur

    def eq(self, a: Bits, b: Bits) -> int:
        acc = T
        for k in range(len(a)):
            acc = self.and2(acc, -self.xor2(a[k], b[k]))
        return acc

    def ult(self, a: Bits, b: Bits) -> int:
        """LSB to MSB: where the bits differ, the higher difference decides (b's bit)."""
        lt = F
        for k in range(len(a)):
            lt = self.mux(self.xor2(a[k], b[k]), b[k], lt)
        return lt

    def slt(self, a: Bits, b: Bits) -> int:
        return self.ult([*a[:-1], -a[-1]], [*b[:-1], -b[-1]])


def _blast_node(g: _Gates, op: Op, width: int, imm: int, args: list[Bits], aw: list[int]) -> Bits:
    if op is Op.ADD:
        return g.adder(args[0], args[1], F)[0]
    if op is Op.SUB:
        return g.adder(args[0], [-x for x in args[1]], T)[0]
    if op is Op.NEG:
        return g.neg(args[0])
    if op is Op.MUL:
        return g.mul(args[0], args[1])
    if op in (Op.AND, Op.OR, Op.XOR):
        fn = {Op.AND: g.and2, Op.OR: g.or2, Op.XOR: g.xor2}[op]
        return [fn(x, y) for x, y in zip(args[0], args[1], strict=True)]
    if op is Op.UDIV:
        quot, _ = g.udivrem(args[0], args[1])
        z = g.is_zero(args[1])
        return [g.mux(z, F, q) for q in quot]
    if op is Op.UMOD:
        return g.udivrem(args[0], args[1])[1]
    if op in (Op.SDIV, Op.SMOD):
        a, b = args[0], args[1]
        quot, rem = g.udivrem(g.abs_(a), g.abs_(b))
        if op is Op.SMOD:
            nrem = g.neg(rem)
            return [g.mux(a[-1], nrem[k], rem[k]) for k in range(width)]
        sign = g.xor2(a[-1], b[-1])
        nquot = g.neg(quot)
        signed = [g.mux(sign, nquot[k], quot[k]) for k in range(width)]
        z = g.is_zero(b)
        return [g.mux(z, F, q) for q in signed]
    if op in (Op.LSH, Op.RSH, Op.ARSH):
        return g.shift(op, args[0], args[1])
    if op in BSWAP_BITS:
        n = BSWAP_BITS[op]
        nbytes = n // 8
        src = args[0]
        return [src[8 * (nbytes - 1 - k // 8) + k % 8] for k in range(n)] + [F] * (width - n)
    if op is Op.ZEXT:
        return args[0] + [F] * (width - aw[0])
    if op is Op.SEXT:
        return args[0] + [args[0][-1]] * (width - aw[0])
    if op is Op.EXTRACT:
        return args[0][imm : imm + width]
    if op is Op.CONCAT:
        return args[1] + args[0]
    if op is Op.ITE:
        c = args[0][0]
        return [g.mux(c, t, e) for t, e in zip(args[1], args[2], strict=True)]
    if op in (Op.EQ, Op.NE):
        r = g.eq(args[0], args[1])
        return [r if op is Op.EQ else -r]
    if op is Op.SET:
        any_set = F
        for x, y in zip(args[0], args[1], strict=True):
            any_set = g.or2(any_set, g.and2(x, y))
        return [any_set]
    if op in (Op.ULT, Op.UGT, Op.ULE, Op.UGE, Op.SLT, Op.SGT, Op.SLE, Op.SGE):
        less = g.slt if op in (Op.SLT, Op.SGT, Op.SLE, Op.SGE) else g.ult
        a, b = args
        if op in (Op.ULT, Op.SLT):
            return [less(a, b)]
        if op in (Op.UGT, Op.SGT):
            return [less(b, a)]
        if op in (Op.UGE, Op.SGE):
            return [-less(a, b)]
        return [-less(b, a)]
    if op is Op.LNOT:
        return [-args[0][0]]
    if op is Op.LAND:
        return [g.and2(args[0][0], args[1][0])]
    if op is Op.LOR:
        return [g.or2(args[0][0], args[1][0])]
    if op is Op.LIMPLIES:
        return [g.or2(-args[0][0], args[1][0])]
    raise AssertionError(f"no circuit for {op!r}")


def bitblast(cond: Condition) -> CNF:
    """The CNF of ``constraints ∧ ¬goal``; unsatisfiable exactly when the condition is valid."""
    cnf = CNF()
    g = _Gates(cnf)
    bits: list[Bits] = []
    for n in cond.nodes:
        if n.op is Op.CONST:
            w = max(n.width, 1)
            bits.append([T if n.imm >> k & 1 else F for k in range(w)])
        elif n.op is Op.VAR:
            fresh = [g.fresh() for _ in range(n.width)]
            cnf.var_bits[n.imm] = fresh
            bits.append(fresh)
        else:
            args = [bits[a] for a in n.args]
            aw = [cond.nodes[a].width for a in n.args]
            out = _blast_node(g, n.op, n.width, n.imm, args, aw)
            assert len(out) == max(n.width, 1)
            bits.append(out)
    for lit in [bits[c][0] for c in cond.constraints] + [-bits[cond.goal][0]]:
        g.unit(lit)
    assert n_bad(cnf) == 0
    return cnf


def n_bad(cnf: CNF) -> int:
    """Clauses mentioning a constant: a bit-blaster bug, never valid output."""
    return sum(1 for c in cnf.clauses for lit in c if abs(lit) >= T)
