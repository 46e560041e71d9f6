"""The accelerator probe (KVM or TCG, by a real boot) and the boot check of a built kernel."""

from __future__ import annotations

import platform
import time
from pathlib import Path
from typing import Any

from bcfpipe.errors import PipelineError
from bcfpipe.guest import job, vm

BOOT_SCRIPT = (
    "uname -r > uname.txt\n"
    "bpftool prog load trivial.o /sys/fs/bpf/trivial type socket\n"
    "bpftool prog show pinned /sys/fs/bpf/trivial > prog.txt\n"
)
# What the boot check reads back from the share ('' for any the guest did not write).
BOOT_FILES = ("uname.txt", "prog.txt", "payload.log", "console.log")


def boot_check(
    kernel: Path,
    initrd: Path,
    obj: Path,
    accel: str,
    timeout_s: float,
    memory_mb: int,
    qemu: str,
    scratch: str,
) -> tuple[vm.VmOutcome, dict[str, Any]]:
    """Boot once, print the release and load ``obj``; the outcome and the files of
    :data:`BOOT_FILES`."""
    with job.vm_job(
        BOOT_SCRIPT, {"trivial.o": obj}, scratch=scratch, prefix="bcfpipe-boot-"
    ) as share:
        outcome = vm.run(
            kernel, initrd, share, accel=accel, timeout_s=timeout_s, memory_mb=memory_mb, qemu=qemu
        )
        return outcome, {name: job.read(share, name) for name in BOOT_FILES}


def probe_accel(
    mode: str,
    *,
    kernel: Path,
    initrd: Path,
    obj: Path,
    timeout_s: float,
    memory_mb: int,
    qemu: str,
    scratch: str,
) -> dict[str, Any]:
    """The accelerator record for ``mode`` (auto | kvm | tcg): KVM only when a real boot with it
    succeeds; 'kvm' that cannot be had is an error rather than a silent, slower TCG."""
    record: dict[str, Any] = {
        "requested": mode,
        "host": platform.node(),
        "kvm_device": vm.kvm_usable(),
    }
    if mode == "tcg":
        record.update(accel="tcg", reason="forced by guest.accel")
    elif not vm.kvm_usable():
        if mode == "kvm":
            raise PipelineError(
                "guest.accel is 'kvm' but /dev/kvm is not usable here; set "
                "guest.accel to 'auto' or 'tcg'"
            )
        record.update(accel="tcg", reason="/dev/kvm missing or not accessible")
    else:
        outcome, _ = boot_check(kernel, initrd, obj, "kvm", timeout_s, memory_mb, qemu, scratch)
        ok = outcome.status == "ok" and outcome.exit_code == 0
        record["kvm_probe"] = outcome.to_dict()
        if ok:
            record.update(accel="kvm", reason="a real boot with KVM succeeded")
        elif mode == "kvm":
            raise PipelineError(
                "guest.accel is 'kvm' but a real boot with KVM failed: "
                f"{outcome.detail}; set guest.accel to 'auto' or 'tcg'"
            )
        else:
            record.update(
                accel="tcg",
                reason=f"KVM boot failed ({outcome.status}: "
                f"{outcome.detail or 'payload exit ' + str(outcome.exit_code)})",
            )
    return record


def boot_problems(outcome: vm.VmOutcome, found: dict[str, Any], release: str) -> list[str]:
    """Why a boot check failed ([] when it passed): the VM, the release, the loaded program."""
    problems = []
    if outcome.status != "ok":
        problems.append(f"the VM did not finish ({outcome.status}: {outcome.detail})")
    elif outcome.exit_code != 0:
        problems.append(f"the payload failed (exit {outcome.exit_code}):\n{found['payload.log']}")
    if found["uname.txt"].strip() != release:
        problems.append(
            f"uname -r in the guest is '{found['uname.txt'].strip()}', "
            f"the built tree is '{release}'"
        )
    if "name trivial" not in found["prog.txt"]:
        problems.append("the trivial program is not loaded in the guest")
    return problems


def boot_record(
    release: str, accel: str, outcome: vm.VmOutcome, found: dict[str, Any]
) -> dict[str, Any]:
    """The boot check's record (results/kernel/VARIANT/boot_check.json) of a passed check."""
    return {
        "release": release,
        "accel": accel,
        "vm": outcome.to_dict(),
        "prog": found["prog.txt"].strip(),
        "checked_at": time.time(),
    }
