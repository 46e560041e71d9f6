"""The bcf kernel variant end to end, on kernels the pipeline builds (in the e2e output folder).

A module fixture asks Snakemake (tests/e2e.py, the same run the other slow tests share) for the
stock and bcf kernels, guests and the pattern objects these tests load, so CI exercises the real
series. BCFPIPE_BCF_KERNEL / BCFPIPE_BCF_INITRD point the tests at a development build instead.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bcfpipe.bcf.encoding import condition_hash
from bcfpipe.corpus import objects as corpus
from bcfpipe.guest import vm
from bcfpipe.load import bcfloop, loadjob
from tests import progen
from tests.e2e import OUT, REPO, snakemake

pytestmark = pytest.mark.slow

RESULTS = OUT / "results"
KERNEL = Path(os.environ.get("BCFPIPE_BCF_KERNEL", RESULTS / "kernel" / "bcf" / "bzImage"))
INITRD = Path(os.environ.get("BCFPIPE_BCF_INITRD", RESULTS / "guest" / "bcf" / "initramfs.cpio"))
ACCEL = Path(os.environ.get("BCFPIPE_ACCEL", RESULTS / "host" / "accel.json"))
OBJS = RESULTS / "corpus" / "objects" / "patterns"
HEADERS = RESULTS / "corpus" / "include"
ADVERSARIAL = REPO / "bpf-progs" / "adversarial"
# C sources of the adversarial project are compiled by the oldest and newest clang here (the
# default evaluation compiles every configured variant); naked-asm ones once.
ADV_COMPILERS = ["clang-14", "clang-19"]

# Safe programs the stock verifier rejects (range refinement at an access, at pointer arithmetic,
# path refinement), and unsafe twins whose condition must be refuted with a counterexample.
SAFE = [
    "mask_diff_index",
    "late_bound_other_reg",
    "bitfield_extract",
    "stack_byte_compose",
    "arsh30_infeasible",
    "uninit_reg_correlated",
    "pkt_var_off",
    "pkt_len_bound",
    "reload_flag_fanout",
    "subprog_index",
    "helper_size_relation",
    "bpf_loop_index",
    "bpf_loop_var_bound",
]
UNSAFE = [
    "mask_diff_unsafe",
    "late_bound_unsafe",
    "xor_mask_unsafe",
    "stack_byte_compose_unsafe",
    "arsh_feasible_unsafe",
    "uninit_reg_unsafe",
    "pkt_var_off_unsafe",
    "pkt_len_bound_unsafe",
    "reload_flag_fanout_unsafe",
    "subprog_index_unsafe",
    "helper_size_relation_unsafe",
    "bpf_loop_unsafe",
    "bpf_loop_var_bound_unsafe",
]


@pytest.fixture(scope="module", autouse=True)
def built() -> None:
    if "BCFPIPE_BCF_KERNEL" in os.environ:
        return
    names = SAFE + UNSAFE + ["masked_index_ok"]
    targets = [str(RESULTS / f"kernel/{v}/bzImage") for v in ("stock", "bcf")]
    targets += [str(RESULTS / f"guest/{v}/initramfs.cpio") for v in ("stock", "bcf")]
    targets += [str(ACCEL), str(HEADERS)]
    targets += [str(OBJS / f"clang-19_-O2_{n}.o") for n in names]
    targets += [str(RESULTS / f"loads/stock/patterns/clang-19_-O2_{n}.json") for n in names]
    snakemake(*targets)


def need(*paths: Path) -> None:
    for p in paths:
        if not p.exists():
            pytest.skip(f"{p} missing: build the bcf variant first")


def obj(name: str) -> Path:
    p = OBJS / f"clang-19_-O2_{name}.o"
    need(p)
    return p


def vm_kw() -> dict[str, Any]:
    need(KERNEL, INITRD, ACCEL)
    return {
        "kernel": KERNEL,
        "initrd": INITRD,
        "accel": json.loads(ACCEL.read_text())["accel"],
        "variant": "bcf",
        "timeout_s": 180,
        "per_object_timeout": 60,
    }


def job(name: str) -> loadjob.ObjectJob:
    return loadjob.ObjectJob(obj(name), "patterns")


@pytest.mark.parametrize("name", SAFE)
def test_safe_pattern_accepted_with_checked_refinement(name: str) -> None:
    [(res, raw)] = loadjob.run_jobs_bcf([job(name)], **vm_kw())
    assert res["bcf"]["outcome"] == "accepted", raw[-3000:]
    assert res["verdict"] == "loaded"
    refs = [r for p in res["programs"] for r in p["refinements"]]
    # check_ns may read 0: the TCG guest clock advances in coarse steps (docs/benchmarks.md).
    assert refs and all(r["checked"] and r["check_ns"] is not None for r in refs)
    assert all(r["solve_seconds"] is not None and r["round"] == 1 for r in refs)
    assert not res["kernel_warnings"]


def test_a_state_explosion_asks_for_one_condition() -> None:
    """256 paths reach reload_flag_fanout's dereference; what makes each infeasible lies in the last
    dozen instructions, the same on every path (0011): one condition of a 32-instruction suffix,
    one proof, one certificate check, reused for the other 255 paths."""
    [(res, raw)] = loadjob.run_jobs_bcf([job("reload_flag_fanout")], **vm_kw())
    assert res["bcf"]["outcome"] == "accepted" and res["bcf"]["rounds"] == 2, raw[-3000:]
    refs = [r for p in res["programs"] for r in p["refinements"]]
    assert len(refs) == 256 and all(r["checked"] and r["cut"] for r in refs)
    assert [r["cached"] for r in refs].count(False) == 1
    assert refs[0]["track_length"] == 32


def test_a_loop_unrolled_past_its_trip_count_drops_the_rounds_that_cannot_run(
    tmp_path: Path,
) -> None:
    """xdp_ipv4_csum by clang-14: the verifier unrolls the checksum loop past its 30 rounds;
    the first round that cannot run is certified infeasible and dropped (0014) instead of the
    unrolling going on until a suffix too long to show it is refuted."""
    need(HEADERS)
    o = tmp_path / "clang-14_-O2_xdp_ipv4_csum.o"
    src = REPO / "bpf-progs" / "xdp-lb" / "xdp_ipv4_csum.c"
    assert corpus.compile_object("clang-14", "-O2", src, o, HEADERS)["ok"]
    [(res, raw)] = loadjob.run_jobs_bcf([loadjob.ObjectJob(o, "xdp-lb")], **vm_kw())
    assert res["bcf"]["outcome"] == "accepted" and res["verdict"] == "loaded", raw[-3000:]
    refs = [r for p in res["programs"] for r in p["refinements"]]
    drops = [r for r in refs if r["kind"] == "path"]
    assert len(drops) == 1 and drops[0]["checked"] and drops[0]["solve_seconds"] is not None
    assert len(refs) > 1 and all(r["checked"] for r in refs)
    assert not res["kernel_warnings"]


@pytest.mark.parametrize("name", UNSAFE)
def test_unsafe_twin_refuted(name: str) -> None:
    [(res, raw)] = loadjob.run_jobs_bcf([job(name)], **vm_kw())
    assert res["verdict"] == "rejected", raw[-3000:]
    assert res["bcf"]["outcome"] == "refuted"
    refuted = [
        r for p in res["programs"] for r in p["refinements"] if r.get("verdict") == "refuted"
    ]
    assert refuted and refuted[0]["counterexample"]
    assert not res["kernel_warnings"]


def test_mutated_certificate_rejected_cleanly() -> None:
    kw = vm_kw()
    j = job(SAFE[0])
    [(first, _)] = loadjob.run_jobs([j], certs={}, **kw)
    conds = [c for p in first["programs"] for c in p.get("bcf_conditions", [])]
    assert conds
    certs = {}
    for c in conds:
        out = bcfloop.default_prover(c["bytes"], 60)
        assert out.verdict == "proved"
        cert = bytearray(out.certificate)
        cert[-1] ^= 0x01  # the last step: no longer the empty clause (or a bad hint)
        certs[condition_hash(c["bytes"]).hex()] = bytes(cert)
    [(res, raw)] = loadjob.run_jobs([j], certs={0: certs}, **kw)
    assert res["verdict"] == "rejected"
    assert res["programs"][0]["errno"] == 13  # EACCES: the original error, not ENOKEY
    assert "bcf: certificate for insn" in raw and "rejected: certificate" in raw
    assert not res["kernel_warnings"]


@pytest.mark.parametrize("name", SAFE + UNSAFE + ["masked_index_ok"])
def test_without_flags_same_as_stock(name: str) -> None:
    stock_json = RESULTS / "loads" / "stock" / "patterns" / f"clang-19_-O2_{name}.json"
    need(stock_json)
    stock = json.loads(stock_json.read_text())
    [(res, _)] = loadjob.run_jobs([job(name)], **vm_kw())
    for a, b in zip(res["programs"], stock["programs"], strict=True):
        assert (a["verdict"], a["insns_processed"], a["error_line"]) == (
            b["verdict"],
            b["insns_processed"],
            b["error_line"],
        )
        assert a["refinements"] == []


def test_verifier_selftests_pass_on_bcf_as_on_stock() -> None:
    """The kernel's test_verifier: every test that passes on stock passes on bcf (no BCF flags)."""
    if "BCFPIPE_BCF_KERNEL" in os.environ:
        pytest.skip("runs through the pipeline's own kernels")
    snakemake(str(RESULTS / "tables" / "selftests.json"))
    cmp = json.loads((RESULTS / "tables" / "selftests.json").read_text())
    stock, bcf = cmp["variants"]["stock"], cmp["variants"]["bcf"]
    assert stock["complete"] and bcf["complete"]
    # A real run: hundreds of verifier tests pass on the stock guest.
    assert stock["counts"]["pass"] > 500
    assert bcf["regressions"] == []
    assert stock["kernel_warnings"] == bcf["kernel_warnings"] == 0


