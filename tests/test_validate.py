"""Dynamic validation (bcfpipe.validate): inputs, selection, report attribution, the table."""

from __future__ import annotations

import json
import random
import struct
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml

from bcfpipe import config as bcfconfig
from bcfpipe.bcf.pipeline import Outcome
from bcfpipe.errors import PipelineError
from bcfpipe.load import certstore, loadjob
from bcfpipe.validate import inputs, report, run

REPO = Path(__file__).resolve().parent.parent


def insn(op: int, dst: int = 0, src: int = 0, off: int = 0, imm: int = 0) -> bytes:
    return struct.pack("<BBhi", op, dst | src << 4, off, imm)


def elf_with_code(code: bytes) -> bytes:
    """A minimal ELF64 with a null section and one executable PROGBITS section holding code."""
    shoff = 64 + len(code)
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<Q", header, 0x28, shoff)
    struct.pack_into("<HHH", header, 0x3A, 64, 2, 0)
    null = bytes(64)
    sec = struct.pack("<IIQQQQIIQQ", 0, 1, 0x6, 0, 64, len(code), 0, 0, 8, 0)
    return bytes(header) + code + null + sec


def test_constants_are_compare_immediates_offsets_and_added_immediates() -> None:
    code = (
        insn(0x61, 2, 1, off=4)  # r2 = *(u32 *)(r1 + 4)
        + insn(0x07, 3, imm=42)  # r3 += 42
        + insn(0x2D, 3, 2)  # if r3 > r2 (register compare: no constant)
        + insn(0x25, 4, imm=1500)  # if r4 > 1500
        + insn(0x16, 5, imm=-7)  # if w5 == -7
        + insn(0x85, imm=1)  # call 1: not a constant
        + insn(0x95)  # exit
    )
    assert inputs.constants(elf_with_code(code)) == {4, 42, 1500, -7}


def test_constants_reject_what_is_not_elf() -> None:
    with pytest.raises(PipelineError):
        inputs.constants(b"not an object")


def test_lengths_put_constants_first_and_stay_in_bounds() -> None:
    got = inputs.lengths({42, -1, 99999}, 14, 3520, dense=4)
    assert got[:3] == [41, 42, 43]
    assert got[3:8] == [14, 15, 16, 17, 18]
    assert all(14 <= n <= 3520 for n in got) and len(got) == len(set(got))
    assert 3520 in got and 1500 in got


def test_xdp_inputs_sweep_lengths_with_metadata() -> None:
    ins = inputs.generate("xdp", {42}, seed=3, limit=200)
    by_len = {}
    for i in ins:
        meta, end = struct.unpack("<II", i.ctx[:8]) if i.ctx else (0, len(i.data))
        assert end == len(i.data), "data_end must equal the buffer test_run gets"
        assert end - meta >= inputs.ETH_HLEN, "test_run refuses shorter XDP packets"
        assert meta in (0, 4, 32)
        by_len[end - meta] = i
    assert {14, 15, 41, 42, 43} <= set(by_len) and min(by_len) == 14
    # Header fills lay out Ethernet + IPv4 + TCP where the packet is long enough.
    ipv4 = next(i for i in ins if "fill=ipv4-tcp" in i.label and len(i.data) >= 54 + 32)
    meta = struct.unpack("<I", ipv4.ctx[:4])[0] if ipv4.ctx else 0
    assert ipv4.data[meta + 12 : meta + 14] == b"\x08\x00"
    assert ipv4.data[meta + 14] == 0x45 and ipv4.data[meta + 23] == 6


def test_skb_inputs_set_only_the_fields_test_run_accepts() -> None:
    ins = inputs.generate("sched_cls", {20}, seed=1, limit=64)
    assert len(ins) == 64
    assert all(len(i.data) >= inputs.ETH_HLEN for i in ins)
    ctxs = [i.ctx for i in ins if i.ctx]
    assert ctxs and all(len(c) == inputs.SK_BUFF_CTX for c in ctxs)
    for i in ins:
        # An IP Ethernet type needs the IP header behind it, or test_run refuses the skb.
        if i.data[12:14] == b"\x08\x00":
            assert len(i.data) >= 34, i.label
        if i.data[12:14] == b"\x86\xdd":
            assert len(i.data) >= 54, i.label
    for c in ctxs:
        # len and pkt_type, and everything between priority and cb, must stay zero.
        assert c[:8] == bytes(8) and c[12:32] == bytes(20) and c[36:48] == bytes(12)


def test_l3_types_count_lengths_after_the_ethernet_header() -> None:
    ins = inputs.generate("socket_filter", {20}, seed=1, limit=10)
    assert [len(i.data) for i in ins[:3]] == [33, 34, 35]
    assert ins[1].label.startswith("len=20 ")


