"""The BCF loader loop on the host, without a VM: rounds, outcomes, result keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bcfpipe.bcf.encoding import NOTE, NOTE_MAGIC, condition_hash
from bcfpipe.bcf.pipeline import Outcome
from bcfpipe.load import bcfloop, loadjob

COND_A = b"BCFC-fake-condition-a"
COND_B = b"BCFC-fake-condition-b"

STATS_CHECKED = (
    "bcf: refinement kind=range insn=12 track_length=9 cond_bytes=21 cert_bytes=300 check_ns=4567\n"
)
STATS_PENDING = (
    "bcf: condition kind=range insn=12 track_length=9 cond_bytes=21 cert_bytes=0 check_ns=0\n"
)


def prog(errno: int, conds: list[bytes], vlog: str, verdict: str) -> dict[str, Any]:
    return {
        "name": "p",
        "verdict": verdict,
        "errno": errno,
        "refinements": [],
        "bcf_stats": bcfloop.parse_stats(vlog),
        "bcf_conditions": [{"kind": "range", "insn": 12, "bytes": c} for c in conds],
    }


def result(p: dict[str, Any]) -> dict[str, Any]:
    return {"verdict": p["verdict"], "programs": [p]}


def fake_prover(verdicts: dict[bytes, str]) -> bcfloop.Prover:
    def prove(data: bytes, limit: float) -> Outcome:
        v = verdicts[data]
        out = Outcome(v, condition_bytes=len(data), total_s=0.25)
        if v == "proved":
            out.certificate = b"CERT" + condition_hash(data)
            out.cert_bytes = len(out.certificate)
        elif v == "refuted":
            out.model = {0: 260}
            out.detail = "offset 260 with a 1-byte access"
        return out

    return prove


def test_parse_stats_lines() -> None:
    st = bcfloop.parse_stats("x\n" + STATS_CHECKED + STATS_PENDING + "processed 5 insns\n")
    assert [s["checked"] for s in st] == [True, False]
    assert st[0] == {
        "checked": True,
        "kind": "range",
        "insn": 12,
        "track_length": 9,
        "condition_bytes": 21,
        "certificate_bytes": 300,
        "check_ns": 4567,
        "cut": False,
        "cached": False,
    }
    [line] = bcfloop.parse_stats(STATS_CHECKED.replace("4567", "0 cut=1 cached=1"))
    assert line["cut"] and line["cached"] and line["check_ns"] == 0


def test_accepted_after_one_proof_round() -> None:
    calls: list[dict[int, dict[str, bytes]]] = []

    def run_round(idx: list[int], certs: dict[int, dict[str, bytes]]) -> list[Any]:
        calls.append(certs)
        if not certs[0]:
            p = prog(bcfloop.ENOKEY, [COND_A], STATS_PENDING, "rejected")
        else:
            assert condition_hash(COND_A).hex() in certs[0]
            p = prog(0, [], STATS_CHECKED, "loaded")
        return [(result(p), "log")]

    [(res, raw)] = bcfloop.run(1, run_round, prover=fake_prover({COND_A: "proved"}))
    assert len(calls) == 2
    assert res["bcf"] == {"rounds": 2, "outcome": "accepted", "proof_seconds": 0.25}
    [ref] = res["programs"][0]["refinements"]
    for key in (
        "kind",
        "insn",
        "track_length",
        "condition_bytes",
        "certificate_bytes",
        "check_ns",
        "solve_seconds",
        "round",
    ):
        assert key in ref
    assert ref["check_ns"] == 4567 and ref["round"] == 1 and ref["solve_seconds"] == 0.25
    assert "bcf_stats" not in res["programs"][0] and "bcf_conditions" not in res["programs"][0]
    assert "BCF round 2" in raw


def test_refuted_stops_and_records_counterexample() -> None:
    def run_round(idx: list[int], certs: dict[int, dict[str, bytes]]) -> list[Any]:
        return [(result(prog(bcfloop.ENOKEY, [COND_A, COND_B], STATS_PENDING, "rejected")), "")]

    [(res, _)] = bcfloop.run(
        1, run_round, prover=fake_prover({COND_A: "proved", COND_B: "refuted"})
    )
    assert res["bcf"]["outcome"] == "refuted" and res["bcf"]["rounds"] == 1
    refuted = [r for r in res["programs"][0]["refinements"] if r.get("verdict") == "refuted"]
    assert refuted and "260" in refuted[0]["counterexample"]
    assert refuted[0]["model"] == {"v0": {"value": 260, "origin": ""}}


def test_each_condition_keeps_its_own_track_length() -> None:
    """Conditions of one instruction on other paths have other tracks: each is reported with
    the kernel's line of its own (in order, of its size), not the first line of the insn."""
    cond_c = COND_A + b"-longer"
    lines = (
        "bcf: condition kind=range insn=12 track_length=309 cond_bytes=21 cert_bytes=0 "
        "check_ns=0\n"
        "bcf: condition kind=range insn=12 track_length=310 cond_bytes=28 cert_bytes=0 "
        "check_ns=0\n"
        "bcf: condition kind=range insn=12 track_length=311 cond_bytes=21 cert_bytes=0 "
        "check_ns=0\n"
    )

    def run_round(idx: list[int], certs: dict[int, dict[str, bytes]]) -> list[Any]:
        p = prog(bcfloop.ENOKEY, [COND_B, cond_c, COND_A], lines, "rejected")
        return [(result(p), "")]

    verdicts = {COND_A: "proved", COND_B: "proved", cond_c: "refuted"}
    [(res, _)] = bcfloop.run(1, run_round, prover=fake_prover(verdicts))
    refs = res["programs"][0]["refinements"]
    assert [(r["condition_bytes"], r["track_length"]) for r in refs] == [
        (21, 309),
        (28, 310),
        (21, 311),
    ]