def test_selftest_programs_meet_their_annotations() -> None:
    """Project 'selftests': stock does what the kernel's annotations say; bcf accepts no more."""
    if "BCFPIPE_BCF_KERNEL" in os.environ:
        pytest.skip("runs through the pipeline's own kernels")
    snakemake(str(RESULTS / "tables" / "selftests_expectations.json"))
    rep = json.loads((RESULTS / "tables" / "selftests_expectations.json").read_text())
    stock, bcf = rep["stock"], rep["bcf"]
    assert stock["success:loaded"] > 20 and stock["failure:not_loaded"] > 10
    assert stock.get("success:not_loaded", 0) == 0
    assert stock.get("failure:loaded", 0) == 0
    # These two files' failures are unsafe programs (one needs 1 << 32 == 1, which a JIT need not
    # give: series 0007): BCF refutes them, it does not accept them.
    assert bcf.get("failure:loaded", 0) == 0
    assert bcf.get("success:not_loaded", 0) == 0


def _adversarial_objects(out: Path) -> list[loadjob.ObjectJob]:
    need(HEADERS)
    jobs = []
    for src in corpus.discover(ADVERSARIAL.parent, ["adversarial"]):
        for compiler, opt in corpus.variants(src, ADV_COMPILERS, ["-O2"]):
            o = out / corpus.object_name(compiler, opt, src.name)
            rec = corpus.compile_object(compiler, opt, src.path, o, HEADERS)
            assert rec["ok"], rec
            jobs.append(loadjob.ObjectJob(o, "adversarial"))
    return jobs


