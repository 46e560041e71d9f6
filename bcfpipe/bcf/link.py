"""The instructions libbpf loads for one program of an object: its own, then every ``.text``
subprogram it reaches, appended as libbpf appends them.

libbpf (``bpf_object__reloc_code``) walks the program's instructions; the first call (or
``ld_imm64`` of a function's address, a callback, which becomes ``BPF_PSEUDO_FUNC``) that
reaches a subprogram not yet appended appends that subprogram's instructions at the end and
walks them at once, before the walk of the caller goes on; every such instruction's ``imm`` is
then rewritten to the distance to its target's new place. Each program gets its own copy of
the subprograms, so the same subprogram lands at a different index in different programs. The
verifier's instruction numbers (and so a refinement's ``insn`` and the origins
``ld<insn>.<step>``) are those of this linked program.

Map and data relocations of ``ld_imm64`` are left as compiled: the replay reads a map
reference's kind from ``src`` and treats the map by its reference, not by the file descriptor
libbpf would write into ``imm``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from bcfpipe.corpus import elf

BPF_PSEUDO_CALL = 1
BPF_PSEUDO_KFUNC_CALL = 2
BPF_PSEUDO_FUNC = 4
CALL = 0x85
LD_IMM64 = 0x18


Insn = tuple[int, int, int, int, int]  # code, dst, src, off, imm


def decode_insns(raw: bytes) -> list[Insn]:
    out = []
    for k in range(0, len(raw) - len(raw) % 8, 8):
        code, regs, off, imm = struct.unpack_from("<BBhi", raw, k)
        out.append((code, regs & 0xF, regs >> 4, off, imm))
    return out


class LinkError(Exception):
    """The object is not laid out as libbpf expects (a call into no subprogram's start)."""


@dataclass(frozen=True)
class Linked:
    insns: list[Insn]
    kfuncs: dict[int, str]  # instruction index of a kfunc call -> the kfunc's name


def _is_sub_ref(i: Insn) -> bool:
    code, dst, src, off, _ = i
    if code == CALL:
        return src == BPF_PSEUDO_CALL and dst == 0 and off == 0
    return code == LD_IMM64 and src == BPF_PSEUDO_FUNC


def program_insns(path: Path, section: str, name: str = "") -> Linked | None:
    """The linked instructions of program ``name`` of ``section`` (the section's only program
    when ``name`` is empty) and the names of the kfuncs it calls, or None when the object has no
    such program."""
    data = path.read_bytes()
    secs = elf.sections(data, str(path))
    syms = elf.symbols(data, secs)
    by_name = {s.name: k for k, s in enumerate(secs)}
    shndx = by_name.get(section)
    if shndx is None:
        return None
    progs = [s for s in syms if s.shndx == shndx and s.global_func and (not name or s.name == name)]
    if len(progs) != 1:
        return None
    prog = progs[0]
    sec = secs[shndx]
    own = decode_insns(data[sec.offset + prog.value : sec.offset + prog.value + prog.size])
    text_idx = by_name.get(".text")
    text: list[Insn] = []
    funcs: dict[int, int] = {}  # a subprogram's first instruction in .text -> its length
    text_rels: dict[int, int] = {}
    if text_idx is not None:
        t = secs[text_idx]
        text = decode_insns(data[t.offset : t.offset + t.size])
        for s in syms:
            if s.shndx == text_idx and s.type == elf.STT_FUNC:
                funcs[s.value // 8] = max(1, s.size // 8)
        text_rels = {off // 8: sym for off, sym in elf.relocations(data, secs, text_idx).items()}
    own_rels = {
        off // 8 - prog.value // 8: sym
        for off, sym in elf.relocations(data, secs, shndx).items()
        if prog.value <= off < prog.value + prog.size
    }
    out = list(own)
    placed: dict[int, int] = {}
    kfuncs: dict[int, str] = {}

    def target_of(i: Insn, k: int, sym_k: int | None, in_text: bool) -> int:
        """Where in .text the reference at instruction ``k`` of its section points (``sym_k``:
        the symbol its relocation names)."""
        code, _, _, _, imm = i
        if sym_k is not None:
            sym = syms[sym_k]
            if sym.shndx != text_idx:
                raise LinkError(f"a call to {sym.name or 'a symbol'} outside .text")
            # as libbpf: the symbol's offset plus the instruction's own immediate
            return sym.value // 8 + imm + 1 if code == CALL else (sym.value + imm) // 8
        if not in_text or code != CALL:
            raise LinkError(f"instruction {k} refers to a subprogram without a relocation")
        return k + imm + 1

    def walk(base: int, count: int, rels: dict[int, int], sec_start: int, in_text: bool) -> None:
        # base: where the instructions sit in ``out``; sec_start: their index in their section
        for j in range(count):
            i = out[base + j]
            sym_k = rels.get(sec_start + j)
            if i[0] == CALL and sym_k is not None and syms[sym_k].shndx == 0:
                # a call to an extern is a kfunc call (clang emits it as a pseudo call):
                # libbpf makes it one and puts the kfunc's BTF id into imm; the name says which
                code, dst, _, off, imm = i
                out[base + j] = (code, dst, BPF_PSEUDO_KFUNC_CALL, off, imm)
                kfuncs[base + j] = syms[sym_k].name
                continue
            # clang emits a function's address (a callback) as an ld_imm64 with src 0 and a
            # relocation against .text; libbpf makes it BPF_PSEUDO_FUNC
            addr = i[0] == LD_IMM64 and sym_k is not None and syms[sym_k].shndx == text_idx
            if not (addr or _is_sub_ref(i)):
                continue
            tgt = target_of(i, sec_start + j, sym_k, in_text)
            length = funcs.get(tgt)
            if length is None:
                raise LinkError(f"instruction {sec_start + j} refers into no subprogram's start")
            if tgt not in placed:
                placed[tgt] = len(out)
                out.extend(text[tgt : tgt + length])
                walk(placed[tgt], length, text_rels, tgt, True)
            code, dst, src, off, _ = out[base + j]
            src = BPF_PSEUDO_FUNC if code == LD_IMM64 else src
            out[base + j] = (code, dst, src, off, placed[tgt] - (base + j) - 1)

    walk(0, len(own), own_rels, 0, False)
    return Linked(out, kfuncs)
