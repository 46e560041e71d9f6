from __future__ import annotations

import json
from pathlib import Path

import pytest

from bcfpipe.corpus import elf
from bcfpipe.corpus import objects as corpus
from bcfpipe.errors import PipelineError
from tests.hosttools import CLANG

TWO_PROGS = r"""
__attribute__((section("xdp"), used)) int first(void *ctx) { return 2; }
static __attribute__((noinline)) int helper(int x) { return x + 1; }
__attribute__((section("socket"), used)) int second(void *ctx) { return helper(0); }
__attribute__((section("socket"), used)) int third(void *ctx) { return 0; }
__attribute__((section("license"), used)) char LICENSE[] = "GPL";
"""


@pytest.mark.skipif(CLANG is None, reason="needs clang")
def test_elf_lists_programs_like_libbpf(tmp_path: Path) -> None:
    src = tmp_path / "two.c"
    src.write_text(TWO_PROGS)
    obj = tmp_path / "two.o"
    rec = corpus.compile_object(str(CLANG), "-O2", src, obj, tmp_path)
    assert rec["ok"], rec
    progs = elf.programs(obj)
    assert [(p.name, p.section) for p in progs] == [
        ("first", "xdp"),
        ("second", "socket"),
        ("third", "socket"),
    ]


def test_elf_rejects_non_elf(tmp_path: Path) -> None:
    (tmp_path / "x.o").write_text("not elf")
    with pytest.raises(PipelineError, match=r"not a little-endian ELF64"):
        elf.programs(tmp_path / "x.o")


@pytest.mark.skipif(CLANG is None, reason="needs clang")
def test_compile_failure_is_recorded_with_the_error(tmp_path: Path) -> None:
    src = tmp_path / "bad.c"
    src.write_text("int x = ;\n")
    rec = corpus.compile_object(str(CLANG), "-O2", src, tmp_path / "bad.o", tmp_path)
    assert not rec["ok"] and "error:" in rec["error"]
    assert not (tmp_path / "bad.o").exists()


@pytest.mark.skipif(CLANG is None, reason="needs clang")
def test_compile_source_builds_every_variant_and_names_every_failure(tmp_path: Path) -> None:
    import subprocess
    import sys

    good = tmp_path / "good.c"
    good.write_text(TWO_PROGS)
    out = tmp_path / "objs"
    cmd = [sys.executable, "-m", "bcfpipe", "compile-source", "--compiler", str(CLANG)]
    cmd += ["--opts=-O1,-O2", "--include", str(tmp_path), "--out-dir", str(out)]
    subprocess.run([*cmd, "--src", str(good)], check=True, capture_output=True)
    assert sorted(p.name for p in out.iterdir()) == [
        f"{CLANG}_-O1_good.o",
        f"{CLANG}_-O2_good.o",
    ]
    bad = tmp_path / "bad.c"
    bad.write_text("int x = ;\n")
    proc = subprocess.run([*cmd, "--src", str(bad)], capture_output=True, text=True)
    assert proc.returncode != 0
    assert f"{CLANG} -O1: " in proc.stderr and f"{CLANG} -O2: " in proc.stderr


def test_truth_lines_and_names(tmp_path: Path) -> None:
    src = tmp_path / "p.c"
    src.write_text(
        "// truth: good safe stock=rejected the bound is lost through a shift\n"
        "// truth: bad unsafe stock=rejected\n"
        "//truth: notatruth maybe stock=loaded\n"
    )
    t = corpus.read_truth(src)
    assert [(x.program, x.safe, x.stock) for x in t] == [
        ("good", True, "rejected"),
        ("bad", False, "rejected"),
    ]
    assert t[0].why == "the bound is lost through a shift"
    assert corpus.object_name("clang-14", "-O2", "x_y") == "clang-14_-O2_x_y.o"
    assert corpus.parse_object_name("clang-14_-O2_x_y.o") == {
        "compiler": "clang-14",
        "opt": "-O2",
        "name": "x_y",
    }
    with pytest.raises(PipelineError, match=r"not named <compiler>_<opt>_<name>\.o"):
        corpus.parse_object_name("foo.o")


def test_every_corpus_program_has_exactly_one_truth_line(repo: Path) -> None:
    import re

    problems = []
    for src in corpus.discover(repo / "bpf-progs"):
        text = src.path.read_text()
        progs = re.findall(
            r'SEC\("[^"]+"\)\s*(?:__\w+\s+)*(?:int|long)\s+(?:BPF_\w+\(\s*)?(\w+)', text
        )
        truths = [t.program for t in corpus.read_truth(src.path)]
        for p in progs:
            if truths.count(p) != 1:
                problems.append(f"{src.project}/{src.name}: {p} has {truths.count(p)} truth lines")
    assert problems == []