def test_adversarial_corpus_stays_rejected(tmp_path: Path) -> None:
    """Every unsafe program written to break the tracker: stock rejects it, and so does bcf with
    the whole certificate loop (refuted, or no refinement), without a kernel warning."""
    jobs = _adversarial_objects(tmp_path)
    assert len(jobs) >= 60
    kw = vm_kw()
    stock_kw = dict(kw, kernel=RESULTS / "kernel/stock/bzImage", variant="stock")
    stock_kw["initrd"] = RESULTS / "guest/stock/initramfs.cpio"
    need(stock_kw["kernel"], stock_kw["initrd"])
    loaded = []
    for res, _ in loadjob.run_jobs(jobs, **stock_kw):
        loaded += [
            f"stock {res['object']} {p['name']}"
            for p in res["programs"]
            if p["verdict"] == "loaded"
        ]
    warnings = []
    for res, _ in loadjob.run_jobs_bcf(jobs, **kw):
        loaded += [
            f"bcf {res['object']} {p['name']}: {res.get('bcf')}"
            for p in res["programs"]
            if p["verdict"] == "loaded"
        ]
        warnings += res["kernel_warnings"]
    assert loaded == []
    assert warnings == []


def _guest_payload(share: Path, script: str, timeout_s: float) -> str:
    """Boot the bcf guest once with ``script`` as the job's run.sh; the payload's output."""
    kw = vm_kw()
    (share / "run.sh").write_text(script)
    out = vm.run(kw["kernel"], kw["initrd"], share, accel=kw["accel"], timeout_s=timeout_s)
    log = (share / "payload.log").read_text()
    assert out.status == "ok" and out.exit_code == 0, log[-3000:]
    return log


