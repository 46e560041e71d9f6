"""The host replay of a refuted condition's model (bcfpipe/bcf/replay.py), on hand-assembled
programs: what a model makes of the program's own instructions."""

from __future__ import annotations

import struct
from typing import Any

from bcfpipe.bcf import replay

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
    # A suffix that starts from a verifier state, a frame's entry (a callback), a cut.
    for start in ("state", "frame", "cut"):
        ref = refinement({"v0": (30, "ld2.2"), "v1": (20, "pkt_len.0")})
        got = replay.replay(PKT_PROG, "xdp", dict(ref, start=start))
        assert got.verdict == "unsupported" and "the suffix starts at" in got.detail
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
    # A packet too short for BPF_PROG_TEST_RUN.
    got = replay.replay(PKT_PROG, "xdp", refinement({"v0": (4, "pkt_len.0")}))
    assert got.verdict == "unsupported" and "4 bytes" in got.detail


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
