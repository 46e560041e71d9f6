from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from bcfpipe.guest import initramfs


def test_cpio_is_readable_by_cpio_and_has_console_node(tmp_path: Path) -> None:
    busybox = tmp_path / "busybox"
    busybox.write_bytes(b"\x7fELF static busybox stand-in")
    init = tmp_path / "init"
    init.write_text("#!/bin/sh\necho hi\n")
    tool = tmp_path / "tool"
    tool.write_bytes(b"\x7fELF tool")
    out = tmp_path / "initramfs.cpio"
    initramfs.write_cpio(out, initramfs.initramfs_entries(busybox, init, {"bpftool": tool}))
    if shutil.which("cpio") is None:
        pytest.skip("cpio not installed")
    listing = subprocess.run(
        ["cpio", "-itv", "--quiet"], input=out.read_bytes(), capture_output=True, check=True
    ).stdout.decode()
    names = {
        line.split()[-1] if "->" not in line else line.split()[-3] for line in listing.splitlines()
    }
    assert {"init", "bin/busybox", "bin/bpftool", "bin/sh", "dev/console"} <= names
    console = next(line for line in listing.splitlines() if line.endswith("dev/console"))
    assert console.startswith("c")  # a character device, written without root
    extract = tmp_path / "x"
    extract.mkdir()
    subprocess.run(
        ["cpio", "-id", "--quiet", "--no-absolute-filenames"],
        input=b"".join([out.read_bytes()]),
        cwd=extract,
        check=False,
        capture_output=True,
    )
    assert (extract / "init").read_text() == "#!/bin/sh\necho hi\n"
    assert (extract / "bin" / "sh").is_symlink()
    assert stat.S_IMODE((extract / "init").stat().st_mode) == 0o755


def test_cpio_is_reproducible(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_bytes(b"\x7fELF")
    a, b = tmp_path / "a.cpio", tmp_path / "b.cpio"
    initramfs.write_cpio(a, initramfs.initramfs_entries(f, f, {}))
    initramfs.write_cpio(b, initramfs.initramfs_entries(f, f, {}))
    assert a.read_bytes() == b.read_bytes()
    assert len(a.read_bytes()) % 4 == 0


def test_static_detection() -> None:
    assert not initramfs.is_static(Path(shutil.which("ls") or "/bin/ls"))
    if Path("/bin/busybox").exists():
        assert initramfs.is_static(Path("/bin/busybox"))
