"""Seeded random conditions over small widths, for differential testing and test vectors."""

from __future__ import annotations

import random

from bcfpipe.bcf.expr import BOOL, BSWAP_BITS, BV_BINARY, COMPARISONS, Builder, Condition, Op

_WIDTHS = (1, 2, 3, 4, 5, 6, 8)


class _Gen:
    def __init__(self, rng: random.Random, fold: bool, max_vars: int = 4) -> None:
        self.rng = rng
        self.b = Builder(fold=fold)
        self.vars: dict[int, int] = {}
        self.max_vars = max_vars

    def leaf(self, width: int) -> int:
        rng = self.rng
        same = [v for v, w in self.vars.items() if w == width]
        if same and rng.random() < 0.7:
            return self.b.var(rng.choice(same), width)
        if len(self.vars) < self.max_vars and rng.random() < 0.7:
            vid = len(self.vars) + rng.choice((0, 1, 7))  # ids need not be dense
            while vid in self.vars:
                vid += 1
            self.vars[vid] = width
            return self.b.var(vid, width)
        special = (0, 1, -1, 1 << (width - 1), (1 << (width - 1)) - 1)
        value = rng.choice(special) if rng.random() < 0.5 else rng.getrandbits(width)
        return self.b.const(value, width)

    def bv(self, width: int, depth: int) -> int:
        rng, b = self.rng, self.b
        if depth <= 0 or rng.random() < 0.25:
            return self.leaf(width)
        d = depth - 1
        kind = rng.random()
        if kind < 0.45:
            op = rng.choice(sorted(BV_BINARY))
            return b.binop(op, self.bv(width, d), self.bv(width, d))
        if kind < 0.5:
            return b.neg(self.bv(width, d))
        if kind < 0.55 and width >= 16:
            op = rng.choice([o for o, n in BSWAP_BITS.items() if n <= width])
            return b.mk(op, width, (self.bv(width, d),))
        if kind < 0.65 and width >= 2:
            inner = rng.randint(1, width - 1)
            arg = self.bv(inner, d)
            return b.zext(arg, width) if rng.random() < 0.5 else b.sext(arg, width)
        if kind < 0.75:
            outer = width + rng.randint(0, 4)
            lo = rng.randint(0, outer - width)
            return b.extract(self.bv(outer, d), lo + width - 1, lo)
        if kind < 0.85 and width >= 2:
            hi = rng.randint(1, width - 1)
            return b.concat(self.bv(hi, d), self.bv(width - hi, d))
        return b.ite(self.boolean(d), self.bv(width, d), self.bv(width, d))

    def boolean(self, depth: int) -> int:
        rng, b = self.rng, self.b
        if depth <= 0 or rng.random() < 0.6:
            width = rng.choice(_WIDTHS)
            op = rng.choice(sorted(COMPARISONS))
            return b.binop(op, self.bv(width, depth), self.bv(width, depth))
        d = depth - 1
        kind = rng.random()
        if kind < 0.2:
            return b.lnot(self.boolean(d))
        if kind < 0.7:
            op = rng.choice((Op.LAND, Op.LOR, Op.LIMPLIES, Op.EQ, Op.NE))
            x, y = self.boolean(d), self.boolean(d)
            return b.mk(op, BOOL, (x, y))
        if kind < 0.8:
            return b.boolean(rng.random() < 0.5)
        return b.ite(self.boolean(d), self.boolean(d), self.boolean(d))


def random_condition(seed: int, depth: int = 3, wide: bool = False) -> Condition:
    """A condition from ``seed`` alone; ``wide`` adds 16/32-bit terms (byte swaps, ALU32)."""
    rng = random.Random(seed)
    g = _Gen(rng, fold=rng.random() < 0.5)
    if wide:
        width = rng.choice((16, 32, 64))
        g.vars[0] = width
        x = g.b.var(0, width)
        op = rng.choice([o for o, n in BSWAP_BITS.items() if n <= width] + [Op.LSH, Op.ARSH])
        t = g.b.mk(op, width, (x,)) if op in BSWAP_BITS else g.b.binop(op, x, g.leaf(width))
        goal = g.b.binop(rng.choice(sorted(COMPARISONS)), t, g.leaf(width))
        return g.b.condition([g.boolean(1)], goal)
    constraints = [g.boolean(depth) for _ in range(rng.randint(0, 2))]
    goal = g.boolean(depth)
    return g.b.condition(constraints, goal)
