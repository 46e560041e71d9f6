"""LRAT refutations from CaDiCaL 3.0 (through python-sat) and the binary certificate encoding.

python-sat only exposes DRUP, but its bundled CaDiCaL 3.0 writes LRAT when the ``lrat`` option is
set *before* the proof file is attached (CaDiCaL picks its tracer when tracing starts). CaDiCaL
numbers clauses in one sequence for original and derived clauses, and it may derive clauses
while originals are still being added (a unit propagated into a new clause), so the i-th original
clause need not have id i. Every id that is not a derived step's id belongs to an original clause,
in order; that gives the renumbering. The refutation is then trimmed to the steps the empty clause
needs, derived clauses are deleted right after their last use, and ids become implicit.
"""

from __future__ import annotations

import struct
import tempfile
import time
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import IO

from bcfpipe.bcf.bitblast import CNF
from bcfpipe.errors import PipelineError

CERT_MAGIC = b"BCFL"
CERT_VERSION = 2  # 2: constant divisors bit-blasted by their definition (docs/bcf-format.md)
CERT_HEADER = struct.Struct("<4sHHI32s")  # magic, version, flags, total length, condition hash
STEP_ADD = 1
STEP_DELETE = 2


@dataclass
class Step:
    """An LRAT step: add ``lits`` justified by ``hints``, or delete the clauses ``hints``."""

    kind: str  # "a" or "d"
    lits: list[int]
    hints: list[int]


@dataclass
class SolveResult:
    status: str  # "unsat" | "sat" | "unknown"
    steps: list[Step]  # renumbered, trimmed LRAT (unsat only)
    solution: list[int]  # signed DIMACS literals (sat only)
    seconds: float
    raw_steps: int = 0


def _parse_trace(text: str) -> list[tuple[str, int, list[int], list[int]]]:
    out: list[tuple[str, int, list[int], list[int]]] = []
    for line in text.splitlines():
        fields = line.split()
        if not fields:
            continue
        if fields[1] == "d":
            out.append(("d", int(fields[0]), [], [int(x) for x in fields[2:-1]]))
            continue
        nums = [int(x) for x in fields[1:]]
        zero = nums.index(0)
        out.append(("a", int(fields[0]), nums[:zero], nums[zero + 1 : -1]))
    return out


def _strict_hints(
    cid: int, lits: list[int], hints: list[int], clauses: Mapping[int, Sequence[int]]
) -> list[int]:
    """``hints`` as the checker's strict reverse unit propagation accepts them.

    CaDiCaL's chains are valid LRAT in the usual, lenient reading (drat-trim's lrat-check warns
    "hint already satisfied" and goes on): a hint whose one non-false literal is already true is a
    harmless no-op. CaDiCaL does write such hints: after learning a unit it can justify a clause
    that still contains that unit's negation with the unit's id first in the chain (issue #5).
    Our checkers reject a hint with a true literal, so no-op hints are dropped (that changes no
    assignment, so the rest of the chain stays valid), and the chain is cut at its conflict.
    Anything else is a chain not even the lenient reading accepts (lrat-check also counts a
    repeated literal twice), and is refused here rather than handed to the checker.
    """
    true = {-lit for lit in lits}
    out: list[int] = []
    for h in hints:
        hinted = clauses.get(h)
        if hinted is None:
            raise PipelineError(f"LRAT trace hint {h} is no known clause")
        free = [lit for lit in hinted if -lit not in true]
        if not free:
            out.append(h)
            return out
        unit = free[0]
        if len(free) > 1 and any(lit != unit for lit in free):
            raise PipelineError(f"LRAT step {cid}: hint {h} is not unit")
        if unit in true:
            continue
        if len(free) > 1:
            # The checkers count a repeated unassigned literal twice: not unit.
            raise PipelineError(f"LRAT step {cid}: unit hint {h} repeats its literal")
        out.append(h)
        true.add(unit)
    raise PipelineError(f"LRAT step {cid}: hints do not propagate to a conflict")


