"""Certificates: the paper's examples are certified, forgeries and mutations never are."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from bcf_examples import cover_letter

from bcfpipe.bcf.bitblast import CNF, bitblast
from bcfpipe.bcf.checker import CertificateRejected, Limits, check_certificate, check_lrat_text
from bcfpipe.bcf.encoding import condition_hash, encode
from bcfpipe.bcf.expr import Access, Builder, Op
from bcfpipe.bcf.pipeline import prove
from bcfpipe.bcf.prover import Step, encode_certificate, lrat_text, solve
from bcfpipe.bcf.randgen import random_condition
from bcfpipe.bcf.vectors import _mutations
from bcfpipe.errors import PipelineError


def test_cover_letter_certified() -> None:
    cond = cover_letter()
    out = prove(cond, encode(cond))
    assert out.verdict == "proved" and out.cert_bytes > 0


def masked_access(region: int, mask: int = 0xF) -> tuple[Builder, object]:
    b = Builder()
    x = b.var(3, 64)
    off = b.binop(Op.ADD, b.binop(Op.AND, x, b.const(mask, 64)), b.const(8, 64))
    goal = b.binop(Op.ULE, b.binop(Op.ADD, off, b.const(1, 64)), b.const(region, 64))
    return b, b.condition([], goal, names={3: "r3"}, access=Access(off, 1, region))


def test_memory_bound_certified_and_refuted() -> None:
    _, ok = masked_access(24)
    out = prove(ok, encode(ok))  # type: ignore[arg-type]
    assert out.verdict == "proved"
    _, bad = masked_access(16)
    out = prove(bad, encode(bad))  # type: ignore[arg-type]
    assert out.verdict == "refuted" and not out.certificate
    assert "r3 = 0x" in out.detail and "of a 16-byte value" in out.detail


def test_packet_access_counterexample_names_the_packet() -> None:
    """Region 0 in the access record: the packet, whose length is a variable (series 0005)."""
    b = Builder()
    x, length = b.var(3, 64), b.var(4, 64)
    off = b.binop(Op.AND, x, b.const(0x3F, 64))
    goal = b.binop(Op.SLE, b.binop(Op.ADD, off, b.const(4, 64)), length)
    cond = b.condition([b.binop(Op.SLE, b.const(64, 64), length)], goal, access=Access(off, 4, 0))
    out = prove(cond, encode(cond))
    assert out.verdict == "refuted"
    assert "with a 4-byte access reaches byte" in out.detail and "of the packet" in out.detail


def test_correlated_branch_path_refinement() -> None:
    """if (x < 8) y = x * 4; ... y > 40 on the same path is infeasible (32-bit ALU)."""
    b = Builder()
    r1 = b.var(1, 64)
    y = b.alu32(Op.LSH, r1, b.const(2, 64))
    cons = [b.binop(Op.ULT, r1, b.const(8, 64)), b.binop(Op.UGT, y, b.const(40, 64))]
    cond = b.condition(cons, b.false())
    assert prove(cond, encode(cond)).verdict == "proved"


def valid_conditions(n: int, min_adds: int = 3) -> list[tuple[bytes, CNF, list[Step]]]:
    found = []
    seed = 0
    while len(found) < n:
        cond = random_condition(seed)
        seed += 1
        cnf = bitblast(cond)
        res = solve(cnf)
        if res.status == "unsat" and sum(s.kind == "a" for s in res.steps) >= min_adds:
            found.append((encode(cond), cnf, res.steps))
    return found


def test_structured_mutations_rejected() -> None:
    for data, cnf, steps in valid_conditions(12):
        key = condition_hash(data)
        check_certificate(key, cnf.num_vars, cnf.clauses, encode_certificate(key, cnf, steps))
        kinds = _mutations(steps, len(cnf.clauses))
        assert {"flipped_literal", "dropped_hint", "wrong_hint", "reordered_steps"} <= set(kinds)
        for kind, mutated in kinds.items():
            with pytest.raises(CertificateRejected):
                check_certificate(
                    key, cnf.num_vars, cnf.clauses, encode_certificate(key, cnf, mutated)
                )
            with pytest.raises(CertificateRejected):
                check_lrat_text(cnf.num_vars, cnf.clauses, lrat_text(cnf, mutated))
            assert kind


def test_byte_flips_never_crash_and_need_a_valid_condition() -> None:
    """A flipped byte is rejected, or still a correct refutation (e.g. a harmless deletion)."""
    rng = random.Random(1)
    for data, cnf, steps in valid_conditions(10):
        key = condition_hash(data)
        cert = encode_certificate(key, cnf, steps)
        for _ in range(150):
            bad = bytearray(cert)
            bad[rng.randrange(44, len(bad))] ^= 1 << rng.randrange(8)
            try:
                check_certificate(key, cnf.num_vars, cnf.clauses, bytes(bad))
            except CertificateRejected:
                continue
            # Accepted: then it is itself a checked refutation of this (valid) CNF.
            assert solve(cnf).status == "unsat"


def test_no_satisfiable_condition_certified() -> None:
    donors = valid_conditions(5, min_adds=1)
    n_sat = 0
    for seed in range(200):
        cond = random_condition(seed)
        data = encode(cond)
        out = prove(cond, data)
        if out.verdict != "refuted":
            continue
        n_sat += 1
        assert not out.certificate
        cnf = bitblast(cond)
        key = condition_hash(data)
        forged = [Step("a", [], list(range(1, min(4, len(cnf.clauses)) + 1)))]
        with pytest.raises(CertificateRejected):
            check_certificate(key, cnf.num_vars, cnf.clauses, encode_certificate(key, cnf, forged))
        for _, _, steps in donors:  # someone else's refutation presented for this formula
            with pytest.raises(CertificateRejected):
                check_lrat_text(cnf.num_vars, cnf.clauses, lrat_text(cnf, steps))
            try:
                cert = encode_certificate(key, cnf, steps)
            except PipelineError:
                continue  # it names clauses this formula does not have
            with pytest.raises(CertificateRejected):
                check_certificate(key, cnf.num_vars, cnf.clauses, cert)
    assert n_sat > 50


def test_renumbering_with_interleaved_ids() -> None:
    """Units among the originals make CaDiCaL derive clauses between original ones."""
    cnf = CNF(5, [[3], [-3, 4], [1, 2], [-1, 2], [1, -2], [-1, -2, 5], [-5, -4]])
    res = solve(cnf)
    assert res.status == "unsat"
    check_lrat_text(cnf.num_vars, cnf.clauses, lrat_text(cnf, res.steps))


def test_checker_limits_and_malformed_text() -> None:
    data, cnf, steps = valid_conditions(1, min_adds=5)[0]
    text = lrat_text(cnf, steps)
    with pytest.raises(CertificateRejected, match="limit of 2 steps"):
        check_lrat_text(cnf.num_vars, cnf.clauses, text, Limits(max_steps=2))
    with pytest.raises(CertificateRejected, match="live literals"):
        check_lrat_text(cnf.num_vars, cnf.clauses, text, Limits(max_live_literals=10))
    with pytest.raises(CertificateRejected, match="malformed"):
        check_lrat_text(cnf.num_vars, cnf.clauses, "7 1 2 x 0\n")
    with pytest.raises(CertificateRejected, match="RUP"):
        first = len(cnf.clauses) + 1
        check_lrat_text(cnf.num_vars, cnf.clauses, f"{first} 0 -1 0\n")
    key = condition_hash(data)
    cert = encode_certificate(key, cnf, steps)
    with pytest.raises(CertificateRejected, match="different condition"):
        check_certificate(bytes(32), cnf.num_vars, cnf.clauses, cert)


def external_verdict(lrat_check: str, tmp: Path, cnf: CNF, steps: list[Step]) -> bool:
    (tmp / "f.cnf").write_text(cnf.dimacs())
    (tmp / "f.lrat").write_text(lrat_text(cnf, steps))
    run = subprocess.run(
        [lrat_check, str(tmp / "f.cnf"), str(tmp / "f.lrat")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # It prints "c NOT VERIFIED" on failure: the whole line and the exit status decide.
    verified = run.returncode == 0 and "c VERIFIED" in run.stdout.splitlines()
    assert verified or "c NOT VERIFIED" in run.stdout, run.stdout + run.stderr
    return verified


def _hints_an_original_unit(cnf: CNF, steps: list[Step], mutated: list[Step]) -> bool:
    """Whether the mutation changed a hint into one naming a unit clause of the formula."""
    for old, new in zip(steps, mutated, strict=False):
        for h_old, h_new in zip(old.hints, new.hints, strict=False):
            if h_old != h_new and h_new <= len(cnf.clauses) and len(cnf.clauses[h_new - 1]) == 1:
                return True
    return False


def test_external_lrat_check(tmp_path: Path, lrat_check: str) -> None:
    """drat-trim's lrat-check, a checker that is not ours, agrees with ours both ways."""
    for _, cnf, steps in valid_conditions(5):
        assert external_verdict(lrat_check, tmp_path, cnf, steps)
        for kind, mutated in _mutations(steps, len(cnf.clauses)).items():
            if _hints_an_original_unit(cnf, steps, mutated):
                # lrat-check assigns the formula's unit clauses once, before any step, so a
                # chain whose conflict is with such a unit needs no hint to it: a wrong hint
                # to another unit can still verify there. Ours rejects it (the test above).
                continue
            assert not external_verdict(lrat_check, tmp_path, cnf, mutated), kind
    cover = bitblast(cover_letter())
    res = solve(cover)
    assert res.status == "unsat"
    assert external_verdict(lrat_check, tmp_path, cover, res.steps)


def test_constant_modulo_in_clang14s_form_needs_no_cvc5() -> None:
    """``x − (x / 13) · 13 ≤ 15`` (clang-14's ``x % 13``) is certified by CaDiCaL's in-process
    budget: cvc5, which used to spend the whole limit on it, is not consulted. A bound the
    remainder can exceed is refuted with a model that really exceeds it."""
    from bcfpipe.bcf.refeval import apply

    b = Builder()
    x, k13 = b.var(0, 64), b.const(13, 64)
    rem = b.binop(Op.SUB, x, b.binop(Op.MUL, b.binop(Op.UDIV, x, k13), k13))
    cond = b.condition([], b.binop(Op.ULE, rem, b.const(15, 64)))
    out = prove(cond, encode(cond), time_limit_s=60)
    assert out.verdict == "proved" and out.triage_s == 0.0
    assert out.cert_bytes < 200_000  # the restoring divider's took 5.4 MB
    cond = b.condition([], b.binop(Op.ULE, rem, b.const(11, 64)))
    out = prove(cond, encode(cond), time_limit_s=60)
    assert out.verdict == "refuted"
    assert apply(Op.UMOD, 64, [64, 64], [out.model[0], 13]) == 12
