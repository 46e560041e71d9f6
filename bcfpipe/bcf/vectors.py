"""Test vectors for the kernel's C bit-blaster and checker: (condition, CNF, certificate) triples.

Every operation appears in at least one vector; mutated certificates that must be rejected sit
beside the ones that must be accepted. Regenerate with ``bcfpipe bcf-vectors``; the output is
deterministic (CaDiCaL is), and ``tests/bcf/test_vectors.py`` checks the folder is current.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
from collections.abc import Callable
from pathlib import Path

from bcfpipe.bcf.bitblast import bitblast
from bcfpipe.bcf.checker import CertificateRejected, check_certificate
from bcfpipe.bcf.encoding import condition_hash, encode
from bcfpipe.bcf.expr import (
    BOOL,
    BSWAP_BITS,
    BV_BINARY,
    COMPARISONS,
    Access,
    Builder,
    Condition,
    Op,
)
from bcfpipe.bcf.prover import CERT_HEADER, Step, encode_certificate, solve
from bcfpipe.bcf.randgen import random_condition
from bcfpipe.bcf.refeval import apply
from bcfpipe.errors import PipelineError

Maker = Callable[[], Condition]


def _pinned(op: Op, width: int, x: int, y: int) -> Condition:
    """``a = x ∧ b = y ⊢ op(a, b) = op(x, y)``: the op's whole circuit, decided by propagation."""
    b = Builder()
    a, c = b.var(1, width), b.var(2, width)
    binary = op in BV_BINARY or op in COMPARISONS
    rw = BOOL if op in COMPARISONS else width
    if binary:
        t = b.binop(op, a, c)
        expect = apply(op, rw, [width, width], [x, y])
    elif op in BSWAP_BITS or op is Op.NEG:
        t = b.mk(op, width, (a,))
        expect = apply(op, width, [width], [x])
    else:
        raise AssertionError(op)
    k = b.boolean(bool(expect)) if rw == BOOL else b.const(expect, rw)
    cons = [b.binop(Op.EQ, a, b.const(x, width)), b.binop(Op.EQ, c, b.const(y, width))]
    return b.condition(cons, b.binop(Op.EQ, t, k), names={1: "a", 2: "b"})


def _cover_letter() -> Condition:
    b = Builder()
    r0 = b.var(0, 64)
    w0 = b.extract(r0, 31, 0)
    t = b.binop(Op.AND, b.binop(Op.ARSH, w0, b.const(31, 32)), b.signed_const(-134, 32))
    cons = [b.binop(Op.SLE, t, b.signed_const(-1, 32)), b.binop(Op.EQ, t, b.signed_const(-136, 32))]
    return b.condition(cons, b.false(), names={0: "r0"})


def _masked_index() -> Condition:
    """Range refinement: ``(x & 0xf) + 8`` plus a 1-byte access stays inside a 24-byte value."""
    b = Builder()
    x = b.var(3, 64)
    off = b.binop(Op.ADD, b.binop(Op.AND, x, b.const(0xF, 64)), b.const(8, 64))
    end = b.binop(Op.ADD, off, b.const(1, 64))
    goal = b.land(b.binop(Op.SGE, off, b.const(0, 64)), b.binop(Op.ULE, end, b.const(24, 64)))
    return b.condition([], goal, names={3: "r3"}, access=Access(off, 1, 24))


def _masked_index_oob() -> Condition:
    """The same access into a 16-byte value: satisfiable, so never certified."""
    b = Builder()
    x = b.var(3, 64)
    off = b.binop(Op.ADD, b.binop(Op.AND, x, b.const(0xF, 64)), b.const(8, 64))
    goal = b.binop(Op.ULE, b.binop(Op.ADD, off, b.const(1, 64)), b.const(16, 64))
    return b.condition([], goal, names={3: "r3"}, access=Access(off, 1, 16))


