"""SMT-LIB: the reader on the paper's conditions, and its operators checked against cvc5."""

from __future__ import annotations

import random
from pathlib import Path

import cvc5
import pytest

from bcfpipe.bcf.bitblast import bitblast
from bcfpipe.bcf.encoding import decode, encode
from bcfpipe.bcf.prover import solve
from bcfpipe.bcf.smtlib import read_smtlib, to_smtlib
from bcfpipe.bcf.triage import triage
from bcfpipe.errors import PipelineError


def cvc5_verdict(text: str) -> str:
    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    symbols = cvc5.SymbolManager(tm)
    parser = cvc5.InputParser(solver, symbols)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, text, "t")
    result = ""
    while True:
        cmd = parser.nextCommand()
        if cmd.isNull():
            return result
        result = cmd.invoke(solver, symbols).strip() or result


def test_reads_every_paper_condition(conditions_dir: Path) -> None:
    files = sorted(conditions_dir.glob("*.smt2"))
    assert len(files) == 229
    for path in files:
        cond = read_smtlib(path.read_text())
        assert decode(encode(cond)) == cond


def test_export_parses_and_stays_unsat(conditions_dir: Path) -> None:
    for path in sorted(conditions_dir.glob("bench_*.smt2"))[::10]:
        cond = read_smtlib(path.read_text())
        assert cvc5_verdict(to_smtlib(cond)) == "unsat", path.name
        assert triage(cond).verdict == "valid"


OPS = [
    "bvudiv",
    "bvurem",
    "bvsdiv",
    "bvsrem",
    "bvsmod",
    "bvshl",
    "bvlshr",
    "bvashr",
    "bvmul",
    "bvsub",
    "bvneg",
    "bvnot",
    "rotl",
    "rotr",
    "ze_se",
]


def op_text(op: str, w: int, x: int, y: int, r: int) -> str:
    term = {
        "bvneg": "(bvneg x)",
        "bvnot": "(bvnot x)",
        "rotl": "((_ rotate_left 3) x)",
        "rotr": "((_ rotate_right 1) x)",
        "ze_se": "((_ extract 4 1) (bvadd ((_ zero_extend 2) x) ((_ sign_extend 2) y)))",
    }.get(op, f"({op} x y)")
    rw = 4 if op == "ze_se" else w
    return (
        f"(set-logic QF_BV)(declare-const x (_ BitVec {w}))(declare-const y (_ BitVec {w}))"
        f"(assert (= x (_ bv{x} {w})))(assert (= y (_ bv{y} {w})))"
        f"(assert (let ((z {term})) (= z (_ bv{r} {rw}))))(check-sat)"
    )


@pytest.mark.parametrize("op", OPS)
def test_reader_operator_semantics(op: str) -> None:
    """With x and y pinned, (op x y) = r is sat for exactly one r: cvc5 and our CNF agree."""
    rng = random.Random(op)
    w = 4
    for _ in range(6):
        x, y = rng.randrange(16), rng.choice([0, 1, 15, 8, rng.randrange(16)])
        rw = 4
        hits = 0
        for r in range(1 << rw):
            text = op_text(op, w, x, y, r)
            ours = solve(bitblast(read_smtlib(text))).status
            assert ours == cvc5_verdict(text), (op, x, y, r)
            hits += ours == "sat"
        assert hits == 1


def test_reader_errors() -> None:
    with pytest.raises(PipelineError, match="unbalanced"):
        read_smtlib("(assert (= x")
    with pytest.raises(PipelineError, match="unknown symbol"):
        read_smtlib("(assert (= x #b1))")
    with pytest.raises(PipelineError, match="unsupported operator"):
        read_smtlib("(declare-const x (_ BitVec 4))(assert (= (bvfoo x) x))")
    with pytest.raises(PipelineError, match="one width"):
        read_smtlib("(declare-const x (_ BitVec 4))(assert (= (bvadd x #b1) x))")
    with pytest.raises(PipelineError, match="no assertions"):
        read_smtlib("(declare-const x (_ BitVec 4))")


def test_distinct_implies_xor() -> None:
    text = (
        "(declare-fun a () (_ BitVec 2))(declare-fun b () (_ BitVec 2))"
        "(assert (distinct a b #b00))(assert (=> (= a #b01) (xor (= b #b10) (= b #b11))))"
        "(assert (not (bvuge a #b01)))(check-sat)"
    )
    assert solve(bitblast(read_smtlib(text))).status == cvc5_verdict(text) == "unsat"
