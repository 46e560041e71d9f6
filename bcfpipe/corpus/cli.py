"""Corpus stage (rules/corpus.smk): corpus-headers, compile-source, corpus-index, corpus-import."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from bcfpipe.cli import add_command
from bcfpipe.corpus import objects as corpus
from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import read_json, write_json_atomic


def cmd_corpus_headers(a: argparse.Namespace) -> None:
    out = Path(a.out)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(a.libbpf_include, out)
    proc = subprocess.run(
        [a.bpftool, "btf", "dump", "file", a.vmlinux, "format", "c"], capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise PipelineError(f"bpftool btf dump of {a.vmlinux} failed: {proc.stderr.strip()}")
    (out / "vmlinux.h").write_text(proc.stdout)


def cmd_compile_source(a: argparse.Namespace) -> None:
    src = Path(a.src)
    failed = []
    for compiler in a.compiler:
        for opt in a.opts.split(","):
            out = Path(a.out_dir) / corpus.object_name(compiler, opt, src.stem)
            rec = corpus.compile_object(compiler, opt, src, out, Path(a.include))
            print(" ".join(rec["command"]), flush=True)
            if not rec["ok"]:
                failed.append(f"{compiler} {opt}: {rec['error']}")
    # Every variant is tried first, so the log names all that failed, not only the first.
    if failed:
        raise PipelineError(f"{src} does not compile with " + "; ".join(failed))


def cmd_corpus_index(a: argparse.Namespace) -> None:
    out = Path(a.out)
    if a.prebuilt:
        # Indexed where it is, from its own prog_index.json: object names need not follow ours.
        index = corpus.index_prebuilt(Path(a.prebuilt), out, copy=False)
        write_json_atomic(out / "index.json", index)
        print(json.dumps(index["counts"]))
        return
    entries: list[dict[str, Any]] = []
    truths: dict[str, list[dict[str, Any]]] = {}
    for src in a.source:
        p = Path(src)
        truths[f"{p.parent.name}/{p.stem}"] = [t.__dict__ for t in corpus.read_truth(p)]
    for obj in a.object:
        p = Path(obj)
        meta = corpus.parse_object_name(p.name)
        entries.append(
            {
                "project": p.parent.name,
                "source": meta["name"],
                "object": p.name,
                "compiler": meta["compiler"],
                "opt": meta["opt"],
                "programs": corpus.describe_object(p),
                "truth": truths.get(f"{p.parent.name}/{meta['name']}", []),
            }
        )
    index = corpus.build_index(entries)
    write_json_atomic(out / "index.json", index)
    write_json_atomic(out / "prog_index.json", index["prog_index"])
    write_json_atomic(out / "obj_prog_type.json", index["obj_prog_type"])
    print(json.dumps(index["counts"]))


def cmd_corpus_import(a: argparse.Namespace) -> None:
    tree = Path(read_json(a.tree)["tree"])
    root = tree / a.dir
    if not root.is_dir():
        raise PipelineError(
            f"the fetched tree {tree} has no corpus folder '{a.dir}' (corpus.import_dir); "
            f"folders there: {', '.join(sorted(p.name for p in tree.iterdir() if p.is_dir()))}"
        )
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    index = corpus.import_tree(root, out)
    write_json_atomic(out / "index.json", index)
    print(json.dumps(index["counts"]))


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg, unused-ignore]
    def add(name: str, func: Any, help_: str, parents: Any = ()) -> argparse.ArgumentParser:
        return add_command(sub, name, func, help_, parents)

    p = add("corpus-headers", cmd_corpus_headers, "vmlinux.h and libbpf headers for the corpus")
    p.add_argument("--bpftool", required=True)
    p.add_argument("--vmlinux", required=True)
    p.add_argument("--libbpf-include", required=True)
    p.add_argument("--out", required=True)

    p = add("compile-source", cmd_compile_source, "compile one corpus source, every variant")
    p.add_argument("--compiler", nargs="+", required=True)
    p.add_argument("--opts", required=True, help="comma-separated: --opts=-O1,-O2")
    for arg in ("--src", "--include", "--out-dir"):
        p.add_argument(arg, required=True)

    p = add("corpus-index", cmd_corpus_index, "index the compiled corpus")
    p.add_argument("--source", nargs="*", default=[])
    p.add_argument("--object", nargs="*", default=[])
    p.add_argument(
        "--prebuilt",
        default="",
        help="a prebuilt corpus (corpus.prebuilt): index it from its prog_index.json instead",
    )
    p.add_argument("--out", required=True)

    p = add("corpus-import", cmd_corpus_import, "import a prebuilt corpus from a fetched tree")
    p.add_argument("--tree", required=True, help="unpack-source record of the tree")
    p.add_argument("--dir", default="bpf-progs", help="corpus folder inside the tree")
    p.add_argument("--out", required=True)