def test_budget_says_whether_rounds_or_conditions_ran_out_and_not_needed() -> None:
    n = {"c": 0}
    log = {"text": ""}

    def always_new(idx: list[int], certs: dict[int, dict[str, bytes]]) -> list[Any]:
        n["c"] += 1
        cond = b"BCFC-%d" % n["c"]
        return [(result(prog(bcfloop.ENOKEY, [cond], STATS_PENDING, "rejected")), log["text"])]

    class Always(dict[bytes, str]):
        def __getitem__(self, k: bytes) -> str:
            return "proved"

    [(res, _)] = bcfloop.run(1, always_new, max_rounds=3, prover=fake_prover(Always()))
    assert res["bcf"]["outcome"] == "budget" and res["bcf"]["rounds"] == 3
    assert res["bcf"]["budget"] == "rounds" and "3 rounds (load.bcf_rounds)" in res["bcf"]["detail"]
    # The last load's batch was full: conditions ran out, not only rounds.
    log["text"] = "--- verifier log\n0: (b7) r0 = 0\nbcf: batch full at insn 1444\n"
    [(res, _)] = bcfloop.run(1, always_new, max_rounds=2, prover=fake_prover(Always()))
    assert res["bcf"]["outcome"] == "budget" and res["bcf"]["budget"] == "conditions"
    assert "batch was full at insn 1444 in round 2" in res["bcf"]["detail"]

    def plain(idx: list[int], certs: dict[int, dict[str, bytes]]) -> list[Any]:
        return [(result(prog(0, [], "", "loaded")), "")]

    [(res, _)] = bcfloop.run(1, plain, prover=fake_prover({}))
    assert res["bcf"] == {"rounds": 1, "outcome": "not_needed", "proof_seconds": 0.0}

    def refused(idx: list[int], certs: dict[int, dict[str, bytes]]) -> list[Any]:
        return [(result(prog(13, [], "", "rejected")), "")]

    # Rejected without a single condition: BCF could not refine the error at all.
    [(res, _)] = bcfloop.run(1, refused, prover=fake_prover({}))
    assert res["bcf"]["outcome"] == "not_refinable" and res["verdict"] == "rejected"
    assert "does not refine" in res["bcf"]["detail"]


