"""What a rerun plans, proven on a tiny configuration without building anything.

A copy of the workflow with a three-program corpus is made "complete" by creating every output the
dry run names and letting ``snakemake --touch`` order their times and write Snakemake's metadata.
Each test then changes one thing, reads the dry run's plan and restores the complete state.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
# The workflow's directory() outputs: created as folders, everything else as empty files.
DIRECTORY_OUTPUTS = re.compile(r"(/corpus/include|/libbpf-include)$")
PROGRAMS = {
    "patterns": ["masked_index_ok", "masked_index_oob"],
    "xdp-lb": ["xdp_proto_count"],
}
AGGREGATION = {
    "collect_loads",
    "truth_report",
    "kick_tires_report",
    "provenance_manifest",
    "tables_variant",
    "compare_variants",
    "paper_tables",
    "paper_figures",
    "results_readme",
    # The dynamic validation reruns on any change of the loads it selects from.
    "validation_objects",
    "validate_bcf",
    "all",
}
KERNEL = {
    "patch_kernel",
    "configure_kernel",
    "build_kernel",
    "build_tools",
    "build_loader",
    "build_guest",
    "boot_check",
    "vm_spec",
}


class Plan:
    def __init__(self, output: str) -> None:
        self.output = output
        # Dry-run job blocks: "rule NAME:" then indented "key: value" lines.
        self.jobs: list[tuple[str, dict[str, str]]] = []
        for block in re.split(r"\n(?=rule \w+:)", output):
            m = re.match(r"rule (\w+):", block)
            if not m:
                continue
            wc = re.search(r"^\s+wildcards: (.*)$", block, flags=re.M)
            wildcards = dict(kv.split("=", 1) for kv in wc[1].split(", ")) if wc else {}
            self.jobs.append((m[1], wildcards))
        self.counts = Counter(rule for rule, _ in self.jobs)

    @property
    def nothing(self) -> bool:
        return "Nothing to be done" in self.output

    def outputs(self) -> list[str]:
        return [
            f.strip()
            for line in re.findall(r"^\s+output: (.*)$", self.output, flags=re.M)
            for f in line.split(",")
        ]

    def variants(self, rule: str) -> set[str]:
        return {wc.get("variant", "") for r, wc in self.jobs if r == rule}


def snakemake(root: Path, *args: str, configfiles: tuple[str, ...] = ("tiny.yaml",)) -> str:
    # Targets first: --config, --until and --configfile take every following word.
    cmd = [sys.executable, "-m", "snakemake", "--cores", "1"]
    cmd += ["--configfile", *(str(root / c) for c in configfiles), *args]
    proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr


def plan(root: Path, *extra: str, configfiles: tuple[str, ...] = ("tiny.yaml",)) -> Plan:
    return Plan(snakemake(root, "-n", "all", *extra, configfiles=configfiles))


def complete(root: Path, check: bool = True) -> None:
    """Create every output the plan names, then let --touch order them and record metadata."""
    for out in plan(root).outputs():
        path = root / out
        if DIRECTORY_OUTPUTS.search(out):
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
    snakemake(root, "--touch", "all", "--forceall")
    if check:
        assert plan(root).nothing


def edit(path: Path) -> None:
    """Change ``path``'s content: a newer time alone is no change (Snakemake compares sums)."""
    time.sleep(0.01)
    with path.open("a") as f:
        f.write("\n")


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plans")
    for name in ("Snakefile", "rules", "config", "patches", "guest", "report", "bcfpipe"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, root / name)
    for project, names in PROGRAMS.items():
        (root / "corpus" / project).mkdir(parents=True)
        for name in names:
            shutil.copy2(REPO / "bpf-progs" / project / f"{name}.c", root / "corpus" / project)
    cfg = {
        "paths": {"resources": "resources", "work": "work", "results": "results"},
        "corpus": {
            "root": "corpus",
            "compilers": ["clang-19"],
            "opt_levels": ["-O2"],
            "kick_tires": ["patterns/clang-19_-O2_masked_index_ok"],
            # The kernel's own selftests are a checkpoint over the fetched tree: off here, where
            # outputs are touched, not built (tests/test_dag.py plans them).
            "selftests": {"enabled": False},
        },
        "selftests": {"test_verifier": False},
        # One job per object: the plans below are about what reruns per object.
        "load": {"batch_size": 1},
    }
    (root / "tiny.yaml").write_text(yaml.safe_dump(cfg))
    complete(root)
    return root


@pytest.fixture
def restore(tree: Path) -> Iterator[Path]:
    yield tree
    complete(tree, check=False)


def test_a_complete_run_plans_nothing(tree: Path) -> None:
    assert plan(tree).nothing
    assert Plan(snakemake(tree, "-n", "kick_tires")).nothing


