"""The kick_tires table: verdicts against the truth lines, PASS/FAIL per row and overall."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from bcfpipe import cli
from bcfpipe.corpus.objects import Truth
from bcfpipe.load import kicktires

REPO = Path(__file__).resolve().parent.parent
LOADS = REPO / "tests/fixtures/results/loads"
SOURCES = REPO / "bpf-progs/patterns"


def _result(
    variant: str, group: str, programs: dict[str, str], vm: str = "ok", bcf: Any = None
) -> dict[str, Any]:
    r: dict[str, Any] = {
        "variant": variant,
        "project": "patterns",
        "group": group,
        "object": f"clang-19_-O2_{group}.o",
        "verdict": min(programs.values(), key=("rejected", "loaded").index) if programs else vm,
        "programs": [{"name": n, "verdict": v} for n, v in programs.items()],
        "vm": {"status": vm, "detail": "" if vm == "ok" else "kernel panic"},
    }
    if bcf:
        r["bcf"] = bcf
    return r


def _path(r: dict[str, Any]) -> str:
    return f"results/loads/{r['variant']}/{r['project']}/{r['object'][:-2]}.json"


TRUTHS = {
    ("patterns", "safe_rej"): [Truth("p", True, "rejected", "")],
    ("patterns", "bad"): [Truth("q", False, "rejected", "")],
    ("patterns", "mix"): [Truth("m", True, "mixed", "")],
    ("patterns", "two"): [Truth("a", True, "loaded", ""), Truth("b", False, "rejected", "")],
}


def _report(*results: dict[str, Any]) -> dict[str, Any]:
    return kicktires.report([(_path(r), r) for r in results], TRUTHS, ["bcf"], ["stock", "bcf"])


def test_expected_verdict_stock_line_without_bcf_safety_with_bcf() -> None:
    safe_rej, unsafe = TRUTHS[("patterns", "safe_rej")][0], TRUTHS[("patterns", "bad")][0]
    assert kicktires.expected_verdict(safe_rej, bcf=False) == "rejected"
    assert kicktires.expected_verdict(safe_rej, bcf=True) == "loaded"
    assert kicktires.expected_verdict(unsafe, bcf=False) == "rejected"
    assert kicktires.expected_verdict(unsafe, bcf=True) == "rejected"


def test_rows_pass_and_the_whole_passes() -> None:
    refs = [{"checked": True, "certificate_bytes": 10}, {"checked": False}]
    rep = _report(
        _result("stock", "safe_rej", {"p": "rejected"}),
        _result("bcf", "safe_rej", {"p": "loaded"}, bcf={"rounds": 2, "outcome": "accepted"}),
        _result("stock", "bad", {"q": "rejected"}),
        _result("bcf", "bad", {"q": "rejected"}, bcf={"rounds": 1, "outcome": "refuted"}),
    )
    assert [(x["object"], x["variant"]) for x in rep["rows"]] == [
        ("patterns/clang-19_-O2_bad", "stock"),
        ("patterns/clang-19_-O2_bad", "bcf"),
        ("patterns/clang-19_-O2_safe_rej", "stock"),
        ("patterns/clang-19_-O2_safe_rej", "bcf"),
    ]
    assert [x["status"] for x in rep["rows"]] == ["PASS"] * 4
    assert rep["overall"] == "PASS" and rep["checked"] == 4 and rep["failed"] == 0
    # certificates: refinements the kernel checked
    r = _result("bcf", "safe_rej", {"p": "loaded"}, bcf={"rounds": 2, "outcome": "accepted"})
    r["programs"][0]["refinements"] = refs
    assert kicktires.certificates(r) == 1


def test_an_unsafe_program_loaded_by_bcf_fails_the_whole() -> None:
    rep = _report(
        _result("stock", "bad", {"q": "rejected"}),
        _result("bcf", "bad", {"q": "loaded"}, bcf={"rounds": 2, "outcome": "accepted"}),
    )
    assert [x["status"] for x in rep["rows"]] == ["PASS", "FAIL"]
    assert rep["overall"] == "FAIL" and rep["failed"] == 1
    assert rep["rows"][1]["notes"] == ["q: loaded, expected rejected"]
    md = kicktires.render_markdown(rep)
    assert md.rstrip().endswith("kick_tires: FAIL (1 of 2 checked rows as expected)")
    assert "- patterns/clang-19_-O2_bad (bcf): q: loaded, expected rejected" in md


def test_a_vm_crash_fails_even_without_programs_and_mixed_takes_either_verdict() -> None:
    crashed = _result("stock", "mix", {"m": "loaded"}, vm="vm_crash")
    rep = _report(crashed, _result("stock", "mix", {"m": "rejected"}))
    statuses = sorted(x["status"] for x in rep["rows"])
    assert statuses == ["FAIL", "PASS"]
    assert any("VM vm_crash: kernel panic" in n for x in rep["rows"] for n in x["notes"])


def test_object_expectation_is_its_programs_worst() -> None:
    # a safe program that loads and an unsafe one that does not: the object is rejected
    rep = _report(_result("stock", "two", {"a": "loaded", "b": "rejected"}))
    (x,) = rep["rows"]
    assert x["expected"] == "rejected" and x["verdict"] == "rejected" and x["status"] == "PASS"
    rep = _report(_result("bcf", "two", {"a": "rejected", "b": "rejected"}, bcf={"rounds": 1}))
    (x,) = rep["rows"]
    assert x["status"] == "FAIL" and x["notes"] == ["a: rejected, expected loaded"]


def test_objects_without_truth_are_listed_not_checked() -> None:
    rep = _report(_result("stock", "unknown", {"z": "loaded"}))
    assert rep["rows"][0]["status"] == "-" and rep["unchecked"] == 1
    assert rep["overall"] == "NOTHING CHECKED"
    md = kicktires.render_markdown(rep)
    assert "| ? |" in md and "1 row(s) without truth lines are not checked." in md


@pytest.mark.parametrize(
    ("objects", "overall"),
    [
        (["clang-14_-O1_bpf_loop_index", "clang-19_-O2_var_shift_unsafe"], "PASS"),
        # synthetic bcf result: the round limit rejects a safe program
        (["clang-14_-O1_bpf_loop_index", "clang-16_-O3_bpf_loop_index"], "FAIL"),
    ],
)
def test_cli_on_result_files(tmp_path: Path, objects: list[str], overall: str) -> None:
    results = [str(LOADS / v / "patterns" / f"{o}.json") for v in ("stock", "bcf") for o in objects]
    sources = sorted({str(SOURCES / f"{o.split('_', 2)[2]}.c") for o in objects})
    out = tmp_path / "kick_tires.md"
    argv = ["kick-tires-report", "--result", *results, "--source", *sources]
    argv += ["--bcf-variant", "bcf", "--variant-order", "stock", "bcf", "--out", str(out)]
    assert cli.main(argv) in (0, None)
    md = out.read_text()
    assert md.rstrip().splitlines()[-1].startswith(f"kick_tires: {overall} (")
    rows = [ln for ln in md.splitlines() if ln.startswith("| patterns/")]
    assert len(rows) == len(results)
    for path in results:  # every row names its result file
        assert sum(path in ln for ln in rows) == 1
    first = json.loads(Path(results[len(objects)]).read_text())  # bcf, first object
    assert first["bcf"]["rounds"] == 2
    assert "| 2 (accepted) | 1 | PASS |" in md


def test_bcf_rows_show_rounds_and_stock_rows_do_not() -> None:
    stock = json.loads((LOADS / "stock/patterns/clang-14_-O1_bpf_loop_index.json").read_text())
    bcf = json.loads((LOADS / "bcf/patterns/clang-14_-O1_bpf_loop_index.json").read_text())
    truths = {("patterns", "bpf_loop_index"): [Truth("bpf_loop_index", True, "rejected", "")]}
    rep = kicktires.report([("s.json", stock), ("b.json", copy.deepcopy(bcf))], truths, ["bcf"])
    by_variant = {x["variant"]: x for x in rep["rows"]}
    assert by_variant["stock"]["rounds"] is None and by_variant["stock"]["certificates"] is None
    assert by_variant["bcf"]["rounds"] == 2 and by_variant["bcf"]["certificates"] == 1
    assert by_variant["bcf"]["log"] == "b.log"