def test_an_error_after_certified_refinements_is_not_refinable_not_unprovable() -> None:
    def run_round(idx: list[int], certs: dict[int, dict[str, bytes]]) -> list[Any]:
        if not certs[0]:
            return [(result(prog(bcfloop.ENOKEY, [COND_A], STATS_PENDING, "rejected")), "")]
        p = prog(13, [], STATS_CHECKED, "rejected")
        p["error_line"] = "R1 type=scalar expected=fp"
        return [(result(p), "")]

    [(res, _)] = bcfloop.run(1, run_round, prover=fake_prover({COND_A: "proved"}))
    assert res["bcf"]["outcome"] == "not_refinable" and res["bcf"]["rounds"] == 2
    assert res["bcf"]["detail"].endswith("R1 type=scalar expected=fp")


def test_unprovable_and_refuted_name_their_condition() -> None:
    def run_round(idx: list[int], certs: dict[int, dict[str, bytes]]) -> list[Any]:
        return [(result(prog(bcfloop.ENOKEY, [COND_A], STATS_PENDING, "rejected")), "")]

    [(res, _)] = bcfloop.run(1, run_round, prover=fake_prover({COND_A: "unknown"}))
    assert res["bcf"]["outcome"] == "unprovable"
    assert res["bcf"]["detail"].startswith("range condition at insn ")
    assert f"({len(COND_A)} bytes, round 1) not proved after" in res["bcf"]["detail"]
    [(res, _)] = bcfloop.run(1, run_round, prover=fake_prover({COND_A: "refuted"}))
    assert res["bcf"]["outcome"] == "refuted" and "refuted (round 1)" in res["bcf"]["detail"]


def test_kernel_asking_again_is_unprovable() -> None:
    def run_round(idx: list[int], certs: dict[int, dict[str, bytes]]) -> list[Any]:
        return [(result(prog(bcfloop.ENOKEY, [COND_A], STATS_PENDING, "rejected")), "")]

    [(res, _)] = bcfloop.run(1, run_round, prover=fake_prover({COND_A: "proved"}))
    assert res["bcf"]["outcome"] == "unprovable" and res["bcf"]["rounds"] == 2


def test_only_pending_objects_reboot() -> None:
    seen: list[list[int]] = []

    def run_round(idx: list[int], certs: dict[int, dict[str, bytes]]) -> list[Any]:
        seen.append(list(idx))
        out = []
        for k in idx:
            if k == 0 and not certs[k]:
                out.append((result(prog(bcfloop.ENOKEY, [COND_A], STATS_PENDING, "rejected")), ""))
            else:
                out.append((result(prog(0, [], STATS_CHECKED if k == 0 else "", "loaded")), ""))
        return out

    res = bcfloop.run(2, run_round, prover=fake_prover({COND_A: "proved"}))
    assert seen == [[0, 1], [0]]
    assert [r["bcf"]["outcome"] for r, _ in res] == ["accepted", "not_needed"]


def test_guest_script_and_condition_collection(tmp_path: Path) -> None:
    job = loadjob.ObjectJob(tmp_path / "x.o", "patterns")
    plain = loadjob.guest_script([job], 60)
    assert "-B" not in plain
    assert "-B certs/0" in loadjob.guest_script([job], 60, bcf=True)
    out = tmp_path / "out"
    out.mkdir()
    (out / "programs").write_text("1\n")
    (out / "0.meta").write_text(
        "stage=load\nname=p\nerr=-126\nbcf=1\n"
        "bcf_conditions=2\n"
        "bcf_condition_0=kind:range,insn:7,bytes:3\n"
        "bcf_condition_1=kind:path,insn:9,bytes:3,cut:1\n"
    )
    # The kernel names the variables of each condition it sends, by the hash's first 8 bytes.
    key = condition_hash(b"abc")[:8].hex()
    origins = f"bcf: variables of condition {key} from insn 0 (entry): v0=r1 v1=ld7.2\n"
    (out / "0.vlog").write_text(STATS_PENDING + origins + "bcf: 2 condition(s) need certificates\n")
    (out / "0.cond.0").write_bytes(b"abc")
    (out / "0.cond.1").write_bytes(b"def")
    [p], _ = loadjob.collect(out, job)
    assert p["errno"] == bcfloop.ENOKEY
    assert p["bcf_conditions"] == [
        {
            "kind": "range",
            "insn": 7,
            "bytes": b"abc",
            "cut": False,
            "origins": {bcfloop.START: "entry", 0: "r1", 1: "ld7.2"},
        },
        {"kind": "path", "insn": 9, "bytes": b"def", "cut": True, "origins": {}},
    ]
    assert p["bcf_stats"][0]["insn"] == 12
    # Without the guest's bcf lines nothing BCF-specific is added (stock results unchanged).
    (out / "0.meta").write_text("stage=load\nname=p\nerr=0\n")
    [p], _ = loadjob.collect(out, job)
    assert "bcf_conditions" not in p and "bcf_stats" not in p


