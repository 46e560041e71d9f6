"""The host replay of a refuted condition's model (bcfpipe/bcf/replay.py), on hand-assembled
programs: what a model makes of the program's own instructions."""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hosttools import CLANG

from bcfpipe.bcf import link, replay
from bcfpipe.corpus import elf

R = {f"r{i}": i for i in range(11)}


def ins(code: int, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> replay.Insn:
    raw = struct.pack("<BBhi", code, dst | src << 4, off, imm)
    return replay.decode_insns(raw)[0]


# An XDP program reading a packet byte at an offset it read from the packet itself:
#   0: r2 = *(u32 *)(r1 + 0)    data
#   1: r3 = *(u32 *)(r1 + 4)    data_end
#   2: r4 = *(u8 *)(r2 + 0)     the offset (origin ld2.2)
#   3: r2 += r4
#   4: r0 = *(u8 *)(r2 + 0)     the access the condition is about (step 4)
#   5: exit
PKT_PROG = [
    ins(0x61, 2, 1, 0),
    ins(0x61, 3, 1, 4),
    ins(0x71, 4, 2, 0),
    ins(0x0F, 2, 4),
    ins(0x71, 0, 2, 0),
    ins(0x95),
]


def refinement(model: dict[str, tuple[int, str]], insn: int = 4, step: int = 4) -> dict[str, Any]:
    return {
        "kind": "range",
        "start": "entry",
        "insn": insn,
        "track_length": step,
        "model": {v: {"value": val, "origin": o} for v, (val, o) in model.items()},
        "access": {"size": 1, "region": 0},
    }


def test_a_packet_read_past_the_end_is_reproduced() -> None:
    ref = refinement({"v0": (20, "pkt_len.0"), "v1": (30, "ld2.2")})
    got = replay.replay(PKT_PROG, "xdp", ref)
    assert got.verdict == "reproduced", got
    assert "offset 30 of pkt (20 bytes)" in got.detail


def test_an_access_in_bounds_is_a_model_gap() -> None:
    got = replay.replay(PKT_PROG, "xdp", refinement({"v0": (20, "pkt_len.0"), "v1": (5, "ld2.2")}))
    assert got.verdict == "diverged" and "in bounds" in got.detail, got


def test_a_byte_read_twice_keeps_its_first_value() -> None:
    """The model may give two loads of one byte two values (two variables); the input cannot:
    the second load reads what the first one put there, and the run leaves the path."""
    prog = [
        ins(0x61, 2, 1, 0),  # 0: data
        ins(0x61, 3, 1, 4),  # 1: data_end
        ins(0x71, 4, 2, 0),  # 2: r4 = pkt[0]           (ld2.2 = 1)
        ins(0x71, 5, 2, 0),  # 3: r5 = pkt[0] again     (ld3.3 = 2: another variable)
        ins(0x5D, 4, 5, 1),  # 4: if r4 != r5 goto 6
        ins(0x95),  # 5: exit
        ins(0x71, 0, 2, 40),  # 6: r0 = pkt[40]: past a 20-byte packet (step 5)
        ins(0x95),
    ]
    model = {"v0": (20, "pkt_len.0"), "v1": (1, "ld2.2"), "v2": (2, "ld3.3")}
    got = replay.replay(prog, "xdp", refinement(model, insn=6, step=5))
    assert got.verdict == "diverged" and "exits at insn 5" in got.detail, got
    # With one value for the byte the path needs r4 != r5, which no packet gives: a model gap.
    model["v2"] = (1, "ld3.3")
    assert replay.replay(prog, "xdp", refinement(model, insn=6, step=5)).verdict == "diverged"


def test_a_map_value_read_past_its_end_is_reproduced() -> None:
    """bpf_map_lookup_elem finds an entry whose bytes the model picks as the program reads them.
    0: r1 = map ll; 2: r2 = r10; 3: r2 += -8; 4: call 1; 5: if r0 == 0 goto 9;
    6: r1 = *(u64 *)(r0 + 0); 7: r0 += r1; 8: r0 = *(u8 *)(r0 + 0) (step 8); 9: exit"""
    prog = [
        ins(0x18, 1, 1, 0, 3),
        ins(0x00),
        ins(0xBF, 2, 10),
        ins(0x07, 2, 0, 0, -8),
        ins(0x85, 0, 0, 0, 1),
        ins(0x15, 0, 0, 3, 0),
        ins(0x79, 1, 0, 0),
        ins(0x0F, 0, 1),
        ins(0x71, 0, 0, 0),
        ins(0x95),
    ]
    ref = refinement({"v0": (40, "ld6.5")}, insn=8, step=7)
    ref["access"] = {"size": 1, "region": 32}
    got = replay.replay(prog, "xdp", ref)
    assert got.verdict == "reproduced" and "offset 40 of map value 1 (32 bytes)" in got.detail


def test_what_the_replay_cannot_choose_stops_it() -> None:
    # A helper whose result is not the model's to pick (bpf_trace_printk).
    prog = [ins(0x85, 0, 0, 0, 6), ins(0x71, 0, 1, 0), ins(0x95)]
    got = replay.replay(prog, "xdp", refinement({"v0": (3, "call0.0")}, insn=1, step=1))
    assert got.verdict == "unsupported" and "helper 6" in got.detail
    # A path condition whose suffix starts at a verifier state, a frame's entry or a cut (a
    # range one from there is run from the program's entry instead: below).
    ref = refinement({"v0": (30, "ld2.2"), "v1": (20, "pkt_len.0")})
    for start in ("state", "frame", "cut", "elsewhere"):
        got = replay.replay(PKT_PROG, "xdp", dict(ref, start=start, kind="path"))
        assert got.verdict == "unsupported" and "the suffix starts at" in got.detail
    # From there the model's values are not used: the packet's bytes 0xff (the second fill
    # tried) put the read at offset 255 of the 64-byte packet.
    for start in ("state", "frame", "cut"):
        got = replay.replay(PKT_PROG, "xdp", dict(ref, start=start))
        assert got.verdict == "reproduced" and "offset 255 of pkt (64 bytes)" in got.detail, got
    # A register read before it is written is no entry's.
    got = replay.replay(PKT_PROG, "xdp", refinement({"v0": (3, "r4"), "v1": (20, "pkt_len.0")}))
    assert got.verdict == "unsupported" and "r4 is read before" in got.detail
    # Variables the kernel did not name.
    got = replay.replay(PKT_PROG, "xdp", refinement({"v0": (3, "")}))
    assert got.verdict == "unsupported"
    # A context field other than the packet pointers is the environment's.
    prog = [ins(0x61, 2, 1, 12), ins(0x95)]
    got = replay.replay(prog, "xdp", refinement({}, insn=1, step=1))
    assert got.verdict == "unsupported" and "context field" in got.detail
    # A packet too short for BPF_PROG_TEST_RUN: a path condition stops there; for a range
    # one, packets that can be sent are tried from the shortest, 0x00 bytes first (offset 0
    # is in bounds at every length), then 0xff (offset 255 is past a 14-byte packet).
    ref = refinement({"v0": (4, "pkt_len.0")})
    got = replay.replay(PKT_PROG, "xdp", ref | {"kind": "path"})
    assert got.verdict == "unsupported" and "4 bytes cannot be sent" in got.detail
    got = replay.replay(PKT_PROG, "xdp", ref)
    assert got.verdict == "reproduced" and "0xff and a packet of 14 bytes" in got.detail, got
    assert "offset 255 of pkt (14 bytes)" in got.detail


def test_path_conditions_are_reproduced_by_reaching_the_rejected_instruction() -> None:
    ref = refinement({"v0": (20, "pkt_len.0"), "v1": (30, "ld2.2")})
    ref["kind"] = "path"
    assert replay.replay(PKT_PROG, "xdp", ref).verdict == "reproduced"
    ref["track_length"] = 3  # the run is at another instruction at that step
    assert replay.replay(PKT_PROG, "xdp", ref).verdict == "diverged"


def test_another_path_to_the_refused_access_is_reproduced() -> None:
    """A sliced condition leaves out branches that do not decide its goal: its model may take
    another path, of another length, to the same access through a scalar."""
    prog = [
        ins(0x85, imm=7),  # 0: r0 = bpf_get_prandom_u32()
        ins(0x25, 0, 0, 1, 5),  # 1: if r0 > 5 goto 3
        ins(0xB7, 2, 0, 0, 1),  # 2: r2 = 1
        ins(0xB7, 3, 0, 0, 0),  # 3: r3 = 0
        ins(0x71, 1, 3, 0),  # 4: r1 = *(u8 *)(r3 + 0)
        ins(0x95),  # 5: exit
    ]
    ref = refinement({"v0": (9, "call0.0")}, insn=4, step=4) | {"kind": "path"}
    got = replay.replay(prog, "xdp", ref)
    assert got.verdict == "reproduced", got
    assert "through the scalar 0x0, at step 3 by another path" in got.detail
    ref = refinement({"v0": (2, "call0.0")}, insn=4, step=4) | {"kind": "path"}
    on_path = replay.replay(prog, "xdp", ref)
    assert on_path.verdict == "reproduced" and "takes the rejected path" in on_path.detail


# Static subprograms in .text: prog_a calls f (which calls h) and then g; prog_b, in the same
# ELF section, calls g and a kfunc (clang emits a pseudo call to the extern); prog_c hands the
# callback cb to bpf_loop (an ld_imm64 relocated against .text), then calls g.
SUBPROGS = r"""
#define SUB static __attribute__((noinline))
extern int bpf_kf(int x) __attribute__((section(".ksyms")));
SUB int h(int x) { return x * 3; }
SUB int f(int x) { return h(x) + 1; }
SUB int g(int x) { return x - 2; }
__attribute__((section("xdp"))) int prog_a(void *ctx) { return f((long)ctx & 7) + g(1); }
__attribute__((section("xdp"))) int prog_b(void *ctx) { return g((long)ctx & 7) + bpf_kf(2); }
static long (*bpf_loop)(unsigned n, void *cb, void *c, unsigned long fl) = (void *)181;
SUB long cb(unsigned i, void *c) { return 0; }
__attribute__((section("tc"))) int prog_c(void *ctx) { return bpf_loop(3, cb, 0, 0) + g(3); }
char _license[] __attribute__((section("license"))) = "GPL";
"""


def _calls(insns: list[replay.Insn]) -> list[int]:
    """The targets of the bpf-to-bpf calls, in instruction order."""
    return [k + i[4] + 1 for k, i in enumerate(insns) if i[0] == 0x85 and i[2] == 1]


@pytest.mark.skipif(CLANG is None, reason="needs clang")
def test_subprograms_are_appended_as_libbpf_appends_them(tmp_path: Path) -> None:
    """Each program gets the subprograms it reaches after its own instructions, depth first
    in the order of the first calls (f, then h that f calls, then g), with every call's
    immediate pointing at the new place; the verifier numbers instructions this way."""
    src, obj = tmp_path / "s.c", tmp_path / "s.o"
    src.write_text(SUBPROGS)
    subprocess.run(
        [str(CLANG), "-target", "bpf", "-O2", "-c", str(src), "-o", str(obj)], check=True
    )
    data = obj.read_bytes()
    secs = elf.sections(data)
    text = next(s for s in secs if s.name == ".text")
    body = {
        s.name: link.decode_insns(data[text.offset + s.value : text.offset + s.value + s.size])
        for s in elf.symbols(data, secs)
        if s.shndx == secs.index(text) and s.type == elf.STT_FUNC
    }
    assert set(body) == {"f", "g", "h", "cb"}

    def same(a: list[replay.Insn], b: list[replay.Insn]) -> bool:
        # the calls' immediates are the linker's to rewrite
        return [i if i[0] != 0x85 else i[:4] for i in a] == [
            i if i[0] != 0x85 else i[:4] for i in b
        ]

    linked = link.program_insns(obj, "xdp", "prog_a")
    assert linked is not None and not linked.kfuncs
    a = linked.insns
    n = len(a) - sum(len(body[x]) for x in "fhg")
    fs, hs, gs = n, n + len(body["f"]), n + len(body["f"]) + len(body["h"])
    assert same(a[fs:hs], body["f"]) and same(a[hs:gs], body["h"]) and same(a[gs:], body["g"])
    assert _calls(a[:n]) == [fs, gs]  # prog_a's own calls: f, then g
    assert _calls(a) == [fs, gs, hs]  # and f's call to h
    linked = link.program_insns(obj, "xdp", "prog_b")
    assert linked is not None
    b = linked.insns
    assert same(b[len(b) - len(body["g"]) :], body["g"])
    assert _calls(b) == [len(b) - len(body["g"])]
    # the kfunc call becomes one (src 2), named by its relocation, and pulls in nothing
    [(k, kfunc)] = linked.kfuncs.items()
    assert kfunc == "bpf_kf" and b[k][0] == 0x85 and b[k][2] == 2
    # the callback is appended at its first reference, before g, and its address becomes a
    # BPF_PSEUDO_FUNC that points at it
    linked = link.program_insns(obj, "tc")
    assert linked is not None
    c = linked.insns
    cbs = len(c) - len(body["cb"]) - len(body["g"])
    assert same(c[cbs : cbs + len(body["cb"])], body["cb"]) and same(
        c[-len(body["g"]) :], body["g"]
    )
    [(k, ld)] = [(k, i) for k, i in enumerate(c[:cbs]) if i[0] == 0x18 and i[2] == 4]
    assert k + ld[4] + 1 == cbs
    assert _calls(c) == [len(c) - len(body["g"])]
    # a section with two programs needs the name
    assert link.program_insns(obj, "xdp") is None
    assert link.program_insns(obj, "no-such-section") is None


def test_a_call_runs_the_subprogram_on_a_stack_of_its_own() -> None:
    """A bpf-to-bpf call gets R1-R5 and its own r10; the caller's stack slot at the same
    offset is a different byte, and the caller's R6-R9 survive the call."""
    prog = [
        ins(0x61, 2, 1, 0),  # 0: data
        ins(0xB7, 6, 0, 0, 3),  # 1: r6 = 3 (callee-saved)
        ins(0x7A, 10, 0, -8, 40),  # 2: *(u64 *)(r10 - 8) = 40
        ins(0xBF, 1, 2),  # 3: r1 = data
        ins(0x85, 0, 1, 0, 4),  # 4: call 9
        ins(0x79, 3, 10, -8),  # 5: r3 = *(u64 *)(r10 - 8)  (40: the caller's slot)
        ins(0x0F, 0, 3),  # 6: r0 += r3
        ins(0x0F, 0, 6),  # 7: r0 += r6
        ins(0x95),  # 8: exit
        ins(0x7A, 10, 0, -8, 1),  # 9: *(u64 *)(r10 - 8) = 1   (the callee's own slot)
        ins(0x79, 0, 10, -8),  # 10: r0 = *(u64 *)(r10 - 8)
        ins(0x95),  # 11: exit
    ]
    machine = replay._Machine(prog, "xdp", {}, 64)
    # insn 8 is step 11: insns 0-4, 9-11 (the exit returns), 5-7
    got = machine.run(8, 11, "path", 0)
    assert got.verdict == "reproduced", got
    assert machine.regs[0] == 1 + 40 + 3 and not machine.frames


@pytest.mark.parametrize(
    ("start", "end", "total"),
    [(0, 3, 0 + 1 + 2), (-(2**31), -(2**31) + 1, -(2**31)), (5, 2, 0), (0, 0, 0)],
)
def test_the_numbers_iterator_runs_as_the_kernel_computes_it(
    start: int, end: int, total: int
) -> None:
    """bpf_iter_num_new/next on the iterator's stack slot: next() yields start .. end - 1 and
    then NULL (a range from INT_MIN too: cur starts at start - 1, which wraps), an empty or
    reversed range yields nothing."""
    prog = [
        ins(0xB7, 6, 0, 0, 0),  # 0: r6 = 0
        ins(0xBF, 1, 10),  # 1: r1 = r10
        ins(0x07, 1, 0, 0, -8),  # 2: r1 += -8
        ins(0xB7, 2, 0, 0, start),  # 3: r2 = start
        ins(0xB7, 3, 0, 0, end),  # 4: r3 = end
        ins(0x85, 0, 2),  # 5: bpf_iter_num_new(r1, r2, r3)
        ins(0xBF, 1, 10),  # 6: r1 = r10
        ins(0x07, 1, 0, 0, -8),  # 7: r1 += -8
        ins(0x85, 0, 2),  # 8: r0 = bpf_iter_num_next(r1)
        ins(0x15, 0, 0, 3, 0),  # 9: if r0 == 0 goto 13
        ins(0x61, 2, 0, 0),  # 10: r2 = *(u32 *)(r0 + 0)
        ins(0x0C, 6, 2),  # 11: w6 += w2
        ins(0x05, 0, 0, -7),  # 12: goto 6
        ins(0x95),  # 13: exit
    ]
    kfuncs = {5: "bpf_iter_num_new", 8: "bpf_iter_num_next"}
    n = max(0, end - start)
    machine = replay._Machine(prog, "xdp", {}, 64, kfuncs)
    got = machine.run(13, 6 + 7 * n + 4, "path", 0)
    assert got.verdict == "reproduced", got
    assert machine.regs[6] == total & 0xFFFFFFFF and machine.regs[0] == 0
    # any other kfunc stops the replay
    other = replay._Machine(prog, "xdp", {}, 64, {5: "bpf_dynptr_from_mem"})
    with pytest.raises(replay._Unsupported, match="bpf_dynptr_from_mem"):
        other.run(13, 30, "path", 0)


@pytest.mark.parametrize(("size", "verdict"), [(20, "reproduced"), (16, "diverged")])
def test_a_helper_size_past_its_stack_buffer_is_reproduced(size: int, verdict: str) -> None:
    """A range condition on a helper's size argument (0012): bpf_csum_diff reading ``size``
    bytes from fp-16 overruns the frame when the size read from the packet exceeds 16."""
    prog = [
        ins(0x61, 2, 1, 0),  # 0: data
        ins(0x71, 6, 2, 0),  # 1: r6 = pkt[0]      (ld1.1)
        ins(0xBF, 1, 10),  # 2: r1 = r10
        ins(0x07, 1, 0, 0, -16),  # 3: r1 += -16
        ins(0xBF, 2, 6),  # 4: r2 = r6
        ins(0xB7, 3, 0, 0, 0),  # 5: r3 = 0 (no second buffer)
        ins(0xB7, 4, 0, 0, 0),  # 6: r4 = 0
        ins(0xB7, 5, 0, 0, 0),  # 7: r5 = 0
        ins(0x85, 0, 0, 0, 28),  # 8: bpf_csum_diff(r1, r2, r3, r4, r5)
        ins(0x95),
    ]
    ref = refinement({"v0": (size, "ld1.1")}, insn=8, step=8)
    got = replay.replay(prog, "xdp", ref)
    assert got.verdict == verdict, got
    assert "helper 28's" in got.detail and "offset -16 of the stack" in got.detail
    # a helper whose memory arguments the replay does not know
    prog[8] = ins(0x85, 0, 0, 0, 999)
    assert replay.replay(prog, "xdp", ref).verdict == "unsupported"


@pytest.mark.parametrize(("x", "verdict"), [(9, "reproduced"), (8, "diverged")])
def test_pointer_arithmetic_past_its_map_value_is_reproduced(x: int, verdict: str) -> None:
    """A range condition at ``ptr += s`` (the verifier refuses a map value pointer that may leave
    its value): the run computes where the pointer goes, here ``x`` bytes into an 8-byte value
    (one past the end is still a pointer the verifier allows)."""
    prog = [
        ins(0x61, 2, 1, 0),  # 0: data
        ins(0x71, 6, 2, 0),  # 1: r6 = pkt[0]   (ld1.1)
        ins(0xB7, 1, 0, 0, 0),  # 2: r1 = 0
        ins(0x63, 10, 1, -4),  # 3: *(u32 *)(r10 - 4) = r1
        ins(0xBF, 2, 10),  # 4: r2 = r10
        ins(0x07, 2, 0, 0, -4),  # 5: r2 += -4
        ins(0x18, 1, 1, 0, 7),  # 6: r1 = map (ld_imm64)
        ins(0x00),
        ins(0x85, 0, 0, 0, 1),  # 8: bpf_map_lookup_elem
        ins(0x15, 0, 0, 1, 0),  # 9: if r0 == 0 goto 11
        ins(0x0F, 0, 6),  # 10: r0 += r6   (the condition's instruction, step 9)
        ins(0x95),
    ]
    ref = refinement({"v0": (x, "ld1.1")}, insn=10, step=9)
    ref["access"] = {"size": 1, "region": 8}
    got = replay.replay(prog, "xdp", ref)
    assert got.verdict == verdict, got
    assert f"map value 1 pointer moves to offset {x} (allowed 0..8)" in got.detail


M = (1 << 64) - 1


@pytest.mark.parametrize(
    ("code", "off", "imm", "a", "b", "want"),
    [
        (0x3F, 1, 0, -7 & M, 2, -3 & M),  # sdiv: towards zero
        (0x9F, 1, 0, -7 & M, 2, -1 & M),  # smod: the dividend's sign
        (0x9F, 1, 0, 7, -2 & M, 1),
        (0x3F, 1, 0, 1 << 63, -1 & M, 1 << 63),  # INT64_MIN / -1 wraps (a negation)
        (0x9F, 1, 0, 5, -1 & M, 0),
        (0x3F, 1, 0, 9, 0, 0),  # / 0 = 0
        (0x9C, 1, 0, (5 << 32) | 0xFFFFFFF9, 0, 0xFFFFFFF9),  # 32-bit % 0: the low half
        (0x3C, 1, 0, 0xFFFFFFF9, 2, 0xFFFFFFFD),  # 32-bit sdiv, zero-extended
        (0xDC, 0, 16, 0x12345678, 0, 0x7856),  # to_be16
        (0xDC, 0, 32, 0x12345678, 0, 0x78563412),  # to_be32
        (0xD4, 0, 16, 0x12345678, 0, 0x5678),  # to_le16 truncates
        (0xD7, 0, 64, 0x0102030405060708, 0, 0x0807060504030201),  # bswap64
        (0xBF, 8, 0, 0, 0x180, (-128) & M),  # movsx8
        (0xBC, 16, 0, 0, 0x8000, 0xFFFF8000),  # 32-bit movsx16, zero-extended
    ],
)
def test_signed_division_byte_swaps_and_sign_extension(
    code: int, off: int, imm: int, a: int, b: int, want: int
) -> None:
    """As the kernel computes them (for division by -1: as the verifier rewrites it)."""
    w = 64 if code & 7 == 7 else 32
    assert replay._signed_or_swap(code, off, imm, a, b, w) == want


def loop_prog(nr: list[replay.Insn], flags: int = 0) -> list[replay.Insn]:
    """A tc program that hands bpf_loop(nr, cb, &value_ptr, flags) a callback reading the
    index-th 8-byte slot of a 128-byte map value; ``nr`` sets r1 (the loop count)."""
    head = [
        ins(0x18, 1, 1, 0, 7),  # 0: r1 = map (ld_imm64, map fd)
        ins(0, 0, 0, 0, 0),  # 1
        ins(0x7A, 10, 0, -8, 0),  # 2: *(u64 *)(r10 - 8) = 0
        ins(0xBF, 2, 10),  # 3: r2 = r10
        ins(0x07, 2, 0, 0, -8),  # 4: r2 += -8
        ins(0x85, imm=1),  # 5: r0 = bpf_map_lookup_elem()
        ins(0x15, 0, 0, 0),  # 6: if r0 == 0 goto +k (patched below)
        ins(0x7B, 10, 0, -16),  # 7: *(u64 *)(r10 - 16) = r0
        *nr,
        ins(0x18, 2, 4, 0, 0),  # r2 = callback (ld_imm64, BPF_PSEUDO_FUNC; patched below)
        ins(0, 0, 0, 0, 0),
        ins(0xBF, 3, 10),  # r3 = r10
        ins(0x07, 3, 0, 0, -16),  # r3 += -16
        ins(0xB7, 4, 0, 0, flags),  # r4 = flags
        ins(0x85, imm=181),  # call bpf_loop
        ins(0xB7, 0, 0, 0, 0),  # r0 = 0
        ins(0x95),  # exit
    ]
    cb = [
        ins(0x79, 3, 2, 0),  # r3 = *(u64 *)(r2 + 0): the value pointer
        ins(0x67, 1, 0, 0, 3),  # r1 <<= 3
        ins(0x0F, 3, 1),  # r3 += r1
        ins(0x79, 0, 3, 0),  # r0 = *(u64 *)(r3 + 0): the access
        ins(0xB7, 0, 0, 0, 0),  # r0 = 0
        ins(0x95),  # exit
    ]
    ld = len(head) - 8
    head[ld] = ins(0x18, 2, 4, 0, len(head) - ld - 1)
    head[6] = ins(0x15, 0, 0, len(head) - 2 - 7)  # to "r0 = 0"
    return head + cb


def loop_ref(prog: list[replay.Insn]) -> dict[str, Any]:
    # the callback's suffix: the model names its arguments, nothing the program reads
    ref = refinement({"v0": (16, "r1")}, insn=len(prog) - 3, step=3)
    return ref | {"start": "frame", "access": {"size": 8, "region": 128}}


def test_a_callback_access_is_reproduced_by_a_run_through_bpf_loop() -> None:
    """A suffix from a callback's entry gives no program inputs: the program runs from its
    entry through bpf_loop, each call with the next index, until the access leaves the value."""
    prog = loop_prog([ins(0xB7, 1, 0, 0, 17)])  # r1 = 17: index 16 reads past 128 bytes
    got = replay.replay(prog, "sched_cls", loop_ref(prog))
    assert got.verdict == "reproduced", got
    assert "offset 128 of map value 1 (128 bytes)" in got.detail and "0x00" in got.detail
    safe = loop_prog([ins(0xB7, 1, 0, 0, 16)])
    got = replay.replay(safe, "sched_cls", loop_ref(safe))
    assert got.verdict == "unsupported" and "no run from the program's entry" in got.detail
    # flags != 0: bpf_loop returns -EINVAL without calling back
    flagged = loop_prog([ins(0xB7, 1, 0, 0, 17)], flags=1)
    assert replay.replay(flagged, "sched_cls", loop_ref(flagged)).verdict == "unsupported"


def test_a_loop_count_from_an_input_is_tried_with_every_byte_set() -> None:
    """prandom & 31 calls back 0 times when its bytes are 0x00, 31 times when 0xff."""
    nr = [ins(0x85, imm=7), ins(0x57, 0, 0, 0, 31), ins(0xBF, 1, 0)]  # r1 = prandom & 31
    prog = loop_prog(nr)
    got = replay.replay(prog, "sched_cls", loop_ref(prog))
    assert got.verdict == "reproduced" and "every input byte 0xff" in got.detail, got


def test_a_callback_that_returns_1_stops_the_loop() -> None:
    """bpf_loop stops at the first callback that returns 1: the later, out-of-bounds index
    is never read."""
    prog = loop_prog([ins(0xB7, 1, 0, 0, 17)])
    prog[-2] = ins(0xB7, 0, 0, 0, 1)  # the callback returns 1
    got = replay.replay(prog, "sched_cls", loop_ref(prog))
    assert got.verdict == "unsupported" and "the run exits" in got.detail, got


def adjust_prog(helper: int, delta: int, data: int = 0) -> list[replay.Insn]:
    """A program that calls ``helper(ctx, delta)`` and, if it succeeds, reloads data (at
    ``data`` in its context) and reads 4 bytes at data + 36 without checking data_end again
    (insn 5)."""
    return [
        ins(0xBF, 6, 1),  # 0: r6 = ctx
        ins(0xB7, 2, 0, 0, delta),  # 1: r2 = delta
        ins(0x85, imm=helper),  # 2: call
        ins(0x55, 0, 0, 3, 0),  # 3: if r0 != 0 goto 7
        ins(0x61, 2, 6, data),  # 4: r2 = ctx->data
        ins(0x61, 0, 2, 36),  # 5: r0 = *(u32 *)(r2 + 36)
        ins(0xB7, 0, 0, 0, 0),  # 6: r0 = 0
        ins(0x95),  # 7: exit
    ]


def two_packets() -> dict[str, Any]:
    # the model's packet before and after the helper: two lengths, no one input
    return refinement({"v0": (64, "pkt_len.0"), "v1": (14, "pkt_len.1")}, insn=5, step=5)


def test_a_helper_that_moves_the_packet_is_run_on_sendable_packets() -> None:
    """bpf_xdp_adjust_head(ctx, 50) fails unless 14 bytes stay (-EINVAL: the program exits),
    so the shortest packet that reaches the read is 64 bytes: data moves to 50, and data + 36
    is past the end. bpf_xdp_adjust_tail(ctx, -50) likewise leaves 14 bytes."""
    got = replay.replay(adjust_prog(44, 50), "xdp", two_packets())
    assert got.verdict == "reproduced", got
    assert (
        "a packet of 64 bytes" in got.detail and "offset 86 of pkt (bytes 50 to 64)" in got.detail
    )
    got = replay.replay(adjust_prog(65, -50), "xdp", two_packets())
    assert got.verdict == "reproduced", got
    assert "a packet of 64 bytes" in got.detail and "offset 36 of pkt (14 bytes)" in got.detail
    # A frame that grows: how much tailroom BPF_PROG_TEST_RUN gives is not modelled.
    got = replay.replay(adjust_prog(65, 50), "xdp", two_packets())
    assert got.verdict == "unsupported" and "grows the frame" in got.detail, got
    # bpf_skb_pull_data on BPF_PROG_TEST_RUN's linear skb moves nothing: 40 bytes are read
    # only from packets that hold them.
    got = replay.replay(adjust_prog(39, 64, data=76), "sched_cls", two_packets())
    assert got.verdict == "unsupported" and "no run from the program's entry" in got.detail
    assert "bytes 0xff: the run exits" in got.detail, got


# A program that indexes an 8-byte map value by __sk_buff.len (insn 8, read at step 7), or by
# another field at ``field``.
def skb_len_prog(field: int = 0) -> list[replay.Insn]:
    return [
        ins(0xBF, 6, 1),  # 0: r6 = ctx
        ins(0x18, 1, 1, 0, 7),  # 1: r1 = map
        ins(0, 0, 0, 0, 0),  # 2
        ins(0x62, 10, 0, -4, 0),  # 3: *(u32 *)(r10 - 4) = 0
        ins(0xBF, 2, 10),  # 4: r2 = r10
        ins(0x07, 2, 0, 0, -4),  # 5: r2 += -4
        ins(0x85, imm=1),  # 6: r0 = bpf_map_lookup_elem()
        ins(0x15, 0, 0, 4, 0),  # 7: if r0 == 0 goto 12
        ins(0x61, 2, 6, field),  # 8: r2 = *(u32 *)(ctx + field)
        ins(0x0F, 0, 2),  # 9: r0 += r2
        ins(0x71, 0, 0, 0),  # 10: r0 = *(u8 *)(r0 + 0)
        ins(0xB7, 0, 0, 0, 0),  # 11: r0 = 0
        ins(0xB7, 0, 0, 0, 0),  # 12: r0 = 0
        ins(0x95),  # 13: exit
    ]


def test_skb_len_is_the_packets_and_the_context_inputs_are_the_models() -> None:
    """__sk_buff.len is the length of BPF_PROG_TEST_RUN's packet (without the Ethernet header
    for a socket filter): a model that names no packet length sets it through its value of
    len; one that names a packet length has len follow it. mark, priority and cb[] are the
    test run's inputs; other fields are the environment's."""
    ref = refinement({"v0": (2000, "ld8.7")}, insn=10, step=9) | {"access": {"region": 8}}
    got = replay.replay(skb_len_prog(), "socket_filter", ref)
    assert got.verdict == "reproduced" and "offset 2000 of map value 1" in got.detail, got
    ref64 = refinement({"v0": (2000, "ld8.7"), "v1": (64, "pkt_len.0")}, insn=10, step=9)
    ref64 |= {"access": {"region": 8}}
    got = replay.replay(skb_len_prog(), "socket_filter", ref64)
    assert got.verdict == "reproduced" and "offset 50 of map value 1" in got.detail, got
    got = replay.replay(skb_len_prog(), "sched_cls", ref64)
    assert got.verdict == "reproduced" and "offset 64 of map value 1" in got.detail, got
    cb = refinement({"v0": (9, "ld8.7")}, insn=10, step=9) | {"access": {"region": 8}}
    got = replay.replay(skb_len_prog(48), "sched_cls", cb)
    assert got.verdict == "reproduced" and "offset 9 of map value 1" in got.detail, got
    got = replay.replay(skb_len_prog(16), "sched_cls", cb)  # queue_mapping
    assert got.verdict == "unsupported" and "context field at offset 16" in got.detail, got
