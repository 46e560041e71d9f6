"""The BCF loader loop on the host: boot, collect conditions, prove, boot again with certificates.

A kernel with the BCF series answers a load that needs refinements with ``ENOKEY`` and the batch of
conditions (docs/bcf-kernel.md, "Protocol"); the guest loader writes them as ``N.cond.K``. This
module proves every new condition with :mod:`bcfpipe.bcf.pipeline` and reloads the object with all
certificates proved so far, until the object is accepted, a condition is refuted (its
counterexample is recorded), a condition cannot be proved, or the budget runs out. The VM side
is passed in as ``run_round`` so the loop is testable without a VM.

The object's ``bcf.outcome`` says which (docs/bcf-kernel.md, "Outcomes"): ``accepted``,
``refuted``, ``unprovable``, ``budget`` (``bcf.budget`` says which ran out: ``rounds``, or
``conditions`` when the last load's batch was full), ``not_refinable`` (rejected without any
condition: an error BCF does not refine) or ``not_needed``; ``bcf.detail`` says why in words.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bcfpipe.bcf.encoding import condition_hash, decode, drop_variant, note
from bcfpipe.errors import PipelineError
from bcfpipe.load.results import object_verdict

ENOKEY = 126
DEFAULT_ROUNDS = 4
DEFAULT_PROVE_SECONDS = 60.0

# One line per checked certificate (and per condition without one), printed under BPF_LOG_STATS.
STATS_LINE = re.compile(
    r"^bcf: (?P<what>refinement|condition) kind=(?P<kind>range|path) insn=(?P<insn>\d+) "
    r"track_length=(?P<track>\d+) cond_bytes=(?P<cond>\d+) cert_bytes=(?P<cert>\d+) "
    r"check_ns=(?P<ns>\d+)(?P<cut> cut=1)?(?P<cached> cached=1)?\s*$",
    re.M,
)
# The kernel stopped gathering conditions for this load (its batch was full, or it had gone
# BCF_GATHER_INSNS instructions past the first missing one): the rest waits for the next load.
BATCH_FULL = re.compile(r"^bcf: batch full at insn (\d+)", re.M)

if TYPE_CHECKING:
    from bcfpipe.bcf.pipeline import Outcome

# The prover (and cvc5 behind it) is imported when a condition is first proved: every load job
# imports this module, most never prove anything.
Prover = Callable[[bytes, float], "Outcome"]


# A round with more new conditions than this for one program is first scanned for a refutation
# (cvc5 alone, about 0.1-0.3 s per condition) before any is certified (seconds each): a kernel
# whose batch filled up sends hundreds of conditions of one access, and one refuted settles it.
REFUTE_FIRST = 16
# Goal-false variants tried per instruction and round (0014): a loop the verifier unrolls past
# its trip count (30 rounds in xdp_ipv4_csum) is cut within this many; beyond, a round of
# hundreds of feasible paths would spend a scan on each.
DROP_TRIES = 64


def default_refuter(data: bytes, time_limit_s: float) -> Outcome:
    """``refuted`` with a counterexample when cvc5 finds one, else ``unknown``."""
    from bcfpipe.bcf.pipeline import Outcome
    from bcfpipe.bcf.triage import counterexample, triage

    try:
        cond = decode(data)
    except PipelineError as err:
        return Outcome("unprovable", detail=f"kernel condition does not decode: {err}")
    tri = triage(cond, time_limit_s)
    if tri.verdict == "invalid" and tri.model is not None:
        return Outcome(
            "refuted", detail=counterexample(cond, tri.model), model=tri.model, total_s=tri.seconds
        )
    return Outcome("unknown", total_s=tri.seconds)


def default_prover(data: bytes, time_limit_s: float) -> Outcome:
    from bcfpipe.bcf.pipeline import Outcome, prove

    try:
        cond = decode(data)
    except PipelineError as err:
        return Outcome("unprovable", detail=f"kernel condition does not decode: {err}")
    try:
        return prove(cond, data, time_limit_s)
    except PipelineError as err:
        # A prover-side failure (its own checker refusing the certificate) is reported, not fatal.
        return Outcome("unprovable", detail=f"prover failed: {err}")


# Printed with each condition the kernel sends (0019): its hash's first 8 bytes, the suffix's
# first instruction and what it starts from, then what each variable stands for
# (docs/bcf-kernel.md, "Variable origins").
VARS_LINE = re.compile(
    r"bcf: variables of condition (?P<hash>[0-9a-f]{16}) from insn (?P<insn>\d+) "
    r"\((?P<start>entry|frame|state|cut)\):(?P<vars>.*)$",
    re.M,
)
# The key under which parse_var_origins gives where the suffix starts ("entry", "frame", "state"
# or "cut"); variable ids are 0 and up.
START = -1


def parse_var_origins(vlog_text: str) -> dict[str, dict[int, str]]:
    """Condition hash prefix (16 hex digits) -> variable id -> origin (``ld12.3``, ``r1``), and
    ``START`` -> what the suffix starts from."""
    out: dict[str, dict[int, str]] = {}
    for m in VARS_LINE.finditer(vlog_text):
        names = {START: m["start"]}
        for item in m["vars"].split():
            var, _, origin = item.partition("=")
            if var[:1] == "v" and var[1:].isdigit() and origin:
                names[int(var[1:])] = origin
        out[m["hash"]] = names
    return out


def parse_stats(vlog_text: str) -> list[dict[str, Any]]:
    """The kernel's per-refinement lines, in order."""
    return [
        {
            "checked": m["what"] == "refinement",
            "kind": m["kind"],
            "insn": int(m["insn"]),
            "track_length": int(m["track"]),
            "condition_bytes": int(m["cond"]),
            "certificate_bytes": int(m["cert"]),
            "check_ns": int(m["ns"]),
            "cut": bool(m["cut"]),
            "cached": bool(m["cached"]),
        }
        for m in STATS_LINE.finditer(vlog_text)
    ]