def test_refuted_program_does_not_stop_its_sibling() -> None:
    """Two programs of one object: one refuted, one provable; the provable one is accepted."""

    def named(name: str, p: dict[str, Any]) -> dict[str, Any]:
        return dict(p, name=name)

    def run_round(idx: list[int], certs: dict[int, dict[str, bytes]]) -> list[Any]:
        bad = named("bad", prog(bcfloop.ENOKEY, [COND_B], STATS_PENDING, "rejected"))
        if condition_hash(COND_A).hex() in certs[0]:
            good = named("good", prog(0, [], STATS_CHECKED, "loaded"))
        else:
            good = named("good", prog(bcfloop.ENOKEY, [COND_A], STATS_PENDING, "rejected"))
        return [({"verdict": "rejected", "programs": [good, bad]}, "log")]

    prover = fake_prover({COND_A: "proved", COND_B: "refuted"})
    [(res, _)] = bcfloop.run(1, run_round, prover=prover)
    good, bad = res["programs"]
    assert good["verdict"] == "loaded"
    # The checked refinement of 'good' is matched to its own proof (same insn as 'bad's).
    assert good["refinements"][0]["checked"] and good["refinements"][0]["round"] == 1
    assert bad["verdict"] == "rejected" and bad["refinements"][0]["verdict"] == "refuted"
    assert res["bcf"]["rounds"] == 2 and res["bcf"]["outcome"] == "refuted"


def test_condition_asked_again_after_its_certificate_is_unprovable() -> None:
    rounds = []

    def run_round(idx: list[int], certs: dict[int, dict[str, bytes]]) -> list[Any]:
        rounds.append(1)
        return [(result(prog(bcfloop.ENOKEY, [COND_A], STATS_PENDING, "rejected")), "log")]

    [(res, _)] = bcfloop.run(1, run_round, prover=fake_prover({COND_A: "proved"}))
    assert len(rounds) == 2
    assert res["bcf"]["outcome"] == "unprovable"
    assert res["programs"][0]["verdict"] == "rejected"


def _plain(verdict: str, line: str) -> dict[str, Any]:
    vtext = line + "\nprocessed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0\n"
    meta = {"stage": "load", "name": "p", "err": "-13" if verdict == "rejected" else "-22"}
    rec = loadjob.program_result(meta, vtext, "")
    assert rec["verdict"] == verdict, rec
    return rec


def test_refuted_keeps_the_verifiers_own_reason_and_compat_issues() -> None:
    """ENOKEY programs carry the load repeated without BCF (guest N.plain.*)."""
    plains = {
        "rejected": _plain("rejected", "R1 offset is outside of the packet"),
        "compat_issue": _plain(
            "compat_issue", "calling kernel function bpf_task_from_pid is not allowed"
        ),
    }
    for verdict, plain in plains.items():

        def run_round(
            idx: list[int], certs: dict[int, dict[str, bytes]], plain: Any = plain
        ) -> list[Any]:
            p = prog(bcfloop.ENOKEY, [COND_B], STATS_PENDING, "rejected")
            p["bcf_plain"] = plain
            return [(result(p), "")]

        [(res, _)] = bcfloop.run(1, run_round, prover=fake_prover({COND_B: "refuted"}))
        p = res["programs"][0]
        assert "bcf_plain" not in p
        assert p["verdict"] == verdict and res["verdict"] == verdict
        assert p["verifier_error_line"] == plain["error_line"]
        assert p["bcf_detail"].startswith("bcf: range condition at insn 12 refuted")
        if verdict == "rejected":  # BCF's finding is the reason shown
            assert p["error_category"] == "bcf_refuted" and p["error_line"] == p["bcf_detail"]
        else:  # the program could never load here: as without BCF
            assert p["error_category"] == plain["error_category"] != "bcf_refuted"
            assert p["error_line"] == plain["error_line"]


