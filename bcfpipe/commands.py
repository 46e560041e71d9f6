"""Pipeline subcommands called by the rules: fetch, unpack, patch, configure, build, guest, boot."""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import time
from pathlib import Path
from typing import Any

from bcfpipe import build, corpus, guest, patch, preflight, solver, source, vm
from bcfpipe.cli import add_command
from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import (
    read_json,
    read_text_or_empty,
    sha256_file,
    write_json_atomic,
    write_text_atomic,
)


def cmd_fetch_source(a: argparse.Namespace) -> None:
    record = source.fetch(a.name, json.loads(a.spec), Path(a.resources))
    write_json_atomic(a.out, record)


def cmd_unpack_source(a: argparse.Namespace) -> None:
    record = read_json(a.record)
    tree = source.unpack(record, Path(a.dest))
    write_json_atomic(
        a.out, {"source": record, "tree": str(tree), "kernel_version": source.kernel_version(tree)}
    )


def patch_sets_hint(patch_src: dict[str, Any], kernel_src: dict[str, Any]) -> str:
    """What to do when a patch set from another repository does not apply to the kernel."""
    return (
        f"The patch sets come from {patch_src.get('url') or patch_src.get('file')} at "
        f"{patch_src.get('commit') or patch_src.get('sha256') or '?'} and are applied to "
        f"source '{kernel_src.get('name')}' at "
        f"{kernel_src.get('commit') or kernel_src.get('version') or kernel_src.get('sha256')}. "
        f"They were written for one base commit: keep the pair pinned in config/paper.yaml "
        f"(docs/paper.md, 'When a download or a patch fails'); if you moved either commit, "
        f"move it back or pick the base commit the patch repository's README names."
    )


def cmd_patch_tree(a: argparse.Namespace) -> None:
    unpacked = read_json(a.source)
    hint = "Refresh the patch against this source tree (or fix its order in 'series')."
    series_dir = Path(a.series) if a.series else None
    if a.patch_tree:
        patch_src = read_json(a.patch_tree)
        entries = patch.read_patch_sets(
            Path(patch_src["tree"]),
            a.patch_set,
            a.patch_skip,
            where=f"kernel variant {a.variant}, patch_sets of source "
            f"'{patch_src['source'].get('name')}'",
        )
        hint = patch_sets_hint(patch_src["source"], unpacked["source"])
    else:
        entries = patch.read_series(series_dir) if series_dir else []
    record = patch.apply_series(
        Path(unpacked["tree"]),
        Path(a.tree),
        entries,
        Path(a.state),
        series_dir,
        hint=hint,
        keep=a.keep,
    )
    write_json_atomic(
        a.out,
        {
            "variant": a.variant,
            "source": unpacked["source"],
            "kernel_version": unpacked["kernel_version"],
            "tree": a.tree,
            "series": a.series,
            **record,
        },
    )


def cmd_configure_kernel(a: argparse.Namespace) -> None:
    tree = Path(read_json(a.patched)["tree"])
    final = build.configure(
        tree, Path(a.build), [Path(f) for f in a.fragment], a.required, a.ccache, Path(a.work)
    )
    shutil.copyfile(Path(a.build) / ".config", a.out)
    print(f"configured {len(final)} options; all required options present")


def cmd_build_kernel(a: argparse.Namespace) -> None:
    patched = read_json(a.patched)
    tree, bdir = Path(patched["tree"]), Path(a.build)
    if (bdir / ".config").read_bytes() != Path(a.config).read_bytes():
        raise PipelineError(f"{bdir}/.config differs from {a.config}; rerun the configure rule")
    info = build.build_kernel(tree, bdir, a.jobs, a.ccache, Path(a.work))
    image = bdir / "arch" / "x86" / "boot" / "bzImage"
    shutil.copyfile(image, a.image)
    info.update(
        {
            "variant": patched["variant"],
            "image_sha256": sha256_file(a.image),
            "config_sha256": sha256_file(a.config),
            "kernel_version": patched["kernel_version"],
            "patches": patched["patches"],
        }
    )
    write_json_atomic(a.out, info)