@dataclass
class ProofRecord:
    kind: str
    insn: int
    program: str  # the program whose load returned the condition first
    verdict: str
    solve_seconds: float
    round: int
    condition_bytes: int
    certificate: bytes = b""
    detail: str = ""
    model: dict[str, int] = field(default_factory=dict)
    cut: bool = False  # a condition of a shortened suffix (a longer one exists)
    access: dict[str, int] | None = None  # a refuted range condition's access record
    # the goal-false variant of a range condition (0014): proved, the kernel drops the path;
    # otherwise no finding about the program
    drop: bool = False


def _record(program: str, cond: dict[str, Any], rnd: int, out: Outcome, secs: float) -> ProofRecord:
    detail, model, access = out.detail, out.model, None
    if out.verdict == "refuted" and out.model:
        from bcfpipe.bcf.triage import counterexample

        try:
            decoded = decode(cond["bytes"])
        except PipelineError:
            decoded = None  # a prover's own finding about bytes it could not read either
        if decoded is not None:
            # The variables nothing reads can take any value: the model keeps the others.
            model = {v: out.model.get(v, 0) for v, _ in decoded.used_variables()}
            if decoded.access is not None:
                access = {"size": decoded.access.size, "region": decoded.access.region}
            if cond.get("origins"):
                # The prover saw only the bytes: name the variables from the kernel's log.
                detail = counterexample(decoded, out.model, cond["origins"])
    return ProofRecord(
        cut=bool(cond.get("cut")),
        kind=cond.get("kind", "range"),
        insn=int(cond.get("insn", -1)),
        program=program,
        verdict=out.verdict,
        solve_seconds=round(secs, 6),
        round=rnd,
        condition_bytes=len(cond["bytes"]),
        certificate=out.certificate,
        detail=detail,
        model={str(k): v for k, v in model.items()},
        access=access,
    )


