"""The paper's loader loop after the VM: its log lines become our result fields and tables.

Unit tests of :mod:`bcfpipe.load.bpftoollog` on the sample logs (tests/fixtures/paper-logs), then
the real ``load-objects`` command with a stand-in QEMU that runs the generated guest script on the
host with a stand-in bpftool printing those logs, then the aggregation of stock and upstream.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from bcfpipe.aggregate.table import read_csv
from bcfpipe.cli import main
from bcfpipe.corpus import objects as corpus
from bcfpipe.errors import PipelineError
from bcfpipe.load import bpftoollog, loadjob

LOGS = Path(__file__).parent / "fixtures" / "paper-logs"
REPO = Path(__file__).resolve().parent.parent


def sample(name: str) -> tuple[str, int]:
    first, _, rest = (LOGS / name).read_text().partition("\n")
    return rest, int(first.split()[1])


def test_accepted_program_carries_every_checked_proof() -> None:
    text, code = sample("upstream_accepted.log")
    (prog,) = bpftoollog.programs(text, code)
    assert prog["name"] == "shift_constraint" and prog["verdict"] == "loaded"
    assert prog["insns_processed"] == 14 and prog["verification_time_us"] == 42070
    first, second = prog["refinements"]
    assert first == {
        "kind": "range",
        "insn": 9,
        "nth": 1,
        "backtrack_length": 20,
        "track_length": 9,
        "condition_bytes": 676,
        "certificate_bytes": 13756,
        "check_ns": 99361,
        "solve_seconds": None,
        "round": 1,
        "checked": True,
    }
    # The earlier artifact's shorter line: what it does not say stays unknown.
    assert second["kind"] == "path" and second["certificate_bytes"] == 168
    assert second["track_length"] is None and second["condition_bytes"] is None
    assert bpftoollog.bcf_record(text, [prog])["outcome"] == "accepted"


def test_rejection_is_categorised_like_the_project_loader() -> None:
    text, code = sample("stock_rejected.log")
    (prog,) = bpftoollog.programs(text, code)
    assert prog["verdict"] == "rejected" and prog["errno"] == -13
    assert prog["error_category"] == "stack_bounds"
    assert prog["error_line"].startswith("invalid variable-offset read from stack")
    assert prog["insns_processed"] == 10 and prog["refinements"] == []


def test_a_satisfiable_refinement_condition_is_refuted() -> None:
    text, code = sample("upstream_refuted.log")
    progs = bpftoollog.programs(text, code)
    assert progs[0]["verdict"] == "rejected" and progs[0]["errno"] == -13
    assert bpftoollog.bcf_record(text, progs)["outcome"] == "refuted"


def test_an_object_that_never_reaches_the_verifier_is_a_compat_issue() -> None:
    text, code = sample("compat.log")
    (prog,) = bpftoollog.programs(text, code)
    assert prog["verdict"] == "compat_issue" and prog["error_category"]
    assert "failed to load object" in prog["error_line"]


def test_missing_prover_announcement_stops_the_job() -> None:
    text, _ = sample("stock_rejected.log")
    with pytest.raises(PipelineError, match="did not announce a prover"):
        bpftoollog.check_prover(text, "collected/x.o")


def test_guest_script_uses_the_object_type_and_never_guesses() -> None:
    jobs = [
        loadjob.ObjectJob(Path("/x/clang-19_-O2_a.bpf.o"), "p", prog_type="socket"),
        loadjob.ObjectJob(Path("/x/clang-19_-O2_b.bpf.o"), "p"),
    ]
    script = bpftoollog.guest_script(jobs, 600, prover=True)
    assert "timeout 600 bpftool -d -P /bin/cvc5 prog loadall objs/0/clang-19_-O2_a.bpf.o " in script
    assert "/sys/fs/bpf/o0 type socket > out/0/load.log 2>&1" in script
    assert "/sys/fs/bpf/o1 > out/1/load.log" in script
    assert "-P" not in bpftoollog.guest_script(jobs, 600, prover=False)


def test_object_type_from_the_paper_index() -> None:
    assert corpus.object_type("xdp") == "xdp"
    assert corpus.object_type(None) == ""
    assert corpus.object_type({"a": "xdp", "b": "xdp"}) == "xdp"
    assert corpus.object_type({"a": "xdp", "b": "socket"}) == ""


# -- the whole loop after the VM, with stand-ins for QEMU and bpftool -------------------------

FAKE_QEMU = """#!{python}
import os, re, subprocess, sys
args = sys.argv[1:]
share = re.search(r"path=([^,]+)", args[args.index("-virtfs") + 1]).group(1)
bpffs = os.path.join(share, "bpffs")
os.makedirs(bpffs, exist_ok=True)
script = open(os.path.join(share, "run.sh")).read()
script = script.replace("/sys/fs/bpf", bpffs).replace("cd /job", "cd " + share)
script = script.replace("/bin/cvc5", "cvc5")
env = dict(os.environ, PATH=os.environ["FAKE_BIN"] + ":" + os.environ["PATH"])
rc = subprocess.run(["sh", "-c", script], env=env).returncode
open(os.path.join(share, "console.log"), "w").write("bcfpipe-guest: payload exited %d\\n" % rc)
open(os.path.join(share, "exit-status"), "w").write("%d\\n" % rc)
"""

FAKE_BPFTOOL = """#!{python}
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_ARGV"], "a") as f:
    f.write(" ".join(args) + "\\n")
