"""test_verifier support: build inputs, output parsing (on a real run's output), comparison."""

from __future__ import annotations

from pathlib import Path

import pytest

from bcfpipe.errors import PipelineError
from bcfpipe.selftests import corpus as selftest_corpus
from bcfpipe.selftests import verifier
from tests.hosttools import CLANG

FIXTURE = Path(__file__).parent / "fixtures" / "selftests" / "test_verifier.stock.out"


def test_parse_real_output_matches_its_summary() -> None:
    res = verifier.parse_output(FIXTURE.read_text())
    assert res["complete"]
    s = res["summary"]
    # Every test line is found, and the counts agree with test_verifier's own summary.
    assert res["counts"] == {"pass": s["passed"], "fail": s["failed"], "skip": s["skipped"]}
    ids = [t["id"] for t in res["tests"]]
    assert len(ids) == len(set(ids)) == s["passed"] + s["failed"] + s["skipped"]
    assert any(t["id"].endswith("/u") for t in res["tests"])


def test_parse_verdict_forms() -> None:
    text = "\n".join(
        [
            "#1/p add OK",
            "#2/p map SKIP (unsupported map type 30)",
            "#3/u check FAIL: Unexpected bpf_prog_test_run error (Invalid argument) ",
            "#4/p retval FAIL retval 1 != 2 ",
            "#5/p it is OK to fail FAIL",
            "Unexpected error message!",
            "#6/p cut off mid-line by a dying gues",
        ]
    )
    res = verifier.parse_output(text)
    assert [(t["id"], t["verdict"]) for t in res["tests"]] == [
        ("#1/p", "pass"),
        ("#2/p", "skip"),
        ("#3/u", "fail"),
        ("#4/p", "fail"),
        ("#5/p", "fail"),
    ]
    assert res["tests"][4]["name"] == "it is OK to fail"
    assert not res["complete"] and res["summary"] is None


def test_tests_header(tmp_path: Path) -> None:
    (tmp_path / "b.c").write_text("")
    (tmp_path / "a.c").write_text("")
    h = verifier.tests_header(tmp_path)
    assert h.splitlines() == [
        "/* Generated header, do not edit */",
        "#ifdef FILL_ARRAY",
        '#include "a.c"',
        '#include "b.c"',
        "#endif",
    ]
    with pytest.raises(PipelineError, match="no verifier tests"):
        verifier.tests_header(tmp_path / "missing")


def test_build_names_a_tree_without_selftests(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="no BPF selftests"):
        verifier.build_test_verifier(tmp_path, tmp_path / "l.a", tmp_path, tmp_path / "out")


def _res(verdicts: dict[str, str], complete: bool = True) -> dict[str, object]:
    tests = [{"id": i, "name": f"t{i}", "verdict": v} for i, v in verdicts.items()]
    counts = {v: sum(t["verdict"] == v for t in tests) for v in ("pass", "fail", "skip")}
    return {"tests": tests, "complete": complete, "counts": counts}


def test_compare_finds_regressions_and_gains() -> None:
    stock = _res({"#1/p": "pass", "#2/p": "fail", "#3/p": "pass", "#4/p": "pass"})
    bcf = _res({"#1/p": "pass", "#2/p": "pass", "#3/p": "fail"}, complete=False)
    cmp = verifier.compare({"stock": stock, "bcf": bcf}, "stock")
    r = cmp["variants"]["bcf"]
    assert [(x["id"], x["verdict"]) for x in r["regressions"]] == [
        ("#3/p", "fail"),
        ("#4/p", "missing"),
    ]
    assert [x["id"] for x in r["gains"]] == ["#2/p"]
    assert cmp["variants"]["stock"]["regressions"] == []
    md = verifier.markdown(cmp)
    assert "| bcf | **no** | 2 | 1 | 0 | 2 | 1 | 0 |" in md
    assert "- #4/p t#4/p: missing" in md
    with pytest.raises(PipelineError, match="baseline"):
        verifier.compare({"bcf": bcf}, "stock")


@pytest.mark.skipif(CLANG is None, reason="needs clang")
def test_corpus_build_in_parallel_lists_what_one_job_lists(tmp_path: Path) -> None:
    """The selftests checkpoint compiles with several jobs; the index must not depend on that:
    same objects in the same order, failures with their first error, annotations read."""
    assert CLANG is not None
    progs = tmp_path / "tree" / selftest_corpus.PROGS
    progs.mkdir(parents=True)
    (progs / "good.c").write_text(
        "#include <linux/bpf.h>\n"
        "#define SEC(n) __attribute__((section(n), used))\n"
        "#define __success\n"
        'SEC("xdp") __success int pass(struct xdp_md *ctx) { return XDP_PASS; }\n'
        'char _license[] SEC("license") = "GPL";\n'
    )
    (progs / "broken.c").write_text("int x = ;\n")
    include = tmp_path / "include"
    include.mkdir()
    index = {}
    for jobs in (1, 3):
        index[jobs] = selftest_corpus.build(
            tmp_path / "tree",
            include,
            tmp_path / f"out{jobs}",
            ["*.c"],
            [CLANG],
            ["-O1", "-O2"],
            progress=lambda _m: None,
            jobs=jobs,
        )
    one, three = index[1], index[3]
    assert (
        one["counts"]
        == three["counts"]
        == {
            "compile_failures": 2,
            "objects": 2,
            "projects": 1,
            "sources": 2,
        }
    )
    assert one["prog_index"] == three["prog_index"]
    assert one["compile_failures"] == three["compile_failures"]
    assert all("error" in f for f in one["compile_failures"])
    assert three["expectations"] == {
        f"{CLANG}_-O1_good.o": {"pass": "success"},
        f"{CLANG}_-O2_good.o": {"pass": "success"},
    }
