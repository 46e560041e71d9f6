"""cvc5 triage: is the condition valid? If not, a model and a counterexample a person can read.

cvc5 reads the SMT-LIB export (not a second translation), so every triage also exercises the
exporter; the model is checked against the reference evaluator before it is reported.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from bcfpipe.bcf import refeval
from bcfpipe.bcf.expr import Condition
from bcfpipe.bcf.smtlib import to_smtlib
from bcfpipe.errors import PipelineError


@dataclass(frozen=True)
class Triage:
    verdict: str  # "valid" | "invalid" | "unknown"
    model: dict[int, int] | None
    seconds: float


def triage(cond: Condition, time_limit_s: float = 10.0) -> Triage:
    import cvc5

    start = time.perf_counter()
    tm = cvc5.TermManager()
    solver = cvc5.Solver(tm)
    solver.setOption("produce-models", "true")
    solver.setOption("tlimit-per", str(max(1, int(time_limit_s * 1000))))
    symbols = cvc5.SymbolManager(tm)
    parser = cvc5.InputParser(solver, symbols)
    parser.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, to_smtlib(cond), "condition")
    result = None
    while True:
        cmd = parser.nextCommand()
        if cmd.isNull():
            break
        out = cmd.invoke(solver, symbols)
        if out.strip() in ("sat", "unsat", "unknown"):
            result = out.strip()
    seconds = time.perf_counter() - start
    if result == "unsat":
        return Triage("valid", None, seconds)
    if result != "sat":
        return Triage("unknown", None, seconds)
    model: dict[int, int] = {}
    for term in symbols.getDeclaredTerms():
        name = str(term)
        if name.startswith("v") and name[1:].isdigit():
            model[int(name[1:])] = int(solver.getValue(term).getBitVectorValue(10))
    if not refeval.holds(cond, model):
        raise PipelineError(
            "cvc5 model does not refute the condition under the reference evaluator: "
            "the SMT-LIB export and eBPF semantics disagree (a bug; please report it)"
        )
    return Triage("invalid", model, seconds)


def describe_origin(origin: str) -> str:
    """What a kernel variable origin (0019's ``bcf_note_vars``: ``ld12.3``, ``r1``, ``fp-8.0``,
    ``pkt_len.0``) says, in words."""
    m = re.fullmatch(r"(ld|st|alu|imm|call|jmp)(\d+)\.(\d+)", origin)
    if m:
        what = {"ld": "load", "st": "store", "alu": "result", "imm": "ld_imm64", "call": "call"}
        return f"{what.get(m[1], m[1])} at insn {m[2]}, step {m[3]}"
    m = re.fullmatch(r"fp(-\d+)\.(\d+)", origin)
    if m:
        return f"stack fp{m[1]} of frame {m[2]} at the start"
    if origin.startswith("pkt_len."):
        return f"packet length from step {origin.split('.', 1)[1]}"
    if re.fullmatch(r"r\d+", origin):
        return f"{origin} at the start"
    return origin


def counterexample(
    cond: Condition, model: dict[int, int], origins: dict[int, str] | None = None
) -> str:
    """One line per variable the condition uses, plus the out-of-bounds offset when the condition
    says what it is (a variable nothing reads can take any value: it says nothing).

    ``origins`` (variable id -> the kernel's name for where it comes from) adds that to each."""
    origins = origins or {}

    def var(v: int, w: int) -> str:
        where = f"; {describe_origin(origins[v])}" if v in origins else ""
        return f"{cond.var_name(v)} = {model.get(v, 0):#x} (width {w}{where})"

    parts = [var(v, w) for v, w in cond.used_variables()]
    if cond.access is not None:
        a = cond.access
        offset = refeval.evaluate(cond, model)[a.offset]
        width = cond.nodes[a.offset].width
        signed = offset - (1 << width) if offset >> (width - 1) else offset
        # Region 0: the packet, whose length is one of the condition's variables.
        region = f"a {a.region}-byte value" if a.region else "the packet"
        parts.append(
            f"offset {signed} with a {a.size}-byte access reaches byte {signed + a.size} "
            f"of {region}"
        )
    return "; ".join(parts) if parts else "the constraints hold without any variable"
