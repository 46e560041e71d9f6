"""The guest userspace: an initramfs written directly as a newc cpio archive.

Writing the archive ourselves needs no root (the console device node is just a header) and makes
it byte-for-byte reproducible: fixed owners, modes and times.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

from bcfpipe.fsutil import atomic_output

BUSYBOX_APPLETS = (
    "sh",
    "mount",
    "umount",
    "mkdir",
    "cat",
    "echo",
    "uname",
    "reboot",
    "poweroff",
    "sleep",
    "ls",
    "mv",
    "rm",
    "sync",
    "dmesg",
    "timeout",
    "head",
    "tail",
    "grep",
    "wc",
    "date",
    "env",
    "test",
    "[",
    "true",
    "false",
    "printf",
    "cp",
    "ln",
    "sed",
    "tr",
    "id",
)


@dataclass(frozen=True)
class Entry:
    name: str
    mode: int
    data: bytes = b""
    rdev: tuple[int, int] = (0, 0)


def _header(ino: int, e: Entry) -> bytes:
    name = e.name.encode() + b"\0"
    fields = [
        ino,
        e.mode,
        0,
        0,
        1,
        0,
        len(e.data),
        0,
        0,
        e.rdev[0],
        e.rdev[1],
        len(name),
        0,
    ]
    hdr = b"070701" + b"".join(f"{v:08x}".encode() for v in fields)
    out = hdr + name
    return out + b"\0" * (-len(out) % 4)


def write_cpio(path: Path, entries: list[Entry]) -> None:
    with atomic_output(path) as f:
        for ino, e in enumerate([*entries, Entry("TRAILER!!!", 0)], 1):
            f.write(_header(ino, e))
            f.write(e.data)
            f.write(b"\0" * (-len(e.data) % 4))


def _dir(name: str) -> Entry:
    return Entry(name, stat.S_IFDIR | 0o755)


def _file(name: str, data: bytes, mode: int = 0o755) -> Entry:
    return Entry(name, stat.S_IFREG | mode, data)


def initramfs_entries(busybox: Path, init: Path, binaries: dict[str, Path]) -> list[Entry]:
    entries = [_dir(d) for d in ("bin", "dev", "proc", "sys", "tmp", "job", "etc")]
    entries.append(Entry("dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1)))
    entries.append(Entry("dev/null", stat.S_IFCHR | 0o666, rdev=(1, 3)))
    entries.append(_file("bin/busybox", busybox.read_bytes()))
    for applet in BUSYBOX_APPLETS:
        entries.append(Entry(f"bin/{applet}", stat.S_IFLNK | 0o777, b"busybox"))
    for name, src in sorted(binaries.items()):
        entries.append(_file(f"bin/{name}", src.read_bytes()))
    entries.append(_file("init", init.read_bytes()))
    return entries


def is_static(binary: Path) -> bool:
    """A guest binary must not need a dynamic loader: the initramfs has no /lib."""
    data = binary.read_bytes()[:65536]
    return data[:4] == b"\x7fELF" and b"/lib64/ld-linux" not in data and b"ld-linux" not in data
