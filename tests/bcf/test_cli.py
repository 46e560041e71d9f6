"""The ``prove``/``check``/``smt``/``show`` commands through the real dispatcher."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bcf_examples import cover_letter

from bcfpipe.bcf.encoding import encode
from bcfpipe.cli import main

COVER_SMT = """(set-logic QF_BV)
(declare-const r0 (_ BitVec 64))
(define-fun t () (_ BitVec 32)
  (bvand (bvashr ((_ extract 31 0) r0) (_ bv31 32)) (bvneg (_ bv134 32))))
(assert (bvsle t (bvneg (_ bv1 32))))
(assert (= t (bvneg (_ bv136 32))))
"""


def test_prove_check_show_smt(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cond = tmp_path / "cover.bcfc"
    cond.write_bytes(encode(cover_letter()))
    cert = tmp_path / "out" / "cover.cert"
    assert main(["prove", str(cond), "-o", str(cert), "--json", "--lrat", str(tmp_path / "l")]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["verdict"] == "proved" and stats["cert_bytes"] == cert.stat().st_size
    assert main(["check", str(cond), str(cert)]) == 0
    assert main(["check", str(cond), str(tmp_path / "l")]) == 0
    assert "accepted" in capsys.readouterr().out
    assert main(["show", str(cond)]) == 0
    assert "r0[31:0]" in capsys.readouterr().out
    assert main(["smt", str(cond)]) == 0
    assert "(check-sat)" in capsys.readouterr().out


def test_smt2_input_and_foreign_certificate(tmp_path: Path) -> None:
    smt = tmp_path / "cover.smt2"
    smt.write_text(COVER_SMT)
    cert = tmp_path / "c.cert"
    assert main(["prove", str(smt), "-o", str(cert)]) == 0
    assert main(["check", str(smt), str(cert)]) == 0
    other = tmp_path / "other.smt2"
    other.write_text(COVER_SMT.replace("136", "137"))
    assert main(["check", str(other), str(cert)]) == 1  # keyed by the condition's hash


def test_refuted_prints_counterexample(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    smt = tmp_path / "sat.smt2"
    smt.write_text("(declare-const v3 (_ BitVec 64))(assert (bvugt v3 #x00000000000000ff))")
    cert = tmp_path / "never.cert"
    assert main(["prove", str(smt), "-o", str(cert)]) == 2
    assert "v3 = 0x" in capsys.readouterr().err
    assert not cert.exists()


def test_unprovable_within_time_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # x*y = y*x over 16 bits with the multiplications kept apart: hard for bit-level reasoning.
    smt = tmp_path / "commute.smt2"
    smt.write_text(
        "(declare-const x (_ BitVec 16))(declare-const y (_ BitVec 16))"
        "(declare-const p (_ BitVec 16))(declare-const q (_ BitVec 16))"
        "(assert (= p (bvmul x y)))(assert (= q (bvmul y (bvadd x #x0000))))"
        "(assert (distinct p q))"
    )
    cert = tmp_path / "c.cert"
    assert main(["prove", str(smt), "-o", str(cert), "--no-triage", "--time-limit", "0.5"]) == 3
    assert "unprovable" in capsys.readouterr().err and not cert.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"BCFC\x01\x00", "truncated"),
        (b"\xff\xfe garbage", "neither a binary BCF condition"),
        (b"(assert (bvfoo))", "unsupported operator"),
    ],
)
def test_bad_condition_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    bad = tmp_path / "bad"
    bad.write_bytes(content)
    assert main(["prove", str(bad), "-o", str(tmp_path / "c")]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "c").exists()