def test_collect_reads_the_load_repeated_without_bcf(tmp_path: Path) -> None:
    (tmp_path / "programs").write_text("1\n")
    (tmp_path / "0.meta").write_text("stage=load\nname=p\nerr=-126\nbcf=1\nbcf_conditions=0\n")
    (tmp_path / "0.vlog").write_text(STATS_PENDING)
    (tmp_path / "0.plain.meta").write_text("stage=load\nname=p\nerr=-22\n")
    (tmp_path / "0.plain.vlog").write_text(
        "calling kernel function bpf_cpumask_create is not allowed\n"
    )
    [p], raw = loadjob.collect(tmp_path, loadjob.ObjectJob(tmp_path / "x.o", "t"))
    assert p["bcf_plain"]["verdict"] == "compat_issue"
    assert "verifier log without BCF (err=-22)" in raw and "bpf_cpumask_create" in raw


def test_a_large_batch_is_scanned_for_a_refutation_before_certifying() -> None:
    """A kernel whose batch filled sends hundreds of conditions of one access (ENOKEY with the
    batch so far); one refuted condition settles the program without certifying the rest."""
    conds = [b"BCFC-many-%03d" % i for i in range(bcfloop.REFUTE_FIRST + 10)]
    scanned: list[bytes] = []

    def refuter(data: bytes, limit: float) -> Outcome:
        scanned.append(data)
        if data == conds[20]:
            return Outcome("refuted", detail="v0 = 0x1", model={0: 1}, total_s=0.1)
        return Outcome("unknown", total_s=0.1)

    def prover(data: bytes, limit: float) -> Outcome:
        raise AssertionError("nothing is certified once a refutation is known")

    def run_round(idx: list[int], certs: dict[int, dict[str, bytes]]) -> Any:
        return [(result(prog(bcfloop.ENOKEY, conds, "", "rejected")), "raw")]

    ((res, _),) = bcfloop.run(1, run_round, prover=prover, refuter=refuter)
    assert scanned == conds[:21]
    assert res["bcf"]["outcome"] == "refuted"
    refuted = [r for r in res["programs"][0]["refinements"] if r["verdict"] == "refuted"]
    assert len(refuted) == 1 and refuted[0]["counterexample"] == "v0 = 0x1"


def test_a_small_batch_is_certified_without_a_scan() -> None:
    conds = [b"BCFC-few-%d" % i for i in range(3)]

    def refuter(data: bytes, limit: float) -> Outcome:
        raise AssertionError("a small batch goes to the prover directly")

    rounds = []

    def run_round(idx: list[int], certs: dict[int, dict[str, bytes]]) -> Any:
        rounds.append(len(certs[0]))
        if certs[0]:
            return [(result(prog(0, [], STATS_CHECKED, "loaded")), "raw")]
        return [(result(prog(bcfloop.ENOKEY, conds, "", "rejected")), "raw")]

    prover = fake_prover({c: "proved" for c in conds})
    ((res, _),) = bcfloop.run(1, run_round, prover=prover, refuter=refuter)
    assert res["bcf"]["outcome"] == "accepted" and rounds == [0, 3]