@dataclass
class ObjectLoop:
    """BCF state of one object across rounds."""

    # condition hash (hex) -> certificate, or the note that a shortened suffix's condition failed
    certs: dict[str, bytes] = field(default_factory=dict)
    proofs: dict[str, ProofRecord] = field(default_factory=dict)  # condition hash -> outcome
    rounds: int = 0
    outcome: str = ""
    proof_seconds: float = 0.0
    budget: str = ""  # with outcome 'budget': 'rounds' or 'conditions'
    detail: str = ""

    def prove_new(
        self,
        program: str,
        conditions: list[dict[str, Any]],
        rnd: int,
        prover: Prover,
        limit_s: float,
        refuter: Prover | None = default_refuter,
    ) -> str:
        """Prove one program's conditions of a round.

        Returns '' when every condition is proved and at least one certificate is new (another
        round can go further), else the program's final outcome: 'refuted' or 'unprovable'.
        With more than ``REFUTE_FIRST`` new conditions, ``refuter`` looks for a refuted one
        first; the program is then refuted without certifying the others. A condition of a
        shortened suffix (``cut``) that is refuted or not proved is no finding about the program:
        it gets a note, and the next round's kernel asks for a longer suffix of that path.
        """
        fresh = [c for c in conditions if condition_hash(c["bytes"]).hex() not in self.proofs]
        if self._drop_pass(program, fresh, rnd, prover, limit_s, refuter):
            return ""  # the next load drops those paths: ask again what is left
        if refuter is not None and len(fresh) > REFUTE_FIRST:
            for c in fresh:
                out, secs = self._timed(refuter, c["bytes"], limit_s)
                if out.verdict == "refuted":
                    rec = self._settle(c, _record(program, c, rnd, out, secs))
                    if rec.cut:
                        continue
                    return "refuted"
        worst = ""
        new = False
        for c in conditions:
            key = condition_hash(c["bytes"]).hex()
            if key in self.proofs:
                rec = self.proofs[key]
                if rec.round == rnd and (rec.verdict == "proved" or rec.cut):
                    new = True  # settled this round (certificate or note): sent next round
                elif rec.verdict == "refuted" and not rec.cut:
                    worst = "refuted"
                elif worst != "refuted":
                    # Not proved, or the kernel asked again for a condition whose certificate
                    # it was given in an earlier round: no further round helps.
                    worst = "unprovable"
                continue
            new = True
            out, secs = self._timed(prover, c["bytes"], limit_s)
            rec = self._settle(c, _record(program, c, rnd, out, secs))
            if rec.verdict == "proved" or rec.cut:
                continue  # a certificate or a note goes out next round
            worst = "refuted" if rec.verdict == "refuted" else worst or "unprovable"
        return worst or ("" if new else "unprovable")

    def _drop_pass(
        self,
        program: str,
        fresh: list[dict[str, Any]],
        rnd: int,
        prover: Prover,
        limit_s: float,
        refuter: Prover | None,
    ) -> bool:
        """Certify infeasible paths among range conditions asked more than once at one
        instruction (a loop the verifier follows past its real trip count, paths fanning in).

        In the order the kernel asked them, each condition's goal-false variant is scanned for a
        counterexample and otherwise proved; the first proved one per instruction gets a
        certificate and the kernel drops that path (and with it every longer one) in the next
        load. Returns whether a certificate was made.
        """
        by_insn: dict[int, list[dict[str, Any]]] = {}
        for c in fresh:
            if c.get("kind", "range") == "range":
                by_insn.setdefault(int(c.get("insn", -1)), []).append(c)
        made = False
        for conds in by_insn.values():
            if len(conds) < 2:
                continue
            for c in conds[:DROP_TRIES]:
                try:
                    data = drop_variant(c["bytes"])
                except PipelineError:
                    break  # the prover reports a condition that does not decode
                key = condition_hash(data).hex()
                if key in self.proofs:
                    if self.proofs[key].verdict == "proved":
                        break
                    continue
                # a variant that fails gets no note: the kernel asks nothing longer for it
                variant = dict(c, kind="path", bytes=data, cut=False)
                out, secs = (None, 0.0) if refuter is None else self._timed(refuter, data, limit_s)
                if out is None or out.verdict != "refuted":
                    out, more = self._timed(prover, data, limit_s)
                    secs += more
                rec = _record(program, variant, rnd, out, secs)
                rec.drop = True
                if self._settle(variant, rec).verdict == "proved":
                    made = True
                    break
        return made

    def _timed(self, prove: Prover, data: bytes, limit_s: float) -> tuple[Outcome, float]:
        """``prove(data)`` and its solving time (the prover's own figure, else the wall time),
        which counts into the object's proof time."""
        t = time.perf_counter()
        out = prove(data, limit_s)
        secs = out.total_s or (time.perf_counter() - t)
        self.proof_seconds += secs
        return out, secs

    def _settle(self, cond: dict[str, Any], rec: ProofRecord) -> ProofRecord:
        """Record a condition's outcome and what the next round sends for it: its certificate,
        or, for a shortened suffix's condition that failed, a note asking for a longer one."""
        digest = condition_hash(cond["bytes"])
        self.proofs[digest.hex()] = rec
        if rec.verdict == "proved":
            self.certs[digest.hex()] = rec.certificate
        elif rec.cut:
            self.certs[digest.hex()] = note(digest)
        return rec

    def by_insn(self) -> dict[tuple[str, str, int], ProofRecord]:
        """Proofs by (program, kind, instruction): the stats lines of checked refinements."""
        out: dict[tuple[str, str, int], ProofRecord] = {}
        for rec in self.proofs.values():
            key = (rec.program, rec.kind, rec.insn)
            # a checked refinement has a proof: the proved record, not a failed drop variant
            if key not in out or (rec.verdict == "proved" and out[key].verdict != "proved"):
                out[key] = rec
        return out