def _needed(
    adds: list[tuple[int, list[int], list[int]]], derived: Set[int]
) -> list[tuple[int, list[int], list[int]]]:
    """The steps the last one (the empty clause) depends on, in order."""
    needed = {adds[-1][0]}
    kept: list[tuple[int, list[int], list[int]]] = []
    for cid, lits, hints in reversed(adds):
        if cid in needed:
            needed.update(h for h in hints if h in derived)
            kept.append((cid, lits, hints))
    kept.reverse()
    return kept


def renumber(
    trace: list[tuple[str, int, list[int], list[int]]], clauses: Sequence[Sequence[int]]
) -> list[Step]:
    """CaDiCaL's interleaved ids → originals 1..M, then a trimmed refutation with ids M+1, ...

    CaDiCaL's own deletions are not used: the trimmed proof deletes each derived clause after its
    last use, and never deletes an original clause.
    """
    num_clauses = len(clauses)
    derived = {cid for kind, cid, _, _ in trace if kind == "a"}
    original: dict[int, int] = {}
    cid = 0
    while len(original) < num_clauses:
        cid += 1
        if cid not in derived:
            original[cid] = len(original) + 1
    adds = [(cid, lits, hints) for kind, cid, lits, hints in trace if kind == "a"]
    final = next((k for k, (_, lits, _) in enumerate(adds) if not lits), None)
    if final is None:
        raise PipelineError("CaDiCaL's LRAT trace does not derive the empty clause")
    kept = _needed(adds[: final + 1], derived)
    known: dict[int, Sequence[int]] = {cid: clauses[k - 1] for cid, k in original.items()}
    known.update((cid, lits) for cid, lits, _ in kept)
    strict = [(cid, lits, _strict_hints(cid, lits, hints, known)) for cid, lits, hints in kept]
    if any(len(a[2]) != len(b[2]) for a, b in zip(kept, strict, strict=True)):
        kept = _needed(strict, derived)  # a dropped hint can leave steps unused
    else:
        kept = strict
    new_id = {cid: num_clauses + 1 + k for k, (cid, _, _) in enumerate(kept)}
    last_use: dict[int, int] = {}
    for k, (_, _, hints) in enumerate(kept):
        for h in hints:
            if h in new_id:
                last_use[h] = k
    dying: dict[int, list[int]] = {}
    for h, k in last_use.items():
        dying.setdefault(k, []).append(new_id[h])
    steps: list[Step] = []
    for k, (_, lits, hints) in enumerate(kept):
        mapped = [new_id[h] if h in new_id else original[h] for h in hints]
        steps.append(Step("a", lits, mapped))
        if k < len(kept) - 1 and k in dying:
            steps.append(Step("d", [], sorted(dying[k])))
    return steps


def _cadical(
    cnf: CNF, proof_file: IO[bytes], conflicts: int | None
) -> tuple[bool | None, list[int]]:
    """One CaDiCaL run with LRAT tracing and exactly one solve call.

    A second solve call on the same solver can make CaDiCaL re-activate clauses without an LRAT
    line for them, which breaks the id renumbering; so a run that is cut short is thrown away.
    """
    import pysolvers
    from pysat.solvers import Cadical300

    solver = Cadical300()
    try:
        solver.configure({"lrat": 1, "binary": 0})
        tracer = pysolvers.cadical300_tracepr(solver.cadical, proof_file)
        for clause in cnf.clauses:
            solver.add_clause(clause)
        if cnf.num_vars:
            # Variables in no clause still belong to the model; CaDiCaL needs to know them.
            pysolvers.cadical300_dec_vars(solver.cadical, cnf.num_vars)
        if conflicts is None:
            status = solver.solve()
        else:
            solver.conf_budget(conflicts)
            status = solver.solve_limited()
        model = list(solver.get_model() or []) if status else []
        pysolvers.flushpr(tracer)
        return status, model
    finally:
        solver.delete()


def _child(cnf: CNF, proof_path: str, conn: Connection) -> None:
    with open(proof_path, "w+b") as f:
        conn.send(_cadical(cnf, f, None))


