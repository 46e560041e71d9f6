"""The paper's corpus end to end, on a stand-in laid out like it (issue #15).

Tiny objects compiled here get the paper's names: ``<clang-N>_-O<k>_<name>.o`` for most projects,
and names without compiler or level for its ``collected`` project (``ksnoop.bpf.o``). The stand-in
is indexed like ``corpus.prebuilt`` and ``corpus.import_source`` do it, result JSONs like the
loader's are written for two variants, and every aggregation command reads them; a dry run plans
every table for it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from bcfpipe.aggregate.table import read_csv
from bcfpipe.cli import main
from bcfpipe.corpus import objects as corpus
from bcfpipe.load import vlog
from bcfpipe.load.results import SCHEMA, index_groups, object_verdict

REPO = Path(__file__).resolve().parent.parent
CLANG = next((c for c in ("clang-19", "clang-16", "clang-14", "clang") if shutil.which(c)), None)
pytestmark = pytest.mark.skipif(CLANG is None, reason="needs clang")

# cilium keeps its tail calls in numbered sections libbpf cannot type ("2/1"): the object's type
# comes from obj_prog_type.json alone.
OVERLAY = r"""
#define SEC(n) __attribute__((section(n), used))
SEC("from-overlay") int cil_from_overlay(void *ctx) { return 0; }
SEC("2/1") int tail_handle_ipv4(void *ctx) { return 0; }
SEC("1/0x1") int tail_handle_ipv6(void *ctx) { return 0; }
SEC("license") char LICENSE[] = "GPL";
"""
KSNOOP = r"""
#define SEC(n) __attribute__((section(n), used))
SEC("kprobe/ksys_read") int ksnoop_entry(void *ctx) { return 0; }
SEC("license") char LICENSE[] = "GPL";
"""
SHIFT = r"""
#define SEC(n) __attribute__((section(n), used))
SEC("socket") int shift_constraint(void *ctx) { return 0; }
SEC("license") char LICENSE[] = "GPL";
"""
OVERLAY_OBJ = f"{CLANG}_-O1_bpf_overlay.o"
BCC_OBJ = f"{CLANG}_-O2_ksnoop.bpf.o"
# project -> source (as prog_index.json names it) -> [(object file, C source, -O level)]
LAYOUT: dict[str, dict[str, list[tuple[str, str, str]]]] = {
    "cilium": {"bpf_overlay.o": [(OVERLAY_OBJ, OVERLAY, "-O1")]},
    "bcc": {"ksnoop.bpf.o": [(BCC_OBJ, KSNOOP, "-O2")]},
    # The paper's collected project: no compiler or level in the names; two builds of one
    # source under one prog_index entry, whose name is not either file's.
    "collected": {
        "ksnoop.bpf.o": [("ksnoop.bpf.o", KSNOOP, "-O2")],
        "shift_constraint.bpf.o": [
            ("shift_constraint.bpf.o", SHIFT, "-O2"),
            ("shift_constraint_gcc.bpf.o", SHIFT, "-O1"),
        ],
    },
}
TYPES = {
    OVERLAY_OBJ: "classifier",
    BCC_OBJ: None,
    "ksnoop.bpf.o": None,
    "shift_constraint.bpf.o": "socket",
    "shift_constraint_gcc.bpf.o": "socket",
}


def make_standin(root: Path) -> Path:
    """A corpus laid out like the paper's ``bpf-progs/``, from objects compiled here."""
    src_dir = root / "src"
    src_dir.mkdir(parents=True)
    progs = root / "bpf-progs"
    index: dict[str, dict[str, list[str]]] = {}
    for project, sources in LAYOUT.items():
        (progs / project).mkdir(parents=True)
        for source, objs in sources.items():
            for name, text, opt in objs:
                c = src_dir / f"{project}_{name}.c"
                c.write_text(text)
                cmd = [str(CLANG), opt, "-g", "-target", "bpf", "-c", str(c)]
                subprocess.run([*cmd, "-o", str(progs / project / name)], check=True)
                index.setdefault(project, {}).setdefault(source, []).append(name)
    (progs / "prog_index.json").write_text(json.dumps(index, indent=1))
    (progs / "obj_prog_type.json").write_text(json.dumps(TYPES, indent=1))
    return progs


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_standin(tmp_path_factory.mktemp("paper") / "tree")


