"""Sources stage (rules/fetch.smk): fetch-source, unpack-source, preflight."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bcfpipe.cli import add_command
from bcfpipe.errors import PipelineError
from bcfpipe.fetch import preflight, source
from bcfpipe.fsutil import read_json, write_json_atomic


def cmd_fetch_source(a: argparse.Namespace) -> None:
    record = source.fetch(a.name, json.loads(a.spec), Path(a.resources))
    write_json_atomic(a.out, record)


def cmd_unpack_source(a: argparse.Namespace) -> None:
    record = read_json(a.record)
    tree = source.unpack(record, Path(a.dest))
    write_json_atomic(
        a.out, {"source": record, "tree": str(tree), "kernel_version": source.kernel_version(tree)}
    )


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

    p = add("preflight", cmd_preflight, "check host tools; print the install command if missing")
    p.add_argument("--require-clang", nargs="*", default=[])
    p.add_argument("--out", required=True)
