"""The operations of the condition format: opcodes, their arity and widths, printer names.

Kept apart from the node model (``expr``) so that the reference semantics (``refeval``), which the
model's constant folding uses, depend on the opcodes only.
"""

from __future__ import annotations

from enum import IntEnum

BOOL = 0
MAX_WIDTH = 255  # the format's width is a u8; the kernel itself only emits widths up to 64
MAX_CONST_WIDTH = 64  # constants are stored inline as a u64


class Op(IntEnum):
    CONST = 0x01
    VAR = 0x02
    ADD = 0x10
    SUB = 0x11
    MUL = 0x12
    UDIV = 0x13
    SDIV = 0x14
    UMOD = 0x15
    SMOD = 0x16
    AND = 0x17
    OR = 0x18
    XOR = 0x19
    LSH = 0x1A
    RSH = 0x1B
    ARSH = 0x1C
    NEG = 0x1D
    BSWAP16 = 0x20
    BSWAP32 = 0x21
    BSWAP64 = 0x22
    ZEXT = 0x28
    SEXT = 0x29
    EXTRACT = 0x2A
    CONCAT = 0x2B
    ITE = 0x2C
    EQ = 0x30
    NE = 0x31
    SET = 0x32
    UGT = 0x33
    UGE = 0x34
    ULT = 0x35
    ULE = 0x36
    SGT = 0x37
    SGE = 0x38
    SLT = 0x39
    SLE = 0x3A
    LNOT = 0x40
    LAND = 0x41
    LOR = 0x42
    LIMPLIES = 0x43


BV_BINARY = frozenset(
    {
        Op.ADD,
        Op.SUB,
        Op.MUL,
        Op.UDIV,
        Op.SDIV,
        Op.UMOD,
        Op.SMOD,
        Op.AND,
        Op.OR,
        Op.XOR,
        Op.LSH,
        Op.RSH,
        Op.ARSH,
    }
)
COMPARISONS = frozenset(
    {Op.EQ, Op.NE, Op.SET, Op.UGT, Op.UGE, Op.ULT, Op.ULE, Op.SGT, Op.SGE, Op.SLT, Op.SLE}
)
BSWAP_BITS = {Op.BSWAP16: 16, Op.BSWAP32: 32, Op.BSWAP64: 64}
COMMUTATIVE = frozenset(
    {Op.ADD, Op.MUL, Op.AND, Op.OR, Op.XOR, Op.EQ, Op.NE, Op.SET, Op.LAND, Op.LOR}
)

ARITY: dict[Op, int] = {Op.CONST: 0, Op.VAR: 0, Op.ITE: 3, Op.CONCAT: 2}
for _op in BV_BINARY | COMPARISONS | {Op.LAND, Op.LOR, Op.LIMPLIES}:
    ARITY[_op] = 2
for _op in (Op.NEG, Op.ZEXT, Op.SEXT, Op.EXTRACT, Op.LNOT, *BSWAP_BITS):
    ARITY[_op] = 1

# Printer and SMT-LIB names.
OP_NAMES: dict[Op, str] = {
    Op.ADD: "add",
    Op.SUB: "sub",
    Op.MUL: "mul",
    Op.UDIV: "udiv",
    Op.SDIV: "sdiv",
    Op.UMOD: "umod",
    Op.SMOD: "smod",
    Op.AND: "and",
    Op.OR: "or",
    Op.XOR: "xor",
    Op.LSH: "lsh",
    Op.RSH: "rsh",
    Op.ARSH: "arsh",
    Op.NEG: "neg",
    Op.BSWAP16: "bswap16",
    Op.BSWAP32: "bswap32",
    Op.BSWAP64: "bswap64",
    Op.ZEXT: "zext",
    Op.SEXT: "sext",
    Op.EXTRACT: "extract",
    Op.CONCAT: "concat",
    Op.ITE: "ite",
    Op.EQ: "==",
    Op.NE: "!=",
    Op.SET: "&?",
    Op.UGT: ">",
    Op.UGE: ">=",
    Op.ULT: "<",
    Op.ULE: "<=",
    Op.SGT: "s>",
    Op.SGE: "s>=",
    Op.SLT: "s<",
    Op.SLE: "s<=",
    Op.LNOT: "!",
    Op.LAND: "&&",
    Op.LOR: "||",
    Op.LIMPLIES: "=>",
}