def needs_certificates(program: dict[str, Any]) -> bool:
    return program.get("errno") == ENOKEY and bool(program.get("bcf_conditions"))


def _line_of(lines: list[dict[str, Any]] | None, cond: dict[str, Any]) -> dict[str, Any] | None:
    """The first of ``lines`` (the kernel's lines of one instruction's conditions, in their
    order) of the size of ``cond``, taken off the list; None when there is none."""
    if not lines:
        return None
    size = len(cond["bytes"])
    k = next((k for k, st in enumerate(lines) if st["condition_bytes"] == size), 0)
    return lines.pop(k)


def annotate(result: dict[str, Any], loop: ObjectLoop) -> dict[str, Any]:
    """Fill ``refinements`` per program and ``result['bcf']`` from the last round and the proofs.

    A program the kernel still refused with ``ENOKEY`` is rejected: its error line names the
    outcome (a counterexample when a condition was refuted), ``verifier_error_line`` the
    verifier's own reason from the load repeated without BCF. When that load says the program
    cannot load on this kernel at all, the verdict is ``compat_issue`` as without BCF.
    """
    recs = loop.by_insn()
    for prog in result.get("programs", []):
        refs = []
        # The kernel's line of each condition it returned, in the order it returned them:
        # several conditions of one instruction (other paths) have other tracks.
        pending: dict[tuple[str, int], list[dict[str, Any]]] = {}
        for st in prog.pop("bcf_stats", []):
            if not st["checked"]:
                # reported below, once per condition the kernel returned
                pending.setdefault((st["kind"], st["insn"]), []).append(st)
                continue
            rec = recs.get((prog.get("name", ""), st["kind"], st["insn"]))
            refs.append(
                {
                    "kind": st["kind"],
                    "insn": st["insn"],
                    "track_length": st["track_length"],
                    "condition_bytes": st["condition_bytes"],
                    "certificate_bytes": st["certificate_bytes"],
                    "check_ns": st["check_ns"],
                    "solve_seconds": rec.solve_seconds if rec else None,
                    "round": rec.round if rec else None,
                    "checked": True,
                    "cut": st.get("cut", False),
                    # the certificate had been checked for another path of this load
                    "cached": st.get("cached", False),
                }
            )
        for c in prog.pop("bcf_conditions", []):
            rec = loop.proofs.get(condition_hash(c["bytes"]).hex())
            st = _line_of(pending.get((c.get("kind", "range"), int(c.get("insn", -1)))), c)
            refs.append(
                {
                    "kind": c.get("kind", "range"),
                    "insn": int(c.get("insn", -1)),
                    "track_length": st["track_length"] if st else None,
                    "condition_bytes": len(c["bytes"]),
                    "certificate_bytes": len(rec.certificate) if rec else 0,
                    "check_ns": None,
                    "solve_seconds": rec.solve_seconds if rec else None,
                    "round": rec.round if rec else None,
                    "checked": False,
                    "cut": bool(c.get("cut")),
                    "cached": False,
                    "verdict": rec.verdict if rec else "not_proved",
                    "counterexample": rec.detail if rec and rec.verdict != "proved" else "",
                }
            )
            if rec and rec.verdict == "refuted":
                # The model by variable, with what the kernel said each stands for (0019).
                origins = c.get("origins") or {}
                refs[-1]["start"] = origins.get(START, "")
                refs[-1]["model"] = {
                    f"v{k}": {"value": v, "origin": origins.get(int(k), "")}
                    for k, v in sorted(rec.model.items(), key=lambda kv: int(kv[0]))
                }
                if rec.access is not None:
                    refs[-1]["access"] = rec.access
        prog["refinements"] = refs
        plain = prog.pop("bcf_plain", None)
        if prog.get("errno") == ENOKEY:
            # a shortened suffix's condition failing says nothing about the program
            whole = [r for r in refs if not r.get("cut")]
            bad = next((r for r in whole if r.get("verdict") == "refuted"), None) or next(
                (r for r in whole if r.get("verdict") not in (None, "proved")), None
            )
            detail = (
                f"bcf: {bad['kind']} condition at insn {bad['insn']} {bad['verdict']}: "
                f"{bad.get('counterexample') or ''}".strip()
                if bad
                else f"bcf: conditions without certificates ({loop.outcome})"
            )
            prog["bcf_detail"] = detail
            if plain:
                prog["verifier_error_line"] = plain["error_line"]
            if plain and plain["verdict"] == "compat_issue":
                # The program cannot load here whatever the refinement says (a kfunc its type
                # may not call, a missing BTF id): the same verdict and reason as without BCF.
                for key in ("verdict", "error_category", "error_line", "error_normalized"):
                    prog[key] = plain[key]
            else:
                prog["verdict"] = "rejected"
                prog["error_category"] = f"bcf_{loop.outcome}"
                prog["error_line"] = detail
                prog["error_normalized"] = detail
    progs = result.get("programs", [])
    if progs and result.get("vm", {}).get("status", "ok") == "ok":
        result["verdict"] = object_verdict(progs, result.get("verdict", "loaded"))
    result["bcf"] = {
        "rounds": loop.rounds,
        "outcome": loop.outcome,
        "proof_seconds": round(loop.proof_seconds, 6),
    }
    if detail := loop.detail or outcome_detail(loop):
        result["bcf"]["detail"] = detail
    if loop.outcome == "budget":
        result["bcf"]["budget"] = loop.budget
    return result