def test_bcf_flags_refused_for_kernel_attr(tmp_path: Path) -> None:
    """A syscall program's bpf_sys_bpf(BPF_PROG_LOAD) with bcf_buf at a kernel address (its own
    map value): -EINVAL, and nothing written there (tests/fixtures/bpf/bcf_kernel_attr.c). The
    series before 0009 wrote the conditions container there: the program returned 0xbad."""
    share = vm.make_scratch(str(tmp_path))
    fixtures = REPO / "tests" / "fixtures" / "bpf"
    rec = corpus.compile_object(
        "clang-19", "-O2", fixtures / "bcf_kernel_attr.c", share / "k.o", tmp_path
    )
    assert rec["ok"], rec
    # bpftool cannot test_run a syscall program (it always sends repeat=1): a static runner.
    runner = [
        "gcc",
        "-static",
        "-O2",
        "-o",
        str(share / "runsys"),
        str(fixtures / "test_run_syscall.c"),
    ]
    subprocess.run(runner, check=True)
    log = _guest_payload(
        share, "bpftool prog load /job/k.o /sys/fs/bpf/k && /job/runsys /sys/fs/bpf/k\n", 120
    )
    # 22: EINVAL from the inner load; 2989 (0xbad): the map value was overwritten.
    assert "retval 22\n" in log, log
    assert not vm.kernel_warnings((share / "console.log").read_text())


# Thousands of programs by default; CI (CI=true) runs a sample. BCFPIPE_DIFF_PROGRAMS and
# BCFPIPE_DIFF_SEED size and repeat a run.
DIFF_N = int(
    os.environ.get("BCFPIPE_DIFF_PROGRAMS", "40" if os.environ.get("CI") == "true" else "2000")
)
DIFF_SEED = int(os.environ.get("BCFPIPE_DIFF_SEED", str(random.randrange(1 << 30))))
# Traps per object: the guest loader loads each program of an object on its own, so packing
# them saves a compile and a VM job per program.
DIFF_PER_OBJECT = 50


