"""Condition model, binary encoding and the decoder's handling of bad input."""

from __future__ import annotations

import random
import struct

import pytest

from bcfpipe.bcf.encoding import HEADER, MAX_CONDITION_BYTES, decode, encode
from bcfpipe.bcf.expr import BOOL, Builder, Op, format_condition
from bcfpipe.bcf.randgen import random_condition
from bcfpipe.errors import PipelineError


def sample() -> bytes:
    b = Builder()
    x = b.var(7, 32)
    t = b.binop(Op.ADD, b.binop(Op.AND, x, b.const(0xF, 32)), b.const(8, 32))
    return encode(
        b.condition(
            [b.binop(Op.ULT, x, b.const(100, 32))],
            b.binop(Op.ULE, t, b.const(24, 32)),
            names={7: "r3"},
        )
    )


def test_sharing_and_folding() -> None:
    b = Builder()
    x, y = b.var(1, 8), b.var(2, 8)
    assert b.binop(Op.ADD, x, y) == b.binop(Op.ADD, y, x)  # commutative ops share one node
    assert b.binop(Op.SUB, x, y) != b.binop(Op.SUB, y, x)
    n = len(b.nodes)
    assert b.binop(Op.ADD, x, y) == b.binop(Op.ADD, x, y) and len(b.nodes) == n
    k = b.binop(Op.SDIV, b.const(0x80, 8), b.const(0xFF, 8))
    assert b.nodes[k].op is Op.CONST and b.nodes[k].imm == 0x80
    assert b.nodes[b.binop(Op.UDIV, b.const(9, 8), b.const(0, 8))].imm == 0
    assert b.binop(Op.ULE, x, x) == b.true()
    assert b.land(b.true(), b.binop(Op.ULT, x, y)) == b.binop(Op.ULT, x, y)
    assert b.lnot(b.lnot(b.binop(Op.ULT, x, y))) == b.binop(Op.ULT, x, y)
    wide = b.const((1 << 100) | 5, 128)  # wider than 64 bits: concat of inline constants
    assert b.nodes[wide].op is Op.CONCAT and b.width(wide) == 128


def test_alu32_and_endianness_helpers() -> None:
    b = Builder()
    r = b.var(1, 64)
    t = b.alu32(Op.ADD, r, r)
    assert b.nodes[t].op is Op.ZEXT and b.width(t) == 64
    assert b.nodes[b.be(r, 16)].op is Op.BSWAP16
    assert b.nodes[b.le(r, 32)].op is Op.ZEXT


def test_typing_errors() -> None:
    b = Builder()
    x8, x16 = b.var(1, 8), b.var(2, 16)
    with pytest.raises(PipelineError, match="width mismatch"):
        b.binop(Op.ADD, x8, x16)
    with pytest.raises(PipelineError, match="width mismatch"):
        b.mk(Op.BSWAP32, 16, (x16,))
    with pytest.raises(PipelineError, match="widths 8 and 16"):
        b.var(1, 16)
    with pytest.raises(PipelineError, match="boolean"):
        b.condition([], x8)


def test_round_trip_random() -> None:
    for seed in range(200):
        cond = random_condition(seed)
        data = encode(cond)
        assert decode(data) == cond
        assert encode(decode(data)) == data


def test_printer() -> None:
    text = format_condition(decode(sample()))
    assert "var" not in text.splitlines()[1]
    assert "r3" in text and "assume" in text and "prove" in text


def test_truncated_everywhere() -> None:
    data = sample()
    for cut in range(len(data)):
        with pytest.raises(PipelineError, match=r"truncated|header|magic"):
            decode(data[:cut])


def _patched(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def test_bad_inputs_are_named() -> None:
    data = sample()
    with pytest.raises(PipelineError, match="oversized"):
        decode(data + b"\0")
    with pytest.raises(PipelineError, match="oversized"):
        decode(_patched(data + b"\0", 8, "<I", len(data) + 1))
    with pytest.raises(PipelineError, match="limit"):
        decode(b"BCFC" + bytes(MAX_CONDITION_BYTES))
    with pytest.raises(PipelineError, match="magic"):
        decode(b"XXXX" + data[4:])
    with pytest.raises(PipelineError, match="version"):
        decode(_patched(data, 4, "<H", 2))
    first = HEADER.size  # node 0 is the variable
    with pytest.raises(PipelineError, match="unknown opcode 0x7f"):
        decode(_patched(data, first, "<B", 0x7F))
    with pytest.raises(PipelineError, match="width"):
        decode(_patched(data, first + 1, "<B", 0))  # a 0-bit (boolean) variable


def test_width_mismatch_and_forward_reference() -> None:
    b = Builder()
    x = b.var(1, 8)
    y = b.binop(Op.ADD, x, x)
    data = bytearray(encode(b.condition([], b.binop(Op.ULE, y, x))))
    # node 1 = ADD(x, x): op, width, n_args, arg0, arg1
    off = HEADER.size + 3 + 4
    bad_width = bytes(data[: off + 1]) + bytes([16]) + bytes(data[off + 2 :])
    with pytest.raises(PipelineError, match="width mismatch"):
        decode(bad_width)
    fwd = bytearray(data)
    struct.pack_into("<I", fwd, off + 3, 1)  # ADD refers to itself
    with pytest.raises(PipelineError, match="forward reference"):
        decode(bytes(fwd))
    arity = bytearray(data)
    arity[off + 2] = 3
    with pytest.raises(PipelineError, match="takes 2 arguments"):
        decode(bytes(arity))


def test_fuzzed_bytes_never_crash() -> None:
    rng = random.Random(5)
    base = [encode(random_condition(s)) for s in range(20)]
    for _ in range(3000):
        data = bytearray(rng.choice(base))
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            cond = decode(bytes(data))
        except PipelineError:
            continue
        assert all(n.width == BOOL for n in (cond.nodes[c] for c in cond.constraints))
