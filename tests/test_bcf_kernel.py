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
    "spill_across_lookup",
    "subprog_index",
    "subprog_arg_relation",
    "helper_size_relation",
    "helper_u32_result",
    "bpf_loop_index",
    "bpf_loop_var_bound",
    "iter_counter_index",
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
    "spill_across_lookup_unsafe",
    "subprog_index_unsafe",
    "subprog_arg_relation_unsafe",
    "helper_size_relation_unsafe",
    "helper_u32_result_unsafe",
    "bpf_loop_unsafe",
    "bpf_loop_var_bound_unsafe",
    "iter_counter_unsafe",
]
# Patterns whose certified condition is not the first one asked: its path outgrows the 32- and
# 256-instruction suffixes the kernel tries first (each refuted as cut short, one round each).
LATER_ROUND = {"iter_counter_index": 3}


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
    first = LATER_ROUND.get(name, 1)
    assert all(r["solve_seconds"] is not None and r["round"] == first for r in refs)
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


@pytest.mark.parametrize("compiler", ["clang-14", "clang-19"])
def test_modulo_by_a_constant_in_both_compiler_forms(compiler: str, tmp_path: Path) -> None:
    """``x % 13`` as clang-19 writes it (BPF_MOD) and as clang-14 does (``x - x / 13 * 13``):
    with the divisor's definitional encoding (docs/bcf-format.md 3.2) both are certified (clang-14's
    was not, within 60 s, before), and the twin that indexes past the array is refuted."""
    need(HEADERS)
    out = {}
    for name in ("mod_index", "mod_index_unsafe"):
        o = tmp_path / f"{compiler}_-O2_{name}.o"
        src = REPO / "bpf-progs" / "patterns" / f"{name}.c"
        assert corpus.compile_object(compiler, "-O2", src, o, HEADERS)["ok"]
        [(out[name], raw)] = loadjob.run_jobs_bcf([loadjob.ObjectJob(o, "patterns")], **vm_kw())
        assert not out[name]["kernel_warnings"], raw[-3000:]
    safe, unsafe = out["mod_index"], out["mod_index_unsafe"]
    assert safe["verdict"] == "loaded" and safe["bcf"]["outcome"] == "accepted"
    refs = [r for p in safe["programs"] for r in p["refinements"]]
    assert refs and all(r["checked"] for r in refs)
    # the restoring divider's certificates were 1 MB (clang-19) and 5-8 MB (clang-14)
    assert all(r["certificate_bytes"] < 200_000 for r in refs)
    assert unsafe["verdict"] == "rejected" and unsafe["bcf"]["outcome"] == "refuted"


@pytest.mark.parametrize("name", UNSAFE)
def test_unsafe_twin_refuted(name: str) -> None:
    [(res, raw)] = loadjob.run_jobs_bcf([job(name)], **vm_kw())
    assert res["verdict"] == "rejected", raw[-3000:]
    assert res["bcf"]["outcome"] == "refuted"
    refuted = [
        r for p in res["programs"] for r in p["refinements"] if r.get("verdict") == "refuted"
    ]
    assert refuted and refuted[0]["counterexample"]
    # Each variable says what it stands for (0019: the kernel's log names them).
    widths = re.findall(r"\(width \d+(;?)", refuted[0]["counterexample"])
    assert all(widths), refuted[0]["counterexample"]
    # The model, run on the program's own instructions from the entry (bcfpipe/bcf/replay.py).
    replay = refuted[0]["replay"]
    assert replay["verdict"] == REPLAY[name], replay
    assert res["bcf"]["replay"] == replay["verdict"]
    assert not res["kernel_warnings"]


# What the replay of each unsafe twin's refutation gives (clang-19 -O2, measured 2026-12-07): a
# map value or packet read past its end, a helper's size argument past its buffer, or the
# rejected path, reached from the entry with the model's input, through the subprograms libbpf
# appends and the numbers iterator's kfuncs. reload_flag_fanout_unsafe's condition leaves out
# the branches that do not decide its goal, so its model takes another path to the same
# dereference of NULL (it diverged before 0020, when a map lookup made the tracker forget the
# flag's slot). The bpf_loop twins' suffixes start at the callback's entry: the program is run
# from its entry through bpf_loop instead, which reads past the value at index 16.
REPLAY = {
    "mask_diff_unsafe": "reproduced",
    "late_bound_unsafe": "reproduced",
    "xor_mask_unsafe": "reproduced",
    "stack_byte_compose_unsafe": "reproduced",
    "arsh_feasible_unsafe": "reproduced",
    "uninit_reg_unsafe": "reproduced",
    "pkt_var_off_unsafe": "reproduced",
    "pkt_len_bound_unsafe": "reproduced",
    "reload_flag_fanout_unsafe": "reproduced",
    "spill_across_lookup_unsafe": "reproduced",
    "subprog_index_unsafe": "reproduced",
    "subprog_arg_relation_unsafe": "reproduced",
    "helper_size_relation_unsafe": "reproduced",
    "helper_u32_result_unsafe": "reproduced",
    "bpf_loop_unsafe": "reproduced",
    "bpf_loop_var_bound_unsafe": "reproduced",
    "iter_counter_unsafe": "reproduced",
}


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