def test_a_failing_condition_of_a_cut_suffix_asks_for_a_longer_one() -> None:
    """A condition of a shortened suffix that is refuted says nothing about the program: the next
    round sends a note (a certificate header without a body) and the kernel asks for a longer
    suffix of that path, whose condition is then proved."""
    short, whole = b"BCFC-short-suffix", b"BCFC-whole-suffix"
    sent: list[dict[str, bytes]] = []

    def run_round(idx: list[int], certs: dict[int, dict[str, bytes]]) -> Any:
        sent.append(dict(certs[0]))
        if not certs[0]:
            p = prog(bcfloop.ENOKEY, [short], "", "rejected")
            p["bcf_conditions"][0]["cut"] = True
        elif len(certs[0]) == 1:
            p = prog(bcfloop.ENOKEY, [whole], "", "rejected")
        else:
            p = prog(0, [], STATS_CHECKED, "loaded")
        return [(result(p), "raw")]

    prover = fake_prover({short: "refuted", whole: "proved"})
    ((res, _),) = bcfloop.run(1, run_round, prover=prover)
    assert res["bcf"]["outcome"] == "accepted" and res["bcf"]["rounds"] == 3
    note = sent[1][condition_hash(short).hex()]
    magic, version, flags, length, digest = NOTE.unpack(note)
    assert len(note) == 44 and (magic, version, flags, length) == (NOTE_MAGIC, 1, 0, 44)
    assert digest == condition_hash(short)
    assert sent[2][condition_hash(whole).hex()].startswith(b"CERT")


def test_a_refuted_cut_condition_in_a_large_batch_is_no_refutation() -> None:
    conds = [b"BCFC-cut-%03d" % i for i in range(bcfloop.REFUTE_FIRST + 2)]

    def refuter(data: bytes, limit: float) -> Outcome:
        if data == conds[0]:
            return Outcome("refuted", detail="v0 = 0x1", model={0: 1}, total_s=0.1)
        return Outcome("unknown", total_s=0.1)

    seen: list[dict[str, bytes]] = []

    def run_round(idx: list[int], certs: dict[int, dict[str, bytes]]) -> Any:
        seen.append(certs[0])
        if certs[0]:
            return [(result(prog(0, [], STATS_CHECKED, "loaded")), "raw")]
        p = prog(bcfloop.ENOKEY, conds, "", "rejected")
        for c in p["bcf_conditions"]:
            c["cut"] = True
        return [(result(p), "raw")]

    prover = fake_prover({c: "proved" for c in conds[1:]})
    ((res, _),) = bcfloop.run(1, run_round, prover=prover, refuter=refuter)
    # not refuted: the refuted one gets a note, the others certificates, and the round goes on
    assert res["bcf"]["outcome"] == "accepted"
    notes = [v for v in seen[1].values() if v.startswith(NOTE_MAGIC)]
    assert len(notes) == 1 and len(seen[1]) == len(conds)


def _range_condition(k: int) -> bytes:
    """A decodable range condition (distinct per k): x == k assumed, x <= 8 asked, access x."""
    from bcfpipe.bcf.encoding import encode
    from bcfpipe.bcf.expr import BOOL, Access, Condition, Node, Op

    nodes = (
        Node(Op.VAR, 64, (), 0),
        Node(Op.CONST, 64, (), k),
        Node(Op.EQ, BOOL, (0, 1)),
        Node(Op.CONST, 64, (), 8),
        Node(Op.ULE, BOOL, (0, 3)),
    )
    return encode(Condition(nodes, (2,), 4, {}, Access(0, 1, 16)))


def test_drop_variant_is_built_as_the_kernel_builds_it() -> None:
    """The kernel (0014) copies header and nodes, appends the constant false (op 1, width 0,
    no arguments, 8 zero bytes), copies the constraints, points the goal at the new node and
    leaves the access record out; encode() of the goal-false condition gives the same bytes."""
    import struct

    from bcfpipe.bcf.encoding import decode, drop_variant

    data = _range_condition(3)
    n_cons, n_nodes = 1, 5
    nodes_end = len(data) - 4 * n_cons - 4 - 12
    want = bytearray(data[:nodes_end] + bytes([1, 0, 0]) + bytes(8))
    want += data[nodes_end : nodes_end + 4 * n_cons] + struct.pack("<I", n_nodes)
    struct.pack_into("<HI", want, 6, 0, len(want))
    struct.pack_into("<I", want, 12, n_nodes + 1)
    got = drop_variant(data)
    assert got == bytes(want)
    cond = decode(got)
    assert cond.access is None and cond.goal == n_nodes and cond.nodes[-1].imm == 0


