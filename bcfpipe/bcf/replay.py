"""Replay a refuted condition from the program entry on a host interpreter.

A refutation is a model of the condition: values for the variables the kernel's tracker made,
each named by its origin (0019: ``ld12.3`` = what the load at insn 12 read at step 3 of the
suffix). The condition over-approximates the program, so a model need not be an execution: the
tracker forgets what a helper call may have changed, two loads of the same packet byte are two
variables. This module runs the program's own instructions (linked as libbpf links them:
:mod:`bcfpipe.bcf.link`) with an input
made from the model — packet bytes, map value bytes and helper results are taken from the model
the first time the program reads them and are memory from then on — and says what happened:

* ``reproduced``: the run reaches the failing instruction at the step the condition names and the
  access is out of bounds there (range conditions), or the rejected path is taken (path
  conditions): a concrete input makes the program do what the verifier refused;
* ``diverged``: the run leaves the condition's path (the model is no execution: a model gap), so
  nothing is confirmed either way;
* ``unsupported``: the replay does not model something on the path (a helper whose result it
  cannot choose, kfuncs, atomics, a suffix that does not start at the entry, ...).

Only whole-suffix conditions starting at the program entry are replayed. A bpf-to-bpf call runs
the subprogram with the caller's R1-R5 and a stack of its own, as the machine does.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bcfpipe.bcf import refeval
from bcfpipe.bcf.link import (
    BPF_PSEUDO_CALL,
    BPF_PSEUDO_KFUNC_CALL,
    Insn,
    Linked,
    LinkError,
    decode_insns,
    program_insns,
)
from bcfpipe.bcf.ops import BOOL, Op

__all__ = ["Insn", "Replay", "annotate", "decode_insns", "replay"]

M64 = (1 << 64) - 1
SIZES = {0x00: 4, 0x08: 2, 0x10: 1, 0x18: 8}
# Context fields that are packet pointers, per program type: (data, data_end) offsets.
PACKET_CTX = {
    "xdp": (0, 4),
    "sched_cls": (76, 80),
    "sched_act": (76, 80),
    "classifier": (76, 80),
    "action": (76, 80),
    "tc": (76, 80),
}
# __sk_buff's len (offset 0) in BPF_PROG_TEST_RUN: the packet's length, less the Ethernet
# header that eth_type_trans pulls for the program types that do not see it.
SKB_LEN_DELTA = {"sched_cls": 0, "sched_act": 0, "socket_filter": -14}
# __sk_buff fields BPF_PROG_TEST_RUN takes from its ctx_in, inputs like the packet's bytes:
# mark and priority (offsets 8-15), cb[0..4] (48-67).
SKB_INPUTS = ((8, 16), (48, 68))
# Helpers the replay runs: their result can be any value of the given width and they write no
# memory the program reads (ktime_get_ns, get_prandom_u32, ktime_get_boot_ns). Any other helper
# but bpf_map_lookup_elem stops the replay: what it returns or writes is not the model's to pick.
HELPER_RESULT_BITS = {5: 64, 7: 32, 125: 64}
HELPER_MAP_LOOKUP = 1
HELPER_LOOP = 181  # bpf_loop(nr_loops, callback, ctx, flags)
# Helpers that move the packet's bounds (net/core/filter.c), run as BPF_PROG_TEST_RUN's packets
# make them: an XDP frame with XDP_PACKET_HEADROOM before the data, a linear skb.
HELPER_XDP_ADJUST_HEAD = 44
HELPER_XDP_ADJUST_TAIL = 65
HELPER_SKB_PULL_DATA = 39
XDP_PACKET_HEADROOM = 256
XDP_FRAME_SIZE = 40  # sizeof(struct xdp_frame), which adjust_head keeps free at the start
ETH_HLEN = 14
# A helper's memory arguments with their sizes, (pointer register, size register), for a range
# condition on a size argument (0012): the helpers' prototypes in include/uapi/linux/bpf.h.
HELPER_MEM_ARGS = {
    4: ((1, 2),),  # probe_read
    6: ((1, 2),),  # trace_printk
    9: ((3, 4),),  # skb_store_bytes
    16: ((1, 2),),  # get_current_comm
    25: ((4, 5),),  # perf_event_output
    26: ((3, 4),),  # skb_load_bytes
    28: ((1, 2), (3, 4)),  # csum_diff
    45: ((1, 2),),  # probe_read_str
    67: ((2, 3),),  # get_stack
    68: ((3, 4),),  # skb_load_bytes_relative
    112: ((1, 2),),  # probe_read_user
    113: ((1, 2),),  # probe_read_kernel
    114: ((1, 2),),  # probe_read_user_str
    115: ((1, 2),),  # probe_read_kernel_str
    127: ((2, 3),),  # seq_write
    130: ((2, 3),),  # ringbuf_output
    141: ((2, 3),),  # get_task_stack
    148: ((1, 2),),  # copy_from_user
    165: ((1, 2), (4, 5)),  # snprintf
    182: ((1, 2),),  # strncmp
    189: ((3, 4),),  # xdp_load_bytes
    190: ((3, 4),),  # xdp_store_bytes
}
BPF_PSEUDO_MAP_FD = 1
BPF_PSEUDO_FUNC = 4
BPF_MAX_LOOPS = 8 * 1024 * 1024  # a numbers iterator's longest range
MAX_CALL_FRAMES = 8  # the verifier's MAX_CALL_FRAMES
MAX_BPF_STACK = 512
MIN_PACKET = 14  # BPF_PROG_TEST_RUN needs an Ethernet header
# A run from the entry when the model is no input (a suffix that starts elsewhere, a packet
# that cannot be sent or changes): the byte every input is set to, the packet lengths tried
# when the model's packet is in question (from the shortest BPF_PROG_TEST_RUN sends), and the
# run's length limit.
WITNESS_FILLS = (0x00, 0xFF)
WITNESS_LENGTHS = range(MIN_PACKET, MIN_PACKET + 64)
WITNESS_STEPS = 1 << 18  # a few seconds of the host interpreter


@dataclass(frozen=True)
class Ptr:
    region: str
    off: int


@dataclass(frozen=True)
class Replay:
    verdict: str  # reproduced | diverged | unsupported
    detail: str

    def to_dict(self) -> dict[str, str]:
        return {"verdict": self.verdict, "detail": self.detail}


class _Unsupported(Exception):
    pass


def _sx(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


# BPF_ALU/ALU64 and BPF_JMP/JMP32 operation codes, evaluated by the reference evaluator's eBPF
# semantics (bcfpipe/bcf/refeval.py: shift amounts masked, x / 0 = 0, x % 0 = x).
ALU_OPS = {
    0x00: Op.ADD,
    0x10: Op.SUB,
    0x20: Op.MUL,
    0x30: Op.UDIV,
    0x40: Op.OR,
    0x50: Op.AND,
    0x60: Op.LSH,
    0x70: Op.RSH,
    0x80: Op.NEG,
    0x90: Op.UMOD,
    0xA0: Op.XOR,
    0xC0: Op.ARSH,
}
SIGNED_OPS = {0x30: Op.SDIV, 0x90: Op.SMOD}  # with off 1
BSWAP_OPS = {16: Op.BSWAP16, 32: Op.BSWAP32, 64: Op.BSWAP64}
JMP_OPS = {
    0x10: Op.EQ,
    0x20: Op.UGT,
    0x30: Op.UGE,
    0x40: Op.SET,
    0x50: Op.NE,
    0x60: Op.SGT,
    0x70: Op.SGE,
    0xA0: Op.ULT,
    0xB0: Op.ULE,
    0xC0: Op.SLT,
    0xD0: Op.SLE,
}


def _alu(op: int, a: int, b: int, w: int) -> int:
    if op not in ALU_OPS:
        raise _Unsupported(f"ALU operation {op:#x}")
    m = (1 << w) - 1
    return refeval.apply(ALU_OPS[op], w, (w, w), (a & m, b & m))


def _signed_or_swap(code: int, off: int, imm: int, a: int, b: int, w: int) -> int:
    """What the kernel computes for a byte swap (``a``; BPF_END and v4's BPF_BSWAP), a signed
    division or modulo (``a`` by ``b``, ``off`` 1) and a sign-extending move (``b``'s low
    ``off`` bits), by the reference evaluator's eBPF semantics: division by 0 gives 0, modulo by
    0 leaves the dividend, ``INT_MIN s/ -1`` wraps (the verifier rewrites division by -1 into a
    negation, modulo into 0); 32-bit results are zero-extended."""
    op, m = code & 0xF0, (1 << w) - 1
    if op == 0xD0:
        bits = imm if imm in BSWAP_OPS else 64
        # BPF_TO_BE (source bit) and BPF_BSWAP (ALU64) swap; BPF_TO_LE only truncates
        if code & 8 or code & 7 == 7:
            return refeval.apply(BSWAP_OPS[bits], 64, (64,), (a,))
        return a & ((1 << bits) - 1)
    if op == 0xB0:
        return refeval.apply(Op.SEXT, w, (off,), (b & ((1 << off) - 1),))
    return refeval.apply(SIGNED_OPS[op], w, (w, w), (a & m, b & m))


def _taken(op: int, a: int, b: int, w: int) -> bool:
    if op not in JMP_OPS:
        raise _Unsupported(f"jump operation {op:#x}")
    m = (1 << w) - 1
    return bool(refeval.apply(JMP_OPS[op], BOOL, (w, w), (a & m, b & m)))


class _Machine:
    def __init__(
        self,
        insns: list[Insn],
        prog_type: str,
        values: dict[str, int],
        pkt_len: int,
        kfuncs: dict[int, str] | None = None,
        fill: int = 0,
        len_open: bool = False,
    ) -> None:
        self.insns = insns
        self.kfuncs = kfuncs or {}
        self.fill = fill  # each byte of an input the model does not name
        self.values = values  # origin -> model value
        self.pkt_len = pkt_len  # where data_end is, from the first packet's start
        self.pkt_lo = 0  # where data is: a helper may move it
        # The length may still follow the model's value of __sk_buff.len (no packet length in
        # the model, no packet pointer handed out yet).
        self.len_open = len_open
        self.ctx = PACKET_CTX.get(prog_type)
        self.skb_len = SKB_LEN_DELTA.get(prog_type)
        self.mem: dict[str, dict[int, int | Ptr]] = {}
        self.regs: list[int | Ptr | None] = [None] * 11
        self.regs[1] = Ptr("ctx", 0)
        self.regs[10] = Ptr("stack", 0)
        self.lookups = 0
        # bpf-to-bpf calls and callbacks: each frame's return index, the caller's R6-R10 it
        # gets back and, for a bpf_loop callback, the loop's [index, nr_loops, callback, ctx]
        self.frames: list[tuple[int, list[int | Ptr | None], list[Any] | None]] = []
        self.calls = 0

    def origin(self, kind: str, pc: int, step: int) -> int | None:
        return self.values.get(f"{kind}{pc}.{step}")

    def load(self, base: Ptr, off: int, size: int, pc: int, step: int) -> int | Ptr:
        o = base.off + off
        if base.region == "ctx":
            if self.ctx and o in self.ctx:
                self.len_open = False
                return Ptr("pkt", self.pkt_lo if o == self.ctx[0] else self.pkt_len)
            if self.skb_len is not None and o >= 0 and o + size <= 4:
                v = self.origin("ld", pc, step)
                if self.len_open and v is not None and size == 4:
                    # the model's packet length, as the program reads it
                    self.pkt_len = self.pkt_lo + v - self.skb_len
                    if not MIN_PACKET <= self.pkt_len <= 1 << 16:
                        raise _Unsupported(f"a packet of {self.pkt_len} bytes cannot be sent")
                self.len_open = False
                length = self.pkt_len - self.pkt_lo + self.skb_len
                return (length >> (8 * o)) & ((1 << (8 * size)) - 1)
            if self.skb_len is None or not any(a <= o and o + size <= b for a, b in SKB_INPUTS):
                # Other fields (interface numbers, the socket, addresses) are the
                # environment's: a model's value for them is no input the replay can give.
                raise _Unsupported(f"context field at offset {o} (insn {pc})")
        m = self.mem.setdefault(base.region, {})
        cells = [m.get(o + i) for i in range(size)]
        if isinstance(cells[0], Ptr):
            return cells[0]
        v = self.origin("ld", pc, step)
        if v is not None:
            # The input the model describes: bytes nobody wrote yet are what it says they read.
            for i in range(size):
                m.setdefault(o + i, (v >> (8 * i)) & 0xFF)
        if base.region == "pkt" and not (o >= self.pkt_lo and o + size <= self.pkt_len):
            raise _Unsupported(f"packet read outside the packet at insn {pc}")
        value = 0
        for i in range(size):
            cell = m.get(o + i, self.fill)
            value |= (cell if isinstance(cell, int) else 0) << (8 * i)
        return value

    def store(self, base: Ptr, off: int, size: int, val: int | Ptr) -> None:
        m = self.mem.setdefault(base.region, {})
        o = base.off + off
        if isinstance(val, Ptr):
            m[o] = val
            for i in range(1, size):
                m[o + i] = 0
        else:
            for i in range(size):
                m[o + i] = (val >> (8 * i)) & 0xFF

    def call(self, imm: int, pc: int, step: int) -> None:
        if imm in (HELPER_XDP_ADJUST_HEAD, HELPER_XDP_ADJUST_TAIL, HELPER_SKB_PULL_DATA):
            self.regs[0] = self.packet_helper(imm, pc) & M64
        elif imm == HELPER_MAP_LOOKUP:
            # An entry found: a map value whose bytes the model chooses as the program reads them.
            self.lookups += 1
            self.regs[0] = Ptr(f"map value {self.lookups}", 0)
        else:
            bits = HELPER_RESULT_BITS.get(imm)
            if bits is None:
                raise _Unsupported(f"helper {imm} (insn {pc})")
            v = self.origin("call", pc, step)
            self.regs[0] = (self.fill * 0x0101010101010101 if v is None else v) & ((1 << bits) - 1)
        self.clobber_args()

    def clobber_args(self) -> None:
        """R1-R5 after any call: unreadable until written again."""
        self.regs[1:6] = [None] * 5

    def packet_helper(self, helper: int, pc: int) -> int:
        """bpf_xdp_adjust_head/_tail and bpf_skb_pull_data on the run's packet, as
        net/core/filter.c computes them; the result (0 or an error) is returned."""
        delta = self.regs[2]
        if not isinstance(delta, int):
            raise _Unsupported(f"helper {helper}'s argument is no number at insn {pc}")
        if helper == HELPER_SKB_PULL_DATA:
            # a linear skb: pulling up to its length changes nothing, beyond fails
            return 0 if delta & 0xFFFFFFFF <= self.pkt_len - self.pkt_lo else -12  # -ENOMEM
        delta = _sx(delta, 32)
        if helper == HELPER_XDP_ADJUST_HEAD:
            data = self.pkt_lo + delta
            if data < XDP_FRAME_SIZE - XDP_PACKET_HEADROOM or data > self.pkt_len - ETH_HLEN:
                return -22  # -EINVAL
            self.pkt_lo = data
            return 0
        if delta > 0:
            # how much tailroom BPF_PROG_TEST_RUN's frame has is not modelled
            raise _Unsupported(f"bpf_xdp_adjust_tail grows the frame at insn {pc}")
        if self.pkt_len + delta < self.pkt_lo + ETH_HLEN:
            return -22
        self.pkt_len += delta
        return 0

    def loop(self, pc: int) -> int | None:
        """``bpf_loop()`` as kernel/bpf/bpf_iter.c runs it: the callback is entered with the
        index and ctx (the index to go on from is returned), or R0 is set at once."""
        nr, cb, ctx, flags = self.regs[1:5]
        if not (isinstance(nr, int) and isinstance(flags, int) and isinstance(cb, Ptr)):
            raise _Unsupported(f"bpf_loop's arguments are not what the run knows at insn {pc}")
        nr &= 0xFFFFFFFF
        if flags or nr > BPF_MAX_LOOPS or nr == 0:
            self.regs[0] = (-22 if flags else -7 if nr else 0) & M64  # -EINVAL, -E2BIG, 0
            self.clobber_args()
            return None
        return self.enter(pc, cb.off - pc - 1, [0, nr, cb.off, ctx])

    def kfunc(self, pc: int) -> None:
        """The numbers iterator's kfuncs, as kernel/bpf/bpf_iter.c computes them on the
        iterator's 8 bytes (``int cur, end``); any other kfunc stops the replay."""
        name = self.kfuncs.get(pc, "")
        if name not in ("bpf_iter_num_new", "bpf_iter_num_next", "bpf_iter_num_destroy"):
            raise _Unsupported(f"kfunc {name or '?'} at insn {pc}")
        it = self.regs[1]
        if not isinstance(it, Ptr):
            raise _Unsupported(f"{name}'s iterator is no pointer at insn {pc}")

        def put(cur: int, end: int) -> None:
            self.store(it, 0, 4, cur & 0xFFFFFFFF)
            self.store(it, 4, 4, end & 0xFFFFFFFF)

        if name == "bpf_iter_num_new":
            start, end = (_sx(r, 32) if isinstance(r, int) else None for r in self.regs[2:4])
            if start is None or end is None:
                raise _Unsupported(f"bpf_iter_num_new's bounds are no numbers at insn {pc}")
            if start > end:
                put(0, 0)
                result: int | Ptr = -22 & M64  # -EINVAL
            elif end - start > BPF_MAX_LOOPS:
                put(0, 0)
                result = -7 & M64  # -E2BIG
            else:
                put(start - 1, end)  # next() steps to start first
                result = 0
        elif name == "bpf_iter_num_next":
            cells = self.mem.get(it.region, {})
            raw = [cells.get(it.off + i) for i in range(8)]
            if not all(isinstance(c, int) for c in raw):
                raise _Unsupported(f"an iterator the run did not create at insn {pc}")
            cur, end = struct.unpack("<ii", bytes(c for c in raw if isinstance(c, int)))
            # the kernel's (s64)(s->cur + 1): int arithmetic that wraps (-fno-strict-overflow)
            if _sx(cur + 1, 32) >= end:
                put(0, 0)
                result = 0  # NULL
            else:
                put(cur + 1, end)
                result = it
        else:
            put(0, 0)
            result = 0
        self.regs[0] = result
        self.clobber_args()

    def enter(self, pc: int, imm: int, loop: list[Any] | None = None) -> int:
        """A bpf-to-bpf call, or a bpf_loop callback (``loop``): the callee gets R1-R5 (a
        callback its index and ctx) and a stack of its own (the index before its first
        instruction is returned, the loop steps past it)."""
        if len(self.frames) >= MAX_CALL_FRAMES - 1:
            raise _Unsupported(f"calls nested deeper than the verifier allows at insn {pc}")
        self.frames.append((pc + 1, self.regs[6:11], loop))
        self.calls += 1
        self.regs[0] = None
        if loop is not None:
            self.regs[1:6] = [loop[0], loop[3], 0, 0, 0]
        self.regs[6:10] = [None] * 4
        self.regs[10] = Ptr(f"stack of call {self.calls}", 0)
        return pc + imm

    def leave(self) -> int:
        """The callee's exit: R0 is its result, the caller's R6-R10 come back, R1-R5 are
        unreadable as after any call. A bpf_loop callback that returned 0 is entered again
        with the next index while there is one; then R0 is the number of calls made."""
        ret, saved, loop = self.frames.pop()
        self.regs[6:11] = saved
        if loop is not None:
            r0 = self.regs[0]
            if not isinstance(r0, int):
                raise _Unsupported(f"a bpf_loop callback returned no number (call at {ret - 1})")
            loop[0] += 1
            if r0 == 0 and loop[0] < loop[1]:
                return self.enter(ret - 1, loop[2] - ret, loop)
            self.regs[0] = loop[0]
        self.clobber_args()
        return ret - 1

    def run(
        self, target_insn: int, target_step: int, kind: str, size_limit: int, witness: bool = False
    ) -> Replay:
        """Run to the condition's step (``target_step``) and judge the access there; with
        ``witness``, run the whole program instead and judge every visit of ``target_insn``
        (a suffix that starts inside, at a callback's entry, numbers no steps of this run)."""
        pc = step = 0
        insns = self.insns
        while pc < len(insns) and step <= target_step:
            code, dst, src, off, imm = insns[pc]
            cls = code & 7
            if pc == target_insn and witness:
                got = self.at_target(pc, kind, size_limit)
                if got.verdict == "reproduced":
                    return Replay("reproduced", f"at step {step}, {got.detail}")
            elif pc == target_insn and step == target_step:
                return self.at_target(pc, kind, size_limit)
            if pc == target_insn and (bad := self.bad_access(pc)):
                # The condition may leave out branches that do not decide its goal (a sliced
                # path), so its model can take another path to the same refused access.
                return Replay(
                    "reproduced",
                    f"{bad}, at step {step} by another path than the condition's "
                    f"({target_step} steps){self.assumed()}",
                )
            if cls in (4, 7):
                self.alu(code, dst, src, off, imm, pc)
            elif cls == 0:
                if code != 0x18:
                    raise _Unsupported(f"legacy packet load at insn {pc}")
                if src not in (0, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_FUNC):
                    # global data: its bytes are the object's, not the model's to pick
                    raise _Unsupported(f"ld_imm64 of kind {src} at insn {pc}")
                hi = insns[pc + 1][4] if pc + 1 < len(insns) else 0
                self.regs[dst] = (
                    Ptr("code", pc + imm + 1)
                    if src == BPF_PSEUDO_FUNC
                    else Ptr(f"map {imm}", 0)
                    if src
                    else ((hi << 32) | (imm & 0xFFFFFFFF)) & M64
                )
                pc += 1
            elif cls in (1, 2, 3):
                size, mode = SIZES[code & 0x18], code & 0xE0
                base = self.regs[src if cls == 1 else dst]
                if not isinstance(base, Ptr):
                    raise _Unsupported(f"memory access through a scalar at insn {pc}")
                if cls == 1:
                    if mode not in (0x60, 0x80):
                        raise _Unsupported(f"load mode {mode:#x} at insn {pc}")
                    v = self.load(base, off, size, pc, step)
                    if mode == 0x80 and isinstance(v, int):
                        v = _sx(v, 8 * size) & M64
                    self.regs[dst] = v
                else:
                    if mode != 0x60:
                        raise _Unsupported(f"atomic or store mode {mode:#x} at insn {pc}")
                    val = self.regs[src] if cls == 3 else imm & M64
                    if val is None:
                        raise _Unsupported(f"store of an unset register at insn {pc}")
                    self.store(base, off, size, val)
            elif cls in (5, 6):
                op = code & 0xF0
                if op == 0x00 and cls == 5:
                    pc += off
                elif op == 0x80 and cls == 5:
                    if src == BPF_PSEUDO_CALL:
                        pc = self.enter(pc, imm)
                    elif src == BPF_PSEUDO_KFUNC_CALL:
                        self.kfunc(pc)
                    elif src != 0:
                        raise _Unsupported(f"call of kind {src} at insn {pc}")
                    elif imm == HELPER_LOOP:
                        entered = self.loop(pc)
                        pc = pc if entered is None else entered
                    else:
                        self.call(imm, pc, step)
                elif op == 0x90 and cls == 5 and self.frames:
                    pc = self.leave()
                elif op == 0x90 and cls == 5 and witness:
                    return Replay("unsupported", f"the run exits at step {step}")
                elif op == 0x90 and cls == 5:
                    return Replay(
                        "diverged",
                        f"the program exits at insn {pc}, step {step}: the model "
                        "is no execution of the path",
                    )
                elif op in (0x00, 0x80, 0x90):
                    raise _Unsupported(f"jump {code:#x} at insn {pc}")
                elif self.jump(code, dst, src, imm, pc, cls):
                    pc += off
            else:
                raise _Unsupported(f"instruction class {cls} at insn {pc}")
            pc += 1
            step += 1
        if witness:
            return Replay("unsupported", f"the run stops after {step} steps at insn {pc}")
        return Replay(
            "diverged",
            f"insn {target_insn} is not reached at step {target_step} (the run is at insn {pc}, "
            f"step {step}): the model is no execution of the path",
        )

    def alu(self, code: int, dst: int, src: int, off: int, imm: int, pc: int) -> None:
        op, w = code & 0xF0, 64 if code & 7 == 7 else 32
        b: int | Ptr | None = self.regs[src] if code & 8 else imm & M64
        a = self.regs[dst]
        if op == 0xD0 or (off and op in (0x30, 0x90, 0xB0)):
            # a byte swap reads dst, a sign-extending move src, a signed division both
            x = a if op in (0x30, 0x90, 0xD0) else 0
            y = b if op in (0x30, 0x90, 0xB0) else 0
            if not (isinstance(x, int) and isinstance(y, int)):
                raise _Unsupported(f"ALU {code:#x} on a pointer or unset register at insn {pc}")
            self.regs[dst] = _signed_or_swap(code, off, imm, x, y, w)
            return
        if op == 0xB0:
            if isinstance(b, int) and w == 32:
                b = b & 0xFFFFFFFF
            elif isinstance(b, Ptr) and w == 32:
                raise _Unsupported(f"32-bit move of a pointer at insn {pc}")
            self.regs[dst] = b
            return
        if isinstance(a, Ptr) and isinstance(b, int) and w == 64 and op in (0x00, 0x10):
            self.regs[dst] = Ptr(a.region, a.off + (_sx(b, 64) if op == 0 else -_sx(b, 64)))
        elif isinstance(a, int) and isinstance(b, Ptr) and w == 64 and op == 0x00:
            self.regs[dst] = Ptr(b.region, b.off + _sx(a, 64))
        elif isinstance(a, Ptr) and isinstance(b, Ptr) and op == 0x10 and a.region == b.region:
            self.regs[dst] = (a.off - b.off) & M64
        elif isinstance(a, int) and (isinstance(b, int) or op == 0x80):
            self.regs[dst] = _alu(op, a, b if isinstance(b, int) else 0, w)
        else:
            raise _Unsupported(f"ALU {code:#x} on r{dst} and its operand at insn {pc}")

    def jump(self, code: int, dst: int, src: int, imm: int, pc: int, cls: int) -> bool:
        a = self.regs[dst]
        b: int | Ptr | None = self.regs[src] if code & 8 else imm & M64
        if isinstance(a, Ptr) and b == 0:
            a = 1  # a pointer the run holds is never NULL
        if isinstance(a, Ptr) and isinstance(b, Ptr) and a.region == b.region:
            a, b = a.off & M64, b.off & M64
        if not (isinstance(a, int) and isinstance(b, int)):
            raise _Unsupported(f"comparison at insn {pc}")
        return _taken(code & 0xF0, a, b, 32 if cls == 6 else 64)

    def assumed(self) -> str:
        # A lookup's key must name an entry: any key of a hash map can, an array's only below
        # its size, which the instructions do not say.
        if not self.lookups:
            return ""
        return f" (assuming each of the {self.lookups} map lookups finds an entry)"

    def access(self, pc: int) -> tuple[int | Ptr | None, int, int] | None:
        """The base register's value, the size and the instruction offset of the memory access
        at ``pc`` (None when the instruction accesses no memory)."""
        code, dst, src, off, _ = self.insns[pc]
        cls = code & 7
        if cls not in (1, 2, 3):
            return None
        return self.regs[src if cls == 1 else dst], SIZES[code & 0x18], off

    @staticmethod
    def outside(base: Ptr, size: int, off: int, limit: int, lo: int = 0) -> tuple[bool, str]:
        """Whether the access leaves bytes ``lo`` to ``limit`` of its region, and where it is."""
        o = base.off + off
        bounds = f"{limit} bytes" if lo == 0 else f"bytes {lo} to {limit}"
        where = f"{size}-byte access at offset {o} of {base.region} ({bounds})"
        return o < lo or o + size > limit, where

    def bad_access(self, pc: int) -> str:
        """What is wrong with the memory access at ``pc`` in the current state ('' if nothing
        or not a memory access): a base that is no pointer, or bytes out of bounds."""
        acc = self.access(pc)
        if acc is None:
            return ""
        base, size, off = acc
        if isinstance(base, int):
            return f"insn {pc}: an access through the scalar {base:#x}"
        # Off the condition's path only the packet's bounds are known: which map value the
        # condition's access size belongs to, the run does not tell.
        if isinstance(base, Ptr) and base.region == "pkt":
            out, where = self.outside(base, size, off, self.pkt_len, self.pkt_lo)
            if out:
                return f"insn {pc}: {where}"
        return ""

    def at_target(self, pc: int, kind: str, size_limit: int) -> Replay:
        if kind != "range":
            return Replay(
                "reproduced", f"the run takes the rejected path to insn {pc}{self.assumed()}"
            )
        code, _, src, _, imm = self.insns[pc]
        if code == 0x85 and src == 0:
            return self.helper_overrun(pc, imm, size_limit)
        if code & 7 == 7 and code & 0xF0 in (0x00, 0x10):
            return self.pointer_step(pc, size_limit)
        base, size, off = self.access(pc) or (None, 0, 0)
        if not isinstance(base, Ptr):
            raise _Unsupported(f"the access at insn {pc} is not through a pointer the run knows")
        pkt = base.region == "pkt"
        limit, lo = (self.pkt_len, self.pkt_lo) if pkt else (size_limit, 0)
        out, where = self.outside(base, size, off, limit, lo)
        if out:
            return Replay("reproduced", f"insn {pc}: {where}{self.assumed()}")
        return Replay("diverged", f"insn {pc}: in bounds, {where}: a model gap")

    def pointer_step(self, pc: int, size_limit: int) -> Replay:
        """A range condition at pointer arithmetic (64-bit ``ptr += s``, ``s += ptr``,
        ``ptr -= s``): whether the result leaves its map value (``[0, size]``) or the frame
        (``[-MAX_BPF_STACK, -1]``), which is what the verifier refused to let the program hold."""
        code, dst, src, _, imm = self.insns[pc]
        a, b = self.regs[dst], self.regs[src] if code & 8 else imm & M64
        add = code & 0xF0 == 0x00
        if add and isinstance(a, int) and isinstance(b, Ptr):
            a, b = b, a
        if not (isinstance(a, Ptr) and isinstance(b, int)):
            raise _Unsupported(f"the arithmetic at insn {pc} is not on a pointer the run knows")
        o = a.off + (_sx(b, 64) if add else -_sx(b, 64))
        if a.region.startswith("stack"):
            lo, hi = -MAX_BPF_STACK, -1
        elif a.region.startswith("map value"):
            lo, hi = 0, size_limit
        else:
            raise _Unsupported(f"pointer arithmetic on {a.region} at insn {pc}")
        where = f"the {a.region} pointer moves to offset {o} (allowed {lo}..{hi})"
        if lo <= o <= hi:
            return Replay("diverged", f"insn {pc}: in bounds, {where}: a model gap")
        return Replay("reproduced", f"insn {pc}: {where}{self.assumed()}")

    def helper_overrun(self, pc: int, helper: int, size_limit: int) -> Replay:
        """A range condition on a helper's size argument (0012): whether a memory argument's
        size overruns what its map value or stack pointer leaves."""
        pairs = HELPER_MEM_ARGS.get(helper)
        if pairs is None:
            raise _Unsupported(f"helper {helper}'s memory arguments (insn {pc})")
        seen = []
        for p, n in pairs:
            base, size = self.regs[p], self.regs[n]
            if not isinstance(base, Ptr) or not isinstance(size, int):
                continue
            if base.region.startswith("stack"):
                # the frame's bytes lie below r10: [-MAX_BPF_STACK, 0)
                o = base.off
                out = o < -MAX_BPF_STACK or o + size > 0
                where = f"{size} bytes at offset {o} of the {base.region}"
            else:
                out, where = self.outside(base, size, 0, size_limit)
            if out:
                return Replay("reproduced", f"insn {pc}: helper {helper}'s {where}{self.assumed()}")
            seen.append(where)
        if not seen:
            raise _Unsupported(f"helper {helper}'s memory arguments are not pointers the run knows")
        return Replay("diverged", f"insn {pc}: in bounds, helper {helper}'s {seen[0]}: a model gap")


def replay(
    insns: list[Insn],
    prog_type: str,
    refinement: dict[str, Any],
    kfuncs: dict[int, str] | None = None,
) -> Replay:
    """Replay one refuted refinement (its ``insn``, ``track_length``, ``kind``, ``model`` with
    origins and ``access``) of a program of type ``prog_type`` whose kfunc calls are
    ``kfuncs`` (instruction -> name)."""
    model = refinement.get("model") or {}
    start = refinement.get("start", "")

    def search(where: str, lengths: Iterable[int] = (64,)) -> Replay:
        # The model is no input: a range condition is searched for a run that does the same.
        if refinement.get("kind", "range") != "range":
            return Replay("unsupported", where)
        return _witness(insns, prog_type, refinement, kfuncs or {}, where, lengths)

    if start != "entry":
        what = {"frame": "a frame's entry", "state": "a verifier state", "cut": "a cut"}
        where = f"the suffix starts at {what.get(start, 'an unknown point')}"
        return search(where) if start in what else Replay("unsupported", where)
    values: dict[str, int] = {}
    pkt_len = None
    for entry in model.values():
        origin = str(entry.get("origin", ""))
        if not origin:
            return Replay("unsupported", "the kernel did not name the condition's variables")
        if origin.startswith("pkt_len."):
            if pkt_len is not None and pkt_len != entry["value"]:
                # the model's packets before and after a helper are not one input
                where = "the model has more than one packet (a helper changed it)"
                return search(where, WITNESS_LENGTHS)
            pkt_len = int(entry["value"])
        elif re.fullmatch(r"r\d+|fp-\d+\.\d+", origin) and origin not in ("r1", "r10"):
            # at the entry only the context and the frame pointer are set
            return Replay("unsupported", f"{origin} is read before it is written")
        else:
            values.setdefault(origin, int(entry["value"]))
    open_len = pkt_len is None
    if pkt_len is None:
        pkt_len = 64
    if pkt_len < MIN_PACKET or pkt_len > 1 << 16:
        # a packet that can be sent may do the same: the shortest ones first
        return search(f"the model's packet of {pkt_len} bytes cannot be sent", WITNESS_LENGTHS)
    access = refinement.get("access") or {}
    try:
        machine = _Machine(insns, prog_type, values, pkt_len, kfuncs or {}, len_open=open_len)
        return machine.run(
            int(refinement["insn"]),
            int(refinement.get("track_length") or 0),
            str(refinement.get("kind", "range")),
            int(access.get("region", 0) or 0),
        )
    except _Unsupported as err:
        return Replay("unsupported", str(err))


def _witness(
    insns: list[Insn],
    prog_type: str,
    refinement: dict[str, Any],
    kfuncs: dict[int, str],
    where: str,
    lengths: Iterable[int] = (64,),
) -> Replay:
    """A range condition whose suffix does not start at the program's entry (``where``: at a
    bpf_loop callback's entry, a verifier state, a cut): its model gives values at that point,
    not the program's inputs, so the program is run from its entry instead (through bpf_loop
    and its callbacks) with every input set to one fill (each of ``WITNESS_FILLS``), and any
    visit of the refused instruction that accesses out of bounds reproduces the refusal; the
    model's values are not used."""
    access = refinement.get("access") or {}
    tried = []
    for fill in WITNESS_FILLS:
        for length in lengths:
            machine = _Machine(insns, prog_type, {}, length, kfuncs, fill)
            try:
                got = machine.run(
                    int(refinement["insn"]),
                    WITNESS_STEPS,
                    "range",
                    int(access.get("region", 0) or 0),
                    witness=True,
                )
            except _Unsupported as err:
                got = Replay("unsupported", str(err))
            if got.verdict == "reproduced":
                return Replay(
                    "reproduced",
                    f"the run from the program's entry with every input byte {fill:#04x} "
                    f"and a packet of {length} bytes ({where}), {got.detail}",
                )
        tried.append(f"bytes {fill:#04x}: {got.detail}")
    return Replay(
        "unsupported",
        f"{where}, and no run from the program's entry reaches insn {refinement['insn']} out "
        f"of bounds ({'; '.join(tried)})",
    )


def annotate(result: dict[str, Any], obj: Path) -> None:
    """Replay each program's refuted whole-suffix refinements (``refinement["replay"]``) and put
    the deciding one's verdict into ``result["bcf"]["replay"]``."""
    bcf = result.get("bcf")
    if not isinstance(bcf, dict) or bcf.get("outcome") != "refuted":
        return
    for prog in result.get("programs", []):
        refuted = [
            r
            for r in prog.get("refinements", [])
            if r.get("verdict") == "refuted" and not r.get("cut") and r.get("model") is not None
        ]
        if not refuted:
            continue
        found: Linked | Replay
        try:
            linked = program_insns(obj, str(prog.get("section", "")), str(prog.get("name", "")))
            found = linked if linked is not None else Replay("unsupported", "no such program")
        except LinkError as err:
            found = Replay("unsupported", f"the object does not link as libbpf expects: {err}")
        for ref in refuted:
            got = (
                found
                if isinstance(found, Replay)
                else replay(found.insns, str(prog.get("prog_type", "")), ref, found.kfuncs)
            )
            ref["replay"] = got.to_dict()
        bcf.setdefault("replay", refuted[0]["replay"]["verdict"])
