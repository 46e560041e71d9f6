"""Dynamic validation end to end: the KASAN build of the BCF series runs every acceptance.

Asks the shared slow-test run (tests/e2e.py) for ``results/tables/soundness.json``: Snakemake
builds ``bcf-kasan``, loads the e2e corpus on stock and bcf, and runs ``validate_bcf``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bcfpipe.bcf import link
from bcfpipe.corpus import elf
from bcfpipe.corpus import objects as corpus
from bcfpipe.guest import vm
from bcfpipe.kernel import kconfig
from bcfpipe.load import loadjob
from bcfpipe.validate import inputs, run
from tests.e2e import OUT, snakemake

pytestmark = pytest.mark.slow

RESULTS = OUT / "results"
REPORT = RESULTS / "tables" / "soundness.json"


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    snakemake(str(REPORT), str(RESULTS / "tables" / "soundness.md"))
    data: dict[str, Any] = json.loads(REPORT.read_text())
    return data


def needs_the_jit(obj: Path) -> bool:
    """The interpreter refuses the object's programs, so they are validated JIT-compiled: one
    hands a subprogram to a helper (libbpf makes its address a BPF_PSEUDO_FUNC, as for
    bpf_loop: "callbacks are not allowed in non-JITed programs") or calls a kfunc ("JIT is
    required for calling kernel function")."""
    for prog in elf.programs(obj):
        linked = link.program_insns(obj, prog.section, prog.name)
        if linked is not None and (
            linked.kfuncs
            or any(i[0] == link.LD_IMM64 and i[2] == link.BPF_PSEUDO_FUNC for i in linked.insns)
        ):
            return True
    return False


def accepted_and_rejected() -> set[tuple[str, str, str]]:
    out = set()
    for path in (RESULTS / "loads" / "bcf").glob("*/*.json"):
        bcf = json.loads(path.read_text())
        stock_path = RESULTS / "loads" / "stock" / path.relative_to(RESULTS / "loads" / "bcf")
        stock = {p["name"]: p["verdict"] for p in json.loads(stock_path.read_text())["programs"]}
        for p in bcf["programs"]:
            if p["verdict"] == "loaded" and stock.get(p["name"]) == "rejected":
                out.add((bcf["project"], bcf["object"], p["name"]))
    return out


def test_the_validation_kernel_has_kasan_and_no_forced_jit(report: dict[str, Any]) -> None:
    opts = kconfig.parse((RESULTS / "kernel" / "bcf-kasan" / "config").read_text())
    assert opts["CONFIG_KASAN"] == "y"
    assert opts.get("CONFIG_BPF_JIT_ALWAYS_ON", "n") == "n"
    build = json.loads((RESULTS / "kernel" / "bcf-kasan" / "build.json").read_text())
    assert "KASAN_SANITIZE_core.o=y" in build["make_vars"]


def test_every_acceptance_ran_clean_in_the_interpreter(report: dict[str, Any]) -> None:
    expected = accepted_and_rejected()
    assert len(expected) >= 5, "the e2e corpus should give bcf several acceptances"
    got = {(r["project"], r["object"], r["program"]) for r in report["programs"]}
    assert got == expected
    assert report["summary"]["failures"] == 0, json.dumps(
        [r for r in report["programs"] if r["failures"]], indent=1
    )
    for r in report["programs"]:
        assert inputs.runnable(r["prog_type"]), r
        assert r["status"] == "clean", r
        # JIT-compiled code's own accesses are not instrumented: only where the interpreter
        # cannot run the program at all.
        obj = RESULTS / "corpus" / "objects" / r["project"] / r["object"]
        assert not r["jit"] or needs_the_jit(obj), f"{r['program']} ran JIT-compiled"
        # Refused runs are inputs the type cannot take, never most of them.
        refused = sum(r["run_errors"].values())
        assert r["runs"] == r["inputs"] and refused < r["runs"] / 2, r


def test_certificates_came_from_the_store(report: dict[str, Any]) -> None:
    store = Path(OUT / "work" / "certs")
    assert any(store.rglob("*.cert")), "the bcf loads file their certificates in work/certs"
    md = (RESULTS / "tables" / "soundness.md").read_text()
    assert "**0 soundness failures**" in md


def test_a_kernel_report_during_the_runs_is_recorded(tmp_path: Path) -> None:
    """The oracle bites: a report in the kernel log while a program runs becomes a failure.

    No BCF program can be made to fault on purpose, so the guest writes a KASAN-style record
    into the kernel log once the loader has started its runs (masked_index_ok loads on any
    kernel); the loader must pick it up after the run it happened in, and the record must come
    out as a failure of that program naming an input.
    """
    snakemake(
        str(RESULTS / "kernel" / "bcf-kasan" / "bzImage"),
        str(RESULTS / "guest" / "bcf-kasan" / "initramfs.cpio"),
        str(RESULTS / "corpus" / "objects" / "patterns" / "clang-19_-O2_masked_index_ok.o"),
        str(RESULTS / "host" / "accel.json"),
    )
    obj = RESULTS / "corpus" / "objects" / "patterns" / "clang-19_-O2_masked_index_ok.o"
    share = tmp_path / "share"
    (share / "inputs").mkdir(parents=True)
    (share / "obj.o").write_bytes(obj.read_bytes())
    many = inputs.generate("xdp", set(range(14, 1500)), seed=1, limit=1500)
    (share / "inputs" / "masked_index_ok.inputs").write_bytes(inputs.encode(many))
    (share / "run.sh").write_text(
        "mkdir -p out\n"
        "( while [ ! -s out/0.run ]; do :; done; "
        "echo '<3>BUG: KASAN: bcfpipe test record' > /dev/kmsg ) &\n"
        "bcfpipe-load -I -R inputs obj.o out\nwait\n"
    )
    outcome = vm.run(
        RESULTS / "kernel" / "bcf-kasan" / "bzImage",
        RESULTS / "guest" / "bcf-kasan" / "initramfs.cpio",
        share,
        accel=vm.read_accel(RESULTS / "host" / "accel.json"),
        timeout_s=600,
        append="kasan_multi_shot",
    )
    assert outcome.status == "ok", (outcome, (share / "payload.log").read_text())
    tr = loadjob.test_runs(share / "out", 0)
    assert len(tr["runs"]) == len(many)
    found = run.reports(tr["kmsg"])
    assert any("bcfpipe test record" in ln for lines in found.values() for ln in lines), tr["kmsg"]
    target = run.Target("patterns", obj.name, {"masked_index_ok": "xdp"})
    prog = {"name": "masked_index_ok", "verdict": "loaded", "test_run": tr}
    rec = run.program_record(target, "masked_index_ok", many, {"vm": {"status": "ok"}}, prog)
    assert rec["status"] == "failure" and rec["failures"][0]["input"] is not None


def _map_fill_runs(tmp_path: Path, fixture: str) -> tuple[list[inputs.Input], list[int]]:
    """Each input of a tc program with constants {1, 5} run on ``fixture`` in the stock guest:
    the inputs and the runs' return values."""
    kernel = RESULTS / "kernel" / "stock" / "bzImage"
    initrd = RESULTS / "guest" / "stock" / "initramfs.cpio"
    headers = RESULTS / "corpus" / "include"
    snakemake(str(kernel), str(initrd), str(headers), str(RESULTS / "host" / "accel.json"))
    share = tmp_path / "share"
    (share / "inputs").mkdir(parents=True)
    src = Path(__file__).parent / "fixtures" / "bpf" / f"{fixture}.c"
    rec = corpus.compile_object("clang-19", "-O2", src, share / "obj.o", headers)
    assert rec["ok"], rec
    ins = inputs.generate("sched_cls", {1, 5}, seed=7, limit=12)
    (share / "inputs" / f"{fixture}.inputs").write_bytes(inputs.encode(ins))
    (share / "run.sh").write_text("mkdir -p out\nbcfpipe-load -R inputs obj.o out\n")
    outcome = vm.run(
        kernel, initrd, share, accel=vm.read_accel(RESULTS / "host" / "accel.json"), timeout_s=300
    )
    assert outcome.status == "ok", (outcome, (share / "payload.log").read_text())
    runs = loadjob.test_runs(share / "out", 0)["runs"]
    assert len(runs) == len(ins)
    assert {i.label.rsplit("maps=", 1)[1] for i in ins} == set(inputs.MAP_FILLS)
    return ins, [r["retval"] for r in runs]


def test_each_input_writes_its_map_fill(tmp_path: Path) -> None:
    """Before a run the loader writes the input's map bytes into every writable array map (an
    index read from a map value is exercised beyond a fresh map's zeroes): the fixture returns
    entry 1's low half, which must be what the input's fill put there."""
    ins, retvals = _map_fill_runs(tmp_path, "map_fill_echo")
    expected = []
    for i in ins:
        entry1 = (i.maps * (16 // len(i.maps) + 1))[8:16]
        expected.append(int.from_bytes(entry1, "little") & 0xFFFFFFFF)
    assert retvals == expected
    assert 0xFFFFFFFF in expected and 0 in expected and len(set(expected)) >= 4


def test_each_input_fills_hash_maps_with_keys_from_its_bytes(tmp_path: Path) -> None:
    """A hash map is emptied, then given 64 entries, each a 4-byte key and an 8-byte value cut
    from the input's map bytes (the last entry of a key wins): the fixture returns key 0's value
    (low half) or 0xdead, so some fills must find the key (zeroes, small words, the program's
    constants) and some not (random bytes, ones)."""
    ins, retvals = _map_fill_runs(tmp_path, "map_fill_hash_echo")
    expected = []
    for i in ins:
        stream = i.maps * (64 * 12 // len(i.maps) + 1)
        entries = {}
        for e in range(64):
            entries[stream[12 * e : 12 * e + 4]] = stream[12 * e + 4 : 12 * e + 12]
        value = entries.get(bytes(4))
        expected.append(0xDEAD if value is None else int.from_bytes(value, "little") & 0xFFFFFFFF)
    assert retvals == expected
    assert 0xDEAD in expected and len(set(expected)) >= 3
