"""Random straight-line eBPF programs over the instructions BCF's tracker models exactly.

Used by the semantic differential test of the kernel's tracker (tests/test_bcf_kernel.py): a tc
program reads 32 bytes of the packet into r7, r8, r9 and r6 (through bpf_skb_load_bytes, so the
tracker sees four unconstrained 64-bit inputs), runs a random chain of ALU64/ALU32 operations,
forward conditional jumps (JMP and JMP32, every comparison) and register moves, and leaves a
result in r7. Three programs come from one chain:

* ``lo``/``hi`` return the low / high 32 bits of the result (test_run gives the kernel's value);
* ``trap`` dereferences NULL when the result equals a constant C. With C the kernel's own result
  for some input, the trap is reachable, so BCF must never prove it unreachable: a path condition
  certified infeasible there means the tracker computed something other than what the machine
  did.

Instructions are emitted as raw encodings (``.quad``), so every v4 instruction (sdiv, smod,
movsx, bswap) is exactly what the generator chose, whatever the assembler knows.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass

# opcode classes and fields (include/uapi/linux/bpf.h)
ALU, JMP, JMP32, ALU64, LDX, STX, LD = 0x04, 0x05, 0x06, 0x07, 0x01, 0x03, 0x00
K, X = 0x00, 0x08
ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, NEG, MOD, XOR, MOV, ARSH, END = (
    0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0,
)  # fmt: skip
JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE = (
    0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xA0, 0xB0, 0xC0, 0xD0,
)  # fmt: skip
CALL, EXIT = 0x80, 0x90
DW, MEM = 0x18, 0x60
SKB_LOAD_BYTES = 26

BINOPS = [ADD, SUB, MUL, DIV, OR, AND, LSH, RSH, MOD, XOR, ARSH]
JMPOPS = [JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE]
# registers the chain works on: the four inputs and two temporaries
REGS = [6, 7, 8, 9, 2, 3]
SPECIAL = [0, 1, -1, 2, 7, 8, 31, 32, 63, 64, 0x7FFFFFFF, -0x80000000, 0xFFFF, 0x80]


def insn(code: int, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> int:
    raw = struct.pack("<BBhi", code, (src << 4) | dst, off, imm)
    return int.from_bytes(raw, "little")


def ld_imm64(dst: int, value: int) -> list[int]:
    value &= (1 << 64) - 1
    lo, hi = value & 0xFFFFFFFF, value >> 32
    return [
        insn(LD | DW, dst, 0, 0, struct.unpack("<i", struct.pack("<I", lo))[0]),
        insn(0, 0, 0, 0, struct.unpack("<i", struct.pack("<I", hi))[0]),
    ]


@dataclass
class Chain:
    """One random computation; ``body`` ends with the result in r7."""

    seed: int
    body: list[int]
    text: list[str]


def _imm(rng: random.Random) -> int:
    if rng.random() < 0.5:
        return rng.choice(SPECIAL)
    return rng.randrange(-(1 << 31), 1 << 31)


def chain(seed: int, length: int = 12) -> Chain:
    rng = random.Random(seed)
    body: list[int] = []
    text: list[str] = []
    # temporaries start defined
    for r in (2, 3):
        body.append(insn(ALU64 | MOV | K, r, 0, 0, _imm(rng)))
        text.append(f"r{r} = imm")
    pending: list[tuple[int, int]] = []  # (index of a jump, instructions it skips)
    for _ in range(length):
        cls = rng.choice([ALU64, ALU64, ALU])
        dst = rng.choice(REGS)
        kind = rng.random()
        w = "r" if cls == ALU64 else "w"
        if kind < 0.55:
            op = rng.choice(BINOPS)
            off = 0
            if op in (DIV, MOD) and rng.random() < 0.4:
                off = 1  # signed (v4 sdiv/smod)
            if rng.random() < 0.5:
                imm = _imm(rng)
                if op in (LSH, RSH, ARSH):  # the verifier refuses constant amounts >= width
                    imm = rng.randrange(0, 64 if cls == ALU64 else 32)
                if op in (DIV, MOD) and imm == 0:  # and constant division by zero
                    imm = rng.choice([-1, 3, 13])
                body.append(insn(cls | op | K, dst, 0, off, imm))
                text.append(f"{w}{dst} op{op:#x}/{off} imm {imm}")
            else:
                src = rng.choice(REGS)
                body.append(insn(cls | op | X, dst, src, off, 0))
                text.append(f"{w}{dst} op{op:#x}/{off} {w}{src}")
        elif kind < 0.65:
            body.append(insn(cls | NEG, dst))
            text.append(f"{w}{dst} = -{w}{dst}")
        elif kind < 0.8:
            src = rng.choice(REGS)
            off = rng.choice([0, 8, 16, 32] if cls == ALU64 else [0, 8, 16])
            body.append(insn(cls | MOV | X, dst, src, off, 0))
            text.append(f"{w}{dst} = (s{off or 'mov'}){w}{src}")
        elif kind < 0.88:
            width = rng.choice([16, 32, 64])
            if cls == ALU64:  # bswap (v4)
                body.append(insn(ALU64 | END, dst, 0, 0, width))
                text.append(f"r{dst} = bswap{width} r{dst}")
            else:
                src_bit = rng.choice([0x00, 0x08])  # to_le / to_be
                body.append(insn(ALU | END | src_bit, dst, 0, 0, width))
                text.append(f"r{dst} = {'be' if src_bit else 'le'}{width} r{dst}")
        else:
            jcls = rng.choice([JMP, JMP32])
            op = rng.choice(JMPOPS)
            skip = rng.randrange(1, 4)
            if rng.random() < 0.5:
                body.append(insn(jcls | op | K, dst, 0, skip, _imm(rng)))
            else:
                body.append(insn(jcls | op | X, dst, rng.choice(REGS), skip, 0))
            text.append(f"if{jcls:#x} op{op:#x} skip {skip}")
            pending.append((len(body) - 1, skip))
    # every jump lands inside the chain or just after it: pad with harmless moves
    need = max((i + 1 + s - len(body) for i, s in pending), default=0)
    for _ in range(max(0, need)):
        body.append(insn(ALU64 | MOV | X, 2, 2))
        text.append("r2 = r2")
    # mix everything into r7
    for r in (6, 8, 9, 2, 3):
        body.append(insn(ALU64 | XOR | X, 7, r))
        text.append(f"r7 ^= r{r}")
    return Chain(seed, body, text)


def prologue() -> list[int]:
    """r6 = ctx; bpf_skb_load_bytes(ctx, 0, fp - 32, 32); r6..r9 = the four 64-bit inputs."""
    return [
        insn(ALU64 | MOV | X, 6, 1),
        insn(ALU64 | MOV | X, 1, 6),
        insn(ALU64 | MOV | K, 2, 0, 0, 0),
        insn(ALU64 | MOV | X, 3, 10),
        insn(ALU64 | ADD | K, 3, 0, 0, -32),
        insn(ALU64 | MOV | K, 4, 0, 0, 32),
        insn(JMP | CALL, 0, 0, 0, SKB_LOAD_BYTES),
        insn(LDX | MEM | DW, 6, 10, -32),
        insn(LDX | MEM | DW, 7, 10, -24),
        insn(LDX | MEM | DW, 8, 10, -16),
        insn(LDX | MEM | DW, 9, 10, -8),
    ]


def program(c: Chain, kind: str, target: int = 0) -> list[int]:
    out = prologue() + c.body
    if kind == "lo":
        out += [insn(ALU | MOV | X, 0, 7), insn(JMP | EXIT)]
    elif kind == "hi":
        out += [insn(ALU64 | MOV | X, 0, 7), insn(ALU64 | RSH | K, 0, 0, 0, 32)]
        out += [insn(JMP | EXIT)]
    elif kind == "trap":
        out += ld_imm64(1, target)
        out += [
            insn(JMP | JNE | X, 7, 1, 2),
            insn(ALU64 | MOV | K, 1, 0, 0, 0),
            insn(LDX | MEM | DW, 0, 1, 0),  # NULL dereference when r7 == target
            insn(ALU64 | MOV | K, 0, 0, 0, 0),
            insn(JMP | EXIT),
        ]
    else:
        raise ValueError(kind)
    return out


def c_source(programs: dict[str, list[int]]) -> str:
    """A C file with one naked tc program per entry (name -> instructions)."""
    lines = [
        "// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause",
        "// Generated by tests/progen.py for the tracker's differential test.",
        "",
    ]
    for name, insns in programs.items():
        lines.append(f'__attribute__((section("tc"), naked, used)) int {name}(void *ctx)')
        lines.append("{")
        lines.append("\tasm volatile(")
        lines += [f'\t\t".quad {i:#018x};"' for i in insns]
        lines.append('\t\t::: "memory");')
        lines.append("}")
        lines.append("")
    lines.append('__attribute__((section("license"), used)) char LICENSE[] = "GPL";')
    return "\n".join(lines) + "\n"


def inputs(seed: int) -> bytes:
    """32 bytes of packet: four 64-bit inputs, biased towards boundary values."""
    rng = random.Random(seed ^ 0x5EED)
    vals = []
    for _ in range(4):
        if rng.random() < 0.3:
            v = rng.choice([*SPECIAL, -(1 << 63), (1 << 63) - 1, 1 << 32])
        else:
            v = rng.getrandbits(64)
        vals.append(v & ((1 << 64) - 1))
    return struct.pack("<4Q", *vals)
