"""SMT-LIB 2 (QF_BV) export of a condition, and a reader for the QF_BV subset BCF needs.

The export states ``constraints ∧ ¬goal`` so that ``unsat`` means the condition is valid. eBPF
operations whose SMT-LIB namesakes differ (division by zero, masked shift amounts) are written
out with ``ite``/``bvand``; the reader does the converse for the SMT-LIB operators.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from bcfpipe.bcf.expr import BOOL, Builder, Condition, Node, Op, mask
from bcfpipe.errors import PipelineError

# -- export ------------------------------------------------------------------------------------

_SIMPLE = {
    Op.ADD: "bvadd",
    Op.SUB: "bvsub",
    Op.MUL: "bvmul",
    Op.UMOD: "bvurem",
    Op.SMOD: "bvsrem",
    Op.AND: "bvand",
    Op.OR: "bvor",
    Op.XOR: "bvxor",
    Op.NEG: "bvneg",
    Op.CONCAT: "concat",
    Op.ITE: "ite",
    Op.EQ: "=",
    Op.NE: "distinct",
    Op.UGT: "bvugt",
    Op.UGE: "bvuge",
    Op.ULT: "bvult",
    Op.ULE: "bvule",
    Op.SGT: "bvsgt",
    Op.SGE: "bvsge",
    Op.SLT: "bvslt",
    Op.SLE: "bvsle",
    Op.LNOT: "not",
    Op.LAND: "and",
    Op.LOR: "or",
    Op.LIMPLIES: "=>",
}


def _bv(value: int, width: int) -> str:
    return f"(_ bv{value} {width})"


def _sort(width: int) -> str:
    return "Bool" if width == BOOL else f"(_ BitVec {width})"


def _term(cond: Condition, i: int) -> str:
    n = cond.nodes[i]
    a = [_ref(cond, x) for x in n.args]
    w = n.width
    if n.op in _SIMPLE:
        return f"({_SIMPLE[n.op]} {' '.join(a)})"
    if n.op is Op.UDIV:
        return f"(ite (= {a[1]} {_bv(0, w)}) {_bv(0, w)} (bvudiv {a[0]} {a[1]}))"
    if n.op is Op.SDIV:
        return f"(ite (= {a[1]} {_bv(0, w)}) {_bv(0, w)} (bvsdiv {a[0]} {a[1]}))"
    if n.op in (Op.LSH, Op.RSH, Op.ARSH):
        name = {Op.LSH: "bvshl", Op.RSH: "bvlshr", Op.ARSH: "bvashr"}[n.op]
        amount_mask = mask((w - 1).bit_length())
        return f"({name} {a[0]} (bvand {a[1]} {_bv(amount_mask, w)}))"
    if n.op in (Op.BSWAP16, Op.BSWAP32, Op.BSWAP64):
        bits = {Op.BSWAP16: 16, Op.BSWAP32: 32, Op.BSWAP64: 64}[n.op]
        swapped = " ".join(f"((_ extract {8 * k + 7} {8 * k}) {a[0]})" for k in range(bits // 8))
        body = f"(concat {swapped})"
        return body if w == bits else f"((_ zero_extend {w - bits}) {body})"
    if n.op in (Op.ZEXT, Op.SEXT):
        name = "zero_extend" if n.op is Op.ZEXT else "sign_extend"
        return f"((_ {name} {w - cond.nodes[n.args[0]].width}) {a[0]})"
    if n.op is Op.EXTRACT:
        return f"((_ extract {n.imm + w - 1} {n.imm}) {a[0]})"
    if n.op is Op.SET:
        zero = _bv(0, cond.nodes[n.args[0]].width)
        return f"(not (= (bvand {a[0]} {a[1]}) {zero}))"
    raise PipelineError(f"no SMT-LIB form for {n.op.name}")


def _ref(cond: Condition, i: int) -> str:
    n = cond.nodes[i]
    if n.op is Op.CONST:
        return ("true" if n.imm else "false") if n.width == BOOL else _bv(n.imm, n.width)
    if n.op is Op.VAR:
        return f"v{n.imm}"
    return f"n{i}"


def to_smtlib(cond: Condition) -> str:
    lines = ["(set-logic QF_BV)"]
    for var_id, width in cond.variables():
        note = f" ; {cond.names[var_id]}" if var_id in cond.names else ""
        lines.append(f"(declare-const v{var_id} {_sort(width)}){note}")
    for i, n in enumerate(cond.nodes):
        if n.op not in (Op.CONST, Op.VAR):
            lines.append(f"(define-fun n{i} () {_sort(n.width)} {_term(cond, i)})")
    lines += [f"(assert {_ref(cond, c)})" for c in cond.constraints]
    lines.append(f"(assert (not {_ref(cond, cond.goal)}))")
    lines.append("(check-sat)")
    return "\n".join(lines) + "\n"


# -- reader ------------------------------------------------------------------------------------

SExpr = str | list["SExpr"]
_TOKEN = re.compile(r"\s+|;[^\n]*|(\()|(\))|(\|[^|]*\|)|(\"(?:[^\"]|\"\")*\")|([^\s()|\";]+)")


def _tokens(text: str) -> Iterator[str]:
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise PipelineError(f"SMT-LIB: cannot read input at character {pos}")
        pos = m.end()
        tok = m.group(m.lastindex) if m.lastindex else None
        if tok is not None:
            yield tok


def parse_sexprs(text: str) -> list[SExpr]:
    stack: list[list[SExpr]] = [[]]
    for tok in _tokens(text):
        if tok == "(":
            stack.append([])
        elif tok == ")":
            if len(stack) == 1:
                raise PipelineError("SMT-LIB: unbalanced ')'")
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(tok[1:-1] if tok.startswith("|") else tok)
    if len(stack) != 1:
        raise PipelineError("SMT-LIB: unbalanced '(' (input truncated?)")
    return stack[0]


def _int(x: SExpr, what: str) -> int:
    if isinstance(x, str) and x.isdigit():
        return int(x)
    raise PipelineError(f"SMT-LIB: expected a numeral for {what}, got {x!r}")


class _Reader:
    def __init__(self) -> None:
        self.b = Builder()
        self.scopes: list[dict[str, int]] = [{}]
        self.names: dict[int, str] = {}
        self.used_ids: set[int] = set()
        self.pending: list[str] = []

    def sort(self, s: SExpr) -> int:
        if s == "Bool":
            return BOOL
        if isinstance(s, list) and len(s) == 3 and s[:2] == ["_", "BitVec"]:
            w = _int(s[2], "a bit-vector width")
            if 1 <= w <= 255:
                return w
        raise PipelineError(f"SMT-LIB: unsupported sort {s!r} (only Bool and (_ BitVec 1..255))")

    def declare(self, name: str, width: int) -> None:
        if width == BOOL:
            raise PipelineError(f"SMT-LIB: Boolean variable {name!r} unsupported; use (_ BitVec 1)")
        m = re.fullmatch(r"v(\d+)", name)
        var_id = int(m.group(1)) if m and int(m.group(1)) not in self.used_ids else None
        if var_id is None:
            var_id = max(self.used_ids, default=-1) + 1
            if re.fullmatch(r"[\x21-\x7e]{1,64}", name):
                self.names[var_id] = name
        self.used_ids.add(var_id)
        self.scopes[0][name] = self.b.var(var_id, width)

    def lookup(self, name: str) -> int:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        raise PipelineError(f"SMT-LIB: unknown symbol {name!r}")

    def literal(self, tok: str) -> int | None:
        if tok == "true":
            return self.b.true()
        if tok == "false":
            return self.b.false()
        if tok.startswith("#b") and len(tok) > 2:
            return self.b.const(int(tok[2:], 2), len(tok) - 2)
        if tok.startswith("#x") and len(tok) > 2:
            return self.b.const(int(tok[2:], 16), 4 * (len(tok) - 2))
        return None

    def term(self, e: SExpr) -> int:
        if isinstance(e, str):
            lit = self.literal(e)
            return lit if lit is not None else self.lookup(e)
        if not e:
            raise PipelineError("SMT-LIB: empty term ()")
        head = e[0]
        if head == "_" and len(e) == 3 and isinstance(e[1], str) and e[1].startswith("bv"):
            return self.b.const(_int(e[1][2:], "a constant"), self.sort(["_", "BitVec", e[2]]))
        if head == "let":
            if len(e) != 3 or not isinstance(e[1], list):
                raise PipelineError("SMT-LIB: malformed let")
            scope = {}
            for binding in e[1]:
                if not (isinstance(binding, list) and len(binding) == 2):
                    raise PipelineError("SMT-LIB: malformed let binding")
                scope[str(binding[0])] = self.term(binding[1])
            self.scopes.append(scope)
            try:
                return self.term(e[2])
            finally:
                self.scopes.pop()
        args = [self.term(x) for x in e[1:]]
        if isinstance(head, list):
            return self.indexed(head, args)
        return self.apply(head, args)

    def indexed(self, head: list[SExpr], args: list[int]) -> int:
        b = self.b
        if len(head) < 2 or head[0] != "_" or len(args) != 1:
            raise PipelineError(f"SMT-LIB: unsupported operator {head!r}")
        name, params = head[1], [_int(p, f"{head[1]} index") for p in head[2:]]
        x = args[0]
        w = b.width(x)
        if name == "extract" and len(params) == 2:
            hi, lo = params
            if not 0 <= lo <= hi < w:
                raise PipelineError(f"SMT-LIB: extract {hi} {lo} out of range for width {w}")
            return b.extract(x, hi, lo)
        if name == "zero_extend" and len(params) == 1:
            return b.zext(x, w + params[0])
        if name == "sign_extend" and len(params) == 1:
            return b.sext(x, w + params[0])
        if name in ("rotate_left", "rotate_right") and len(params) == 1:
            k = params[0] % w
            if name == "rotate_right":
                k = (w - k) % w
            if k == 0:
                return x
            return b.concat(b.extract(x, w - k - 1, 0), b.extract(x, w - 1, w - k))
        if name == "repeat" and len(params) == 1 and params[0] >= 1:
            acc = x
            for _ in range(params[0] - 1):
                acc = b.concat(acc, x)
            return acc
        raise PipelineError(f"SMT-LIB: unsupported indexed operator {head!r}")

    def _bv_args(self, name: str, args: list[int], n: int | None = None) -> int:
        if n is not None and len(args) != n:
            raise PipelineError(f"SMT-LIB: {name} takes {n} arguments, got {len(args)}")
        if not args:
            raise PipelineError(f"SMT-LIB: {name} needs arguments")
        widths = {self.b.width(a) for a in args}
        if len(widths) != 1 or BOOL in widths:
            raise PipelineError(f"SMT-LIB: {name} needs bit-vectors of one width, got {widths}")
        return widths.pop()

    def apply(self, name: SExpr, args: list[int]) -> int:
        b = self.b
        chains: dict[str, Op] = {
            "bvadd": Op.ADD,
            "bvmul": Op.MUL,
            "bvand": Op.AND,
            "bvor": Op.OR,
            "bvxor": Op.XOR,
            "bvsub": Op.SUB,
        }
        comparisons = {
            "bvult": Op.ULT,
            "bvule": Op.ULE,
            "bvugt": Op.UGT,
            "bvuge": Op.UGE,
            "bvslt": Op.SLT,
            "bvsle": Op.SLE,
            "bvsgt": Op.SGT,
            "bvsge": Op.SGE,
        }
        if not isinstance(name, str):
            raise PipelineError(f"SMT-LIB: unsupported operator {name!r}")
        if name in chains:
            self._bv_args(name, args)
            acc = args[0]
            for x in args[1:]:
                acc = b.binop(chains[name], acc, x)
            return acc
        if name in comparisons:
            self._bv_args(name, args, 2)
            return b.binop(comparisons[name], args[0], args[1])
        if name == "bvneg":
            self._bv_args(name, args, 1)
            return b.neg(args[0])
        if name == "bvnot":
            self._bv_args(name, args, 1)
            return b.bvnot(args[0])
        if name in ("bvudiv", "bvurem", "bvsdiv", "bvsrem", "bvsmod"):
            w = self._bv_args(name, args, 2)
            return self.division(name, args[0], args[1], w)
        if name in ("bvshl", "bvlshr", "bvashr"):
            w = self._bv_args(name, args, 2)
            x, s = args
            in_range = b.binop(Op.ULT, s, b.const(w, w))
            if name == "bvashr":
                fill = b.binop(Op.ARSH, x, b.const(w - 1, w))
                return b.ite(in_range, b.binop(Op.ARSH, x, s), fill)
            op = Op.LSH if name == "bvshl" else Op.RSH
            return b.ite(in_range, b.binop(op, x, s), b.const(0, w))
        if name == "concat":
            if len(args) < 2 or any(b.width(a) == BOOL for a in args):
                raise PipelineError("SMT-LIB: concat needs two or more bit-vectors")
            acc = args[0]
            for x in args[1:]:
                acc = b.concat(acc, x)
            return acc
        if name == "ite":
            if len(args) != 3 or b.width(args[0]) != BOOL or b.width(args[1]) != b.width(args[2]):
                raise PipelineError("SMT-LIB: ite needs a Bool and two terms of one sort")
            return b.ite(*args)
        if name in ("=", "distinct"):
            if len(args) < 2 or len({b.width(a) for a in args}) != 1:
                raise PipelineError(f"SMT-LIB: {name} needs two or more terms of one sort")
            if name == "=":
                return b.land(*(b.binop(Op.EQ, x, y) for x, y in itertools.pairwise(args)))
            pairs = [(x, y) for k, x in enumerate(args) for y in args[k + 1 :]]
            return b.land(*(b.binop(Op.NE, x, y) for x, y in pairs))
        if name in ("and", "or", "xor", "=>", "not"):
            if not args or any(b.width(a) != BOOL for a in args):
                raise PipelineError(f"SMT-LIB: {name} needs Bool arguments")
            if name == "not":
                if len(args) != 1:
                    raise PipelineError("SMT-LIB: not takes one argument")
                return b.lnot(args[0])
            if name == "and":
                return b.land(*args)
            if name == "or":
                return b.lor(*args)
            if name == "xor":
                acc = args[0]
                for x in args[1:]:
                    acc = b.binop(Op.NE, acc, x)
                return acc
            acc = args[-1]  # => is right-associative
            for x in reversed(args[:-1]):
                acc = b.implies(x, acc)
            return acc
        raise PipelineError(f"SMT-LIB: unsupported operator {name!r}")

    def division(self, name: str, x: int, y: int, w: int) -> int:
        """SMT-LIB division in terms of eBPF's, which differs only for a zero divisor."""
        b = self.b
        zero, ones = b.const(0, w), b.const(-1, w)
        y_zero = b.binop(Op.EQ, y, zero)
        if name == "bvudiv":
            return b.ite(y_zero, ones, b.binop(Op.UDIV, x, y))
        if name == "bvurem":
            return b.binop(Op.UMOD, x, y)
        if name == "bvsdiv":
            x_neg = b.binop(Op.SLT, x, zero)
            return b.ite(y_zero, b.ite(x_neg, b.const(1, w), ones), b.binop(Op.SDIV, x, y))
        rem = b.binop(Op.SMOD, x, y)
        if name == "bvsrem":
            return rem
        # bvsmod: the remainder takes the divisor's sign (floored division)
        same_sign = b.binop(Op.EQ, b.binop(Op.SLT, rem, zero), b.binop(Op.SLT, y, zero))
        keep = b.lor(b.binop(Op.EQ, rem, zero), same_sign, y_zero)
        return b.ite(keep, rem, b.binop(Op.ADD, rem, y))

    def run(self, cmds: list[SExpr]) -> Condition:
        constraints: list[int] = []
        for cmd in cmds:
            if not isinstance(cmd, list) or not cmd or not isinstance(cmd[0], str):
                raise PipelineError(f"SMT-LIB: expected a command, got {cmd!r}")
            head = cmd[0]
            if head == "declare-const" and len(cmd) == 3:
                self.declare(str(cmd[1]), self.sort(cmd[2]))
            elif head == "declare-fun" and len(cmd) == 4:
                if cmd[2]:
                    raise PipelineError(f"SMT-LIB: function {cmd[1]!r} with arguments unsupported")
                self.declare(str(cmd[1]), self.sort(cmd[3]))
            elif head == "define-fun" and len(cmd) == 5:
                if cmd[2]:
                    raise PipelineError(f"SMT-LIB: function {cmd[1]!r} with parameters unsupported")
                t = self.term(cmd[4])
                if self.b.width(t) != self.sort(cmd[3]):
                    raise PipelineError(f"SMT-LIB: {cmd[1]!r} does not have its declared sort")
                self.scopes[0][str(cmd[1])] = t
            elif head == "assert" and len(cmd) == 2:
                t = self.term(cmd[1])
                if self.b.width(t) != BOOL:
                    raise PipelineError("SMT-LIB: assert needs a Bool term")
                constraints.append(t)
            elif head in ("set-logic", "set-info", "set-option", "check-sat", "exit", "get-model"):
                continue
            else:
                raise PipelineError(f"SMT-LIB: unsupported command {head!r}")
        if not constraints:
            raise PipelineError("SMT-LIB: no assertions")
        # Each top-level conjunct is its own constraint: it keeps the node list flat to print.
        flat: list[int] = []
        for c in constraints:
            flat.extend(self._conjuncts(c))
        return self.b.condition(flat, self.b.false(), names=self.names)

    def _conjuncts(self, t: int) -> list[int]:
        n: Node = self.b.nodes[t]
        if n.op is Op.LAND:
            return self._conjuncts(n.args[0]) + self._conjuncts(n.args[1])
        if n.op is Op.CONST and n.imm == 1:
            return []
        return [t]


def read_smtlib(text: str) -> Condition:
    """An SMT-LIB QF_BV script → condition whose constraints are its assertions, goal false."""
    return _Reader().run(parse_sexprs(text))
