"""Guest stage (rules/guest.smk): build-guest, probe-accel, boot-check, compile-bpf, vm-spec."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bcfpipe.cli import add_command
from bcfpipe.corpus import objects as corpus
from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import read_json, write_json_atomic, write_text_atomic
from bcfpipe.guest import initramfs, job, probe, vm, vmspec


def cmd_build_guest(a: argparse.Namespace) -> None:
    bins: dict[str, Path] = {}
    for spec in a.bin:
        name, _, path = spec.partition("=")
        p = Path(path)
        if not initramfs.is_static(p):
            raise PipelineError(f"guest binary {p} is not statically linked")
        bins[name] = p
    busybox = Path(a.busybox)
    if not busybox.is_file() or not initramfs.is_static(busybox):
        raise PipelineError(
            f"{busybox} is missing or not static: apt-get install busybox-static, "
            f"or point guest.busybox at a static busybox"
        )
    initramfs.write_cpio(Path(a.out), initramfs.initramfs_entries(busybox, Path(a.init), bins))


def cmd_probe_accel(a: argparse.Namespace) -> None:
    record = probe.probe_accel(
        a.mode,
        kernel=Path(a.kernel),
        initrd=Path(a.initrd),
        obj=Path(a.obj),
        timeout_s=a.timeout,
        memory_mb=a.memory,
        qemu=a.qemu,
        scratch=a.scratch,
    )
    print(f"accelerator: {record['accel']} ({record['reason']})")
    write_json_atomic(a.out, record)


def cmd_boot_check(a: argparse.Namespace) -> None:
    accel = vm.read_accel(a.accel)
    release = read_json(a.build_info)["release"]
    outcome, found = probe.boot_check(
        Path(a.kernel), Path(a.initrd), Path(a.obj), accel, a.timeout, a.memory, a.qemu, a.scratch
    )
    write_text_atomic(a.console, found["console.log"])
    problems = probe.boot_problems(outcome, found, release)
    if problems:
        raise PipelineError(
            "boot check failed: " + "; ".join(problems) + f"\nConsole log: {a.console}"
        )
    write_json_atomic(a.out, probe.boot_record(release, accel, outcome, found))
    print(f"boot check passed: {release} under {accel} in {outcome.wall_seconds:.2f} s")


def cmd_compile_bpf(a: argparse.Namespace) -> None:
    src = Path(a.src)
    rec = corpus.compile_object(a.clang, "-O2", src, Path(a.out), src.parent)
    if not rec["ok"]:
        raise PipelineError(f"{' '.join(rec['command'])} failed: {rec['error']}")


def cmd_vm_spec(a: argparse.Namespace) -> None:
    try:
        settings = vmspec.LoadSettings(**json.loads(a.settings))
    except (TypeError, json.JSONDecodeError) as e:
        raise PipelineError(f"vm-spec: --settings is not a LoadSettings JSON object: {e}") from e
    rec = vmspec.write_spec(
        a.out, a.variant, a.kernel, a.initrd, a.accel, settings, snapshot=a.snapshot
    )
    print(f"{a.variant}: kernel {rec['kernel_sha256'][:12]}, initramfs {rec['initrd_sha256'][:12]}")


def cmd_guest_snapshot(a: argparse.Namespace) -> None:
    with job.scratch_dir(a.scratch, "bcfpipe-snapshot-") as scratch:
        snap = vm.save_snapshot(
            kernel=Path(a.kernel),
            initrd=Path(a.initrd),
            state=Path(a.state),
            record=Path(a.out),
            scratch=scratch,
            accel=vm.read_accel(a.accel),
            memory_mb=a.memory,
            qemu=a.qemu,
            append=a.cmdline,
            timeout_s=a.timeout,
        )
    print(
        f"saved the booted guest ({snap.accel}) in {snap.seconds:.2f} s: "
        f"{snap.state} ({snap.state_bytes / 2**20:.1f} MiB)"
    )


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]
    def add(name: str, func: Any, help_: str, parents: Any = ()) -> argparse.ArgumentParser:
        return add_command(sub, name, func, help_, parents)

    p = add("build-guest", cmd_build_guest, "write the guest initramfs")
    p.add_argument("--busybox", required=True)
    p.add_argument("--init", required=True)
    p.add_argument("--bin", action="append", default=[], help="NAME=PATH of a static binary")
    p.add_argument("--out", required=True)

    vm_args = argparse.ArgumentParser(add_help=False)
    vm_args.add_argument("--kernel", required=True)
    vm_args.add_argument("--initrd", required=True)
    vm_args.add_argument("--obj", required=True, help="trivial BPF object")
    vm_args.add_argument("--timeout", type=float, default=120)
    vm_args.add_argument("--memory", type=int, default=512)
    vm_args.add_argument("--qemu", default="qemu-system-x86_64")
    vm_args.add_argument("--scratch", default="")
    vm_args.add_argument("--out", required=True)

    p = add("probe-accel", cmd_probe_accel, "choose KVM or TCG by a real boot", [vm_args])
    p.add_argument("--mode", choices=["auto", "kvm", "tcg"], default="auto")

    p = add("boot-check", cmd_boot_check, "boot, check uname, load a program", [vm_args])
    p.add_argument("--accel", required=True, help="probe-accel record")
    p.add_argument("--build-info", required=True)
    p.add_argument("--console", required=True)

    p = add("compile-bpf", cmd_compile_bpf, "compile one header-less BPF C file")
    p.add_argument("--clang", required=True)
    p.add_argument("--src", required=True)
    p.add_argument("--out", required=True)

    p = add("vm-spec", cmd_vm_spec, "write a variant's VM spec (what its VM jobs boot)")
    for arg in ("--variant", "--kernel", "--initrd", "--accel", "--out"):
        p.add_argument(arg, required=True)
    p.add_argument("--settings", required=True, help="JSON of bcfpipe.guest.vmspec.LoadSettings")
    p.add_argument("--snapshot", default="", help="guest_snapshot record ('' = boot every VM)")

    p = add("guest-snapshot", cmd_guest_snapshot, "boot a variant's guest once and save it")
    for arg in ("--kernel", "--initrd", "--accel", "--state", "--out"):
        p.add_argument(arg, required=True)
    p.add_argument("--cmdline", default="", help="the variant's kernel command-line words")
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--memory", type=int, default=512)
    p.add_argument("--qemu", default="qemu-system-x86_64")
    p.add_argument("--scratch", default="")