def test_bcf_buffer_is_read_up_to_its_total_length(tmp_path: Path) -> None:
    """Certificate buffers of several shapes, loaded raw (tests/fixtures/bpf/bcf_buffer.c): the
    kernel reads the header and then total_len bytes (0024), so a buffer whose pages past the
    certificates are unmapped loads (the series before 0024 copied all of bcf_buf_size: EFAULT),
    a total_len reaching into them fails with EFAULT, and malformed containers with EINVAL."""
    share = vm.make_scratch(str(tmp_path))
    src = REPO / "tests" / "fixtures" / "bpf" / "bcf_buffer.c"
    subprocess.run(["gcc", "-static", "-O2", "-o", str(share / "bcf_buffer"), str(src)], check=True)
    log = _guest_payload(share, "/job/bcf_buffer\n", 120)
    assert log.splitlines() == [
        "zero_header ok",
        "no_certificates ok",
        "one_record ok",
        "unmapped_tail ok",
        "total_beyond_size errno 22",
        "total_below_header errno 22",
        "record_beyond_total errno 22",
        "count_beyond_total errno 22",
        "total_in_unmapped errno 14",
    ], log
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
MACHINE_PER_OBJECT = 200


RETURN_VALUE = re.compile(r"^(\S+) Return value: (\d+),", re.M)


def _test_runs(obj: str, runs: list[tuple[str, str]]) -> list[str]:
    """Guest script lines that load /job/OBJ, run each (program, input file in /job) with
    BPF_PROG_TEST_RUN, echo 'PROGRAM Return value: ...' (RETURN_VALUE) and unpin the object: a
    loaded program holds a file descriptor in bpftool, and thousands exceed the guest's limit."""
    pin = f"/sys/fs/bpf/{Path(obj).stem}"
    lines = [f"bpftool prog loadall /job/{obj} {pin} || exit 1"]
    for prog, data in runs:
        run = f"bpftool prog run pinned {pin}/{prog} data_in /job/{data}"
        lines.append(f'echo "{prog} $({run} 2>&1 | head -1)"')
    return [*lines, f"rm -r {pin}"]


def _machine_results(tmp_path: Path, chains: list[progen.Chain]) -> list[int]:
    """Each chain's result on the kernel's own execution (BPF_PROG_TEST_RUN, JIT)."""
    share = vm.make_scratch(str(tmp_path))
    lines = []
    for start in range(0, len(chains), MACHINE_PER_OBJECT):
        progs = {}
        part = range(start, min(start + MACHINE_PER_OBJECT, len(chains)))
        for i in part:
            progs[f"c{i}_lo"] = progen.program(chains[i], "lo")
            progs[f"c{i}_hi"] = progen.program(chains[i], "hi")
            (share / f"in{i}.bin").write_bytes(progen.inputs(chains[i].seed))
        (share / f"a{start}.c").write_text(progen.c_source(progs))
        rec = corpus.compile_object(
            "clang-19", "-O2", share / f"a{start}.c", share / f"a{start}.o", tmp_path
        )
        assert rec["ok"], rec
        runs = [(f"c{i}_{half}", f"in{i}.bin") for i in part for half in ("lo", "hi")]
        lines += _test_runs(f"a{start}.o", runs)
    log = _guest_payload(share, "\n".join(lines) + "\n", 300 + 0.5 * len(lines))
    got = dict(RETURN_VALUE.findall(log))
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


# The numbers iterator's model (0015) against the machine: bounds biased to the corners of
# bpf_iter_num_new() (start > end, end - start around BPF_MAX_LOOPS, INT_MIN whose start - 1
# wraps, INT_MAX), ITER_STEPS next() calls counted until the first NULL.
ITER_STEPS = 20
ITER_EDGES = [-(1 << 31), -(1 << 31) + 1, -8388608, -9, -1, 0, 1, 8, (1 << 31) - 21, (1 << 31) - 1]
ITER_DELTAS = [-1, 0, 1, 5, 17, 19, 20, 21, 8388607, 8388608, 8388609, 1 << 31]
# every run: the wrap from INT_MIN, both sides of -E2BIG, negative bounds, -EINVAL, INT_MAX
ITER_FIXED = [
    (-(1 << 31), -(1 << 31) + 17),
    (0, 8388608),
    (0, 8388609),
    (-8, 9),
    (5, 4),
    ((1 << 31) - 3, (1 << 31) - 1),
]


def _s32(x: int) -> int:
    return (x + (1 << 31)) % (1 << 32) - (1 << 31)


def iter_bounds(seed: int) -> tuple[int, int]:
    rng = random.Random(seed ^ 0x17E8)
    start = rng.choice(ITER_EDGES) if rng.random() < 0.7 else rng.randrange(-(1 << 31), 1 << 31)
    end = _s32(start + rng.choice(ITER_DELTAS)) if rng.random() < 0.8 else _s32(rng.getrandbits(32))
    return start, end