def _killable(cnf: CNF, proof_file: IO[bytes], timeout_s: float) -> tuple[bool | None, list[int]]:
    """A single unbounded solve in a forked child, killed at the deadline."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(cnf, proof_file.name, child), daemon=True)
    proc.start()
    child.close()
    try:
        if parent.poll(max(0.0, timeout_s)):
            status, model = parent.recv()
            return status, model
        return None, []
    except EOFError:
        raise PipelineError("the SAT solver process died") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        parent.close()


def solve(
    cnf: CNF, time_limit_s: float = 10.0, quick_conflicts: int = 2000, quick_only: bool = False
) -> SolveResult:
    """Decide the CNF; for unsat, an LRAT refutation; "unknown" when the time limit is reached.

    Most conditions fall within a small conflict budget in this process (``quick_conflicts``; 0
    skips it, ``quick_only`` stops after it); the rest get a fresh solver in a child process that
    can be killed, because CaDiCaL cannot be interrupted here.
    """
    start = time.perf_counter()
    empty = next((k for k, c in enumerate(cnf.clauses) if not c), None)
    if empty is not None:
        # The formula folded to false at the bit level: the refutation is one step.
        return SolveResult("unsat", [Step("a", [], [empty + 1])], [], time.perf_counter() - start)
    with tempfile.NamedTemporaryFile(prefix="bcf-lrat-") as proof_file:
        status, model = (
            (None, []) if not quick_conflicts else _cadical(cnf, proof_file, quick_conflicts)
        )
        if status is None and not quick_only:
            proof_file.seek(0)
            proof_file.truncate()
            remaining = time_limit_s - (time.perf_counter() - start)
            status, model = _killable(cnf, proof_file, remaining)
        seconds = time.perf_counter() - start
        if status is None:
            return SolveResult("unknown", [], [], seconds)
        if status:
            return SolveResult("sat", [], model, seconds)
        proof_file.seek(0)
        text = proof_file.read().decode("ascii")
    trace = _parse_trace(text)
    steps = renumber(trace, cnf.clauses)
    result = SolveResult("unsat", steps, [], time.perf_counter() - start)
    result.raw_steps = sum(1 for t in trace if t[0] == "a")
    return result


# -- encodings -----------------------------------------------------------------------------------


def _varint(out: bytearray, value: int) -> None:
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)


def _back(next_id: int, cid: int) -> int:
    # Delta 0 (the step's own id) is encodable so that mutated test vectors can say it; the
    # checker rejects it like any unknown clause. Later ids cannot be written at all.
    if not 1 <= cid <= next_id:
        raise PipelineError(f"LRAT step refers to clause {cid}, beyond {next_id}")
    return next_id - cid


def encode_certificate(cond_hash: bytes, cnf: CNF, steps: list[Step]) -> bytes:
    """The binary certificate (docs/bcf-format.md): header, then varint-coded steps."""
    out = bytearray(CERT_HEADER.size)
    _varint(out, cnf.num_vars)
    _varint(out, len(cnf.clauses))
    next_id = len(cnf.clauses) + 1
    for step in steps:
        if step.kind == "a":
            _varint(out, STEP_ADD)
            _varint(out, len(step.lits))
            for lit in step.lits:
                _varint(out, 2 * abs(lit) + (lit < 0))
            _varint(out, len(step.hints))
            for h in step.hints:
                _varint(out, _back(next_id, h))
            next_id += 1
        else:
            _varint(out, STEP_DELETE)
            _varint(out, len(step.hints))
            for h in step.hints:
                _varint(out, _back(next_id, h))
    CERT_HEADER.pack_into(out, 0, CERT_MAGIC, CERT_VERSION, 0, len(out), cond_hash)
    return bytes(out)


def lrat_text(cnf: CNF, steps: list[Step]) -> str:
    """Textual LRAT as ``lrat-check`` reads it."""
    lines = []
    last = len(cnf.clauses)
    for step in steps:
        if step.kind == "a":
            last += 1
            lines.append(" ".join(map(str, [last, *step.lits, 0, *step.hints, 0])))
        else:
            lines.append(" ".join(map(str, [last, "d", *step.hints, 0])))
    return "\n".join(lines) + "\n"
