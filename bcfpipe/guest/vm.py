"""Boot a kernel in QEMU for one job, with nothing shared between concurrent jobs.

Each job gets its own scratch directory (shared into the guest over 9p), its own console file and
no network, ports, sockets or pid files, so any number of jobs can run at once on one host.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import read_json, read_text_or_empty

PANIC_MARKERS = ("Kernel panic", "BUG: ", "Oops", "general protection fault", "WARNING: CPU")


def kernel_warnings(console: str, limit: int = 20) -> list[str]:
    """Console lines that show a kernel warning, oops or panic (the first ``limit``)."""
    return [ln for ln in console.splitlines() if any(m in ln for m in PANIC_MARKERS)][:limit]


@dataclass
class VmOutcome:
    status: str  # ok | timeout | vm_crash
    exit_code: int | None  # the payload's exit code, when it finished
    wall_seconds: float
    accel: str
    qemu_returncode: int | None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def qemu_command(
    qemu: str,
    kernel: Path,
    initrd: Path,
    share: Path,
    console: Path,
    accel: str,
    memory_mb: int,
    append: str = "",
) -> list[str]:
    cmd = [
        qemu,
        "-nodefaults",
        "-no-user-config",
        "-display",
        "none",
        "-no-reboot",
        "-m",
        str(memory_mb),
        "-smp",
        "1",
        "-kernel",
        str(kernel),
        "-initrd",
        str(initrd),
        "-append",
        # no_timer_check: under TCG on a loaded host the IO-APIC timer test can miss its ticks
        # and panic the guest before any payload runs ("IO-APIC + timer doesn't work").
        # tsc=reliable: the minimal guest has no HPET/PM timer to check the TSC against, so the
        # kernel would fall back to jiffies and every verifier or checker time would be a
        # multiple of 4 ms. loglevel=5: warnings reach the console (a WARN is printed at level
        # 4, which loglevel=4 kept off it, so results' kernel_warnings could not see one).
        "console=ttyS0 panic=-1 oops=panic no_timer_check tsc=reliable quiet loglevel=5 "
        f"{append}".strip(),
        "-serial",
        f"file:{console}",
        "-virtfs",
        f"local,path={share},mount_tag=job,security_model=none,id=job",
    ]
    if accel == "kvm":
        cmd += ["-accel", "kvm", "-cpu", "host"]
    else:
        cmd += ["-accel", "tcg"]
    return cmd


def make_scratch(parent: str = "", prefix: str = "bcfpipe-job-") -> Path:
    """A fresh, unique job directory; ``parent`` '' means the system temp directory."""
    if parent:
        Path(parent).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent or None))


def run(
    kernel: Path,
    initrd: Path,
    share: Path,
    *,
    accel: str,
    timeout_s: float,
    memory_mb: int = 512,
    qemu: str = "qemu-system-x86_64",
    append: str = "",
) -> VmOutcome:
    """Boot once; the payload is ``share/run.sh``. Console output lands in ``share/console.log``."""
    if shutil.which(qemu) is None:
        raise PipelineError(
            f"'{qemu}' not found: install it (apt-get install qemu-system-x86) "
            f"or set guest.qemu in the config"
        )
    console = share / "console.log"
    status_file = share / "exit-status"
    status_file.unlink(missing_ok=True)
    cmd = qemu_command(qemu, kernel, initrd, share, console, accel, memory_mb, append)
    start = time.monotonic()
    # A new session so that a timeout kills QEMU and anything it spawned, and nothing else.
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout_s)
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        timed_out = True
    wall = round(time.monotonic() - start, 3)
    qemu_out = out.decode(errors="replace").strip()
    console_text = read_text_or_empty(console)
    status = read_text_or_empty(status_file).strip()
    if timed_out:
        return VmOutcome(
            "timeout",
            None,
            wall,
            accel,
            None,
            f"killed after {timeout_s:g} s; exit-status: {status or 'never written'}",
        )
    if status.isdigit():
        return VmOutcome("ok", int(status), wall, accel, proc.returncode)
    marker = next((m for m in PANIC_MARKERS if m in console_text), "")
    detail = f"guest died ({marker.strip() or 'no exit status'})" + (
        f"; qemu: {qemu_out[-500:]}" if proc.returncode else ""
    )
    return VmOutcome("vm_crash", None, wall, accel, proc.returncode, detail)


def read_accel(record: str | os.PathLike[str]) -> str:
    """The accelerator chosen by the probe (results/host/accel.json)."""
    accel: str = read_json(record)["accel"]
    return accel


def kvm_usable() -> bool:
    return os.path.exists("/dev/kvm") and os.access("/dev/kvm", os.R_OK | os.W_OK)
