"""config/paper.yaml on local stand-ins of the paper's repositories (tests/paper_mirror.py).

Everything up to the kernel build runs for real through Snakemake, with git allowed only file://
and HTTP pointed nowhere: fetch by commit, verify, unpack, patch sets 1-5, the cvc5 build with the
solver patch, the corpus import. A dry run plans the rest. Failures name what to do.
"""

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
from bcfpipe.errors import PipelineError
from bcfpipe.fetch import source
from bcfpipe.kernel import patch
from bcfpipe.tools import solver

sys.path.insert(0, str(Path(__file__).parent))
import paper_mirror as pm

REPO = Path(__file__).resolve().parent.parent
LOCAL = ["--profile", str(REPO / "profiles/local")]  # what ./run passes; --cores 2 wins


def snakemake(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", *LOCAL, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=pm.offline_env(),
    )


def job_counts(output: str) -> dict[str, int]:
    table = output.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, flags=re.M)}


@pytest.fixture(scope="module")
def mirrors(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    return pm.make_mirrors(tmp_path_factory.mktemp("mirrors"))


@pytest.fixture(scope="module")
def run(
    mirrors: dict[str, tuple[Path, str]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """Snakemake with the paper's config on the mirrors, up to the build boundary."""
    tmp = tmp_path_factory.mktemp("paper-run")
    cfg = pm.paper_config(mirrors, tmp)
    cfgfile = tmp / "paper-test.yaml"
    cfgfile.write_text(yaml.safe_dump(cfg))
    r = Path(cfg["paths"]["results"])
    targets = [
        f"{r}/kernel/upstream/patched.json",
        f"{r}/kernel/stock/patched.json",
        f"{r}/tools/cvc5/cvc5",
        f"{r}/corpus/index.json",
    ]
    proc = snakemake(*targets, "--configfile", str(cfgfile))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return {"cfg": cfg, "cfgfile": cfgfile, "results": r, "work": Path(cfg["paths"]["work"])}


def test_git_sources_are_the_pinned_commits(run: dict[str, Any], mirrors: Any) -> None:
    for name, (_, commit) in mirrors.items():
        rec = json.loads((run["results"] / "sources" / f"{name}.json").read_text())
        assert rec["provider"] == "git" and rec["commit"] == commit
    tree = run["work"] / "src" / "bpf-next"
    # The mirror's branch moved on after the pinned commit; the tree is the pinned one.
    assert (tree / "kernel" / "bpf" / "verifier.c").is_file()
    assert not (tree / "kernel" / "bpf" / "later.c").exists()
    unpacked = json.loads((run["results"] / "sources" / "bpf-next.tree.json").read_text())
    assert unpacked["kernel_version"] == "6.15.0-rc1"


def test_patch_sets_one_to_five_in_order_without_cover_letters(run: dict[str, Any]) -> None:
    rec = json.loads((run["results"] / "kernel" / "upstream" / "patched.json").read_text())
    sets = [p["set"] for p in rec["patches"]]
    assert sets == sorted(sets) and sets[0] == pm.SETS[0] and sets[-1] == pm.SETS[4]
    assert set(sets) == set(pm.SETS)  # set6 is not applied
    assert not any(p["patch"].startswith("0000-") for p in rec["patches"])
    assert all(len(p["sha256"]) == 64 for p in rec["patches"])
    tree = run["work"] / "trees" / "upstream"
    assert "/* bcf_refine */" in (tree / "kernel" / "bpf" / "verifier.c").read_text()
    assert "-P prover" in (tree / "tools" / "bpf" / "bpftool" / "main.c").read_text()
    stock = json.loads((run["results"] / "kernel" / "stock" / "patched.json").read_text())
    assert stock["patches"] == []


def test_cvc5_is_built_static_with_the_solver_patch(run: dict[str, Any]) -> None:
    binary = run["results"] / "tools" / "cvc5" / "cvc5"
    out = subprocess.run([binary, "--proof-format=help"], capture_output=True, text=True).stdout
    assert "+ bcf" in out
    info = json.loads((run["results"] / "tools" / "cvc5" / "build.json").read_text())
    assert [p["patch"] for p in info["patches"]] == [Path(pm.SOLVER_PATCH).name]
    assert info["configure"] == run["cfg"]["tools"]["cvc5"]["configure"]
    args = (run["work"] / "cvc5" / "src" / "build" / "configure-args").read_text().split()
    assert args == ["production", "--static", "--best", "--gpl", "--auto-download"]


def test_corpus_is_imported_with_the_paper_index_files(run: dict[str, Any]) -> None:
    corpus = run["results"] / "corpus"
    index = json.loads((corpus / "index.json").read_text())
    assert index["counts"]["objects"] == sum(len(v) for v in pm.DEFAULT_OBJECTS.values())
    assert set(index["prog_index"]) == set(pm.DEFAULT_OBJECTS)
    listed = {(o["project"], o["object"]): o["types"] for o in index["imported"]}
    assert listed[("collected", "clang-19_-O2_shift_constraint.bpf.o")] == "socket"
    assert listed[("bcc", "clang-19_-O2_ksnoop.bpf.o")] is None
    # The paper's own files, unchanged.
    paper_index = json.loads((corpus / "prog_index.json").read_text())
    assert paper_index["bcc"] == {"ksnoop.bpf.o": ["clang-19_-O2_ksnoop.bpf.o"]}
    assert (corpus / "objects" / "bcc" / "clang-19_-O2_ksnoop.bpf.o").is_file()


def test_after_the_import_the_plan_has_one_vm_job_per_object_and_variant(
    run: dict[str, Any],
) -> None:
    proc = snakemake("-n", "--configfile", str(run["cfgfile"]))
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    assert counts["load_object"] == 2 * sum(len(v) for v in pm.DEFAULT_OBJECTS.values())
    assert "fetch_source" not in counts and "patch_kernel" not in counts
    for rule in ("build_kernel", "build_tools", "build_guest", "boot_check"):
        assert counts[rule] == 2, rule


def test_dry_run_of_config_paper_plans_everything_without_network(tmp_path: Path) -> None:
    paths = f"{{results: {tmp_path}/r, work: {tmp_path}/w, resources: {tmp_path}/res}}"
    proc = snakemake("-n", "--configfile", "config/paper.yaml", "--config", f"paths={paths}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = job_counts(proc.stdout)
    assert counts["fetch_source"] == 3 and counts["unpack_source"] == 3
    assert counts["patch_kernel"] == 2 and counts["build_kernel"] == 2
    assert counts["build_cvc5"] == 1 and counts["corpus_index"] == 1
    assert counts["paper_tables"] == 1 and counts["all"] == 1
    assert "checkpoint" in proc.stdout + proc.stderr
    assert list(tmp_path.iterdir()) == []  # nothing fetched, nothing written


def test_config_paper_pins_full_commits_and_the_five_sets() -> None:
    cfg = bcfconfig.validate(yaml.safe_load((REPO / "config" / "paper.yaml").read_text()))
    for name in ("bpf-next", "bcf", "cvc5"):
        assert cfg["sources"][name]["provider"] == "git"
        assert re.fullmatch(r"[0-9a-f]{40}", cfg["sources"][name]["commit"])
    assert cfg["sources"]["bcf"]["commit"] == "821ecc14809648cbf0a7866668bb0f776d77e779"
    assert cfg["sources"]["bpf-next"]["commit"].startswith("4cb4897bb49a4")
    assert cfg["sources"]["cvc5"]["commit"] == "f7db8faac6639980ed61a1920042ded79cd15e21"
    upstream = bcfconfig.variant(cfg, "upstream")
    assert upstream["patch_sets"] == [f"patches-kernel/{s}" for s in pm.SETS]
    assert upstream["loader"] == "bpftool" and upstream["bcf"]
    assert cfg["tools"]["cvc5"]["patches"] == [pm.SOLVER_PATCH]


# -- failures tell the reviewer what to do ---------------------------------------------------


def test_abbreviated_commit_is_refused_before_planning() -> None:
    cfg = yaml.safe_load((REPO / "config" / "paper.yaml").read_text())
    cfg["sources"]["bpf-next"]["commit"] = "4cb4897bb49a4"
    with pytest.raises(PipelineError, match=r"sources\.bpf-next\.commit"):
        bcfconfig.validate(cfg)


def test_a_commit_the_mirror_does_not_have_fails_naming_what_to_do(
    mirrors: Any, tmp_path: Path
) -> None:
    url = f"file://{mirrors['bcf'][0]}"
    spec = {"provider": "git", "url": url, "commit": "0" * 40}
    with pytest.raises(PipelineError) as err:
        source.fetch("bcf", spec, tmp_path)
    msg = str(err.value)
    assert "0" * 40 in msg and url in msg and "sources.bcf.url" in msg
    assert "file:///path/to/clone" in msg


def test_a_tree_without_the_expected_paths_is_refused(mirrors: Any, tmp_path: Path) -> None:
    path, commit = mirrors["cvc5"]
    spec = {"provider": "git", "url": f"file://{path}", "commit": commit}
    spec["expect"] = ["patches-kernel/set1:verifier_and_initial_checker_support"]
    rec = source.fetch("bcf", spec, tmp_path / "res")
    with pytest.raises(PipelineError, match=r"lacks patches-kernel/set1.*sources\.bcf\.expect"):
        source.unpack(rec, tmp_path / "tree")


def test_a_missing_patch_set_names_the_sets_that_exist(run: dict[str, Any]) -> None:
    tree = run["work"] / "src" / "bcf"
    with pytest.raises(PipelineError) as err:
        patch.read_patch_sets(tree, ["patches-kernel/set7:more_rules"], ["0000-cover-letter.patch"])
    assert pm.SETS[0] in str(err.value) and "go back to the commit" in str(err.value)


def test_a_patch_set_that_no_longer_applies_says_which_pair_is_pinned(
    run: dict[str, Any], mirrors: Any, tmp_path: Path
) -> None:
    # A bpf-next commit whose verifier.c moved on: set1 no longer applies.
    kernel = tmp_path / "moved"
    pm.git(tmp_path, "clone", "-q", str(mirrors["bpf-next"][0]), str(kernel))
    (kernel / "kernel" / "bpf" / "verifier.c").write_text("/* rewritten upstream */\n")
    moved = pm.commit_all(kernel, "rewrite the verifier")
    spec = {"provider": "git", "url": f"file://{kernel}", "commit": moved}
    rec = source.fetch("bpf-next", spec, tmp_path / "res")
    (tmp_path / "bpf-next.json").write_text(json.dumps(rec))
    cli = [sys.executable, "-m", "bcfpipe"]
    subprocess.run(
        [
            *cli,
            "unpack-source",
            "--record",
            str(tmp_path / "bpf-next.json"),
            "--dest",
            str(tmp_path / "src"),
            "--out",
            str(tmp_path / "tree.json"),
        ],
        check=True,
    )
    variant = bcfconfig.variant(bcfconfig.validate(run["cfg"]), "upstream")
    args = patch.patch_set_args(str(run["results"] / "sources" / "bcf.tree.json"), variant)
    proc = subprocess.run(
        " ".join(
            [
                *cli,
                "patch-tree",
                "--variant",
                "upstream",
                "--source",
                str(tmp_path / "tree.json"),
                args,
                "--tree",
                str(tmp_path / "t"),
                "--state",
                str(tmp_path / "s.json"),
                "--out",
                str(tmp_path / "p.json"),
            ]
        ),
        shell=True,
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0
    assert "0002-bpf-Refine-in-the-verifier.patch" in proc.stderr
    assert moved in proc.stderr and "keep the pair pinned in config/paper.yaml" in proc.stderr


def test_a_missing_solver_patch_names_the_patches_there(run: dict[str, Any]) -> None:
    tree = run["work"] / "src" / "bcf"
    with pytest.raises(PipelineError, match=r"0001-proof-Add-bcf-proof-format-support.patch"):
        solver.solver_patches(tree, ["patches-solver/0002-renamed.patch"], "tools.cvc5")


def test_a_solver_without_the_bcf_format_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "cvc5"
    src = tmp_path / "m.c"
    src.write_text('#include <stdio.h>\nint main(void){puts("+ cpc");return 0;}\n')
    subprocess.run(["gcc", "-static", "-o", str(fake), str(src)], check=True)
    with pytest.raises(PipelineError, match="solver patch did not take effect"):
        solver.check_binary(fake, "+ bcf")


def test_a_fetched_commit_is_reused_without_the_network(mirrors: Any, tmp_path: Path) -> None:
    path, commit = mirrors["cvc5"]
    spec = {"provider": "git", "url": f"file://{path}", "commit": commit}
    first = source.fetch("cvc5", spec, tmp_path)
    again = source.fetch("cvc5", spec | {"url": f"file://{tmp_path}/gone"}, tmp_path)
    assert first["file"] == again["file"] and again["commit"] == commit


def test_the_default_sources_fetch_spec_did_not_change() -> None:
    """New source keys at their defaults stay out of the fetch rule's params (no re-fetch)."""
    cfg = bcfconfig.validate(yaml.safe_load((REPO / "config" / "config.yaml").read_text()))
    spec = bcfconfig.fetch_spec(cfg["sources"]["linux-6.12-debian"])
    assert set(spec) == {"provider", "package", "suite", "version", "tarball", "url", "sha256"}
