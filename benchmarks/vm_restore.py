"""What a VM job resumed from a variant's snapshot costs: QEMU's start, the restore, the job.

    .venv/bin/python benchmarks/vm_restore.py [VARIANT] [RUNS]

Uses a finished run's ``results/guest/VARIANT/snapshot.json`` (default ``stock``; its kernel,
initramfs and saved state) and prints medians over RUNS runs of each (default 8), the two ways of
reading the state alternating:

* QEMU started until its monitor answers, without a state (``-S``): QEMU's own start;
* QEMU started until the guest runs again, the state read through ``-incoming "exec:cat FILE"``
  (how VM jobs resumed until commit 1e49556) and through ``-incoming fd:N`` (since);
* a whole VM job whose payload is ``true``, started by ``vm.run`` as every load job starts one.

The guest is never given its line, so the first two leave it waiting in ``guest/init``.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bcfpipe.guest import snapshot, vm  # noqa: E402
from bcfpipe.guest.job import vm_job  # noqa: E402


def _qmp(path: str, command: str) -> dict[str, object]:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(path)
        f = sock.makefile("rw")
        f.readline()  # the greeting
        for cmd in ("qmp_capabilities", command):
            f.write(json.dumps({"execute": cmd}) + "\n")
            f.flush()
            while True:  # events may come before the answer
                reply = json.loads(f.readline())
                if "return" in reply or "error" in reply:
                    break
        return reply


def qemu_until(snap: snapshot.Snapshot, how: str) -> float:
    """Seconds from starting QEMU until it answers (``how`` 'none') or runs the resumed guest."""
    with tempfile.TemporaryDirectory(prefix="bcfpipe-bench-") as tmp:
        share = Path(tmp)
        cmd = vm.snapshot_command(
            snap.qemu,
            Path(snap.kernel),
            Path(snap.initrd),
            share,
            share / "console.log",
            snap.accel,
            snap.memory_mb,
            snap.append,
            go="null",
        )
        qmp = str(share / "qmp")
        cmd += ["-qmp", f"unix:{qmp},server=on,wait=off"]
        fds: tuple[int, ...] = ()
        if how == "none":
            cmd += ["-S"]
        elif how == "exec":
            cmd += ["-incoming", f"exec:cat {snap.state}"]
        else:
            fds = (os.open(snap.state, os.O_RDONLY),)
            cmd += ["-incoming", f"fd:{fds[0]}"]
        start = time.monotonic()
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, pass_fds=fds
        )
        for fd in fds:
            os.close(fd)
        try:
            while not os.path.exists(qmp):
                time.sleep(0.001)
            while True:
                status = _qmp(qmp, "query-status")["return"]["status"]  # type: ignore[index]
                if how == "none" or status == "running":
                    break
                time.sleep(0.002)
            return time.monotonic() - start
        finally:
            proc.kill()
            proc.wait()


def true_job(snap: snapshot.Snapshot) -> float:
    with vm_job("true\n") as share:
        start = time.monotonic()
        out = vm.run(
            Path(snap.kernel),
            Path(snap.initrd),
            share,
            accel=snap.accel,
            timeout_s=60,
            memory_mb=snap.memory_mb,
            append=snap.append,
            snapshot=snap,
        )
        wall = time.monotonic() - start
    if out.status != "ok" or out.start != "snapshot":
        raise SystemExit(f"the VM job did not resume and finish: {out}")
    return wall


def main() -> None:
    variant = sys.argv[1] if len(sys.argv) > 1 else "stock"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    os.chdir(REPO)  # the record's kernel and initramfs paths are relative to the checkout
    snap = snapshot.read(REPO / "results" / "guest" / variant / "snapshot.json")
    times: dict[str, list[float]] = {"none": [], "exec": [], "fd": [], "job": []}
    for i in range(runs):
        for how in ("none", "exec", "fd") if i % 2 == 0 else ("fd", "exec", "none"):
            times[how].append(qemu_until(snap, how))
        times["job"].append(true_job(snap))
    labels = {
        "none": "QEMU started until its monitor answers (-S)",
        "exec": 'QEMU started until the guest runs, -incoming "exec:cat FILE"',
        "fd": "QEMU started until the guest runs, -incoming fd:N",
        "job": "VM job of a `true` payload (vm.run)",
    }
    print(f"{variant}: state {Path(snap.state).stat().st_size / 2**20:.1f} MiB, {runs} runs each")
    for key, label in labels.items():
        print(f"  {label}: median {statistics.median(times[key]) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
