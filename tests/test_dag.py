"""The default configuration's DAG, planned by the real Snakemake into an empty results folder."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bcfpipe import config as bcfconfig
from bcfpipe.corpus import objects as corpus
from bcfpipe.load import plan as bcfplan

REPO = Path(__file__).resolve().parent.parent
# What ./run passes: this machine's profile (--cores given here wins over its `cores: all`).
LOCAL = ["--profile", str(REPO / "profiles/local")]


def plan(
    tmp: Path, *targets: str, config: str | list[str] = ""
) -> subprocess.CompletedProcess[str]:
    paths = f'{{"results": "{tmp}/results", "work": "{tmp}/work", "resources": "{tmp}/res"}}'
    # Targets go before --config, which takes every following word as a key=value pair.
    cmd = [sys.executable, "-m", "snakemake", "-n", "--cores", "2", *LOCAL, *targets]
    cmd += ["--config", f"paths={paths}", *([config] if isinstance(config, str) else config)]
    cmd = [c for c in cmd if c]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)


def job_counts(output: str) -> dict[str, int]:
    table = output.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, flags=re.M)}


def shipped_config() -> dict[str, Any]:
    """The embedded default the plan uses (config/config.yaml), schema defaults filled in."""
    return bcfconfig.validate(yaml.safe_load((REPO / "config" / "config.yaml").read_text()))


def test_default_dag_has_every_stage(tmp_path: Path) -> None:
    proc = plan(tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    cfg = shipped_config()
    variants = len(cfg["kernel"]["variants"])
    sources = corpus.discover(REPO / cfg["corpus"]["root"])
    single = [s for s in sources if corpus.is_single_variant(s.path)]
    variants_each = len(cfg["corpus"]["compilers"]) * len(cfg["corpus"]["opt_levels"])
    objects = (len(sources) - len(single)) * variants_each + len(single)
    for rule in (
        "preflight",
        "fetch_source",
        "unpack_source",
        "probe_accel",
        "corpus_headers",
        "corpus_index",
        "truth_report",
        "kick_tires_report",
        "selftests_corpus",
        "compare_selftests",
        "validation_objects",
        "validate_bcf",
    ):
        assert counts[rule] == 1, rule
    # Every variant's kernel, and the validation kernel (bcf with KASAN), which only the
    # dynamic validation boots.
    for rule in (
        "patch_kernel",
        "configure_kernel",
        "build_kernel",
        "build_tools",
        "build_loader",
        "build_guest",
        "vm_spec",
    ):
        assert counts[rule] == variants + 1, rule
    for rule in ("boot_check", "build_selftests", "run_selftests"):
        assert counts[rule] == variants, rule
    # one job compiles all variants of a source; naked-asm sources are compiled once
    assert counts["compile_source"] == len(sources) - len(single)
    assert counts["compile_source_single"] == len(single) > 0
    # load.batch_size objects per job (the kick_tires ones in batches of their own); the
    # selftests' loads are planned after their checkpoint, one per job.
    assert "load_object" not in counts
    batches = bcfplan.load_batches(
        [
            (s.project, corpus.object_name(c, o, s.name)[:-2], "")
            for s in sources
            for c, o in corpus.variants(s, cfg["corpus"]["compilers"], cfg["corpus"]["opt_levels"])
        ],
        cfg["load"]["batch_size"],
        first=set(cfg["corpus"]["kick_tires"]),
    )
    assert sum(len(b.objects) for b in batches) == objects
    assert load_batch_jobs(counts) == len(batches) * variants


def load_batch_jobs(counts: dict[str, int]) -> int:
    return sum(n for rule, n in counts.items() if rule.startswith("load_batch_"))


def test_kick_tires_is_small(tmp_path: Path) -> None:
    proc = plan(tmp_path, "kick_tires")
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    cfg = shipped_config()
    variants = len(cfg["kernel"]["variants"])
    # Its objects are batches of their own: each loads kick_tires objects and nothing else.
    loads = re.findall(r"^\s+output: (.*/loads/.*)$", proc.stdout, flags=re.M)
    outputs = {Path(f.strip()).stem for line in loads for f in line.split(",")}
    assert outputs == {o.split("/")[1] for o in cfg["corpus"]["kick_tires"]}
    projects = {o.split("/")[0] for o in cfg["corpus"]["kick_tires"]}
    assert load_batch_jobs(counts) == len(projects) * variants
    assert counts["compile_source"] == len(cfg["corpus"]["kick_tires"])
    # The last step before the target: the table of verdicts against the truth lines, printed.
    assert counts["kick_tires_report"] == 1
    report = proc.stdout.split("rule kick_tires_report:", 1)[1].split("\n\n", 1)[0]
    for obj in cfg["corpus"]["kick_tires"]:
        project, stem = obj.split("/")
        assert f"bpf-progs/{project}/{stem.split('_', 2)[2]}.c" in report
    assert f"{tmp_path}/results/tables/kick_tires.md" in report


@pytest.mark.parametrize(
    ("arg", "needle"),
    [
        ("guest={'accel': 'warp'}", "guest.accel: 'warp' is not one of"),
        ("corpus={'compilers': []}", "corpus.compilers: [] should be non-empty"),
        (
            "kernel={'variants': [{'name': 'x', 'source': 'nope'}]}",
            "kernel.variants[0].source: 'nope' is not a key of 'sources'",
        ),
    ],
)
def test_bad_config_fails_before_planning_and_names_the_key(
    tmp_path: Path, arg: str, needle: str
) -> None:
    proc = plan(tmp_path, config=arg)
    assert proc.returncode != 0
    assert needle in proc.stderr + proc.stdout
    assert "Job stats" not in proc.stdout


def test_batched_loads_of_a_prebuilt_corpus(tmp_path: Path) -> None:
    """load.batch_size over a prebuilt corpus: every object in one batch job, with its types."""
    import shlex

    pre = tmp_path / "pre"
    (pre / "calico").mkdir(parents=True)
    names = ["clang-14_-O2_bpf_lxc.o", "clang-16_-O3_bpf_lxc.o", "clang-19_-O2_bpf_lxc.o"]
    for name in names:
        (pre / "calico" / name).write_bytes(b"\x7fELF")
    (pre / "prog_index.json").write_text(json.dumps({"calico": {"bpf_lxc.o": names}}))
    (pre / "obj_prog_type.json").write_text(json.dumps({"calico/clang-14_-O2_bpf_lxc.o": "tc"}))
    proc = plan(tmp_path, "-p", config=[f"corpus={{prebuilt: {pre}}}", "load={batch_size: 2}"])
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    assert counts["load_batch_stock_calico_0000"] == 1 and counts["load_batch_bcf_calico_0001"] == 1
    assert "load_object" not in counts
    commands = [ln for ln in proc.stdout.splitlines() if " load-objects " in ln]
    assert len(commands) == 4  # two batches, two variants
    for cmd in commands:
        words = shlex.split(cmd.split(">", 1)[0])
        per_object = {}
        for flag in ("--object", "--out", "--log", "--types"):
            i = words.index(flag) + 1
            per_object[flag] = words[
                i : next((j for j in range(i, len(words)) if words[j].startswith("--")), None)
            ]
        assert len({len(v) for v in per_object.values()}) == 1, per_object
        if "clang-14_-O2_bpf_lxc.o" in " ".join(per_object["--object"]):
            assert per_object["--types"] == ['"tc"', "{}"]


def test_select_of_project_selftests_waits_for_its_checkpoint(tmp_path: Path) -> None:
    """config/realworld.yaml's command: naming 'selftests' plans its checkpoint and no own-corpus
    compile; the own corpus's selection still refuses a project it does not have."""
    realworld = str(REPO / "config" / "realworld.yaml")
    proc = plan(
        tmp_path, "select", "-p", "--configfile", realworld, config="select={projects: [selftests]}"
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    assert counts["selftests_corpus"] == 1
    assert "compile_source" not in counts and "load_object" not in counts
    assert "--glob '*.c' --compiler clang-14 clang-19 --opts=-O1,-O2,-O3" in proc.stdout
    proc = plan(tmp_path, "select", config="select={projects: [nope]}")
    assert proc.returncode != 0 and "not a project of the corpus" in proc.stderr + proc.stdout