def cmd_build_tools(a: argparse.Namespace) -> None:
    tree, bdir = Path(read_json(a.patched)["tree"]), Path(a.build)
    bpftool = build.build_bpftool(tree, bdir, a.jobs)
    if not guest.is_static(bpftool):
        raise PipelineError(
            f"{bpftool} is not statically linked; the guest has no libraries "
            f"(install libelf-dev, zlib1g-dev and libzstd-dev static archives)"
        )
    shutil.copyfile(bpftool, a.bpftool)
    Path(a.bpftool).chmod(0o755)
    inc, lib = build.libbpf_dirs(bdir)
    out_inc = Path(a.include)
    if out_inc.exists():
        shutil.rmtree(out_inc)
    shutil.copytree(inc, out_inc)
    shutil.copyfile(lib, a.libbpf)


def cmd_build_cvc5(a: argparse.Namespace) -> None:
    src = read_json(a.source)
    patch_src = read_json(a.patch_tree) if a.patch_tree else None
    hint = (
        patch_sets_hint(patch_src["source"], src["source"]).replace("patch sets", "solver patch")
        if patch_src
        else ""
    )
    record = solver.build(
        Path(src["tree"]),
        Path(patch_src["tree"]) if patch_src else None,
        a.patch,
        Path(a.work),
        a.configure_arg,
        a.jobs,
        a.require_help,
        Path(a.out),
        hint=hint,
    )
    record["source"] = src["source"]
    record["patch_source"] = patch_src["source"] if patch_src else None
    write_json_atomic(a.info, record)
    print(f"cvc5 built: {a.out} (sha256 {record['binary_sha256']})")


def cmd_build_guest(a: argparse.Namespace) -> None:
    bins: dict[str, Path] = {}
    for spec in a.bin:
        name, _, path = spec.partition("=")
        p = Path(path)
        if not guest.is_static(p):
            raise PipelineError(f"guest binary {p} is not statically linked")
        bins[name] = p
    busybox = Path(a.busybox)
    if not busybox.is_file() or not guest.is_static(busybox):
        raise PipelineError(
            f"{busybox} is missing or not static: apt-get install busybox-static, "
            f"or point guest.busybox at a static busybox"
        )
    guest.write_cpio(Path(a.out), guest.initramfs_entries(busybox, Path(a.init), bins))


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
    share = vm.make_scratch(scratch, "bcfpipe-boot-")
    try:
        shutil.copyfile(obj, share / "trivial.o")
        (share / "run.sh").write_text(
            "uname -r > uname.txt\n"
            "bpftool prog load trivial.o /sys/fs/bpf/trivial type socket\n"
            "bpftool prog show pinned /sys/fs/bpf/trivial > prog.txt\n"
        )
        outcome = vm.run(
            kernel, initrd, share, accel=accel, timeout_s=timeout_s, memory_mb=memory_mb, qemu=qemu
        )
        found = {}
        for name in ("uname.txt", "prog.txt", "payload.log", "console.log"):
            p = share / name
            found[name] = read_text_or_empty(p)
        return outcome, found
    finally:
        shutil.rmtree(share, ignore_errors=True)


def cmd_probe_accel(a: argparse.Namespace) -> None:
    record: dict[str, Any] = {
        "requested": a.mode,
        "host": platform.node(),
        "kvm_device": vm.kvm_usable(),
    }
    if a.mode == "tcg":
        record.update(accel="tcg", reason="forced by guest.accel")
    elif not vm.kvm_usable():
        if a.mode == "kvm":
            raise PipelineError(
                "guest.accel is 'kvm' but /dev/kvm is not usable here; set "
                "guest.accel to 'auto' or 'tcg'"
            )
        record.update(accel="tcg", reason="/dev/kvm missing or not accessible")
    else:
        outcome, _ = boot_check(
            Path(a.kernel),
            Path(a.initrd),
            Path(a.obj),
            "kvm",
            a.timeout,
            a.memory,
            a.qemu,
            a.scratch,
        )
        ok = outcome.status == "ok" and outcome.exit_code == 0
        record["kvm_probe"] = outcome.to_dict()
        if ok:
            record.update(accel="kvm", reason="a real boot with KVM succeeded")
        elif a.mode == "kvm":
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
    print(f"accelerator: {record['accel']} ({record['reason']})")
    write_json_atomic(a.out, record)


