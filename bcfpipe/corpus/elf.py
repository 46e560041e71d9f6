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
SHT_REL = 9
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


@dataclass(frozen=True)
class Section:
    name: str
    type: int
    flags: int
    offset: int
    size: int
    link: int
    info: int
    entsize: int


def sections(data: bytes, what: str = "the data") -> list[Section]:
    """The section headers of a little-endian ELF64 object, names resolved."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise PipelineError(f"{what} is not a little-endian ELF64 object")
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    raw = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    # SHN_UNDEF (0): the object has no section name table, and every name is empty.
    _, _, _, _, str_off, str_size, *_ = raw[shstrndx]
    names = data[str_off : str_off + str_size] if shstrndx else b""
    return [
        Section(_cstr(names, name) if names else "", typ, flags, off, size, link, info, entsize)
        for name, typ, flags, _addr, off, size, link, info, _align, entsize in raw
    ]


def programs(path: str | Path) -> list[Program]:
    return programs_in(Path(path).read_bytes(), str(path))


def programs_in(data: bytes, what: str = "the data") -> list[Program]:
    """:func:`programs` of an object already read."""
    secs = sections(data, what)
    found = []
    for sym in symbols(data, secs):
        if not sym.global_func:
            continue
        if not 0 < sym.shndx < len(secs):
            continue
        sec = secs[sym.shndx]
        if not sec.flags & SHF_EXECINSTR or sec.name == ".text":
            continue
        found.append((sym.shndx, sym.value, Program(sym.name, sec.name)))
    # libbpf's order: by section, then by offset inside it.
    return [p for _, _, p in sorted(found, key=lambda t: (t[0], t[1]))]


@dataclass(frozen=True)
class Symbol:
    name: str
    type: int  # STT_*
    bind: int  # STB_*
    shndx: int  # the section it is defined in, 0 if undefined (an extern)
    value: int
    size: int

    @property
    def global_func(self) -> bool:
        """A function other objects can see: in an executable section, a program (as libbpf
        finds them) or, in ``.text``, a global subprogram."""
        return self.type == STT_FUNC and self.bind in (STB_GLOBAL, STB_WEAK)


def symbols(data: bytes, secs: list[Section]) -> list[Symbol]:
    """The symbol table's entries, in their order (a relocation names a symbol by index)."""
    out: list[Symbol] = []
    for tab in secs:
        if tab.type != SHT_SYMTAB:
            continue
        strtab = secs[tab.link]
        strings = data[strtab.offset : strtab.offset + strtab.size]
        for k in range(tab.size // tab.entsize):
            st_name, st_info, _other, shndx, value, size = struct.unpack_from(
                "<IBBHQQ", data, tab.offset + k * tab.entsize
            )
            out.append(
                Symbol(_cstr(strings, st_name), st_info & 0xF, st_info >> 4, shndx, value, size)
            )
    return out


def relocations(data: bytes, secs: list[Section], target: int) -> dict[int, int]:
    """The ``SHT_REL`` relocations that apply to section ``target``: byte offset in it ->
    symbol index (BPF objects have one symbol table and no addends outside the instructions)."""
    out: dict[int, int] = {}
    for rel in secs:
        if rel.type != SHT_REL or rel.info != target:
            continue
        size = rel.entsize or 16  # Elf64_Rel
        for k in range(rel.size // size):
            r_offset, r_info = struct.unpack_from("<QQ", data, rel.offset + k * size)
            out[r_offset] = r_info >> 32
    return out