def _alu32_shift() -> Condition:
    """``w1 = (w1 << 28) s>> 28`` (ALU32, zero-extended) is at most 7 or at least 0xfffffff8."""
    b = Builder()
    r1 = b.var(1, 64)
    t = b.alu32(Op.LSH, r1, b.const(28, 64))
    t = b.alu32(Op.ARSH, t, b.const(28, 64))
    goal = b.lor(b.binop(Op.ULE, t, b.const(7, 64)), b.binop(Op.UGE, t, b.const(0xFFFFFFF8, 64)))
    return b.condition([], goal, names={1: "r1"})


def _variable_shift() -> Condition:
    """``(x >> (s & 3)) <= x`` for 8-bit x: a barrel shifter driven by a variable amount."""
    b = Builder()
    x, s = b.var(1, 8), b.var(2, 8)
    t = b.binop(Op.RSH, x, b.binop(Op.AND, s, b.const(3, 8)))
    return b.condition([], b.binop(Op.ULE, t, x))


def _udiv_bound() -> Condition:
    """``x / 3 <= 85`` and ``x % 16 < 16`` for 8-bit x, and ``x / 0 == 0`` (eBPF)."""
    b = Builder()
    x, y = b.var(1, 8), b.var(2, 8)
    goal = b.land(
        b.binop(Op.ULE, b.binop(Op.UDIV, x, b.const(3, 8)), b.const(85, 8)),
        b.binop(Op.ULT, b.binop(Op.UMOD, x, b.const(16, 8)), b.const(16, 8)),
    )
    zero_div = b.binop(Op.EQ, b.binop(Op.UDIV, x, y), b.const(0, 8))
    return b.condition([b.binop(Op.EQ, y, b.const(0, 8))], b.land(goal, zero_div))


def _signed_division_corners() -> Condition:
    """S16_MIN s/ -1 = S16_MIN and S16_MIN s% -1 = 0 (the wrap-around corner)."""
    b = Builder()
    x, y = b.var(1, 16), b.var(2, 16)
    smin, m1 = b.const(1 << 15, 16), b.signed_const(-1, 16)
    cons = [b.binop(Op.EQ, x, smin), b.binop(Op.EQ, y, m1)]
    goal = b.land(
        b.binop(Op.EQ, b.binop(Op.SDIV, x, y), smin),
        b.binop(Op.EQ, b.binop(Op.SMOD, x, y), b.const(0, 16)),
    )
    return b.condition(cons, goal)


def _constant_divisors() -> Condition:
    """Division by constants, each bit-blasted by its definition (docs/bcf-format.md 3.2).

    clang-14's way of writing ``x % 13`` (``x - (x / 13) * 13``, the constant on the left of the
    product, as user space orders it) at 32 bits stays below 13; signed division by a negative
    constant and by S16_MIN truncates toward zero; ``x % 1`` is 0.
    """
    b = Builder()
    x = b.var(1, 32)
    k13 = b.const(13, 32)
    rem = b.binop(Op.SUB, x, b.binop(Op.MUL, k13, b.binop(Op.UDIV, x, k13)))
    y = b.var(2, 16)
    m7, smin = b.signed_const(-7, 16), b.const(1 << 15, 16)
    cons = [b.binop(Op.EQ, y, b.signed_const(-100, 16))]
    goal = b.land(
        b.binop(Op.ULT, rem, k13),
        b.binop(Op.EQ, b.binop(Op.SDIV, y, m7), b.const(14, 16)),
        b.binop(Op.EQ, b.binop(Op.SMOD, y, m7), b.signed_const(-2, 16)),
        b.binop(Op.EQ, b.binop(Op.SDIV, y, smin), b.const(0, 16)),
        b.binop(Op.EQ, b.binop(Op.UMOD, x, b.const(1, 32)), b.const(0, 32)),
    )
    return b.condition(cons, goal, names={1: "x", 2: "y"})