def test_an_infeasible_round_of_a_repeated_access_is_certified_to_be_dropped() -> None:
    """Range conditions asked at one instruction, round after round of an unrolled loop: the
    first whose goal-false variant proves gets a certificate, and the next load is asked for
    before anything else is proved (the kernel drops that path and every longer one)."""
    from bcfpipe.bcf.encoding import drop_variant

    conds = [_range_condition(k) for k in range(4)]
    verdicts = {c: "proved" for c in conds}
    verdicts.update({drop_variant(c): "refuted" for c in conds[:2]})
    verdicts.update({drop_variant(c): "proved" for c in conds[2:]})
    proved: list[bytes] = []
    inner = fake_prover(verdicts)

    def prover(data: bytes, limit: float) -> Outcome:
        proved.append(data)
        return inner(data, limit)

    loop = bcfloop.ObjectLoop()
    p = prog(bcfloop.ENOKEY, conds, STATS_PENDING, "rejected")
    assert loop.prove_new("p", p["bcf_conditions"], 1, prover, 5.0, refuter=None) == ""
    drop = condition_hash(drop_variant(conds[2])).hex()
    assert drop in loop.certs and loop.proofs[drop].drop
    # the first proved variant ends the pass; no range condition was proved this round
    assert proved == [drop_variant(c) for c in conds[:3]]
    # a refuted goal-false variant is no finding about the program
    rec = loop.proofs[condition_hash(drop_variant(conds[0])).hex()]
    loop.outcome = "refuted"
    assert rec.verdict == "refuted" and bcfloop.outcome_detail(loop) == ""


def test_a_counterexample_names_where_each_variable_comes_from() -> None:
    """The kernel's variable origins (0019) turn v0, v1 into values a reader can place."""
    from bcfpipe.bcf.encoding import encode
    from bcfpipe.bcf.expr import Builder, Condition, Op
    from bcfpipe.bcf.triage import counterexample, describe_origin

    b = Builder()
    x, y = b.var(0, 64), b.var(1, 64)
    b.var(2, 64)  # a helper's clobbered register: nothing reads it, the text leaves it out
    eq, goal = b.mk(Op.EQ, 0, (x, y)), b.false()
    cond = Condition(tuple(b.nodes), (eq,), goal)
    assert [v for v, _ in cond.variables()] == [0, 1, 2]
    assert [v for v, _ in cond.used_variables()] == [0, 1]
    origins = {0: "ld12.3", 1: "pkt_len.0", 2: "call11.2"}
    text = counterexample(cond, {0: 7, 1: 7, 2: 9}, origins)
    assert text == (
        "v0 = 0x7 (width 64; load at insn 12, step 3); "
        "v1 = 0x7 (width 64; packet length from step 0)"
    )
    assert describe_origin("r1") == "r1 at the start"
    assert describe_origin("fp-16.1") == "stack fp-16 of frame 1 at the start"
    assert describe_origin("call30.9") == "call at insn 30, step 9"
    assert describe_origin("something-else") == "something-else"
    log = "x\nbcf: variables of condition 0011223344556677 from insn 4 (state): v0=ld12.3 v1=r3\n"
    parsed = bcfloop.parse_var_origins(log)
    assert parsed == {"0011223344556677": {bcfloop.START: "state", 0: "ld12.3", 1: "r3"}}

    # The loop renders a refuted condition's counterexample with them.
    data = encode(cond)
    out = Outcome("refuted", model={0: 7, 1: 7, 2: 9}, detail="v0 = 0x7; v1 = 0x7")
    cond_dict = {"kind": "path", "insn": 12, "bytes": data, "origins": origins}
    rec = bcfloop._record("p", cond_dict, 1, out, 0.1)
    assert rec.detail == text
    assert rec.model == {"0": 7, "1": 7}  # v2's value says nothing
    assert bcfloop._record("p", dict(cond_dict, origins={}), 1, out, 0.1).detail == out.detail
