"""A booted guest saved once per kernel variant, from which every VM job starts.

Booting the guest under TCG costs about 1.1 s (firmware, decompressing the kernel, unpacking the
initramfs, the kernel's own start); resuming a saved one costs about 0.1 s. ``vm.save_snapshot``
boots the guest with ``bcfpipe.snapshot`` on its command line: ``guest/init`` then does everything
a job needs except mounting the job's 9p share (QEMU refuses to save a guest with a mounted
share), announces it on the console and waits for a line on the second serial port. The host
saves the running guest with QEMU's migration (``migrate "exec:cat > FILE"``) and quits. A job's
VM is the same QEMU command with ``-incoming fd:N`` reading that file from a descriptor the host
opened for it: it resumes in the wait, gets its line on standard input, mounts its own share and
runs its payload. Each job therefore starts from the same, untouched guest state — what a fresh
boot gives, including the same random-number state in every job — and a crash or hang still
costs only that job.

A saved state fits one QEMU build, kernel, initramfs, memory size, accelerator, kernel command
line and host TSC rate (its guest's clock, :mod:`clock`): :func:`mismatch` names the difference,
and the job boots instead (recorded in its result).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import read_json
from bcfpipe.guest import clock

SCHEMA = 1
KERNEL_ARG = "bcfpipe.snapshot"
READY = "bcfpipe-guest: ready for a snapshot"
# What a restored guest reads on its second serial port to go on (any line would do).
GO = b"go\n"


@dataclass(frozen=True)
class Snapshot:
    """The saved state of a booted guest and what it was made from."""

    state: str
    kernel: str
    initrd: str
    memory_mb: int
    accel: str
    append: str
    qemu: str
    qemu_version: str
    tsc_khz: int = 0  # the TSC rate the guest was told (clock.py); 0: it calibrated by itself
    state_bytes: int = 0
    seconds: float = 0.0
    kernel_sha256: str = ""
    initrd_sha256: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, **asdict(self)}


def qemu_version(qemu: str) -> str:
    try:
        out = subprocess.run(
            [qemu, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except OSError as e:
        raise PipelineError(f"cannot run '{qemu} --version': {e}") from e
    return out.splitlines()[0].strip() if out else ""


def mismatch(
    snap: Snapshot,
    *,
    kernel: Path,
    initrd: Path,
    memory_mb: int,
    accel: str,
    append: str,
    qemu: str,
) -> str:
    """Why ``snap`` cannot start a VM with these settings ('' when it can)."""
    wanted = {
        "kernel": os.path.realpath(kernel),
        "initrd": os.path.realpath(initrd),
        "memory_mb": memory_mb,
        "accel": accel,
        "append": append,
        "qemu": qemu,
    }
    have = asdict(snap)
    have["kernel"], have["initrd"] = os.path.realpath(snap.kernel), os.path.realpath(snap.initrd)
    diff = [f"{k} {have[k]!r} (job: {v!r})" for k, v in wanted.items() if have[k] != v]
    host_khz = clock.host_tsc_khz()
    if not clock.same_rate(snap.tsc_khz, host_khz):
        # The restored guest's clock would run at this host's rate, not the one it was told.
        diff.append(f"guest TSC rate {snap.tsc_khz} kHz (this host: {host_khz} kHz)")
    if not Path(snap.state).is_file():
        diff.append(f"state file {snap.state} missing")
    return "; ".join(diff)


def read(path: str | os.PathLike[str]) -> Snapshot:
    try:
        data = read_json(path)
    except FileNotFoundError as e:
        raise PipelineError(f"snapshot record {path} does not exist: run guest_snapshot") from e
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise PipelineError(f"{path} is not a schema-{SCHEMA} snapshot record: delete it")
    data = {k: v for k, v in data.items() if k != "schema"}
    try:
        return Snapshot(**data)
    except TypeError as e:
        raise PipelineError(f"snapshot record {path}: {e}; delete it and rerun") from e