obj = os.path.basename(args[args.index("loadall") + 1])
variant = "upstream" if "-P" in args else "stock"
name = json.loads(os.environ["FAKE_LOGS"])[variant + ":" + obj]
first, _, text = open(os.path.join(os.environ["LOG_DIR"], name)).read().partition("\\n")
sys.stdout.write(text)
sys.exit(int(first.split()[1]))
"""

CASES = {
    "stock:clang-19_-O2_shift_constraint.bpf.o": "stock_rejected.log",
    "upstream:clang-19_-O2_shift_constraint.bpf.o": "upstream_accepted.log",
    "stock:clang-14_-O2_shift_constraint.bpf.o": "stock_rejected.log",
    "upstream:clang-14_-O2_shift_constraint.bpf.o": "upstream_refuted.log",
    "stock:clang-19_-O2_ksnoop.bpf.o": "compat.log",
    "upstream:clang-19_-O2_ksnoop.bpf.o": "upstream_compat.log",
}
OBJECTS = {
    "collected": ["clang-19_-O2_shift_constraint.bpf.o", "clang-14_-O2_shift_constraint.bpf.o"],
    "bcc": ["clang-19_-O2_ksnoop.bpf.o"],
}


def _exe(path: Path, text: str) -> Path:
    path.write_text(text.replace("{python}", sys.executable))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture(scope="module")
def loop(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("loop")
    # A corpus laid out like the paper's, imported the way the checkpoint does it.
    progs = tmp / "bpf-progs"
    index: dict[str, dict[str, list[str]]] = {}
    for project, names in OBJECTS.items():
        (progs / project).mkdir(parents=True)
        for n in names:
            index.setdefault(project, {}).setdefault(n.split("_", 2)[2], []).append(n)
            (progs / project / n).write_bytes(
                (REPO / "tests" / "fixtures" / "bpf" / "legacy_maps.c").read_bytes()
            )
    (progs / "prog_index.json").write_text(json.dumps(index))
    (progs / "obj_prog_type.json").write_text(
        json.dumps({n: "socket" for n in OBJECTS["collected"]} | {OBJECTS["bcc"][0]: None})
    )
    imported = corpus.load_prebuilt(progs)
    out = tmp / "results"
    (out / "corpus").mkdir(parents=True)
    index_data = corpus.build_index(
        [
            {"project": o["project"], "source": o["source"], "object": o["object"], "programs": []}
            for o in imported["objects"]
        ]
    )
    (out / "corpus" / "index.json").write_text(json.dumps(index_data))
    fake_bin = tmp / "bin"
    fake_bin.mkdir()
    _exe(fake_bin / "bpftool", FAKE_BPFTOOL)
    qemu = _exe(tmp / "qemu", FAKE_QEMU)
    accel = tmp / "accel.json"
    accel.write_text(json.dumps({"accel": "tcg"}))
    argv = tmp / "argv.log"
    env = {
        "FAKE_BIN": str(fake_bin),
        "FAKE_ARGV": str(argv),
        "FAKE_LOGS": json.dumps(CASES),
        "LOG_DIR": str(LOGS),
    }
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        for variant, prover in (("stock", False), ("upstream", True)):
            spec = tmp / f"{variant}.vm.json"
            settings = {
                "memory_mb": 512,
                "qemu": str(qemu),
                "scratch": str(tmp / "scratch"),
                "boot_timeout_s": 60,
                "object_timeout_s": 60,
                "loader": "bpftool",
                "bcf": prover,
                "bcf_rounds": 4,
                "bcf_prove_seconds": 60,
            }
            vm_args = ["--kernel", str(qemu), "--initrd", str(qemu), "--accel", str(accel)]
            vm_args += ["--settings", json.dumps(settings), "--out", str(spec)]
            assert main(["vm-spec", "--variant", variant, *vm_args]) == 0
            for o in imported["objects"]:
                stem = o["object"][:-2]
                dest = out / "loads" / variant / o["project"]
                args = [
                    "load-objects",
                    "--vm",
                    str(spec),
                    "--object",
                    o["path"],
                    "--project",
                    o["project"],
                    f"--types={json.dumps(o['types']) if o['types'] else ''}",
                    "--out",
                    str(dest / f"{stem}.json"),
                    "--log",
                    str(dest / f"{stem}.log"),
                ]
                assert main(args) == 0
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    manifest = tmp / "manifest.json"
    manifest.write_text(
        json.dumps({"id": "0123456789abcdef", "workflow": {"commit": "0" * 12, "dirty": False}})
    )
    common = [
        "--index",
        str(out / "corpus" / "index.json"),
        "--loads",
        str(out / "loads"),
        "--variant",
        "stock",
        "upstream",
        "--manifest",
        str(manifest),
    ]
    assert main(["aggregate-paper", *common, "--out-dir", str(out / "paper")]) == 0
    assert main(["aggregate-compare", *common, "--out-dir", str(out / "tables")]) == 0
    return {"out": out, "argv": argv.read_text()}


def result(loop: dict[str, Any], variant: str, project: str, obj: str) -> dict[str, Any]:
    return json.loads((loop["out"] / "loads" / variant / project / f"{obj[:-2]}.json").read_text())


def test_the_guest_ran_the_paper_loop_with_types_and_prover(loop: dict[str, Any]) -> None:
    lines = loop["argv"].splitlines()
    assert len(lines) == 6
    assert any(ln.startswith("-d -P cvc5 prog loadall objs/0/clang-19_-O2_shift") for ln in lines)
    assert any(ln.endswith("type socket") for ln in lines)
    assert not any("ksnoop" in ln and "type" in ln for ln in lines)


def test_results_have_the_fields_of_the_project_bcf(loop: dict[str, Any]) -> None:
    up = result(loop, "upstream", "collected", OBJECTS["collected"][0])
    assert up["verdict"] == "loaded" and up["vm"]["status"] == "ok"
    assert up["bcf"]["outcome"] == "accepted"
    assert [r["check_ns"] for r in up["programs"][0]["refinements"]] == [99361, 5100]
    refuted = result(loop, "upstream", "collected", OBJECTS["collected"][1])
    assert refuted["verdict"] == "rejected" and refuted["bcf"]["outcome"] == "refuted"
    stock = result(loop, "stock", "collected", OBJECTS["collected"][0])
    assert stock["verdict"] == "rejected" and "bcf" not in stock
    assert result(loop, "stock", "bcc", OBJECTS["bcc"][0])["verdict"] == "compat_issue"


def test_table2_and_acceptance_compare_upstream_with_stock(loop: dict[str, Any]) -> None:
    _, rows = read_csv(loop["out"] / "paper" / "table2.csv")
    by = {r["metric"]: r for r in rows if r["variant"] == "upstream"}
    assert by["certificate size"]["n"] == "2" and float(by["certificate size"]["max"]) == 13756
    assert float(by["certificate check time"]["min"]) == pytest.approx(5.1)
    assert by["symbolic track length"]["n"] == "1"  # the short line has no track length
    assert by["proof time / verification time"]["n"] == "0"  # bpftool reports no solver time
    _, acc = read_csv(loop["out"] / "paper" / "acceptance.csv")
    raw = next(r for r in acc if r["measure"] == "rejected objects accepted (raw)")
    assert (raw["stock"], raw["variant_value"]) == ("2", "1")
    compare = (loop["out"] / "tables" / "compare.md").read_text()
    assert "upstream" in compare