def cmd_boot_check(a: argparse.Namespace) -> None:
    accel = vm.read_accel(a.accel)
    release = read_json(a.build_info)["release"]
    outcome, found = boot_check(
        Path(a.kernel), Path(a.initrd), Path(a.obj), accel, a.timeout, a.memory, a.qemu, a.scratch
    )
    write_text_atomic(a.console, found["console.log"])
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
    if problems:
        raise PipelineError(
            "boot check failed: " + "; ".join(problems) + f"\nConsole log: {a.console}"
        )
    write_json_atomic(
        a.out,
        {
            "release": release,
            "accel": accel,
            "vm": outcome.to_dict(),
            "prog": found["prog.txt"].strip(),
            "checked_at": time.time(),
        },
    )
    print(f"boot check passed: {release} under {accel} in {outcome.wall_seconds:.2f} s")


def cmd_compile_bpf(a: argparse.Namespace) -> None:
    src = Path(a.src)
    rec = corpus.compile_object(a.clang, "-O2", src, Path(a.out), src.parent)
    if not rec["ok"]:
        raise PipelineError(f"{' '.join(rec['command'])} failed: {rec['error']}")


def cmd_preflight(a: argparse.Namespace) -> None:
    report = preflight.check(a.require_clang)
    write_json_atomic(a.out, report)
    if report["missing"]:
        raise PipelineError(preflight.explain(report))
    print("preflight: every host tool is present")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]
    def add(name: str, func: Any, help_: str, parents: Any = ()) -> argparse.ArgumentParser:
        return add_command(sub, name, func, help_, parents)

    p = add("fetch-source", cmd_fetch_source, "fetch a configured source into the cache")
    p.add_argument("--name", required=True)
    p.add_argument("--spec", required=True, help="the source's config entry as JSON")
    p.add_argument("--resources", required=True)
    p.add_argument("--out", required=True)

    p = add("unpack-source", cmd_unpack_source, "unpack a fetched source tree")
    p.add_argument("--record", required=True)
    p.add_argument("--dest", required=True)
    p.add_argument("--out", required=True)

    p = add("patch-tree", cmd_patch_tree, "copy the pristine tree and apply a patch series")
    p.add_argument("--variant", required=True)
    p.add_argument("--source", required=True, help="unpack-source record")
    p.add_argument("--series", default="", help="series folder ('' = none)")
    p.add_argument("--patch-tree", default="", help="unpack-source record of the patch sets' tree")
    p.add_argument("--patch-set", action="append", default=[], help="folder in --patch-tree")
    p.add_argument("--patch-skip", action="append", default=[], help="file glob to leave out")
    p.add_argument("--tree", required=True)
    p.add_argument("--state", required=True)
    p.add_argument(
        "--keep", action="append", default=[], help="top-level folder of the old tree to keep"
    )
    p.add_argument("--out", required=True)

    common_build = argparse.ArgumentParser(add_help=False)
    common_build.add_argument("--patched", required=True)
    common_build.add_argument("--build", required=True)
    common_build.add_argument("--work", required=True)
    common_build.add_argument("--ccache", default="auto")

    p = add("configure-kernel", cmd_configure_kernel, "merge fragments, check", [common_build])
    p.add_argument("--fragment", action="append", default=[])
    p.add_argument("--required", nargs="*", default=[])
    p.add_argument("--out", required=True)

    p = add("build-kernel", cmd_build_kernel, "build bzImage incrementally", [common_build])
    p.add_argument("--config", required=True)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--image", required=True)
    p.add_argument("--out", required=True)

    p = add("build-tools", cmd_build_tools, "build static bpftool and libbpf from the tree")
    p.add_argument("--patched", required=True)
    p.add_argument("--build", required=True)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--bpftool", required=True)
    p.add_argument("--include", required=True)
    p.add_argument("--libbpf", required=True)

    p = add("build-cvc5", cmd_build_cvc5, "patch and build a static cvc5 for the guest")
    p.add_argument("--source", required=True, help="unpack-source record of the cvc5 tree")
    p.add_argument("--patch-tree", default="", help="unpack-source record of the patches' tree")
    p.add_argument("--patch", action="append", default=[], help="patch file in --patch-tree")
    p.add_argument("--configure-arg", action="append", default=[])
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--require-help", default="+ bcf")
    p.add_argument("--work", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--info", required=True)

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

    p = add("preflight", cmd_preflight, "check host tools; print the install command if missing")
    p.add_argument("--require-clang", nargs="*", default=[])
    p.add_argument("--out", required=True)
