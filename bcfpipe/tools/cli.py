"""Tools stage (rules/tools.smk): build-cvc5, the solver the paper's bpftool runs in the guest."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bcfpipe.cli import add_command
from bcfpipe.fsutil import read_json, write_json_atomic
from bcfpipe.kernel.patch import patch_sets_hint
from bcfpipe.tools import solver


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


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]
    def add(name: str, func: Any, help_: str, parents: Any = ()) -> argparse.ArgumentParser:
        return add_command(sub, name, func, help_, parents)

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