def _extensions() -> Condition:
    """sext/zext/concat/extract/ite/boolean connectives on one path."""
    b = Builder()
    x = b.var(1, 8)
    s = b.sext(x, 16)
    z = b.zext(x, 16)
    hi = b.extract(s, 15, 8)
    neg = b.binop(Op.SLT, x, b.const(0, 8))
    same = b.binop(Op.EQ, b.concat(hi, x), s)
    pick = b.ite(neg, b.const(0xFF, 8), b.const(0, 8))
    goal = b.land(
        same,
        b.binop(Op.EQ, hi, pick),
        b.implies(b.lnot(neg), b.binop(Op.EQ, s, z)),
        b.lor(neg, b.lnot(b.binop(Op.SET, z, b.const(0x80, 16)))),
    )
    return b.condition([], goal)


def _pinned_structure() -> Condition:
    """Extensions, extract, concat, ite and connectives on a variable pinned to 0xa5."""
    b = Builder()
    x = b.var(1, 8)
    k = 0xA5
    neg = b.binop(Op.SLT, x, b.const(0, 8))
    facts = [
        b.binop(Op.EQ, b.zext(x, 16), b.const(k, 16)),
        b.binop(Op.EQ, b.sext(x, 16), b.const(0xFF00 | k, 16)),
        b.binop(Op.EQ, b.extract(x, 6, 2), b.const((k >> 2) & 0x1F, 5)),
        b.binop(Op.EQ, b.concat(x, b.extract(x, 3, 0)), b.const(k << 4 | (k & 0xF), 12)),
        b.binop(Op.EQ, b.ite(neg, x, b.bvnot(x)), b.const(k, 8)),
        b.implies(neg, b.lor(b.lnot(neg), b.binop(Op.EQ, x, b.const(k, 8)))),
    ]
    return b.condition([b.binop(Op.EQ, x, b.const(k, 8))], b.land(*facts))


def _bool_ops() -> Condition:
    b = Builder()
    p = b.binop(Op.ULT, b.var(1, 4), b.const(3, 4))
    q = b.binop(Op.SET, b.var(2, 4), b.const(1, 4))
    lhs = b.binop(Op.EQ, b.implies(p, q), b.lor(b.lnot(p), q))
    rhs = b.binop(Op.NE, b.ite(p, q, b.lnot(q)), b.binop(Op.NE, p, q))
    return b.condition([], b.land(lhs, rhs))


def _makers() -> dict[str, Maker]:
    makers: dict[str, Maker] = {}
    samples = {
        Op.UDIV: (200, 7),
        Op.SDIV: (0x80, 0xFF),
        Op.UMOD: (200, 0),
        Op.SMOD: (0x85, 0xFD),
        Op.LSH: (0x35, 0x0B),
        Op.RSH: (0xB5, 0x0D),
        Op.ARSH: (0xB5, 0x0E),
    }
    for op in sorted(BV_BINARY | COMPARISONS):
        x, y = samples.get(op, (0xB6, 0x5D))
        makers[f"op_{op.name.lower()}_8"] = functools.partial(_pinned, op, 8, x, y)
    makers["op_neg_8"] = lambda: _pinned(Op.NEG, 8, 0x80, 0)
    makers["op_bswap16_16"] = lambda: _pinned(Op.BSWAP16, 16, 0x12AB, 0)
    makers["op_bswap16_64"] = lambda: _pinned(Op.BSWAP16, 64, 0x1122334455667788, 0)
    makers["op_bswap32_32"] = lambda: _pinned(Op.BSWAP32, 32, 0x12345678, 0)
    makers["op_bswap64_64"] = lambda: _pinned(Op.BSWAP64, 64, 0x0102030405060708, 0)
    makers["op_add_64"] = lambda: _pinned(Op.ADD, 64, (1 << 64) - 5, 9)
    makers["op_mul_32"] = lambda: _pinned(Op.MUL, 32, 0x10001, 0xFFFF)
    makers["op_udiv_16_zero"] = lambda: _pinned(Op.UDIV, 16, 12345, 0)
    makers["op_sdiv_16_zero"] = lambda: _pinned(Op.SDIV, 16, 0x8000, 0)
    makers["op_smod_16_zero"] = lambda: _pinned(Op.SMOD, 16, 0x8001, 0)
    makers["op_arsh_64"] = lambda: _pinned(Op.ARSH, 64, 1 << 63, 0x7F)
    makers["op_lsh_32"] = lambda: _pinned(Op.LSH, 32, 3, 0x23)
    makers["cover_letter"] = _cover_letter
    makers["masked_index_24"] = _masked_index
    makers["masked_index_16_oob"] = _masked_index_oob
    makers["alu32_shift_sign"] = _alu32_shift
    makers["variable_shift"] = _variable_shift
    makers["udiv_umod_bounds"] = _udiv_bound
    makers["signed_division_corners"] = _signed_division_corners
    makers["constant_divisors"] = _constant_divisors
    makers["extensions"] = _extensions
    makers["bool_ops"] = _bool_ops
    makers["pinned_structure"] = _pinned_structure
    # Random conditions, half of them built without word-level folding, exercise the
    # bit-level folding rules; some are satisfiable (CNF only).
    for seed in range(24):
        makers[f"random_{seed:02d}"] = functools.partial(random_condition, seed)
    return makers