def program(name: str, verdict: str, error: str = "", insns: int = 20, **extra: Any) -> Any:
    stats = vlog.LogStats(
        insns_processed=insns,
        total_states=insns // 4,
        peak_states=insns // 5,
        max_states_per_insn=1,
        verification_time_us=insns * 10,
        stack_depth="0",
        error_lines=[error] if error else [],
    )
    category = vlog.categorize(stats.error_lines)[0] if error else ""
    rec = vlog.program_record(
        name=name,
        verdict=verdict,
        category=category,
        error_line=error,
        errno=-13 if error else 0,
        stats=stats,
        load_ns=insns * 10_000,
    )
    rec.update(extra)
    return rec


def refinement(k: int) -> dict[str, Any]:
    return {
        "kind": "range" if k % 2 == 0 else "path",
        "insn": 10 + k,
        "track_length": 5 + k,
        "condition_bytes": 100 + 10 * k,
        "certificate_bytes": 400 * (k + 1),
        "check_ns": 30_000 * (k + 1),
        "solve_seconds": 0.02 * (k + 1),
        "round": 1,
    }


MEM = "R1 invalid mem access 'scalar'"
MAP = "invalid access to map value, value_size=8 off=8 size=1"
# (variant, project, object) -> programs; the stock verdicts of the sample, BCF accepting most.
OUTCOMES: dict[tuple[str, str, str], list[Any]] = {
    ("stock", "cilium", OVERLAY_OBJ): [
        program("cil_from_overlay", "rejected", MEM, 300),
        program("tail_handle_ipv4", "loaded"),
        program("tail_handle_ipv6", "loaded"),
    ],
    ("bcf", "cilium", OVERLAY_OBJ): [
        program("cil_from_overlay", "loaded", insns=340, refinements=[refinement(0)]),
        program("tail_handle_ipv4", "loaded"),
        program("tail_handle_ipv6", "loaded"),
    ],
    ("stock", "bcc", BCC_OBJ): [program("ksnoop_entry", "rejected", MAP, 90)],
    ("bcf", "bcc", BCC_OBJ): [
        program("ksnoop_entry", "loaded", insns=120, refinements=[refinement(1), refinement(2)])
    ],
    ("stock", "collected", "ksnoop.bpf.o"): [program("ksnoop_entry", "rejected", MAP, 90)],
    ("bcf", "collected", "ksnoop.bpf.o"): [
        program("ksnoop_entry", "loaded", insns=120, refinements=[refinement(3)])
    ],
    ("stock", "collected", "shift_constraint.bpf.o"): [program("shift_constraint", "loaded")],
    ("bcf", "collected", "shift_constraint.bpf.o"): [program("shift_constraint", "loaded")],
    ("stock", "collected", "shift_constraint_gcc.bpf.o"): [
        program("shift_constraint", "rejected", MEM, 44)
    ],
    ("bcf", "collected", "shift_constraint_gcc.bpf.o"): [
        program("shift_constraint", "rejected", MEM, 44)
    ],
}


def write_results(loads: Path) -> None:
    """Result JSONs with the fields bcfpipe/load/loadjob.py writes (schema of load/results.py)."""
    for (variant, project, obj), progs in OUTCOMES.items():
        meta = corpus.object_meta(obj)  # what the loader records from the file name
        refs = [r for p in progs for r in p["refinements"]]
        result = {
            "schema": SCHEMA,
            "variant": variant,
            "project": project,
            "object": obj,
            "group": meta["name"],
            "compiler": meta["compiler"],
            "opt": meta["opt"],
            "verdict": object_verdict(progs, "loaded"),
            "vm": {"status": "ok", "detail": "", "accel": "tcg", "boots": 1, "wall_seconds": 2.5},
            "programs": progs,
            "kernel_warnings": [],
        }
        if variant == "bcf":
            result["bcf"] = {
                "rounds": 2 if refs else 0,
                "outcome": "accepted" if refs else "not_needed",
                "proof_seconds": round(sum(r["solve_seconds"] for r in refs), 6),
            }
        path = loads / variant / project / f"{obj[:-2]}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=1))


