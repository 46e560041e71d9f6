"""Boot a kernel in QEMU for one job, with nothing shared between concurrent jobs.

Each job gets its own scratch directory (shared into the guest over 9p), its own console file and
no network, ports, sockets or pid files, so any number of jobs can run at once on one host.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import read_json, read_text_or_empty, sha256_file, write_json_atomic
from bcfpipe.guest import clock
from bcfpipe.guest import snapshot as snap

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
    start: str = "boot"  # boot | snapshot: how the guest got to its payload
    start_detail: str = ""  # why a snapshot was not used, when one was given

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
    go: str = "null",
) -> list[str]:
    """The QEMU command of one VM. ``go`` is the second serial port's backend: 'stdio' for a
    VM started from a snapshot, whose guest waits for a line there (:mod:`snapshot`)."""
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
        # multiple of 4 ms; tsc_early_khz (clock.py) gives it the rate it cannot calibrate.
        # loglevel=5: warnings reach the console (a WARN is printed at level 4, which
        # loglevel=4 kept off it, so results' kernel_warnings could not see one).
        " ".join(
            w
            for w in (
                "console=ttyS0 panic=-1 oops=panic no_timer_check tsc=reliable quiet loglevel=5",
                clock.kernel_args(clock.host_tsc_khz()),
                append.strip(),
            )
            if w
        ),
        "-serial",
        f"file:{console}",
        # Always there, so that a snapshot's devices and a job's are the same.
        "-serial",
        go,
        "-virtfs",
        f"local,path={share},mount_tag=job,security_model=none,id=job",
    ]
    if accel == "kvm":
        cmd += ["-accel", "kvm", "-cpu", "host"]
    else:
        cmd += ["-accel", "tcg"]
    return cmd


def snapshot_command(
    qemu: str,
    kernel: Path,
    initrd: Path,
    share: Path,
    console: Path,
    accel: str,
    memory_mb: int,
    append: str,
    go: str,
) -> list[str]:
    """The QEMU command of a guest that waits for a snapshot (``go`` 'null': saving it) or
    resumes from one ('stdio': a job): the same command, so the same devices, either way."""
    return qemu_command(
        qemu,
        kernel,
        initrd,
        share,
        console,
        accel,
        memory_mb,
        f"{append} {snap.KERNEL_ARG}".strip(),
        go=go,
    )


def make_scratch(parent: str = "", prefix: str = "bcfpipe-job-") -> Path:
    """A fresh, unique job directory; ``parent`` '' means the system temp directory."""
    if parent:
        Path(parent).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent or None))


# A restored guest writes exit-status ('running') right after mounting its share, about 0.1 s after
# QEMU starts; one that has not within this limit is taken as a failed restore and booted instead.
RESTORE_START_S = 30.0


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
    snapshot: snap.Snapshot | None = None,
) -> VmOutcome:
    """Start a guest once; the payload is ``share/run.sh``. Console output lands in
    ``share/console.log``. With ``snapshot`` the guest resumes from it, and boots when the
    snapshot does not fit these settings or its restore fails (the outcome says which)."""
    if shutil.which(qemu) is None:
        raise PipelineError(
            f"'{qemu}' not found: install it (apt-get install qemu-system-x86) "
            f"or set guest.qemu in the config"
        )
    console = share / "console.log"
    why = ""
    if snapshot is not None:
        why = snap.mismatch(
            snapshot,
            kernel=kernel,
            initrd=initrd,
            memory_mb=memory_mb,
            accel=accel,
            append=append,
            qemu=qemu,
        )
        if not why:
            cmd = snapshot_command(
                qemu, kernel, initrd, share, console, accel, memory_mb, append, go="stdio"
            )
            try:
                # QEMU reads the state from a descriptor of its own: 'exec:cat FILE' spent
                # about 0.13 s more per VM (a shell and cat started, the state piped).
                state_fd = os.open(snapshot.state, os.O_RDONLY | os.O_CLOEXEC)
            except OSError as e:
                why = f"cannot open its state: {e}"
            else:
                try:
                    cmd += ["-incoming", f"fd:{state_fd}"]
                    outcome = _run(cmd, share, accel, timeout_s, restore=True, fds=(state_fd,))
                finally:
                    os.close(state_fd)
                if outcome is not None:
                    return outcome
                why = "its restore failed: " + read_text_or_empty(console)[-300:].strip()
        why = f"snapshot not used: {why}"
    cmd = qemu_command(qemu, kernel, initrd, share, console, accel, memory_mb, append)
    outcome = _run(cmd, share, accel, timeout_s, restore=False)
    assert outcome is not None
    outcome.start_detail = why
    return outcome


def _run(
    cmd: list[str],
    share: Path,
    accel: str,
    timeout_s: float,
    restore: bool,
    fds: tuple[int, ...] = (),
) -> VmOutcome | None:
    """Run one VM; None when a restore never reached the payload (nothing of the job ran)."""
    console = share / "console.log"
    status_file = share / "exit-status"
    status_file.unlink(missing_ok=True)
    console.unlink(missing_ok=True)
    start = time.monotonic()
    stdin: int = subprocess.DEVNULL
    if restore:
        # The restored guest's line, waiting in a pipe that QEMU reads once the guest runs.
        stdin, feed = os.pipe()
        os.write(feed, snap.GO)
        os.close(feed)
    # A new session so that a timeout kills QEMU and anything it spawned, and nothing else.
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            pass_fds=fds,
        )
    finally:
        if restore:
            os.close(stdin)
    if restore:
        # Wait for the payload to start; the output pipe holds the little QEMU prints meanwhile.
        limit = min(RESTORE_START_S, timeout_s)
        while not status_file.exists() and proc.poll() is None:
            if time.monotonic() - start > limit:
                break
            time.sleep(0.005)
        if not status_file.exists():
            with contextlib.suppress(ProcessLookupError):  # QEMU gave up by itself
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            return None
    try:
        out, _ = proc.communicate(timeout=max(timeout_s - (time.monotonic() - start), 0.1))
        timed_out = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        timed_out = True
    wall = round(time.monotonic() - start, 3)
    mode = "snapshot" if restore else "boot"
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
            start=mode,
        )
    if status.isdigit():
        return VmOutcome("ok", int(status), wall, accel, proc.returncode, start=mode)
    marker = next((m for m in PANIC_MARKERS if m in console_text), "")
    detail = f"guest died ({marker.strip() or 'no exit status'})" + (
        f"; qemu: {qemu_out[-500:]}" if proc.returncode else ""
    )
    return VmOutcome("vm_crash", None, wall, accel, proc.returncode, detail, start=mode)


def _hmp_path(path: Path) -> str:
    # The path goes into a quoted HMP argument and then to /bin/sh: keep it plain.
    text = str(path)
    if any(c in text for c in '"\\\n'):
        raise PipelineError(f"snapshot path {text!r} has a quote, backslash or newline: move it")
    return shlex.quote(text)


def save_snapshot(
    *,
    kernel: Path,
    initrd: Path,
    state: Path,
    record: Path,
    scratch: Path,
    accel: str,
    memory_mb: int,
    qemu: str,
    append: str = "",
    timeout_s: float = 120,
) -> snap.Snapshot:
    """Boot the guest to its wait, save it to ``state`` and describe it in ``record``.

    ``scratch`` is an empty directory of the caller's: the share the guest is booted with (it is
    never mounted) and the console file. Both outputs are written atomically.
    """
    state.parent.mkdir(parents=True, exist_ok=True)
    partial = state.with_name(state.name + ".partial")
    partial.unlink(missing_ok=True)
    console = scratch / "console.log"
    share = scratch / "share"
    share.mkdir(parents=True, exist_ok=True)
    cmd = snapshot_command(
        qemu, kernel, initrd, share, console, accel, memory_mb, append, go="null"
    )
    cmd += ["-monitor", "stdio"]
    start = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        while snap.READY not in read_text_or_empty(console):
            if proc.poll() is not None:
                raise PipelineError(
                    f"the guest stopped before it was ready for a snapshot; console:\n"
                    f"{read_text_or_empty(console)[-2000:]}"
                )
            if time.monotonic() - start > timeout_s:
                raise PipelineError(
                    f"the guest was not ready for a snapshot within {timeout_s:g} s; console:\n"
                    f"{read_text_or_empty(console)[-2000:]}"
                )
            time.sleep(0.02)
        # A running guest is saved (live migration): a stopped one would be restored stopped.
        # HMP's migrate holds the monitor until it has finished, so the commands go at once.
        out, _ = proc.communicate(
            f'migrate "exec:cat > {_hmp_path(partial)}"\ninfo migrate\nquit\n'.encode(),
            timeout=max(timeout_s - (time.monotonic() - start), 10),
        )
    except subprocess.TimeoutExpired as e:
        proc.kill()
        proc.communicate()
        raise PipelineError(f"saving the guest took longer than {timeout_s:g} s") from e
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    text = out.decode(errors="replace")
    if "Migration status: completed" not in text or not partial.is_file():
        partial.unlink(missing_ok=True)
        raise PipelineError(f"QEMU did not save the guest; monitor output:\n{text[-2000:]}")
    seconds = round(time.monotonic() - start, 3)
    os.replace(partial, state)
    made = snap.Snapshot(
        state=str(state),
        kernel=str(kernel),
        initrd=str(initrd),
        memory_mb=memory_mb,
        accel=accel,
        append=append,
        qemu=qemu,
        qemu_version=snap.qemu_version(qemu),
        tsc_khz=clock.host_tsc_khz(),
        state_bytes=state.stat().st_size,
        seconds=seconds,
        kernel_sha256=sha256_file(kernel),
        initrd_sha256=sha256_file(initrd),
    )
    write_json_atomic(record, made.to_dict())
    return made


def read_accel(record: str | os.PathLike[str]) -> str:
    """The accelerator chosen by the probe (results/host/accel.json)."""
    accel: str = read_json(record)["accel"]
    return accel


def kvm_usable() -> bool:
    return os.path.exists("/dev/kvm") and os.access("/dev/kvm", os.R_OK | os.W_OK)