def _machine_results(tmp_path: Path, chains: list[progen.Chain]) -> list[int]:
    """Each chain's result on the kernel's own execution (BPF_PROG_TEST_RUN, JIT)."""
    share = vm.make_scratch(str(tmp_path))
    progs = {}
    for i, c in enumerate(chains):
        progs[f"c{i}_lo"] = progen.program(c, "lo")
        progs[f"c{i}_hi"] = progen.program(c, "hi")
        (share / f"in{i}.bin").write_bytes(progen.inputs(c.seed))
    (share / "a.c").write_text(progen.c_source(progs))
    rec = corpus.compile_object("clang-19", "-O2", share / "a.c", share / "a.o", tmp_path)
    assert rec["ok"], rec
    lines = ["bpftool prog loadall /job/a.o /sys/fs/bpf/a || exit 1"]
    for i in range(len(chains)):
        for half in ("lo", "hi"):
            run = f"bpftool prog run pinned /sys/fs/bpf/a/c{i}_{half} data_in /job/in{i}.bin"
            lines.append(f'echo "c{i}_{half} $({run} 2>&1 | head -1)"')
    log = _guest_payload(share, "\n".join(lines) + "\n", 300 + 0.5 * len(lines))
    got = dict(re.findall(r"^(c\d+_(?:lo|hi)) Return value: (\d+),", log, re.M))
    assert len(got) == 2 * len(chains), log[-3000:]
    return [int(got[f"c{i}_hi"]) << 32 | int(got[f"c{i}_lo"]) for i in range(len(chains))]


def test_tracker_agrees_with_the_machine(tmp_path: Path) -> None:
    """Semantic differential test of the tracker (tests/progen.py): random chains over the
    modelled instructions, each run on the kernel for an input, then a trap that fires exactly
    when the result equals the machine's value. The trap is reachable, so BCF must never certify
    it unreachable: a program loaded here means the tracker's expression differs from what the
    machine computed (printed with its seed)."""
    print(f"differential test: seed {DIFF_SEED}, {DIFF_N} programs")
    chains = [progen.chain(DIFF_SEED + i) for i in range(DIFF_N)]
    values = _machine_results(tmp_path, chains)
    jobs = []
    for start in range(0, len(chains), DIFF_PER_OBJECT):
        part = range(start, min(start + DIFF_PER_OBJECT, len(chains)))
        src = tmp_path / f"t{start}.c"
        src.write_text(
            progen.c_source(
                {f"c{i}_trap": progen.program(chains[i], "trap", values[i]) for i in part}
            )
        )
        rec = corpus.compile_object("clang-19", "-O2", src, tmp_path / f"t{start}.o", tmp_path)
        assert rec["ok"], rec
        jobs.append(loadjob.ObjectJob(tmp_path / f"t{start}.o", "difftest"))
    outcomes: dict[str, int] = {}
    disagreements = []
    kw = vm_kw()
    kw["per_object_timeout"] = 60 + 2 * DIFF_PER_OBJECT
    kw["timeout_s"] = 120 + kw["per_object_timeout"] * len(jobs)
    for res, _ in loadjob.run_jobs_bcf(jobs, prove_seconds=30, **kw):
        for p in res["programs"]:
            i = int(p["name"][1:].split("_", 1)[0])
            refs = p.get("refinements", [])
            if p["verdict"] == "loaded":
                outcome = "accepted" if refs else "not_needed"
            elif any(r.get("verdict") == "refuted" for r in refs):
                outcome = "refuted"
            else:
                outcome = p.get("error_category") or p["verdict"]
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            if p["verdict"] == "loaded":
                c = chains[i]
                disagreements.append(
                    f"seed {c.seed}: result {values[i]:#x} outcome {outcome}\n  "
                    + "\n  ".join(c.text)
                )
        if res["kernel_warnings"]:
            disagreements.append(f"kernel warnings: {res['kernel_warnings']}")
    print(f"differential test outcomes: {outcomes}")
    assert disagreements == [], "\n".join(disagreements)
    # the test means something only if BCF replayed the chains and found the trap reachable
    assert outcomes.get("refuted", 0) >= DIFF_N // 2, outcomes