def outcome_detail(loop: ObjectLoop) -> str:
    """The outcome in words: the condition that was refuted or not proved, what ran out."""
    whole = [r for r in loop.proofs.values() if not r.cut and not r.drop]
    if loop.outcome == "refuted":
        rec = next((r for r in whole if r.verdict == "refuted"), None)
        if rec:
            return (
                f"{rec.kind} condition at insn {rec.insn} of {rec.program or '?'} refuted "
                f"(round {rec.round}): {rec.detail}".rstrip(": ")
            )
    if loop.outcome == "unprovable":
        rec = next((r for r in whole if r.verdict not in ("proved", "refuted")), None)
        if rec:
            why = rec.detail or f"the prover gave up ({rec.verdict})"
            return (
                f"{rec.kind} condition at insn {rec.insn} of {rec.program or '?'} "
                f"({rec.condition_bytes} bytes, round {rec.round}) not proved after "
                f"{rec.solve_seconds:.1f} s: {why}"
            )
        return "the kernel asked again for a condition it had been given a certificate for"
    if loop.outcome == "not_refinable":
        return "rejected without a refinement condition: an error of a kind BCF does not refine"
    return ""


RunRound = Callable[[list[int], dict[int, dict[str, bytes]]], list[tuple[dict[str, Any], str]]]


