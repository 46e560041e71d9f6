"""Just enough ELF64 to list the BPF programs of an object, the way libbpf finds them.

A program is a global (or weak) function symbol in an executable section other than ``.text``
(which holds subprograms). Reading this on the host keeps the corpus index independent of any
kernel.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from bcfpipe.errors import PipelineError

SHF_EXECINSTR = 0x4
SHT_SYMTAB = 2
STT_FUNC = 2
STB_GLOBAL = 1
STB_WEAK = 2


@dataclass(frozen=True)
class Program:
    name: str
    section: str


def _cstr(blob: bytes, off: int) -> str:
    end = blob.index(b"\0", off)
    return blob[off:end].decode()


def programs(path: str | Path) -> list[Program]:
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise PipelineError(f"{path} is not a little-endian ELF64 object")
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    sections = []
    for i in range(shnum):
        name, typ, flags, _addr, off, size, link, _info, _align, entsize = struct.unpack_from(
            "<IIQQQQIIQQ", data, shoff + i * shentsize
        )
        sections.append((name, typ, flags, off, size, link, entsize))
    shstr = sections[shstrndx]
    strtab_names = data[shstr[3] : shstr[3] + shstr[4]]
    names = [_cstr(strtab_names, s[0]) for s in sections]
    found = []
    for _name, typ, _flags, off, size, link, entsize in sections:
        if typ != SHT_SYMTAB:
            continue
        strtab = sections[link]
        strings = data[strtab[3] : strtab[3] + strtab[4]]
        for k in range(size // entsize):
            st_name, st_info, _other, st_shndx, value, _sz = struct.unpack_from(
                "<IBBHQQ", data, off + k * entsize
            )
            if st_info & 0xF != STT_FUNC or st_info >> 4 not in (STB_GLOBAL, STB_WEAK):
                continue
            if not 0 < st_shndx < len(sections):
                continue
            sec = sections[st_shndx]
            if not sec[2] & SHF_EXECINSTR or names[st_shndx] == ".text":
                continue
            found.append((st_shndx, value, Program(_cstr(strings, st_name), names[st_shndx])))
    # libbpf's order: by section, then by offset inside it.
    return [p for _, _, p in sorted(found, key=lambda t: (t[0], t[1]))]