def test_object_names_without_compiler_are_a_group_of_their_own() -> None:
    assert corpus.object_meta("clang-17_-O1_bpf_overlay.o") == {
        "compiler": "clang-17",
        "opt": "-O1",
        "name": "bpf_overlay",
    }
    assert corpus.object_meta("ksnoop.bpf.o") == {"compiler": "", "opt": "", "name": "ksnoop.bpf"}
    # prog_index.json's entry names the group, whatever the file is called
    assert corpus.object_meta("shift_constraint_gcc.bpf.o", "shift_constraint.bpf.o")["name"] == (
        "shift_constraint.bpf"
    )
    assert corpus.object_meta("clang-14_-O2_x.o", "y.o")["name"] == "y"


def test_prebuilt_index_of_the_papers_layout(standin: Path, tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    assert main(["corpus-index", "--prebuilt", str(standin), "--out", str(out)]) == 0
    index = json.loads((out / "index.json").read_text())
    assert index["counts"] == {"projects": 3, "sources": 4, "objects": 5, "compile_failures": 0}
    collected = index["projects"]["collected"]["sources"]
    assert sorted(collected) == ["ksnoop.bpf", "shift_constraint.bpf"]
    shift = collected["shift_constraint.bpf"]["objects"]
    assert [(o["object"], o["compiler"], o["opt"]) for o in shift] == [
        ("shift_constraint.bpf.o", "", ""),
        ("shift_constraint_gcc.bpf.o", "", ""),
    ]
    cilium = index["projects"]["cilium"]["sources"]["bpf_overlay"]["objects"][0]
    assert (cilium["compiler"], cilium["opt"]) == (CLANG, "-O1")
    assert [(p["name"], p["section"]) for p in cilium["programs"]] == [
        ("cil_from_overlay", "from-overlay"),
        ("tail_handle_ipv4", "2/1"),
        ("tail_handle_ipv6", "1/0x1"),
    ]
    # objects indexed where they are, with the paper's type entry for the load jobs
    listed = {o["object"]: o for o in index["imported"]}
    assert listed[OVERLAY_OBJ]["path"] == str(standin / "cilium" / OVERLAY_OBJ)
    assert listed[OVERLAY_OBJ]["types"] == "classifier"
    assert listed["ksnoop.bpf.o"]["types"] is None
    # the paper's own index files beside it, unchanged
    for name in ("prog_index.json", "obj_prog_type.json"):
        assert (out / name).read_text() == (standin / name).read_text()


def test_import_from_a_fetched_tree(standin: Path, tmp_path: Path) -> None:
    record = tmp_path / "tree.json"
    record.write_text(json.dumps({"tree": str(standin.parent)}))
    out = tmp_path / "corpus"
    args = ["corpus-import", "--tree", str(record), "--dir", "bpf-progs", "--out", str(out)]
    assert main(args) == 0
    index = json.loads((out / "index.json").read_text())
    assert index["counts"]["objects"] == 5
    assert (out / "objects" / "collected" / "ksnoop.bpf.o").is_file()
    listed = {o["object"]: o["path"] for o in index["imported"]}
    assert listed["ksnoop.bpf.o"] == str(out / "objects" / "collected" / "ksnoop.bpf.o")


@pytest.fixture(scope="module")
def aggregated(standin: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """corpus-index, results of stock and bcf, and every aggregation command, as the rules run
    them."""
    tmp = tmp_path_factory.mktemp("agg")
    corpus_out = tmp / "corpus"
    assert main(["corpus-index", "--prebuilt", str(standin), "--out", str(corpus_out)]) == 0
    index = str(corpus_out / "index.json")
    loads = tmp / "loads"
    write_results(loads)
    both = ["stock", "bcf"]
    common = ["--index", index, "--loads", str(loads)]
    for v in both:
        rec = str(tmp / f"collect_{v}.json")
        assert main(["collect-loads", *common, "--variant", v, "--out", rec]) == 0
    args = [*common, "--variant", *both, "--out-json", str(tmp / "truth.json")]
    assert main(["truth-report", *args, "--out-md", str(tmp / "truth.md")]) == 0
    manifest = tmp / "manifest.json"
    manifest.write_text(json.dumps({"id": "0123abcd", "workflow": {"commit": "c0ffee"}}))
    common += ["--manifest", str(manifest)]
    for v in both:
        out = ["--out-dir", str(tmp / "tables" / v)]
        assert main(["aggregate-variant", *common, "--variant", v, *out]) == 0
    assert main(["aggregate-compare", *common, "--variant", *both, "--out-dir", str(tmp)]) == 0
    paper = ["--variant", *both, "--out-dir", str(tmp / "paper")]
    assert main(["aggregate-paper", *common, *paper]) == 0
    assert main(["aggregate-figures", *common, *paper]) == 0
    files = [f"{k}={tmp / 'paper' / f'{k}.md'}" for k in ("acceptance", "table2")]
    files.append(f"divergence={tmp / 'tables' / 'stock' / 'divergence.md'}")
    out = ["--file", *files, "--truth-json", str(tmp / "truth.json")]
    assert (
        main(["results-readme", *common, "--variant", *both, *out, "--out", str(tmp / "R.md")]) == 0
    )
    return tmp


def test_groups_come_from_the_papers_prog_index(aggregated: Path) -> None:
    groups = index_groups(aggregated / "corpus" / "index.json")
    assert groups[("collected", "shift_constraint_gcc.bpf.o")] == "shift_constraint.bpf"
    assert groups[("cilium", OVERLAY_OBJ)] == "bpf_overlay"


def test_summaries_and_deduplication(aggregated: Path) -> None:
    _, rows = read_csv(aggregated / "tables" / "stock" / "summary.csv")
    by = {r["project"]: r for r in rows}
    assert set(by) == {"bcc", "cilium", "collected", "all"}
    assert (by["collected"]["objects"], by["collected"]["objects_rejected"]) == ("3", "2")
    # ksnoop's rejection in collected and in bcc: one class per project
    assert by["all"]["objects_rejected_unique"] == "4"
    _, uniq = read_csv(aggregated / "tables" / "stock" / "unique_rejections.csv")
    assert sorted(r["project"] for r in uniq) == ["bcc", "cilium", "collected", "collected"]


def test_divergence_names_compilerless_variants_by_file(aggregated: Path) -> None:
    _, rows = read_csv(aggregated / "tables" / "stock" / "divergence.csv")
    assert len(rows) == 1
    row = rows[0]
    assert (row["project"], row["source"], row["program"]) == (
        "collected",
        "shift_constraint.bpf",
        "shift_constraint",
    )
    assert row["loaded_by"] == "shift_constraint.bpf.o"
    assert row["rejected_by"] == "shift_constraint_gcc.bpf.o"


def test_acceptance_table2_and_figures(aggregated: Path) -> None:
    _, acc = read_csv(aggregated / "paper" / "acceptance.csv")
    assert acc and acc[0]["variant"] == "bcf"
    assert "3 of 4" in (aggregated / "paper" / "acceptance.md").read_text()
    _, t2 = read_csv(aggregated / "paper" / "table2.csv")
    size = next(r for r in t2 if r["metric"] == "certificate size")
    assert int(size["n"]) == 4
    for stem in ("figure8", "load_time"):
        assert (aggregated / "paper" / f"{stem}.png").stat().st_size > 0
    readme = (aggregated / "R.md").read_text()
    assert "5 objects from 3 projects" in readme
    assert "1 source programs split by compiler variant" in readme
    _, compare = read_csv(aggregated / "compare.csv")
    assert len(compare) == 7


def test_dry_run_plans_every_table_for_a_prebuilt_paper_corpus(
    standin: Path, tmp_path: Path
) -> None:
    cfg = {
        "paths": {
            "results": str(tmp_path / "results"),
            "work": str(tmp_path / "work"),
            "resources": str(tmp_path / "res"),
        },
        "corpus": {"prebuilt": str(standin)},
    }
    cfgfile = tmp_path / "paper-standin.yaml"
    cfgfile.write_text(yaml.safe_dump(cfg))
    cmd = [sys.executable, "-m", "snakemake", "-n", "-p", "--cores", "2"]
    proc = subprocess.run(
        [*cmd, "--configfile", str(cfgfile)], cwd=REPO, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = proc.stdout.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    counts = {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, flags=re.M)}
    variants = len(
        yaml.safe_load((REPO / "config" / "config.yaml").read_text())["kernel"]["variants"]
    )
    for rule in ("corpus_index", "truth_report", "provenance_manifest", "compare_variants"):
        assert counts[rule] == 1, rule
    for rule in ("paper_tables", "paper_figures", "results_readme"):
        assert counts[rule] == 1, rule
    assert counts["tables_variant"] == counts["collect_loads"] == variants
    # load.batch_size (8) objects of one project per job: one batch for each of the 3 projects.
    assert sum(n for r, n in counts.items() if r.startswith("load_batch_")) == 3 * variants
    assert "compile_source" not in counts and "selftests_corpus" not in counts
    assert f"corpus-index --prebuilt {standin} " in proc.stdout
    objects = re.findall(r"--object (.*?) --out ", proc.stdout)
    for obj in ("collected/ksnoop.bpf.o", "collected/shift_constraint_gcc.bpf.o"):
        assert any(f"{standin}/{obj}" in o.split() for o in objects), obj


# -- program types as the corpus states them ------------------------------------------------------

# Plays the guest: runs each `bcfpipe-load -L 4 [-t PROG=TYPE]... OBJ OUT` line of run.sh the way
# the loader does with libbpf: a program whose section libbpf cannot type and that has no -t gets
# "missing BPF prog type", as cilium's tail calls did before types were set per program.
FAKE_GUEST = r"""#!{python}
import shlex, shutil, sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from bcfpipe.corpus import elf
from bcfpipe.load import progtypes
args = sys.argv[1:]
share = Path(args[args.index("-virtfs") + 1].split("path=")[1].split(",")[0])
Path(args[args.index("-serial") + 1].removeprefix("file:")).write_text("booted\n")
shutil.copyfile(share / "run.sh", {saved!r})
for line in (share / "run.sh").read_text().splitlines():
    words = shlex.split(line)
    if "bcfpipe-load" not in words:
        continue
    words = words[words.index("bcfpipe-load") + 1 :]
    types = {{}}
    assert words[:2] == ["-L", "4"], words  # load.verifier_log 'stats', the default
    words = words[2:]
    while words[0] == "-t":
        prog, _, name = words[1].partition("=")
        types[prog] = name
        words = words[2:]
    obj, out = share / words[0], share / words[1]
    out.mkdir(parents=True, exist_ok=True)
    progs = elf.programs(obj)
    for i, p in enumerate(progs):
        given = types.get(p.name)
        found = progtypes.resolve(given or p.section)
        err = 0 if found else -22
        (out / f"{{i}}.meta").write_text(
            f"stage=load\nname={{p.name}}\nsection={{p.section}}\n"
            f"type={{found[1] if found else 'unspec'}}\nerr={{err}}\n"
            f"insn_cnt=2\nload_ns=1000\ntype_override={{given or ''}}\n"
        )
        (out / f"{{i}}.vlog").write_text(
            "processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 "
            "peak_states 0 mark_read 0\n" if found else ""
        )
        (out / f"{{i}}.libbpf").write_text(
            "" if found else f"missing BPF prog type, check ELF section name '{{p.section}}'\n"
        )
    (out / "programs").write_text(f"{{len(progs)}}\n")
    (out / "status").write_text("0\n")
    (out / "done").touch()
(share / "exit-status").write_text("0\n")
"""


def fake_vm(tmp: Path) -> tuple[Path, Path]:
    """A VM spec whose 'qemu' plays the guest loader (FAKE_GUEST); and where run.sh is saved."""
    import stat

    saved = tmp / "run.sh"
    qemu = tmp / "fake-qemu"
    qemu.write_text(FAKE_GUEST.format(python=sys.executable, repo=str(REPO), saved=str(saved)))
    qemu.chmod(qemu.stat().st_mode | stat.S_IXUSR)
    for name in ("bzImage", "initrd"):
        (tmp / name).write_bytes(b"x")
    (tmp / "accel.json").write_text(json.dumps({"accel": "tcg"}))
    settings = {
        "memory_mb": 256,
        "qemu": str(qemu),
        "scratch": str(tmp / "scratch"),
        "boot_timeout_s": 60.0,
        "object_timeout_s": 30,
        "loader": "bcfpipe-load",
        "bcf": False,
        "bcf_rounds": 1,
        "bcf_prove_seconds": 1.0,
    }
    spec = {
        "schema": 1,
        "variant": "stock",
        "kernel": str(tmp / "bzImage"),
        "initrd": str(tmp / "initrd"),
        "accel": str(tmp / "accel.json"),
        "settings": settings,
    }
    (tmp / "vm.json").write_text(json.dumps(spec))
    return tmp / "vm.json", saved


def test_bpftool_type_names_resolve_as_bpftool_does() -> None:
    from bcfpipe.load import progtypes

    assert all(progtypes.resolve(n) for n in progtypes.BPFTOOL_TYPES)
    assert progtypes.resolve("classifier") == ("classifier", "sched_cls")
    assert progtypes.resolve("action") == ("action", "sched_act")
    assert progtypes.resolve("socket") == ("socket", "socket_filter")
    assert progtypes.resolve("cgroup/skb") == ("cgroup/skb", "cgroup_skb")
    assert progtypes.resolve("kprobe") == ("kprobe", "kprobe")
    assert progtypes.resolve("sk_msg") == ("sk_msg", "sk_msg")
    assert progtypes.resolve("tc") == ("tc", "sched_cls")  # a section name bpftool takes too
    for unknown in ("2/1", "1/0x1", "sched_cls", "from-overlay", ""):
        assert progtypes.resolve(unknown) is None


def test_the_objects_type_applies_to_every_program_of_it(standin: Path, tmp_path: Path) -> None:
    """cilium: tail calls in numbered sections, 'classifier' in obj_prog_type.json."""
    from bcfpipe.load import loadjob

    out = tmp_path / "corpus"
    assert main(["corpus-index", "--prebuilt", str(standin), "--out", str(out)]) == 0
    listed = {o["object"]: o for o in json.loads((out / "index.json").read_text())["imported"]}
    overlay = listed[OVERLAY_OBJ]
    # what rules/load.smk passes as --types: the object's obj_prog_type.json entry as JSON
    types_json = json.dumps(overlay["types"] or {}, sort_keys=True)
    assert types_json == '"classifier"'
    job = loadjob.object_job(Path(overlay["path"]), "cilium", json.loads(types_json))
    assert job.types == {
        "cil_from_overlay": "classifier",
        "tail_handle_ipv4": "classifier",
        "tail_handle_ipv6": "classifier",
    }
    assert job.prog_type == "classifier"  # the paper's bpftool loop: `type classifier`
    script = loadjob.guest_script([job], 60)
    for prog in job.types:
        assert f"-t {prog}=classifier" in script
    # no type (null): libbpf types each program by its section
    ksnoop = listed["ksnoop.bpf.o"]
    assert loadjob.object_job(Path(ksnoop["path"]), "collected", ksnoop["types"]).types == {}


def test_load_objects_sets_the_type_per_program(standin: Path, tmp_path: Path) -> None:
    """The load-objects command, as the load rule runs it, against a guest that types like
    libbpf: every program of the cilium stand-in loads, with its override recorded."""
    spec, saved = fake_vm(tmp_path)
    obj = standin / "cilium" / OVERLAY_OBJ
    out_json, out_log = tmp_path / "ov.json", tmp_path / "ov.log"
    args = ["load-objects", "--vm", str(spec), "--project", "cilium", "--object", str(obj)]
    args += ["--out", str(out_json), "--log", str(out_log), "--types", '"classifier"']
    assert main(args) == 0
    result = json.loads(out_json.read_text())
    progs = {
        p["name"]: (p["verdict"], p["prog_type"], p["type_override"]) for p in result["programs"]
    }
    assert progs == {
        "cil_from_overlay": ("loaded", "sched_cls", "classifier"),
        "tail_handle_ipv4": ("loaded", "sched_cls", "classifier"),
        "tail_handle_ipv6": ("loaded", "sched_cls", "classifier"),
    }
    assert (result["group"], result["compiler"], result["opt"]) == ("bpf_overlay", CLANG, "-O1")
    assert "-t tail_handle_ipv4=classifier" in saved.read_text()
    # without a type, the numbered sections are libbpf's compat issue, as on the real guest
    args[args.index("--types") + 1] = "{}"
    assert main(args) == 0
    result = json.loads(out_json.read_text())
    verdicts = {p["name"]: p["verdict"] for p in result["programs"]}
    assert verdicts["tail_handle_ipv4"] == verdicts["tail_handle_ipv6"] == "compat_issue"