def run(
    n_jobs: int,
    run_round: RunRound,
    *,
    max_rounds: int = DEFAULT_ROUNDS,
    prover: Prover = default_prover,
    prove_seconds: float = DEFAULT_PROVE_SECONDS,
    refuter: Prover | None = default_refuter,
) -> list[tuple[dict[str, Any], str]]:
    """Drive the rounds for ``n_jobs`` objects.

    ``run_round(indices, certs)`` boots once for the objects ``indices`` (certificates per object,
    keyed by condition hash) and returns their ``(result, raw_log)`` in the same order. Programs
    carry ``bcf_conditions`` (``{"kind", "insn", "bytes"}``) and ``bcf_stats`` (from the log).
    """
    loops = [ObjectLoop() for _ in range(n_jobs)]
    final: dict[int, tuple[dict[str, Any], str]] = {}
    pending = list(range(n_jobs))
    raws: dict[int, list[str]] = {k: [] for k in range(n_jobs)}
    rnd = 0
    while pending:
        rnd += 1
        outs = run_round(pending, {k: dict(loops[k].certs) for k in pending})
        still = []
        for k, (result, raw) in zip(pending, outs, strict=True):
            loop = loops[k]
            loop.rounds = rnd
            full = BATCH_FULL.search(raw)
            raws[k].append(f"##### BCF round {rnd}\n{raw}")
            progs = result.get("programs", [])
            waiting = [p for p in progs if needs_certificates(p)]
            if not waiting:
                if not any(p.get("bcf_stats") for p in progs) and rnd == 1:
                    # No condition at all: nothing to refine, or (rejected) an error of a kind
                    # BCF does not refine, which is not the same as a condition it could not
                    # prove.
                    loop.outcome = (
                        "not_needed" if result.get("verdict") == "loaded" else "not_refinable"
                    )
                elif result.get("verdict") == "loaded":
                    loop.outcome = "accepted"
                elif not loop.outcome:
                    # Every refinement was certified and the verifier then failed on an error
                    # BCF does not refine.
                    loop.outcome = "not_refinable"
                    bad: dict[str, Any] = next(
                        (p for p in progs if p.get("verdict") != "loaded"), {}
                    )
                    loop.detail = (
                        "rejected after its refinements by an error BCF does not refine: "
                        f"{bad.get('error_line', '')}".rstrip(": ")
                    )
                final[k] = (result, "")
                continue
            # Programs are settled one by one: a refuted program must not keep a sibling of the
            # same object, whose conditions all proved, from its next round.
            verdicts = [
                loop.prove_new(
                    p.get("name", ""), p["bcf_conditions"], rnd, prover, prove_seconds, refuter
                )
                for p in waiting
            ]
            if all(verdicts):
                loop.outcome = "refuted" if "refuted" in verdicts else "unprovable"
                final[k] = (result, "")
            elif rnd >= max_rounds:
                # Every condition so far is proved, and the verifier wants more.
                loop.outcome = "budget"
                n = sum(len(p["bcf_conditions"]) for p in waiting)
                if full:
                    loop.budget = "conditions"
                    loop.detail = (
                        f"the kernel's batch was full at insn {full[1]} in round {rnd} of "
                        f"{max_rounds} (load.bcf_rounds): more conditions than one load returns"
                    )
                else:
                    loop.budget = "rounds"
                    loop.detail = (
                        f"{max_rounds} rounds (load.bcf_rounds) used; round {rnd} still returned "
                        f"{n} conditions, all proved, for the next round"
                    )
                final[k] = (result, "")
            else:
                still.append(k)
        pending = still
    results = []
    for k in range(n_jobs):
        result, _ = final[k]
        results.append((annotate(result, loops[k]), "\n".join(raws[k])))
    return results
