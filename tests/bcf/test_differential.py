"""Differential testing: bit-blaster + CaDiCaL against cvc5, models against the reference evaluator.

cvc5 reads the SMT-LIB export, CaDiCaL reads the bit-blasted CNF, and ``refeval`` (written from the
instruction-set definition) judges every model either of them returns. Each unsat answer also
gets a certificate that the independent checker must accept. Seeded, so failures reproduce with
``random_condition(seed)``.
"""

from __future__ import annotations

import random

import pytest
from pysat.solvers import Solver

from bcfpipe.bcf import refeval
from bcfpipe.bcf.bitblast import bitblast
from bcfpipe.bcf.checker import check_certificate
from bcfpipe.bcf.encoding import condition_hash, decode, encode
from bcfpipe.bcf.prover import encode_certificate, solve
from bcfpipe.bcf.randgen import random_condition
from bcfpipe.bcf.triage import triage


def run_case(seed: int, wide: bool = False) -> str:
    cond = random_condition(seed, wide=wide)
    data = encode(cond)
    assert decode(data) == cond, seed
    tri = triage(cond)
    assert tri.verdict in ("valid", "invalid"), seed
    cnf = bitblast(cond)
    res = solve(cnf)
    assert (tri.verdict == "valid") == (res.status == "unsat"), (
        f"seed {seed}: cvc5 and SAT disagree"
    )
    if res.status == "sat":
        assert refeval.holds(cond, cnf.model(res.solution)), f"seed {seed}: SAT model is wrong"
    else:
        cert = encode_certificate(condition_hash(data), cnf, res.steps)
        check_certificate(condition_hash(data), cnf.num_vars, cnf.clauses, cert)
    # Concrete inputs: the CNF with its variables fixed is satisfiable exactly when the reference
    # evaluator says the assignment refutes the condition.
    rng = random.Random(seed)
    assignment = {vid: rng.getrandbits(len(bits)) for vid, bits in cnf.var_bits.items()}
    fixed = [
        v if assignment[vid] >> k & 1 else -v
        for vid, bits in cnf.var_bits.items()
        for k, v in enumerate(bits)
    ]
    with Solver(name="minisat22", bootstrap_with=cnf.clauses) as s:
        concrete = s.solve(assumptions=fixed)
    assert concrete == refeval.holds(cond, assignment), f"seed {seed}: concrete evaluation differs"
    return res.status


def test_differential_fast() -> None:
    statuses = [run_case(seed) for seed in range(300)]
    statuses += [run_case(seed, wide=True) for seed in range(40)]
    # Both verdicts must be well represented, or the test proves little.
    assert statuses.count("sat") > 50 and statuses.count("unsat") > 50


@pytest.mark.slow
def test_differential_10k() -> None:
    statuses = [run_case(seed) for seed in range(1000, 11000)]
    statuses += [run_case(seed, wide=True) for seed in range(1000, 1500)]
    assert statuses.count("sat") > 1000 and statuses.count("unsat") > 1000
