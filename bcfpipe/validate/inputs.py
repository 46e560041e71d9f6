"""Inputs for running a BCF-accepted program with ``BPF_PROG_TEST_RUN`` (dynamic validation).

A refinement BCF got wrong shows up as an access the program makes on some input that the
verifier believed impossible: a packet read past ``data_end`` at a length the program compares
against, a map index out of range for some header byte. So the inputs sweep packet lengths densely
at the small end and at every constant the program uses (comparison immediates, pointer offsets,
load/store offsets, each -1/0/+1), and fill the packet with headers a parser follows as far as
possible (Ethernet + IPv4/IPv6 + TCP/UDP) as well as zero, all-ones, sign-boundary and random
bytes; the context gets metadata (XDP) or the writable ``__sk_buff`` fields (mark, priority, cb).
Before a run the loader writes the input's map bytes into every writable array map of the object
(:func:`map_fill`): user space may store anything there, so the verifier assumes nothing about
those values, and an index or length read from a map value is exercised beyond the zeroes of a
fresh map.

What ``BPF_PROG_TEST_RUN`` accepts bounds the sweep: an skb or XDP packet holds at least
``ETH_HLEN`` (14) bytes (for types that see the packet from the network header on, that is 0
bytes of it) and at most a page minus head and tail room.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bcfpipe.corpus import elf

SHT_PROGBITS = 1
DEFAULT_MAX_INPUTS = 64  # validation.max_inputs' default (config/schema.yaml)
ETH_HLEN = 14
# bpf_test_init: PAGE_SIZE - headroom - tailroom (XDP: 4096 - 256 - 320).
XDP_MAX = 3520
SKB_MAX = 3520
XDP_META_MAX = 32
SK_BUFF_CTX = 68  # __sk_buff up to the end of cb[5]: test_run sets mark, priority and cb from it
MAX_CTX_ARGS = 12  # raw_tracepoint: u64 arguments

SKB_TYPES = frozenset(
    {
        "sched_cls",
        "sched_act",
        "socket_filter",
        "cgroup_skb",
        "lwt_in",
        "lwt_out",
        "lwt_xmit",
        "lwt_seg6local",
    }
)
# Types whose skb data starts at the network header: test_run pulls the Ethernet header of the
# buffer first, so the program's lengths are the buffer's minus ETH_HLEN.
L3_TYPES = frozenset(
    {"socket_filter", "cgroup_skb", "lwt_in", "lwt_out", "lwt_xmit", "lwt_seg6local"}
)
RUNNABLE = SKB_TYPES | {"xdp", "flow_dissector", "raw_tracepoint", "syscall"}

# The IP header each header fill announces in its Ethernet type.
IP_HEADER = {"ipv4-tcp": 20, "ipv4-udp": 20, "ipv6-tcp": 40}
FILLS = ("ipv4-tcp", "ipv4-udp", "ipv6-tcp", "zeros", "ones", "sign", "random")
# Map contents, in turn per input: zeroes (a fresh map), random, the program's constants and
# their neighbours as u64 and u32 words, all ones, small u64 words (indices, lengths). Every input
# writes its own, so that no run sees what an earlier run left in the maps.
MAP_FILLS = ("zeros", "random", "consts", "ones", "small")
MAP_FILL_BYTES = 256  # the loader repeats them over every value of every writable array map


@dataclass(frozen=True)
class Input:
    data: bytes
    ctx: bytes
    label: str
    maps: bytes = b""  # written cyclically into every writable array map before the run


def runnable(prog_type: str) -> bool:
    return prog_type in RUNNABLE


def constants(object_bytes: bytes) -> set[int]:
    """Immediates and offsets of every instruction in the object's executable sections."""
    out: set[int] = set()
    for code in _code_sections(object_bytes):
        for off in range(0, len(code) - 7, 8):
            op, _regs, ins_off, imm = struct.unpack_from("<BBhi", code, off)
            cls = op & 7
            if cls in (5, 6) and not op & 8 and op & 0xF0 not in (0x00, 0x80, 0x90):
                out.add(imm)  # JMP/JMP32 against an immediate
            elif cls in (4, 7) and not op & 8 and op & 0xF0 in (0x00, 0x10):
                out.add(imm)  # ADD/SUB of an immediate: pointer offsets
            if cls in (1, 2, 3):
                out.add(ins_off)  # load/store offsets
    return out


def _code_sections(data: bytes) -> Iterable[bytes]:
    for sec in elf.sections(data, "the object"):
        if sec.type == SHT_PROGBITS and sec.flags & elf.SHF_EXECINSTR:
            yield data[sec.offset : sec.offset + sec.size]


def lengths(consts: set[int], low: int, high: int, dense: int = 64) -> list[int]:
    """Packet lengths to try, most telling first: constants ±1, then a dense sweep, then sizes."""
    near = sorted({c + d for c in consts for d in (-1, 0, 1) if low <= c + d <= high})
    sweep = list(range(low, min(high, low + dense) + 1))
    big = [n for n in (128, 256, 512, 1024, 1500, high) if low <= n <= high]
    seen: set[int] = set()
    out = []
    for n in near + sweep + big:
        if n not in seen:
            seen.add(n)
            out.append(n)
    return out