def test_inputs_are_deterministic_and_typed() -> None:
    a = inputs.generate("xdp", {7}, seed=9)
    b = inputs.generate("xdp", {7}, seed=9)
    assert a == b and a != inputs.generate("xdp", {7}, seed=10)
    assert inputs.generate("kprobe", {7}, seed=1) == []
    assert not inputs.runnable("tracepoint") and inputs.runnable("raw_tracepoint")
    raw = inputs.generate("raw_tracepoint", {5}, seed=1)
    assert raw and all(len(i.ctx) == 8 * inputs.MAX_CTX_ARGS and not i.data for i in raw)


def test_encode_is_the_guest_loaders_record_format() -> None:
    blob = inputs.encode(
        [inputs.Input(b"abc", b"", "x"), inputs.Input(b"", b"\x01\x02", "y", b"\x07")]
    )
    assert blob == (
        struct.pack("<III", 3, 0, 0) + b"abc" + struct.pack("<III", 0, 2, 1) + b"\x01\x02\x07"
    )


def test_map_fills_take_turns_and_hold_the_programs_constants() -> None:
    ins = inputs.generate("sched_cls", {13, 0x1FF}, seed=3, limit=10)
    fills = [i.label.rsplit("maps=", 1)[1] for i in ins]
    assert fills == list(inputs.MAP_FILLS) * 2
    assert ins[0].maps == b"\x00" and len(ins[1].maps) == inputs.MAP_FILL_BYTES
    words = ins[2].maps
    u64 = {int.from_bytes(words[o : o + 8], "little") for o in range(0, len(words) // 12 * 8, 8)}
    assert u64 == {12, 13, 14, 0x1FE, 0x1FF, 0x200}
    assert ins[3].maps == b"\xff"
    assert all(int.from_bytes(ins[4].maps[o : o + 8], "little") < 64 for o in range(0, 256, 8))
    with pytest.raises(ValueError):
        inputs.map_fill("bogus", set(), random.Random(0))


def test_packet_fills() -> None:
    rng = random.Random(0)
    assert inputs.packet(5, "zeros", rng) == bytes(5)
    assert inputs.packet(3, "ones", rng) == b"\xff\xff\xff"
    assert inputs.packet(4, "sign", rng) == b"\x80\x7f\x80\x7f"
    assert len(inputs.packet(10, "ipv6-tcp", rng)) == 10
    with pytest.raises(ValueError):
        inputs.packet(4, "bogus", rng)


def result(variant: str, project: str, obj: str, progs: dict[str, str]) -> dict[str, Any]:
    return {
        "variant": variant,
        "project": project,
        "object": obj,
        "programs": [{"name": n, "verdict": v, "prog_type": "xdp"} for n, v in progs.items()],
    }


def test_select_takes_programs_bcf_loads_and_the_baseline_rejects() -> None:
    stock = [
        result("stock", "p", "a.o", {"x": "rejected", "y": "loaded", "z": "rejected"}),
        result("stock", "p", "b.o", {"x": "rejected"}),
    ]
    bcf = [
        result("bcf", "p", "a.o", {"x": "loaded", "y": "loaded", "z": "rejected"}),
        result("bcf", "p", "b.o", {"x": "rejected"}),
        result("bcf", "q", "a.o", {"x": "loaded"}),  # no baseline result: not selected
    ]
    got = run.select(stock, bcf)
    assert [(t.project, t.object, t.programs) for t in got] == [("p", "a.o", {"x": "xdp"})]


def test_reports_attribute_kernel_records_to_the_input_that_caused_them() -> None:
    kmsg = [
        ("load", "6,100,5,-;bpf: some info line"),
        ("input=3", "3,101,6,-;BUG: KASAN: slab-out-of-bounds in ___bpf_prog_run+0x1"),
        ("input=3", "3,102,6,-;Read of size 1 at addr ffff888"),
        ("input=4", "4,103,6,-;WARNING: CPU: 0 PID: 1 at net/core/filter.c:1 x"),
    ]
    got = run.reports(kmsg)
    assert list(got) == ["input=3", "input=4"]
    assert got["input=3"][1] == "Read of size 1 at addr ffff888"


def target() -> run.Target:
    return run.Target("p", "a.o", {"x": "xdp", "k": "kprobe"})


def test_program_record_statuses() -> None:
    ins = inputs.generate("xdp", {1}, seed=1, limit=5)
    ok = {"vm": {"status": "ok"}}
    clean = {"name": "x", "verdict": "loaded", "test_run": {"runs": [{"input": 0, "err": 0}] * 5}}
    assert run.program_record(target(), "x", ins, ok, clean)["status"] == "clean"
    rec = run.program_record(target(), "k", [], ok, {"name": "k", "verdict": "loaded"})
    assert rec["status"] == "not_runnable"
    rec = run.program_record(
        target(), "x", ins, ok, {"name": "x", "verdict": "rejected", "error_line": "R1 invalid"}
    )
    assert rec["status"] == "not_loaded" and rec["detail"] == "R1 invalid"
    bad = {
        "name": "x",
        "verdict": "loaded",
        "test_run": {
            "runs": [{"input": 0, "err": 0}],
            "kmsg": [("input=1", "3,1,1,-;BUG: KASAN: use-after-free in x")],
        },
    }
    rec = run.program_record(target(), "x", ins, ok, bad)
    assert rec["status"] == "failure"
    assert rec["failures"][0]["input"] == 1 and rec["failures"][0]["label"] == ins[1].label


def test_a_guest_dying_in_a_run_is_a_failure_of_that_input() -> None:
    ins = inputs.generate("xdp", {1}, seed=1, limit=5)
    crashed = {"vm": {"status": "vm_crash", "detail": "guest died (Oops)"}}
    prog = {"name": "x", "verdict": "vm_crash", "test_run": {"runs": [], "last_started": 2}}
    rec = run.program_record(target(), "x", ins, crashed, prog)
    assert rec["status"] == "failure"
    assert rec["failures"][0]["input"] == 2 and "Oops" in rec["failures"][0]["report"][0]


def test_loader_run_files_are_parsed(tmp_path: Path) -> None:
    (tmp_path / "0.run").write_text(
        "start input=0\ninput=0 err=0 errno_name= retval=2 data_size_out=60\n"
        "start input=1\ninput=1 err=-22 errno_name=Invalid argument retval=0 data_size_out=0\n"
        "start input=2\n"
    )
    (tmp_path / "0.kmsg").write_text("input=1 3,5,6,-;BUG: KASAN: x\n")
    got = loadjob.test_runs(tmp_path, 0)
    assert got["runs"] == [
        {"input": 0, "err": 0, "retval": 2},
        {"input": 1, "err": -22, "retval": 0},
    ]
    assert got["last_started"] == 2
    assert got["kmsg"] == [("input=1", "3,5,6,-;BUG: KASAN: x")]


def test_guest_script_runs_inputs_in_the_interpreter() -> None:
    job = loadjob.ObjectJob(Path("/x/a.o"), "p")
    script = loadjob.guest_script([job], 30, bcf=True, run=True)
    assert "-B certs/0 -I -R inputs/0" in script


def test_validate_batches_and_writes_records(tmp_path: Path) -> None:
    obj = tmp_path / "a.o"
    obj.write_bytes(elf_with_code(insn(0x25, 1, imm=64) + insn(0x95)))
    seen: list[tuple[list[str], list[str]]] = []

    def run_batch(jobs: list[loadjob.ObjectJob], encoded: dict[int, dict[str, bytes]]) -> Any:
        seen.append(([j.name for j in jobs], sorted(encoded[0])))
        n = len(encoded[0]["x"])
        assert n > 0
        prog = {"name": "x", "verdict": "loaded", "test_run": {"runs": [{"input": 0, "err": 0}]}}
        return [({"vm": {"status": "ok"}, "programs": [prog]}, "raw") for _ in jobs]

    targets = [run.Target("p", "a.o", {"x": "xdp", "k": "kprobe"})] * 3
    recs, _ = run.validate(
        targets, {("p", "a.o"): (str(obj), {})}, run_batch, batch_size=2, max_inputs=8, seed=1
    )
    assert [len(b[0]) for b in seen] == [2, 1] and seen[0][1] == ["x"]
    assert [r["status"] for r in recs] == ["not_runnable", "clean"] * 3
    s = run.summary(recs)
    assert s["programs"] == 6 and s["failures"] == 0 and s["status"]["clean"] == 3
    md = report.render_markdown(
        {
            "kernel": "bcf-kasan",
            "variant": "bcf",
            "baseline": "stock",
            "summary": s,
            "programs": recs,
        }
    )
    assert "**0 soundness failures**" in md and "| not_runnable | 3 |" in md
    assert "| p | 6 | 3 | 0 | 3 | 3 |" in md


def test_validate_runs_batches_at_once_in_the_targets_order(tmp_path: Path) -> None:
    """With jobs=2 two batches are in their guests at the same time (the second batch's run
    waits for the first one's to start), and the records keep the targets' order."""
    obj = tmp_path / "a.o"
    obj.write_bytes(elf_with_code(insn(0x25, 1, imm=64) + insn(0x95)))
    started = threading.Barrier(2, timeout=10)

    def run_batch(jobs: list[loadjob.ObjectJob], encoded: dict[int, dict[str, bytes]]) -> Any:
        started.wait()  # both batches must be running at once, or this times out
        prog = {"name": "x", "verdict": "loaded", "test_run": {"runs": [{"input": 0, "err": 0}]}}
        return [({"vm": {"status": "ok"}, "programs": [prog]}, f"raw {j.name}") for j in jobs]

    targets = [run.Target("p", f"{n}.o", {"x": "xdp"}) for n in "abcd"]
    objects = {("p", f"{n}.o"): (str(obj), {}) for n in "abcd"}
    recs, raw = run.validate(
        targets, objects, run_batch, batch_size=2, max_inputs=8, seed=1, jobs=2
    )
    assert [r["object"] for r in recs] == ["a.o", "b.o", "c.o", "d.o"]
    assert [line for line in raw.splitlines() if line.startswith("#####")] == [
        f"##### p/{n}.o" for n in "abcd"
    ]


def test_report_lists_failures() -> None:
    rec = {
        "project": "p",
        "object": "a.o",
        "program": "x",
        "prog_type": "xdp",
        "status": "failure",
        "runs": 3,
        "inputs": 3,
        "jit": False,
        "run_errors": {},
        "failures": [{"input": 1, "label": "len=3 | meta=0", "report": ["BUG: KASAN: oob"]}],
    }
    md = report.render_markdown(
        {
            "kernel": "k",
            "variant": "bcf",
            "baseline": "stock",
            "summary": run.summary([rec]),
            "programs": [rec],
        }
    )
    assert "**1 soundness failure**" in md
    assert "| p/a.o:x | len=3 \\| meta=0 | BUG: KASAN: oob |" in md


def test_certificate_store_files_and_reuses(tmp_path: Path) -> None:
    calls = []

    def prover(data: bytes, limit: float) -> Outcome:
        calls.append(data)
        return Outcome("proved", certificate=b"CERT" + data)

    write = certstore.caching(prover, tmp_path, reuse=False)
    assert write(b"cond", 1.0).certificate == b"CERTcond"
    assert write(b"cond", 1.0).certificate == b"CERTcond" and len(calls) == 2
    reuse = certstore.caching(prover, tmp_path, reuse=True)
    out = reuse(b"cond", 1.0)
    assert out.verdict == "proved" and out.certificate == b"CERTcond" and len(calls) == 2
    reuse(b"other", 1.0)
    assert len(calls) == 3


def config_with(**validation: Any) -> dict[str, Any]:
    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    cfg["validation"] = validation
    return cfg


def test_validation_kernel_is_the_bcf_variant_with_kasan() -> None:
    cfg = bcfconfig.validate(config_with())
    k = bcfconfig.validation_kernel(cfg)
    assert k is not None and k["name"] == "bcf-kasan" and k["series"] == "bcf"
    assert k["fragments"][-1] == "kasan" and "KASAN_SANITIZE=n" in k["make_vars"]
    assert bcfconfig.validation_kernel(bcfconfig.validate(config_with(enabled=False))) is None


def test_validation_of_a_variant_without_bcf_is_a_config_error() -> None:
    with pytest.raises(PipelineError, match=r"validation.variant.*not a BCF variant"):
        bcfconfig.validate(config_with(variant="stock"))
    with pytest.raises(PipelineError, match=r"validation.variant.*'nope' is not a variant"):
        bcfconfig.validate(config_with(variant="nope"))


def test_object_map_lists_the_corpus_and_the_selftests(tmp_path: Path) -> None:
    index = tmp_path / "index.json"
    index.write_text(
        json.dumps({"prog_index": {"selftests": {"verifier_and": ["verifier_and.o"]}, "p": {}}})
    )
    own = [{"project": "p", "object": "a.o", "path": "/c/p/a.o", "types": {"x": "xdp"}}]
    out = tmp_path / "objects.json"
    run.write_object_map(str(out), own, [str(index)], str(tmp_path / "st"))
    listed = json.loads(out.read_text())["objects"]
    assert listed == [
        *own,
        {
            "project": "selftests",
            "object": "verifier_and.o",
            "path": str(tmp_path / "st" / "verifier_and.o"),
            "types": {},
        },
    ]
    run.write_object_map(str(out), own, [str(index)], "")  # selftests off: only the corpus
    assert json.loads(out.read_text())["objects"] == own