def test_changing_one_source_plans_its_compile_and_loads_and_aggregation(restore: Path) -> None:
    edit(restore / "corpus/patterns/masked_index_oob.c")
    p = plan(restore)
    assert p.counts["compile_source"] == 1
    assert p.counts["load_object"] == 2  # one object, two variants
    assert {wc["object"] for r, wc in p.jobs if r == "load_object"} == {
        "clang-19_-O2_masked_index_oob"
    }
    assert set(p.counts) <= {"compile_source", "load_object", "corpus_index"} | AGGREGATION
    assert not set(p.counts) & KERNEL


def test_changing_one_bcf_patch_rebuilds_only_bcf(restore: Path) -> None:
    edit(restore / "patches/linux/bcf/0003-bpf-bcf-symbolic-tracking-and-refinement.patch")
    p = plan(restore)
    for rule in KERNEL:
        # bcf-kasan, the dynamic validation's kernel, carries the same series; nothing boot-
        # checks it (its validation job boots it).
        kernels = {"bcf"} if rule == "boot_check" else {"bcf", "bcf-kasan"}
        assert p.counts[rule] == len(kernels), rule
        assert p.variants(rule) == kernels, rule
    assert p.counts["load_object"] == 3 and p.variants("load_object") == {"bcf"}
    assert p.variants("collect_loads") == {"bcf"}
    assert not {"compile_source", "corpus_index", "corpus_headers", "probe_accel"} & set(p.counts)
    assert "stock" not in {v for r, wc in p.jobs if r != "tables_variant" for v in wc.values()}


def test_a_new_baseline_build_does_not_rebuild_the_other_variants(restore: Path) -> None:
    """Also with kernel.seed_builds, where bcf's first build starts from stock's build folder:
    the seed orders the first builds only (ancient inputs)."""
    for name in ("build.json", "patched.json", "bzImage"):
        edit(restore / "results/kernel/stock" / name)
    p = plan(restore)
    assert p.variants("build_kernel") == {"stock"}
    seeded = plan(restore, "--config", "kernel={seed_builds: true}")
    assert seeded.variants("build_kernel") == {"stock"}


def test_removing_one_result_plans_only_that_job_and_aggregation(restore: Path) -> None:
    result = restore / "results/loads/stock/xdp-lb/clang-19_-O2_xdp_proto_count.json"
    result.unlink()
    p = plan(restore)
    assert p.counts["load_object"] == 1
    assert p.variants("collect_loads") == {"stock"}
    assert set(p.counts) <= {"load_object"} | AGGREGATION


def test_adding_a_program_plans_its_objects_only(restore: Path) -> None:
    new = restore / "corpus/xdp-lb/xdp_copy.c"
    shutil.copy2(REPO / "bpf-progs/xdp-lb/xdp_proto_count.c", new)
    try:
        p = plan(restore)
        assert p.counts["compile_source"] == 1
        assert p.counts["load_object"] == 2
        assert {wc["object"] for r, wc in p.jobs if r == "load_object"} == {"clang-19_-O2_xdp_copy"}
        assert set(p.counts) <= {"compile_source", "load_object", "corpus_index"} | AGGREGATION
    finally:
        new.unlink()


def test_changing_a_load_setting_reloads_without_rebuilding(restore: Path) -> None:
    (restore / "other.yaml").write_text(yaml.safe_dump({"load": {"object_timeout_s": 30}}))
    p = plan(restore, configfiles=("tiny.yaml", "other.yaml"))
    assert p.counts["load_object"] == 6  # three objects, two variants
    # The limit lives in each variant's VM spec, on which every load of the variant depends.
    assert p.counts["vm_spec"] == 3  # stock, bcf and the validation kernel bcf-kasan
    assert set(p.counts) <= {"vm_spec", "load_object"} | AGGREGATION
    assert "params have changed" in p.output.lower()


def test_select_target_and_until(tree: Path) -> None:
    (tree / "results/loads/bcf/patterns/clang-19_-O2_masked_index_ok.json").unlink()
    (tree / "results/loads/stock/patterns/clang-19_-O2_masked_index_ok.json").unlink()
    try:
        sel = Plan(snakemake(tree, "-n", "select", "--config", "select={variants: [bcf]}"))
        assert sel.counts["load_object"] == 1 and sel.variants("load_object") == {"bcf"}
        assert not set(sel.counts) & AGGREGATION
        until = Plan(snakemake(tree, "-n", "all", "--until", "load_object"))
        assert until.counts["load_object"] == 2
        assert not set(until.counts) & AGGREGATION
    finally:
        complete(tree, check=False)