def _rejected(key: bytes, cnf_vars: int, clauses: list[list[int]], cert: bytes) -> str | None:
    try:
        check_certificate(key, cnf_vars, clauses, cert)
    except CertificateRejected as err:
        return str(err)
    return None


def _mutations(steps: list[Step], num_clauses: int) -> dict[str, list[Step]]:
    """Step-level mutations of a refutation, each with candidates tried in a fixed order."""
    adds = [k for k, s in enumerate(steps) if s.kind == "a"]
    out: dict[str, list[Step]] = {}

    def copy() -> list[Step]:
        return [Step(s.kind, list(s.lits), list(s.hints)) for s in steps]

    for k in adds:
        if steps[k].lits:
            m = copy()
            m[k].lits[0] = -m[k].lits[0]
            out.setdefault("flipped_literal", m)
    for k in adds:
        if len(steps[k].hints) > 1:
            m = copy()
            m[k].hints.pop(len(m[k].hints) // 2)
            out.setdefault("dropped_hint", m)
    for k in reversed(adds):
        m = copy()
        hints = m[k].hints
        hints[-1] = hints[-1] - 1 if hints[-1] > 1 else hints[-1] + 1
        out.setdefault("wrong_hint", m)
    # Swapping independent steps leaves a valid proof; move a step before one it depends on.
    ids = {k: num_clauses + 1 + n for n, k in enumerate(adds)}
    for i, j in reversed(list(itertools.pairwise(adds))):
        if ids[i] in steps[j].hints:
            m = copy()
            m[i], m[j] = m[j], m[i]
            out["reordered_steps"] = m
            break
    out["missing_empty_clause"] = copy()[: adds[-1]]
    return out


def generate(outdir: Path) -> dict[str, object]:
    """Write every vector and ``manifest.json`` into ``outdir``; return the manifest."""
    outdir.mkdir(parents=True, exist_ok=True)
    for old in outdir.glob("*.bcf*"):
        old.unlink()
    vectors: list[dict[str, object]] = []
    covered: set[str] = set()
    certs: dict[str, tuple[bytes, list[Step]]] = {}
    conds: dict[str, tuple[bytes, int, list[list[int]]]] = {}
    for name, make in _makers().items():
        cond = make()
        data = encode(cond)
        cnf = bitblast(cond)
        res = solve(cnf, time_limit_s=60)
        (outdir / f"{name}.bcfc").write_bytes(data)
        (outdir / f"{name}.bcfcnf").write_text(cnf.dimacs())
        entry: dict[str, object] = {
            "name": name,
            "condition": f"{name}.bcfc",
            "cnf": f"{name}.bcfcnf",
            "cnf_vars": cnf.num_vars,
            "cnf_clauses": len(cnf.clauses),
            "condition_sha256": hashlib.sha256(data).hexdigest(),
            "ops": sorted({n.op.name for n in cond.nodes}),
        }
        conds[name] = (data, cnf.num_vars, cnf.clauses)
        if res.status == "unsat":
            cert = encode_certificate(condition_hash(data), cnf, res.steps)
            check_certificate(condition_hash(data), cnf.num_vars, cnf.clauses, cert)
            (outdir / f"{name}.bcfcert").write_bytes(cert)
            entry |= {"expect": "valid", "certificate": f"{name}.bcfcert", "verdict": "accept"}
            certs[name] = (cert, res.steps)
            covered.update(entry["ops"])  # type: ignore[arg-type]
        elif res.status == "sat":
            entry |= {"expect": "invalid"}
        else:
            raise PipelineError(f"vector {name}: solver gave up")
        vectors.append(entry)
    missing = {op.name for op in Op} - covered
    if missing:
        raise PipelineError(f"test vectors do not cover {sorted(missing)}")
    vectors += _mutated(outdir, certs, conds)
    manifest: dict[str, object] = {
        "format": "bcf test vectors v1; see docs/bcf-format.md",
        "vectors": vectors,
    }
    (outdir / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def _mutated(
    outdir: Path,
    certs: dict[str, tuple[bytes, list[Step]]],
    conds: dict[str, tuple[bytes, int, list[list[int]]]],
) -> list[dict[str, object]]:
    from bcfpipe.bcf.bitblast import CNF

    out: list[dict[str, object]] = []

    def emit(base: str, kind: str, cert: bytes, against: str | None = None) -> None:
        target = against or base
        data, nv, clauses = conds[target]
        reason = _rejected(condition_hash(data), nv, clauses, cert)
        if reason is None:
            raise PipelineError(f"mutation {kind} of {base} was accepted: not a useful vector")
        name = f"{base}.{kind}"
        (outdir / f"{name}.bcfcert").write_bytes(cert)
        out.append(
            {
                "name": name,
                "condition": f"{target}.bcfc",
                "cnf": f"{target}.bcfcnf",
                "certificate": f"{name}.bcfcert",
                "verdict": "reject",
                "mutation": kind,
                "reason": reason,
            }
        )

    # Bases with refutations long enough for every mutation.
    bases = [n for n, (_, steps) in certs.items() if sum(s.kind == "a" for s in steps) >= 3]
    for base in [n for n in ("op_mul_8", "variable_shift", "udiv_umod_bounds") if n in bases] + [
        "cover_letter"
    ]:
        cert, steps = certs[base]
        data, nv, clauses = conds[base]
        cnf = CNF(nv, clauses)
        key = condition_hash(data)
        for kind, mutated in _mutations(steps, len(clauses)).items():
            emit(base, kind, encode_certificate(key, cnf, mutated))
        emit(base, "truncated", cert[: max(CERT_HEADER.size + 2, len(cert) // 2)])
        short = bytearray(cert[: len(cert) - 1])
        short[8:12] = len(short).to_bytes(4, "little")
        emit(base, "truncated_fixed_length", bytes(short))
    # A certificate presented for another condition: by hash, and with the hash forged.
    other = "masked_index_24"
    cert, _ = certs["variable_shift"]
    emit("variable_shift", f"for_{other}", cert, against=other)
    forged = bytearray(cert)
    forged[12:44] = condition_hash(conds[other][0])
    emit("variable_shift", f"for_{other}_forged_hash", bytes(forged), against=other)
    # Same variable and clause counts, different circuit: only the LRAT check can tell.
    cert, _ = certs["op_add_8"]
    forged = bytearray(cert)
    forged[12:44] = condition_hash(conds["op_sub_8"][0])
    emit("op_add_8", "for_op_sub_8_forged_hash", bytes(forged), against="op_sub_8")
    # A satisfiable condition with a made-up refutation that claims the empty clause.
    data, nv, clauses = conds["masked_index_16_oob"]
    fake = [Step("a", [], [k + 1 for k in range(min(3, len(clauses)))])]
    emit(
        "masked_index_16_oob",
        "forged",
        encode_certificate(condition_hash(data), CNF(nv, clauses), fake),
    )
    return out