def packet(length: int, fill: str, rng: random.Random) -> bytes:
    """``length`` bytes of the given fill; header fills are truncated or padded with zeros."""
    if fill in ("ipv4-tcp", "ipv4-udp", "ipv6-tcp"):
        proto = 17 if fill == "ipv4-udp" else 6
        l4 = (
            struct.pack(">HHIIBBHHH", 1024, 80, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
            if proto == 6
            else struct.pack(">HHHH", 1024, 53, max(0, length - 34), 0)
        )
        if fill == "ipv6-tcp":
            net = struct.pack(">IHBB", 6 << 28, max(0, length - 54), proto, 64)
            net += bytes(range(1, 17)) + bytes(range(17, 33))
            eth_type = 0x86DD
        else:
            net = struct.pack(">BBHHHBBH", 0x45, 0, max(0, length - 14), 1, 0, 64, proto, 0)
            net += bytes([10, 0, 0, 1, 10, 0, 0, 2])
            eth_type = 0x0800
        eth = bytes([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]) + struct.pack(">H", eth_type)
        body = eth + net + l4
        return (body + bytes(max(0, length - len(body))))[:length]
    if fill == "zeros":
        return bytes(length)
    if fill == "ones":
        return b"\xff" * length
    if fill == "sign":
        return bytes((0x80, 0x7F)[i & 1] for i in range(length))
    if fill == "random":
        return rng.randbytes(length)
    raise ValueError(f"unknown fill {fill!r}")


def map_fill(fill: str, consts: set[int], rng: random.Random) -> bytes:
    """The bytes an input writes, repeated, into the object's array maps."""
    if fill == "zeros":
        return b"\x00"
    if fill == "random":
        return rng.randbytes(MAP_FILL_BYTES)
    if fill == "ones":
        return b"\xff"
    if fill == "small":
        return b"".join(struct.pack("<Q", rng.randrange(64)) for _ in range(MAP_FILL_BYTES // 8))
    if fill == "consts":
        near = sorted({(c + d) & ((1 << 64) - 1) for c in consts for d in (-1, 0, 1)})
        words = rng.sample(near, min(len(near), 16)) or [0]
        return b"".join(struct.pack("<Q", w) for w in words) + b"".join(
            struct.pack("<I", w & 0xFFFFFFFF) for w in words
        )
    raise ValueError(f"unknown map fill {fill!r}")


def generate(
    prog_type: str, consts: set[int], *, seed: int, limit: int = DEFAULT_MAX_INPUTS
) -> list[Input]:
    """At most ``limit`` inputs for one program of ``prog_type`` (none for other types)."""
    rng = random.Random(seed)
    out: list[Input] = []
    if prog_type == "xdp":
        for k, n in enumerate(lengths(consts, ETH_HLEN, XDP_MAX)):
            meta = (0, 4, XDP_META_MAX)[k % 3]
            fill = FILLS[k % len(FILLS)]
            data = rng.randbytes(meta) + packet(n, fill, rng)
            ctx = struct.pack("<6I", meta, meta + n, 0, 0, 0, 0) if meta else b""
            out.append(Input(data, ctx, f"len={n} meta={meta} fill={fill}"))
    elif prog_type in SKB_TYPES or prog_type == "flow_dissector":
        l3 = prog_type in L3_TYPES
        for k, n in enumerate(lengths({c + (ETH_HLEN if l3 else 0) for c in consts}, 14, SKB_MAX)):
            fill = FILLS[k % len(FILLS)]
            if n < ETH_HLEN + IP_HEADER.get(fill, 0):
                # test_run refuses an skb whose Ethernet type promises an IP header it lacks.
                fill = FILLS[3 + k % 4]
            ctx = b""
            if prog_type != "flow_dissector" and k % 2:
                mark, prio = rng.choice([(0, 0), (0xFFFFFFFF, 7), (rng.getrandbits(32), 1)])
                ctx = (
                    bytes(8)
                    + struct.pack("<I", mark)
                    + bytes(20)
                    + struct.pack("<I", prio)
                    + bytes(12)
                    + rng.randbytes(20)
                )
                assert len(ctx) == SK_BUFF_CTX
            label = f"len={n - ETH_HLEN if l3 else n} fill={fill}" + (" ctx" if ctx else "")
            out.append(Input(packet(n, fill, rng), ctx, label))
    elif prog_type == "raw_tracepoint":
        values = [0, 1, 0xFFFFFFFF, 1 << 63, (1 << 64) - 1] + [c & ((1 << 64) - 1) for c in consts]
        for k in range(min(limit, 8 + len(consts))):
            args = [
                rng.choice(values) if k % 2 else rng.getrandbits(64) for _ in range(MAX_CTX_ARGS)
            ]
            out.append(Input(b"", struct.pack(f"<{MAX_CTX_ARGS}Q", *args), f"args#{k}"))
    elif prog_type == "syscall":
        for k in range(min(limit, 16)):
            size = (8, 64, 256, 4096)[k % 4]
            fill = FILLS[3 + k % 4]
            out.append(Input(b"", packet(size, fill, rng), f"ctx={size} fill={fill}"))
    out = out[:limit]
    for k, i in enumerate(out):
        fill = MAP_FILLS[k % len(MAP_FILLS)]
        out[k] = Input(i.data, i.ctx, f"{i.label} maps={fill}", map_fill(fill, consts, rng))
    return out


def encode(inputs: list[Input]) -> bytes:
    """The guest loader's ``NAME.inputs`` format (guest/bcfpipe-load.c, ``run_inputs``)."""
    return b"".join(
        struct.pack("<III", len(i.data), len(i.ctx), len(i.maps)) + i.data + i.ctx + i.maps
        for i in inputs
    )


def for_object(
    path: Path, programs: dict[str, str], *, seed: int, limit: int
) -> dict[str, list[Input]]:
    """Inputs per program name (``programs``: name -> type) of one object."""
    consts = constants(path.read_bytes())
    return {
        name: generate(ptype, consts, seed=seed ^ hash_name(name), limit=limit)
        for name, ptype in programs.items()
        if runnable(ptype)
    }


def hash_name(name: str) -> int:
    """A stable per-program seed (Python's hash() changes between runs)."""
    h = 2166136261
    for b in name.encode():
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return h
