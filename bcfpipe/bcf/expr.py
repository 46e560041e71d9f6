"""The condition model: a hash-consed DAG of bit-vector and boolean expressions.

A node is ``(op, width, args, imm)``; ``args`` are indices of earlier nodes, so a list of nodes is
always in topological order. Width 0 means boolean. The semantics of every operation are eBPF's
(see ``refeval``); the opcodes and typing rules are the binary format's (``docs/bcf-format.md``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from bcfpipe.bcf.ops import (
    ARITY,
    BOOL,
    BSWAP_BITS,
    BV_BINARY,
    COMMUTATIVE,
    COMPARISONS,
    MAX_CONST_WIDTH,
    MAX_WIDTH,
    OP_NAMES,
    Op,
)
from bcfpipe.bcf.refeval import apply
from bcfpipe.errors import PipelineError


class Node(NamedTuple):
    op: Op
    width: int
    args: tuple[int, ...]
    imm: int = 0  # CONST: value; VAR: variable id; EXTRACT: low bit; otherwise 0


def mask(width: int) -> int:
    return (1 << width) - 1


def type_error(where: str, msg: str) -> PipelineError:
    return PipelineError(f"{where}: {msg}")


def check_node(nodes: Sequence[Node], node: Node, where: str) -> None:
    """Raise unless ``node`` is well typed given the (earlier) ``nodes`` it refers to.

    One function for the builder and the decoder, so a condition that decodes is exactly one the
    builder could have made.
    """
    op, width, args, imm = node
    if op not in ARITY:
        raise type_error(where, f"unknown opcode 0x{int(op):02x}")
    if len(args) != ARITY[op]:
        raise type_error(where, f"{op.name} takes {ARITY[op]} arguments, got {len(args)}")
    for a in args:
        if not 0 <= a < len(nodes):
            raise type_error(where, f"argument {a} is not an earlier node (forward reference)")
    aw = [nodes[a].width for a in args]
    if not 0 <= width <= MAX_WIDTH:
        raise type_error(where, f"width {width} out of range 0..{MAX_WIDTH}")

    def need(cond: bool, msg: str) -> None:
        if not cond:
            raise type_error(where, f"width mismatch: {op.name} {msg} (widths {aw} -> {width})")

    if op is Op.CONST:
        need(width <= MAX_CONST_WIDTH, f"constants are at most {MAX_CONST_WIDTH} bits")
        limit = 1 if width == BOOL else mask(width)
        if not 0 <= imm <= limit:
            raise type_error(where, f"constant 0x{imm:x} does not fit in width {width}")
    elif op is Op.VAR:
        need(width >= 1, "variables are bit-vectors of width >= 1")
        if not 0 <= imm <= 0xFFFFFFFF:
            raise type_error(where, f"variable id {imm} is not a u32")
    elif op in BV_BINARY:
        need(width >= 1 and aw == [width, width], "needs two bit-vectors of the result width")
    elif op is Op.NEG:
        need(width >= 1 and aw == [width], "needs a bit-vector of the result width")
    elif op in BSWAP_BITS:
        need(aw == [width] and width >= BSWAP_BITS[op], "needs an argument at least as wide")
    elif op in (Op.ZEXT, Op.SEXT):
        need(aw[0] >= 1 and width >= aw[0], "cannot narrow")
    elif op is Op.EXTRACT:
        need(width >= 1 and aw[0] >= 1 and imm + width <= aw[0], f"bits {imm}+{width} exceed")
    elif op is Op.CONCAT:
        need(aw[0] >= 1 and aw[1] >= 1 and width == aw[0] + aw[1], "result is the sum of widths")
    elif op is Op.ITE:
        need(aw[0] == BOOL and aw[1] == aw[2] == width, "needs a boolean and two equal sorts")
    elif op in (Op.EQ, Op.NE):
        need(width == BOOL and aw[0] == aw[1], "compares two equal sorts")
    elif op in COMPARISONS:
        need(width == BOOL and aw[0] == aw[1] >= 1, "compares two equal-width bit-vectors")
    elif op is Op.LNOT:
        need(width == BOOL and aw == [BOOL], "is boolean")
    else:  # LAND, LOR, LIMPLIES
        need(width == BOOL and aw == [BOOL, BOOL], "is boolean")
    if op not in (Op.CONST, Op.VAR, Op.EXTRACT) and imm != 0:
        raise type_error(where, f"{op.name} has no immediate, got {imm}")


@dataclass(frozen=True)
class Access:
    """Optional metadata of a range refinement: which offset, how many bytes, out of what size."""

    offset: int  # node index of the offset expression
    size: int
    region: int


@dataclass(frozen=True)
class Condition:
    """Path constraints and a goal; valid when ``constraints ∧ ¬goal`` is unsatisfiable."""

    nodes: tuple[Node, ...]
    constraints: tuple[int, ...]
    goal: int
    names: dict[int, str] = field(default_factory=dict)
    access: Access | None = None

    def variables(self) -> list[tuple[int, int]]:
        """(variable id, width) in node order."""
        return [(n.imm, n.width) for n in self.nodes if n.op is Op.VAR]

    def var_name(self, var_id: int) -> str:
        return self.names.get(var_id, f"v{var_id}")

    def used_variables(self) -> list[tuple[int, int]]:
        """(variable id, width) of the variables the constraints, the goal or the access record
        reach, in node order: the kernel makes a variable for every value it cannot model, most
        of which (a helper's clobbered argument registers) nothing reads."""
        roots = [*self.constraints, self.goal]
        if self.access is not None:
            roots.append(self.access.offset)
        seen = reachable(self.nodes, roots)
        return [(n.imm, n.width) for i, n in enumerate(self.nodes) if n.op is Op.VAR and i in seen]


def reachable(nodes: Sequence[Node], roots: Iterable[int]) -> set[int]:
    """The indices of the nodes that ``roots`` reach through their arguments."""
    keep: set[int] = set()
    stack = list(roots)
    while stack:
        t = stack.pop()
        if t not in keep:
            keep.add(t)
            stack.extend(nodes[t].args)
    return keep


def _signed(v: int, width: int) -> int:
    return v - (1 << width) if width and v >> (width - 1) else v


class Builder:
    """Makes well-typed nodes with structural sharing and (optionally) constant folding.

    Terms are plain node indices. ``fold=False`` keeps constant sub-terms, which tests use to reach
    the bit-blaster's own bit-level folding.
    """

    def __init__(self, fold: bool = True) -> None:
        self.nodes: list[Node] = []
        self._index: dict[Node, int] = {}
        self._vars: dict[int, int] = {}
        self.fold = fold

    # -- construction -------------------------------------------------------------------------
    def mk(self, op: Op, width: int, args: Iterable[int] = (), imm: int = 0) -> int:
        args = tuple(args)
        if op in COMMUTATIVE and args[0] > args[1]:
            args = (args[1], args[0])
        node = Node(op, width, args, imm)
        found = self._index.get(node)
        if found is not None:
            return found
        check_node(self.nodes, node, f"building {op.name}")
        if self.fold and op not in (Op.CONST, Op.VAR):
            folded = self._fold(node)
            if folded is not None:
                return folded
        self.nodes.append(node)
        self._index[node] = len(self.nodes) - 1
        return len(self.nodes) - 1

    def _fold(self, node: Node) -> int | None:
        op, width, args, imm = node
        ns = [self.nodes[a] for a in args]
        if all(n.op is Op.CONST for n in ns) and width <= MAX_CONST_WIDTH:
            value = apply(op, width, [n.width for n in ns], [n.imm for n in ns], imm)
            return self.mk(Op.CONST, width, (), value)
        consts = [n.imm if n.op is Op.CONST else None for n in ns]
        if op is Op.ITE and consts[0] is not None:
            return args[1] if consts[0] else args[2]
        if op is Op.ITE and args[1] == args[2]:
            return args[1]
        if op is Op.LNOT and ns[0].op is Op.LNOT:
            return ns[0].args[0]
        if op in (Op.LAND, Op.LOR):
            absorbing = 0 if op is Op.LAND else 1
            for i in (0, 1):
                if consts[i] is not None:
                    return args[i] if consts[i] == absorbing else args[1 - i]
            if args[0] == args[1]:
                return args[0]
        if op is Op.LIMPLIES:
            if consts[0] is not None:
                return args[1] if consts[0] else self.true()
            if consts[1] is not None:
                return self.true() if consts[1] else self.lnot(args[0])
        if op in (Op.EQ, Op.ULE, Op.UGE, Op.SLE, Op.SGE) and args[0] == args[1]:
            return self.true()
        if op in (Op.NE, Op.ULT, Op.UGT, Op.SLT, Op.SGT) and args[0] == args[1]:
            return self.false()
        if op in (Op.ZEXT, Op.SEXT) and width == ns[0].width:
            return args[0]
        if op is Op.EXTRACT and imm == 0 and width == ns[0].width:
            return args[0]
        return None

    def const(self, value: int, width: int) -> int:
        """A bit-vector constant; wider than 64 bits becomes a concat of 64-bit pieces."""
        value &= mask(width)
        if width <= MAX_CONST_WIDTH:
            return self.mk(Op.CONST, width, (), value)
        low = self.const(value, MAX_CONST_WIDTH)
        high = self.const(value >> MAX_CONST_WIDTH, width - MAX_CONST_WIDTH)
        return self.mk(Op.CONCAT, width, (high, low))

    def signed_const(self, value: int, width: int) -> int:
        return self.const(value & mask(width), width)

    def true(self) -> int:
        return self.mk(Op.CONST, BOOL, (), 1)

    def false(self) -> int:
        return self.mk(Op.CONST, BOOL, (), 0)

    def boolean(self, value: bool) -> int:
        return self.true() if value else self.false()

    def var(self, var_id: int, width: int) -> int:
        known = self._vars.setdefault(var_id, width)
        if known != width:
            raise PipelineError(f"variable {var_id} used with widths {known} and {width}")
        return self.mk(Op.VAR, width, (), var_id)

    def width(self, t: int) -> int:
        return self.nodes[t].width

    def is_const(self, t: int) -> bool:
        return self.nodes[t].op is Op.CONST

    def binop(self, op: Op, a: int, b: int) -> int:
        width = BOOL if op in COMPARISONS or op in (Op.LAND, Op.LOR, Op.LIMPLIES) else self.width(a)
        return self.mk(op, width, (a, b))

    def neg(self, a: int) -> int:
        return self.mk(Op.NEG, self.width(a), (a,))

    def bvnot(self, a: int) -> int:
        return self.binop(Op.XOR, a, self.const(-1, self.width(a)))

    def bswap(self, a: int, bits: int) -> int:
        op = {16: Op.BSWAP16, 32: Op.BSWAP32, 64: Op.BSWAP64}[bits]
        return self.mk(op, self.width(a), (a,))

    def zext(self, a: int, width: int) -> int:
        return self.mk(Op.ZEXT, width, (a,))

    def sext(self, a: int, width: int) -> int:
        return self.mk(Op.SEXT, width, (a,))

    def extract(self, a: int, hi: int, lo: int) -> int:
        return self.mk(Op.EXTRACT, hi - lo + 1, (a,), lo)

    def concat(self, hi: int, lo: int) -> int:
        return self.mk(Op.CONCAT, self.width(hi) + self.width(lo), (hi, lo))

    def ite(self, c: int, a: int, b: int) -> int:
        return self.mk(Op.ITE, self.width(a), (c, a, b))

    def lnot(self, a: int) -> int:
        return self.mk(Op.LNOT, BOOL, (a,))

    def land(self, *xs: int) -> int:
        acc = self.true()
        for i, x in enumerate(xs):
            acc = x if i == 0 else self.binop(Op.LAND, acc, x)
        return acc

    def lor(self, *xs: int) -> int:
        acc = self.false()
        for i, x in enumerate(xs):
            acc = x if i == 0 else self.binop(Op.LOR, acc, x)
        return acc

    def implies(self, a: int, b: int) -> int:
        return self.binop(Op.LIMPLIES, a, b)

    # -- eBPF conveniences --------------------------------------------------------------------
    def alu32(self, op: Op, a: int, b: int | None = None) -> int:
        """A BPF_ALU (32-bit) operation on 64-bit registers: low halves, result zero-extended."""
        a32 = self.extract(a, 31, 0)
        if b is None:
            r = self.neg(a32) if op is Op.NEG else self.mk(op, 32, (a32,))
        else:
            r = self.binop(op, a32, self.extract(b, 31, 0))
        return self.zext(r, 64)

    def le(self, a: int, bits: int) -> int:
        """BPF_END to little endian on a little-endian machine: a truncation."""
        return self.zext(self.extract(a, bits - 1, 0), self.width(a))

    def be(self, a: int, bits: int) -> int:
        """BPF_END to big endian on a little-endian machine: a swap of the low ``bits``."""
        return self.bswap(a, bits)

    # -- conditions ---------------------------------------------------------------------------
    def condition(
        self,
        constraints: Sequence[int],
        goal: int,
        names: dict[int, str] | None = None,
        access: Access | None = None,
    ) -> Condition:
        """The condition over the nodes reachable from its roots, renumbered in creation order."""
        for t in (*constraints, goal):
            if self.width(t) != BOOL:
                raise PipelineError("constraints and goal must be boolean")
        roots = [*constraints, goal] + ([access.offset] if access else [])
        order = sorted(reachable(self.nodes, roots))
        new = {old: i for i, old in enumerate(order)}
        nodes = tuple(
            self.nodes[old]._replace(args=tuple(new[a] for a in self.nodes[old].args))
            for old in order
        )
        used_vars = {n.imm for n in nodes if n.op is Op.VAR}
        return Condition(
            nodes=nodes,
            constraints=tuple(new[c] for c in constraints),
            goal=new[goal],
            names={k: v for k, v in sorted((names or {}).items()) if k in used_vars},
            access=Access(new[access.offset], access.size, access.region) if access else None,
        )


# -- printer -----------------------------------------------------------------------------------


def format_node(cond: Condition, i: int) -> str:
    n = cond.nodes[i]

    def ref(a: int) -> str:
        m = cond.nodes[a]
        if m.op is Op.CONST:
            return _const_text(m)
        if m.op is Op.VAR:
            return cond.var_name(m.imm)
        return f"%{a}"

    args = [ref(a) for a in n.args]
    if n.op is Op.CONST:
        body = _const_text(n)
    elif n.op is Op.VAR:
        body = f"var {cond.var_name(n.imm)}"
    elif n.op is Op.EXTRACT:
        body = f"{args[0]}[{n.imm + n.width - 1}:{n.imm}]"
    elif n.op in (Op.ZEXT, Op.SEXT):
        body = f"{OP_NAMES[n.op]}{n.width} {args[0]}"
    elif n.op is Op.ITE:
        body = f"{args[0]} ? {args[1]} : {args[2]}"
    elif len(args) == 2 and n.op not in (Op.CONCAT,):
        body = f"{args[0]} {OP_NAMES[n.op]} {args[1]}"
    else:
        body = f"{OP_NAMES[n.op]}({', '.join(args)})"
    sort = "bool" if n.width == BOOL else f"u{n.width}"
    return f"%{i}: {sort} = {body}"


def _const_text(n: Node) -> str:
    if n.width == BOOL:
        return "true" if n.imm else "false"
    if n.imm >> (n.width - 1) and n.width > 1 and n.imm > 0xFFFF:
        return f"{_signed(n.imm, n.width)}:{n.width}"
    return f"{n.imm:#x}:{n.width}"


def format_condition(cond: Condition) -> str:
    """A readable listing: every non-leaf node on its own line, then the roots."""
    lines = [
        f"; condition: {len(cond.nodes)} nodes, {len(cond.constraints)} constraints, "
        f"variables {', '.join(f'{cond.var_name(v)}:u{w}' for v, w in cond.variables()) or '-'}"
    ]
    lines += [
        format_node(cond, i) for i, n in enumerate(cond.nodes) if n.op not in (Op.CONST, Op.VAR)
    ]

    def root(i: int) -> str:
        n = cond.nodes[i]
        if n.op is Op.CONST:
            return _const_text(n)
        if n.op is Op.VAR:
            return cond.var_name(n.imm)
        return f"%{i}"

    lines += [f"assume {root(c)}" for c in cond.constraints]
    lines.append(f"prove  {root(cond.goal)}")
    if cond.access:
        a = cond.access
        lines.append(f"; access: offset {root(a.offset)}, {a.size} bytes of {a.region}")
    return "\n".join(lines)