def iter_source(progs: dict[str, tuple[int, int, int | None]]) -> str:
    """Per entry (name -> start, end, trap): a program that counts how many of ITER_STEPS next()
    calls on bpf_iter_num_new(start, end) gave a pointer and returns the count, or, with a trap
    value, dereferences NULL when the count equals it."""
    steps = "\n".join(["\tif (!bpf_iter_num_next(&it))\n\t\tgoto out;\n\tn++;"] * ITER_STEPS)
    out = [
        '#include "vmlinux.h"',
        "#include <bpf/bpf_helpers.h>",
        "extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;",
        "extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;",
        "extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;",
        "static __always_inline int count(int start, int end)",
        "{",
        "\tstruct bpf_iter_num it;",
        "\tint n = 0;",
        "",
        "\tbpf_iter_num_new(&it, start, end);",
        steps,
        "out:",
        "\tbpf_iter_num_destroy(&it);",
        "\treturn n;",
        "}",
    ]
    for name, (start, end, trap) in progs.items():
        call = f"count({start}, {end})"  # -2147483648 is a long literal, converted: INT_MIN
        out += [f'SEC("tc") int {name}(struct __sk_buff *skb)', "{"]
        if trap is None:
            out.append(f"\treturn {call};")
        else:
            out.append(f"\tif ({call} == {trap})")
            out.append('\t\tasm volatile("r1 = 0; r0 = *(u32 *)(r1 + 0);" ::: "r0", "r1");')
            out.append("\treturn 0;")
        out.append("}")
    out.append('char LICENSE[] SEC("license") = "GPL";')
    return "\n".join(out) + "\n"


def test_numbers_iterator_agrees_with_the_machine(tmp_path: Path) -> None:
    """bpf_iter_num_new() with corner bounds, then up to ITER_STEPS next() calls. The machine's
    count (BPF_PROG_TEST_RUN) is reachable, so a trap on it must never be certified unreachable
    (a trap program that loads means the tracker's model differs from the kernel's); a trap on
    another count is unreachable and, the bounds being constants, certified so (loaded), from
    INT_MIN too, where cur + 1 wraps as in the kernel (built with -fno-strict-overflow; 0022)."""
    need(HEADERS)
    n = int(os.environ.get("BCFPIPE_ITER_PROGRAMS", "24"))
    bounds = ITER_FIXED + [iter_bounds(DIFF_SEED + i) for i in range(n - len(ITER_FIXED))]
    n = len(bounds)
    print(f"iterator differential test: seed {DIFF_SEED}, {n} bound pairs")
    share = vm.make_scratch(str(tmp_path))
    (share / "c.c").write_text(iter_source({f"c{i}": (*b, None) for i, b in enumerate(bounds)}))
    rec = corpus.compile_object("clang-19", "-O2", share / "c.c", share / "c.o", HEADERS)
    assert rec["ok"], rec
    (share / "in.bin").write_bytes(bytes(16))
    lines = _test_runs("c.o", [(f"c{i}", "in.bin") for i in range(n)])
    log = _guest_payload(share, "\n".join(lines) + "\n", 300)
    got = {int(k[1:]): int(v) for k, v in RETURN_VALUE.findall(log)}
    assert len(got) == n, log[-3000:]
    # kernel/bpf/bpf_iter.c in Python: the test's own oracle for the machine's answer
    for i, (start, end) in enumerate(bounds):
        rounds = 0 if start > end or end - start > 8388608 else end - start
        assert got[i] == min(rounds, ITER_STEPS), (start, end, got[i])
    progs: dict[str, tuple[int, int, int | None]] = {}
    for i, (start, end) in enumerate(bounds):
        progs[f"hit{i}"] = (start, end, got[i])
        progs[f"miss{i}"] = (start, end, (got[i] + 1) % (ITER_STEPS + 1))
    src = tmp_path / "t.c"
    src.write_text(iter_source(progs))
    rec = corpus.compile_object("clang-19", "-O2", src, tmp_path / "t.o", HEADERS)
    assert rec["ok"], rec
    kw = vm_kw()
    kw["per_object_timeout"] = 60 + 4 * n
    kw["timeout_s"] = 120 + kw["per_object_timeout"]
    [(res, _)] = loadjob.run_jobs_bcf(
        [loadjob.ObjectJob(tmp_path / "t.o", "difftest")], prove_seconds=30, **kw
    )
    verdicts = {p["name"]: p["verdict"] for p in res["programs"]}
    wrong = []
    for k, v in verdicts.items():
        start, end = bounds[int(k.lstrip("hitms"))]
        if (k.startswith("hit") and v == "loaded") or (k.startswith("miss") and v != "loaded"):
            wrong.append(f"{k} ({start}, {end}): {v}")
    assert wrong == [], (wrong, res.get("bcf"))
    assert len(verdicts) == 2 * n
    assert not res["kernel_warnings"]
