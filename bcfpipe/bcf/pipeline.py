"""Condition in, verdict out: triage, bit-blast, solve, certify, check — timed at every step."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bcfpipe.bcf import refeval
from bcfpipe.bcf.bitblast import CNF, bitblast
from bcfpipe.bcf.checker import Limits, check_certificate
from bcfpipe.bcf.encoding import MAX_CONDITION_BYTES, condition_hash, decode, encode
from bcfpipe.bcf.expr import Condition
from bcfpipe.bcf.prover import Step, encode_certificate, solve
from bcfpipe.bcf.smtlib import read_smtlib
from bcfpipe.bcf.triage import counterexample, triage
from bcfpipe.errors import PipelineError


def load_condition(path: Path) -> tuple[Condition, bytes]:
    """A condition file: the binary encoding, or SMT-LIB QF_BV (whose assertions are refuted).

    Returns the condition and its binary encoding, which certificates are keyed by.
    """
    try:
        size = path.stat().st_size
        if size > MAX_CONDITION_BYTES * 4:
            raise PipelineError(f"{path}: {size} bytes is too large for a condition")
        data = path.read_bytes()
    except OSError as err:
        raise PipelineError(f"cannot read condition {path}: {err.strerror}") from None
    if data[:4] == b"BCFC":
        try:
            return decode(data), data
        except PipelineError as err:
            raise PipelineError(f"{path}: {err}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PipelineError(
            f"{path}: neither a binary BCF condition (magic BCFC) nor SMT-LIB text"
        ) from None
    try:
        cond = read_smtlib(text)
    except PipelineError as err:
        raise PipelineError(f"{path}: {err}") from None
    except RecursionError:
        raise PipelineError(f"{path}: SMT-LIB terms nested too deeply") from None
    return cond, encode(cond)


@dataclass
class Outcome:
    verdict: str  # "proved" | "refuted" | "unprovable"
    detail: str = ""
    cnf_vars: int = 0
    cnf_clauses: int = 0
    condition_bytes: int = 0
    triage_s: float = 0.0
    bitblast_s: float = 0.0
    solve_s: float = 0.0
    check_s: float = 0.0
    total_s: float = 0.0
    cert_bytes: int = 0
    lrat_steps: int = 0
    solver_steps: int = 0
    model: dict[int, int] = field(default_factory=dict)
    certificate: bytes = b""
    steps: list[Step] = field(default_factory=list)
    cnf: CNF | None = None

    def stats(self) -> dict[str, object]:
        out = asdict(self)
        for key in ("certificate", "steps", "cnf"):
            out.pop(key)
        out["model"] = {str(k): v for k, v in self.model.items()}
        return out


# The part of a condition's time limit cvc5 may spend looking for a readable counterexample.
TRIAGE_SHARE = 0.25


def prove(
    cond: Condition, data: bytes, time_limit_s: float = 10.0, use_triage: bool = True
) -> Outcome:
    """Try to certify ``cond`` (encoded as ``data``) within about ``time_limit_s``."""
    start = time.perf_counter()
    out = Outcome("unprovable", condition_bytes=len(data))
    triaged = "not triaged"
    t = time.perf_counter()
    cnf = bitblast(cond)
    out.cnf = cnf
    out.bitblast_s = time.perf_counter() - t
    out.cnf_vars, out.cnf_clauses = cnf.num_vars, len(cnf.clauses)
    # CaDiCaL's small in-process budget settles most conditions either way; cvc5 then gets a
    # share of the time, not all of it: on circuits it finds hard (a 64-bit division) it used
    # to spend the whole limit and leave CaDiCaL nothing, where CaDiCaL needs a second.
    res = solve(cnf, time_limit_s, quick_only=True)
    out.solve_s = res.seconds
    if res.status == "unknown" and use_triage:
        share = max(1.0, time_limit_s * TRIAGE_SHARE)
        tri = triage(cond, min(share, max(0.1, time_limit_s - (time.perf_counter() - start))))
        triaged = f"cvc5 says {tri.verdict}"
        out.triage_s = tri.seconds
        if tri.verdict == "invalid":
            assert tri.model is not None
            out.verdict, out.model = "refuted", tri.model
            out.detail = counterexample(cond, tri.model)
            out.total_s = time.perf_counter() - start
            return out
    if res.status == "unknown":
        remaining = max(0.1, time_limit_s - (time.perf_counter() - start))
        res = solve(cnf, remaining, quick_conflicts=0)
        out.solve_s += res.seconds
    if res.status == "unknown":
        out.detail = f"no LRAT refutation within {time_limit_s:g} s ({triaged})"
    elif res.status == "sat":
        model = cnf.model(res.solution)
        if not refeval.holds(cond, model):
            raise PipelineError("the SAT model does not refute the condition (bit-blaster bug)")
        out.verdict, out.model = "refuted", model
        out.detail = counterexample(cond, model)
    else:
        key = condition_hash(data)
        out.certificate = encode_certificate(key, cnf, res.steps)
        out.steps = res.steps
        out.cert_bytes = len(out.certificate)
        out.lrat_steps = len(res.steps)
        out.solver_steps = res.raw_steps
        # Never hand out a certificate the checker has not accepted.
        stats = check_certificate(key, cnf.num_vars, cnf.clauses, out.certificate, Limits())
        out.check_s = stats.seconds
        out.verdict = "proved"
    out.total_s = time.perf_counter() - start
    return out
