"""Benchmark the aggregation on 5,000 synthetic result JSONs.

    .venv/bin/python benchmarks/aggregate.py [--objects 2500] [--keep DIR]

Generates ``--objects`` objects × 2 variants (stock and a BCF variant) from the fixtures in
tests/fixtures/results (object names, projects and numbers varied, refinements kept and scaled),
with their corpus index, in a temporary directory; then runs every aggregation command the
workflow runs (per-variant tables for both variants, comparison, paper tables, figures, results
README) the way the rules call them, and prints the wall time of each and in total.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bcfpipe.aggregate import provenance
from bcfpipe.cli import main

FIX = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "results" / "loads"
PROJECTS = ("calico", "cilium", "bpf-examples", "inspektor-gadget", "collected", "bcc")
COMPILERS = ("clang-13", "clang-14", "clang-15", "clang-16", "clang-19")
OPTS = ("-O1", "-O2", "-O3")


def vary(result: dict[str, Any], rng: random.Random, project: str, obj: str, group: str) -> dict:
    out = json.loads(json.dumps(result))
    out.update(project=project, object=obj, group=group)
    out["compiler"], out["opt"] = obj.split("_")[0], obj.split("_")[1]
    scale = rng.choice((1, 1, 2, 3, 10, 40))
    for p in out["programs"]:
        for k in ("insns_processed", "total_states", "peak_states"):
            if isinstance(p.get(k), int):
                p[k] = p[k] * scale + rng.randrange(3)
        if isinstance(p.get("verification_time_us"), int):
            p["verification_time_us"] = int(p["verification_time_us"] * rng.uniform(0.5, 4))
        for r in p.get("refinements", []):
            r["certificate_bytes"] = int(r["certificate_bytes"] * rng.uniform(0.2, 300))
            r["check_ns"] = int(r["check_ns"] * rng.uniform(0.2, 300))
            r["track_length"] = r["track_length"] * scale
    return out


def generate(root: Path, n_objects: int, seed: int = 1) -> int:
    rng = random.Random(seed)
    stock = sorted((FIX / "stock").glob("*/*.json"))
    prog_index: dict[str, dict[str, list[str]]] = {}
    written = 0
    for i in range(n_objects):
        template = stock[i % len(stock)]
        project = PROJECTS[(i // 15) % len(PROJECTS)]
        group = f"src{i // 15}"
        obj = f"{COMPILERS[i % 5]}_{OPTS[(i // 5) % 3]}_{group}"
        prog_index.setdefault(project, {}).setdefault(group, []).append(f"{obj}.o")
        for variant in ("stock", "bcf"):
            src = FIX / variant / template.parent.name / template.name
            data = vary(json.loads(src.read_text()), rng, project, f"{obj}.o", group)
            dest = root / "loads" / variant / project / f"{obj}.json"
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
            written += 1
    (root / "index.json").write_text(json.dumps({"prog_index": prog_index}))
    return written


def run(args: list[str]) -> float:
    t = time.perf_counter()
    if main(args) != 0:
        raise SystemExit(f"bcfpipe {args[0]} failed")
    return time.perf_counter() - t


def main_() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--objects", type=int, default=2500, help="objects per variant")
    ap.add_argument("--keep", help="write here and keep (default: a temporary directory)")
    a = ap.parse_args()
    root = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="bcfpipe-agg-"))
    try:
        t = time.perf_counter()
        n = generate(root, a.objects)
        print(f"generated {n} result JSONs in {time.perf_counter() - t:.1f} s under {root}")
        manifest = root / "manifest.json"
        manifest.write_text(json.dumps({"id": "benchmark", "workflow": {"commit": "benchmark"}}))
        common = ["--index", str(root / "index.json"), "--loads", str(root / "loads")]
        both = [*common, "--variant", "stock", "bcf", "--manifest", str(manifest)]
        steps = [
            (
                f"aggregate-variant {v}",
                ["aggregate-variant", *common, "--variant", v, "--manifest", str(manifest),
                 "--out-dir", str(root / "tables" / v)],
            )
            for v in ("stock", "bcf")
        ]  # fmt: skip
        steps += [
            ("aggregate-compare", ["aggregate-compare", *both, "--out-dir", str(root / "tables")]),
            ("aggregate-paper", ["aggregate-paper", *both, "--out-dir", str(root / "paper")]),
            ("aggregate-figures", ["aggregate-figures", *both, "--out-dir", str(root / "paper")]),
            ("results-readme", ["results-readme", *both, "--out", str(root / "README.md")]),
        ]
        total = 0.0
        for name, args in steps:
            dt = run(args)
            total += dt
            print(f"{name:28s} {dt:6.2f} s")
        print(f"{'total':28s} {total:6.2f} s  ({n} result JSONs)")
        print(
            f"machine: {provenance.cpu_model()}, {os.cpu_count()} CPUs, "
            f"{platform.system()} {platform.release()}, Python {sys.version.split()[0]}"
        )
    finally:
        if not a.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main_()
