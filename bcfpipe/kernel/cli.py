"""Kernel stage (rules/kernel.smk): patch-tree, configure-kernel, build-kernel, build-tools."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

from bcfpipe.cli import add_command
from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import read_json, sha256_file, write_json_atomic
from bcfpipe.guest import initramfs
from bcfpipe.kernel import build, patch


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
        hint = patch.patch_sets_hint(patch_src["source"], unpacked["source"])
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
    seeded, objtool = "", None
    if a.seed_build:
        seed = read_json(a.seed_patched)
        if seed["source"].get("sha256") == patched["source"].get("sha256"):
            # Both trees are the pristine source plus their series: they differ where either
            # series touched it.
            touched = [*patched["touched"], *seed["touched"]]
            objtool = build.seed_build(Path(a.seed_build), tree, bdir, touched)
        if objtool is not None:
            seeded = seed["variant"]
            print(f"build folder seeded from {seeded}'s ({a.seed_build})", flush=True)
    info = build.build_kernel(
        tree,
        bdir,
        a.jobs,
        a.ccache,
        Path(a.work),
        a.make_var or [],
        seed_objtool=objtool,
        kcflags=a.kcflags,
    )
    info["seeded_from"] = seeded
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
    if not initramfs.is_static(bpftool):
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


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]
    def add(name: str, func: Any, help_: str, parents: Any = ()) -> argparse.ArgumentParser:
        return add_command(sub, name, func, help_, parents)

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
    p.add_argument("--make-var", action="append", help="NAME=VALUE for make (repeatable)")
    p.add_argument("--kcflags", default="", help="KCFLAGS for every kernel object")
    p.add_argument("--seed-build", default="", help="a finished build folder to start from")
    p.add_argument("--seed-patched", default="", help="patch-tree record of --seed-build's tree")

    p = add("build-tools", cmd_build_tools, "build static bpftool and libbpf from the tree")
    p.add_argument("--patched", required=True)
    p.add_argument("--build", required=True)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--bpftool", required=True)
    p.add_argument("--include", required=True)
    p.add_argument("--libbpf", required=True)