def test_discover_unknown_project_is_named(repo: Path) -> None:
    with pytest.raises(PipelineError, match=r"corpus\.projects names 'nope'"):
        corpus.discover(repo / "bpf-progs", ["nope"])


def test_index_groups_variants_and_lists_failures() -> None:
    progs = [{"name": "p", "section": "xdp"}]
    entries = [
        {"project": "a", "source": "s", "object": "clang-19_-O2_s.o", "programs": progs},
        {"project": "a", "source": "s", "object": "clang-14_-O2_s.o", "programs": progs},
        {
            "project": "b",
            "source": "t",
            "object": "clang-14_-O1_t.o",
            "ok": False,
            "error": "error: boom",
        },
    ]
    idx = corpus.build_index(entries)
    assert idx["prog_index"] == {"a": {"s": ["clang-14_-O2_s.o", "clang-19_-O2_s.o"]}}
    assert idx["obj_prog_type"]["a/clang-14_-O2_s.o"] == {"p": "xdp"}
    assert idx["compile_failures"] == [
        {"project": "b", "source": "t", "object": "clang-14_-O1_t.o", "error": "error: boom"}
    ]
    assert idx["counts"] == {"projects": 2, "sources": 2, "objects": 2, "compile_failures": 1}


def test_prebuilt_import_with_the_papers_layout(tmp_path: Path) -> None:
    (tmp_path / "calico").mkdir()
    for name in ("clang-14_-O2_bpf_lxc.o", "clang-16_-O3_bpf_lxc.o"):
        (tmp_path / "calico" / name).write_bytes(b"\x7fELF")
    (tmp_path / "prog_index.json").write_text(
        json.dumps({"calico": {"bpf_lxc.o": ["clang-14_-O2_bpf_lxc.o", "clang-16_-O3_bpf_lxc.o"]}})
    )
    (tmp_path / "obj_prog_type.json").write_text(
        json.dumps({"calico/clang-14_-O2_bpf_lxc.o": "tc"})
    )
    imported = corpus.load_prebuilt(tmp_path)
    objs = imported["objects"]
    assert [(o["project"], o["source"], o["object"]) for o in objs] == [
        ("calico", "bpf_lxc", "clang-14_-O2_bpf_lxc.o"),
        ("calico", "bpf_lxc", "clang-16_-O3_bpf_lxc.o"),
    ]
    assert objs[0]["types"] == "tc" and objs[1]["types"] == {}
    assert corpus.type_overrides("tc", ["a", "b"]) == {"a": "tc", "b": "tc"}


def test_prebuilt_import_errors(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=r"has no prog_index\.json"):
        corpus.load_prebuilt(tmp_path)
    (tmp_path / "prog_index.json").write_text(json.dumps({"p": {"s.o": ["clang-14_-O2_s.o"]}}))
    with pytest.raises(PipelineError, match=r"1 objects listed .* are missing"):
        corpus.load_prebuilt(tmp_path)


def test_single_variant_sources_compile_once(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    asm = tmp_path / "p" / "asm_only.c"
    asm.write_text("// variants: single\n// truth: f unsafe stock=rejected x\n")
    c = tmp_path / "p" / "plain.c"
    c.write_text("// truth: g safe stock=loaded\n// variants: single is only a marker alone\n")
    compilers, opts = ["clang-14", "clang-19"], ["-O1", "-O2", "-O3"]
    srcs = {s.name: s for s in corpus.discover(tmp_path)}
    assert corpus.variants(srcs["asm_only"], compilers, opts) == [("clang-19", "-O2")]
    assert len(corpus.variants(srcs["plain"], compilers, opts)) == 6
    # without -O2 configured, the first level
    assert corpus.variants(srcs["asm_only"], compilers, ["-O1", "-O3"]) == [("clang-19", "-O1")]


def test_adversarial_project_is_all_unsafe(repo: Path) -> None:
    # The project exists to be rejected: every program in it is unsafe, and stock rejects it.
    srcs = corpus.discover(repo / "bpf-progs", ["adversarial"])
    assert len(srcs) >= 60
    for src in srcs:
        truths = corpus.read_truth(src.path)
        assert truths, src.path
        for t in truths:
            assert not t.safe and t.stock == "rejected", (src.path, t)
