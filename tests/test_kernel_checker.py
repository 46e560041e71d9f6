"""The kernel's trusted BCF checker (kernel/bpf/bcf_checker.c of patches/linux/bcf/files), built
in user space from the same source, against the shared vectors and the Python reference.

Every vector: identical CNF, valid certificates accepted, mutated ones rejected; malformed
conditions rejected with a reason; random conditions proved by bcfpipe and checked in C; byte-flip
fuzzing of certificates and conditions (never a crash, never an acceptance the Python checker
does not share, never a certificate accepted for a satisfiable condition). The sanitizer build
runs the same cases, so a memory error anywhere fails the test.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from bcfpipe.bcf.bitblast import bitblast
from bcfpipe.bcf.checker import CertificateRejected, check_certificate
from bcfpipe.bcf.encoding import condition_hash, decode, encode
from bcfpipe.bcf.expr import BOOL, Builder, Condition, Node, Op
from bcfpipe.bcf.prover import Step, encode_certificate, solve
from bcfpipe.bcf.randgen import random_condition
from bcfpipe.errors import PipelineError

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "tests" / "kernel_checker"
VECTORS = ROOT / "tests" / "bcf_vectors"
KINDS = ("plain", "asan")
EINVAL, E2BIG, EINTR, ENOMEM = 22, 7, 4, 12

Checker = Callable[..., subprocess.CompletedProcess[bytes]]
Proved = list[tuple[Path, Path, bool]]  # condition, certificate (or a forged one), valid


@pytest.fixture(scope="module")
def binaries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if shutil.which("gcc") is None or shutil.which("make") is None:
        pytest.skip("gcc and make are needed to build the checker harness")
    out = tmp_path_factory.mktemp("kernel_checker")
    # BCF_CHECKER_FILES points the build at another copy of the series' files (mutation tests).
    files = os.environ.get("BCF_CHECKER_FILES")
    proc = subprocess.run(
        ["make", "-s", "-C", str(HARNESS), f"OUT={out}", "CC=gcc"]
        + ([f"FILES={Path(files).resolve()}"] if files else []),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {"plain": out / "bcfcheck", "asan": out / "bcfcheck-asan"}


def runner(exe: Path) -> Checker:
    def run(
        *args: str | Path, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[bytes]:
        proc = subprocess.run([str(exe), *map(str, args)], capture_output=True, env=env, timeout=60)
        # 0 accepted, 1 rejected; anything else is a crash or a sanitizer report.
        assert proc.returncode in (0, 1), proc.stderr.decode(errors="replace")[-2000:]
        return proc

    return run


@pytest.fixture(params=KINDS)
def checker(request: pytest.FixtureRequest, binaries: dict[str, Path]) -> Checker:
    return runner(binaries[request.param])


@pytest.fixture
def asan(binaries: dict[str, Path]) -> Checker:
    return runner(binaries["asan"])


def manifest() -> list[dict[str, str]]:
    vectors: list[dict[str, str]] = json.loads((VECTORS / "manifest.json").read_text())["vectors"]
    return vectors


def reason(proc: subprocess.CompletedProcess[bytes]) -> str:
    return proc.stderr.decode(errors="replace").strip()


def errno_of(proc: subprocess.CompletedProcess[bytes]) -> int:
    text = reason(proc)
    assert text.startswith("rejected (-"), text
    return int(text.split("(-", 1)[1].split(")", 1)[0])


# -- shared vectors ------------------------------------------------------------------------------


def test_every_vector(checker: Checker) -> None:
    vectors = manifest()
    assert len(vectors) >= 90
    for v in vectors:
        cond = VECTORS / v["condition"]
        if "mutation" not in v:
            proc = checker("cnf", cond)
            assert proc.returncode == 0, (v["name"], reason(proc))
            assert proc.stdout == (VECTORS / v["cnf"]).read_bytes(), v["name"]
            assert checker("decode", cond).returncode == 0
        if "certificate" not in v:
            assert v["expect"] == "invalid"
            continue
        proc = checker("check", cond, VECTORS / v["certificate"])
        if v["verdict"] == "accept":
            assert proc.returncode == 0, (v["name"], reason(proc))
            fields = proc.stdout.split()
            assert int(fields[2]) == v["cnf_vars"] and int(fields[4]) == v["cnf_clauses"]
        else:
            assert proc.returncode == 1, f"{v['name']} was accepted"
            assert errno_of(proc) == EINVAL and len(reason(proc)) > 20, v["name"]


def test_truncated_certificates(checker: Checker, tmp_path: Path) -> None:
    """Every proper prefix of a valid certificate, with the length field patched, is rejected."""
    cert = (VECTORS / "masked_index_24.bcfcert").read_bytes()
    cond = VECTORS / "masked_index_24.bcfc"
    for cut in range(0, len(cert), max(1, len(cert) // 40)):
        short = bytearray(cert[:cut])
        if cut >= 12:
            short[8:12] = struct.pack("<I", cut)
        path = tmp_path / "short.bcfcert"
        path.write_bytes(bytes(short))
        assert checker("check", cond, path).returncode == 1, cut


def test_signal_and_allocation_failures(checker: Checker) -> None:
    cond, cert = VECTORS / "op_mul_32.bcfc", VECTORS / "op_mul_32.bcfcert"
    proc = checker("check", cond, cert, env={"BCF_SHIM_SIGNAL": "1"})
    assert proc.returncode == 1 and errno_of(proc) == EINTR
    accepted = False
    for budget in range(12):
        proc = checker("check", cond, cert, env={"BCF_SHIM_ALLOC_BUDGET": str(budget)})
        if proc.returncode == 0:
            accepted = True
            break
        assert errno_of(proc) == ENOMEM, reason(proc)
    assert accepted, "the checker needs more than 11 allocations"


def _steps(cert: bytes, num_clauses: int) -> list[Step]:
    """Decode a binary certificate back into steps with absolute clause ids."""
    nums, pos = [], 44
    while pos < len(cert):
        value = shift = 0
        while True:
            byte = cert[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        nums.append(value)
    it = iter(nums[2:])
    steps, next_id = [], num_clauses + 1
    for tag in it:
        if tag == 1:
            lits = [-(c >> 1) if c & 1 else c >> 1 for c in [next(it) for _ in range(next(it))]]
            steps.append(Step("a", lits, [next_id - next(it) for _ in range(next(it))]))
            next_id += 1
        else:
            steps.append(Step("d", [], [next_id - next(it) for _ in range(next(it))]))
    return steps


def _cert_mutations() -> dict[str, bytes]:
    """Defects the shared vectors do not cover, made from a valid certificate."""
    data = (VECTORS / "udiv_umod_bounds.bcfc").read_bytes()
    cnf = bitblast(decode(data))
    cert = (VECTORS / "udiv_umod_bounds.bcfcert").read_bytes()
    key = condition_hash(data)
    m = len(cnf.clauses)
    steps = _steps(cert, m)
    assert encode_certificate(key, cnf, steps) == cert
    adds = [k for k, s in enumerate(steps) if s.kind == "a"]
    last = steps[-1]
    assert last.kind == "a" and not last.lits
    used = next(k for k in adds if any(h > m for h in steps[k].hints) and k > 0)
    derived = next(h for h in steps[used].hints if h > m)
    next_id = m + 1 + sum(s.kind == "a" for s in steps[:used])

    def enc(new: list[Step]) -> bytes:
        return encode_certificate(key, cnf, new)

    out = {
        "use_after_delete": enc([*steps[:used], Step("d", [], [derived]), *steps[used:]]),
        "delete_twice": enc([*steps[:used], Step("d", [], [1, 1]), *steps[used:]]),
        "delete_the_next_id": enc([*steps[:used], Step("d", [], [next_id]), *steps[used:]]),
        "hint_after_conflict": enc([*steps[:-1], Step("a", [], [*last.hints, last.hints[0]])]),
        "tautology": enc([*steps[:-1], Step("a", [1, -1], last.hints), last]),
        "literal_beyond_vars": enc([*steps[:-1], Step("a", [cnf.num_vars + 1], last.hints), last]),
        "steps_after_empty": enc([*steps, Step("d", [], [1])]),
        "add_after_empty": enc([*steps, Step("a", [], last.hints)]),
        "no_steps": enc([]),
        "no_hints": enc([*steps[:-1], Step("a", [], [])]),
        "hash_bit": cert[:20] + bytes([cert[20] ^ 4]) + cert[21:],
        "version_1": cert[:4] + b"\x01" + cert[5:],  # proves the CNF before constant divisors
        "version_3": cert[:4] + b"\x03" + cert[5:],
        "flags_1": cert[:6] + b"\x01" + cert[7:],
        "unknown_tag": cert + b"\x03",
        "number_six_bytes": cert + b"\x02\x81\x80\x80\x80\x80\x00",
        "number_over_32_bits": cert + b"\x02\x01\xff\xff\xff\xff\x1f",
        "empty_clause_first_hint_zero": enc([*steps[:-1], Step("a", [], [m + len(adds)])]),
    }
    vars_plus = bytearray(cert)
    vars_plus[44] ^= 1  # the variable count is the body's first number
    out["wrong_variable_count"] = bytes(vars_plus)
    at = len(enc(steps[:-1]))  # where an inserted step starts: add, 1 literal, code 2 (+1)
    with_unit = enc([*steps[:-1], Step("a", [1], last.hints), last])
    assert with_unit[at : at + 3] == bytes([1, 1, 2])
    for code in (0, 1):  # "+0" and "-0": no variable
        out[f"literal_code_{code}"] = with_unit[: at + 2] + bytes([code]) + with_unit[at + 3 :]
    return out


def test_certificate_defects(checker: Checker, tmp_path: Path) -> None:
    cond = VECTORS / "udiv_umod_bounds.bcfc"
    data = cond.read_bytes()
    for name, cert in _cert_mutations().items():
        assert not _python_accepts(data, cert), f"{name}: the Python checker accepts it"
        path = tmp_path / f"{name}.bcfcert"
        path.write_bytes(cert)
        proc = checker("check", cond, path)
        assert proc.returncode == 1, f"{name} was accepted"
        assert errno_of(proc) == EINVAL, (name, reason(proc))
        if name == "hint_after_conflict":
            # Not merely a stream that stops parsing: the extra hint itself is refused.
            assert "after the conflict" in reason(proc)


# -- malformed conditions ------------------------------------------------------------------------


def _example() -> Condition:
    b = Builder(fold=False)
    x = b.var(3, 8)
    y = b.var(9, 8)
    t = b.binop(Op.AND, x, b.const(0x0F, 8))
    goal = b.binop(Op.ULE, t, b.const(15, 8))
    return b.condition([b.binop(Op.ULT, y, x)], goal, {3: "r3", 9: "r9"})


def _node_offsets(cond: Condition) -> list[int]:
    offsets, pos = [], 24
    for n in cond.nodes:
        offsets.append(pos)
        pos += 3 + 4 * len(n.args) + {Op.CONST: 8, Op.VAR: 4, Op.EXTRACT: 4}.get(n.op, 0)
    return offsets


def _fix_length(data: bytearray) -> bytes:
    struct.pack_into("<I", data, 8, len(data))
    return bytes(data)


def _malformed() -> dict[str, bytes]:
    """Defective encodings of a small condition, each with one defect."""
    cond = _example()
    nodes = list(cond.nodes)
    good = encode(cond)
    at = _node_offsets(cond)
    var = next(i for i, n in enumerate(nodes) if n.op is Op.VAR)
    const = next(i for i, n in enumerate(nodes) if n.op is Op.CONST)
    binary = next(i for i, n in enumerate(nodes) if len(n.args) == 2)
    bv = next(i for i, n in enumerate(nodes) if n.width != BOOL)

    def patched(off: int, fmt: str, value: int) -> bytes:
        d = bytearray(good)
        struct.pack_into(fmt, d, off, value)
        return bytes(d)

    def with_nodes(changed: dict[int, Node]) -> bytes:
        ns = tuple(changed.get(i, n) for i, n in enumerate(nodes))
        return encode(Condition(ns, cond.constraints, cond.goal, cond.names))

    def with_roots(constraints: tuple[int, ...], names: dict[int, str]) -> bytes:
        return encode(Condition(cond.nodes, constraints, cond.goal, names))

    out: dict[str, bytes] = {
        "bad_magic": b"BCFX" + good[4:],
        "bad_version": patched(4, "<H", 2),
        "unknown_flag": patched(6, "<H", 2),
        "length_field": patched(8, "<I", len(good) + 1),
        "trailing_byte": good + b"\0",
        "trailing_byte_length_fixed": _fix_length(bytearray(good) + b"\0"),
        "header_only": good[:20],
        "too_many_nodes": patched(12, "<I", 1 << 21),
        "too_many_constraints": patched(16, "<I", 1 << 30),
        "too_many_names": patched(20, "<I", 7),
        "unknown_opcode": patched(at[var], "<B", 0x7F),
        "wrong_arity": patched(at[var] + 2, "<B", 1),
        "var_width_zero": patched(at[var] + 1, "<B", 0),
        "wider_than_64": patched(at[var] + 1, "<B", 65),
        "const_too_wide": patched(at[const] + 3, "<Q", 0x100),
        "self_reference": patched(at[binary] + 3, "<I", binary),
        "forward_reference": patched(at[binary] + 3, "<I", binary + 1),
        "width_mismatch": with_nodes(
            {binary: nodes[binary]._replace(width=nodes[binary].width + 1)}
        ),
        "variable_twice": with_nodes(
            {i: n._replace(imm=3) for i, n in enumerate(nodes) if n.op is Op.VAR}
        ),
        "root_not_boolean": with_roots((bv,), {}),
        "root_out_of_range": with_roots((len(nodes),), {}),
        "name_unknown_variable": with_roots(cond.constraints, {4: "x"}),
        "name_unprintable": with_roots(cond.constraints, {3: "r 3"}),
        "name_too_long": with_roots(cond.constraints, {3: "r" * 65}),
        "name_empty": with_roots(cond.constraints, {3: ""}),
    }
    for cut in range(24, len(good), 3):
        out[f"truncated_{cut}"] = _fix_length(bytearray(good[:cut]))
    twice = bytearray(with_roots(cond.constraints, {3: "a", 9: "b"}))
    twice[-6:-2] = struct.pack("<I", 3)  # the last name (id 9, length 1, "b") names 3 again
    out["named_twice"] = bytes(twice)
    access = bytearray(good) + struct.pack("<III", cond.goal, 4, 16)
    struct.pack_into("<H", access, 6, 1)
    out["access_on_boolean"] = _fix_length(access)
    return out


def test_malformed_conditions(checker: Checker, tmp_path: Path) -> None:
    good = tmp_path / "good.bcfc"
    good.write_bytes(encode(_example()))
    assert checker("decode", good).returncode == 0
    for name, data in _malformed().items():
        path = tmp_path / f"{name}.bcfc"
        path.write_bytes(data)
        for mode in ("decode", "cnf"):
            proc = checker(mode, path)
            assert proc.returncode == 1, f"{name} accepted by {mode}"
            assert errno_of(proc) in (EINVAL, E2BIG) and len(reason(proc)) > 25, (
                name,
                reason(proc),
            )
        if name == "wider_than_64":
            assert errno_of(proc) == E2BIG and "at most 64" in reason(proc)
            continue
        with pytest.raises(PipelineError):
            decode(data)


# -- random conditions, proved by bcfpipe and checked in C ---------------------------------------


def _random_suite() -> list[tuple[str, Condition]]:
    suite = [(f"r{seed}", random_condition(seed, depth=3)) for seed in range(1000, 1036)]
    suite += [(f"w{seed}", random_condition(seed, wide=True)) for seed in range(2000, 2012)]
    return suite


@pytest.fixture(scope="module")
def proved(tmp_path_factory: pytest.TempPathFactory) -> Proved:
    """(condition, certificate or a forged one, valid) for each random condition."""
    out_dir = tmp_path_factory.mktemp("random")
    out: Proved = []
    for name, cond in _random_suite():
        data = encode(cond)
        cnf = bitblast(cond)
        res = solve(cnf, time_limit_s=20)
        assert res.status in ("sat", "unsat"), name
        cpath = out_dir / f"{name}.bcfc"
        cpath.write_bytes(data)
        (out_dir / f"{name}.cnf").write_text(cnf.dimacs())
        if res.status == "unsat":
            cert = encode_certificate(condition_hash(data), cnf, res.steps)
        else:
            # A made-up refutation of a satisfiable condition: must never be accepted.
            hints = list(range(1, min(4, len(cnf.clauses)) + 1))
            cert = encode_certificate(condition_hash(data), cnf, [Step("a", [], hints)])
        kpath = out_dir / f"{name}.bcfcert"
        kpath.write_bytes(cert)
        out.append((cpath, kpath, res.status == "unsat"))
    assert sum(valid for _, _, valid in out) >= 12
    assert sum(not valid for _, _, valid in out) >= 5
    return out


def test_random_conditions(checker: Checker, proved: Proved) -> None:
    for cond, cert, valid in proved:
        proc = checker("cnf", cond)
        assert proc.returncode == 0, (cond.name, reason(proc))
        assert proc.stdout == cond.with_suffix(".cnf").read_bytes(), cond.name
        proc = checker("check", cond, cert)
        assert proc.returncode == (0 if valid else 1), (cond.name, reason(proc))


def _python_accepts(cond_data: bytes, cert: bytes) -> bool:
    try:
        cnf = bitblast(decode(cond_data))
    except PipelineError:
        return False
    try:
        check_certificate(hashlib.sha256(cond_data).digest(), cnf.num_vars, cnf.clauses, cert)
    except (CertificateRejected, PipelineError):
        return False
    return True


def _flip(data: bytes, rng: random.Random, start: int) -> bytes:
    d = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3))):
        pos = rng.randrange(start, len(d))
        d[pos] ^= 1 << rng.randrange(8) if rng.random() < 0.7 else rng.randrange(1, 256)
    return bytes(d)


def test_fuzz_certificates(asan: Checker, proved: Proved, tmp_path: Path) -> None:
    """Flipped certificate bytes: the C checker accepts exactly when the Python checker does."""
    rng = random.Random(7)
    cases = [(c, k) for c, k, _ in proved]
    for cond_name, cert_name in (
        ("variable_shift", "variable_shift"),
        ("masked_index_16_oob", "masked_index_16_oob.forged"),
    ):
        cases.append((VECTORS / f"{cond_name}.bcfc", VECTORS / f"{cert_name}.bcfcert"))
    accepted = 0
    for k in range(240):
        cond_path, cert_path = cases[k % len(cases)]
        cond = cond_path.read_bytes()
        cert = _flip(cert_path.read_bytes(), rng, 8 if k % 5 == 0 else 44)
        path = tmp_path / "fuzz.bcfcert"
        path.write_bytes(cert)
        proc = asan("check", cond_path, path)
        assert (proc.returncode == 0) == _python_accepts(cond, cert), (cond_path.name, reason(proc))
        accepted += proc.returncode == 0
    assert accepted < 240


def test_fuzz_conditions(asan: Checker, proved: Proved, tmp_path: Path) -> None:
    """Flipped condition bytes: same verdict as the Python decoder, same CNF, and with the hash
    re-keyed, a certificate is accepted only for a condition that is unsatisfiable."""
    rng = random.Random(11)
    cases = [(c, k) for c, k, valid in proved if valid][:10]
    for k in range(150):
        cond_path, cert_path = cases[k % len(cases)]
        data = _flip(cond_path.read_bytes(), rng, 4 if k % 7 == 0 else 24)
        path = tmp_path / "fuzz.bcfc"
        path.write_bytes(data)
        proc = asan("cnf", path)
        try:
            cond = decode(data)
        except PipelineError:
            assert proc.returncode == 1, "C accepted a condition Python rejects"
            continue
        if any(n.width > 64 for n in cond.nodes):
            assert proc.returncode == 1 and errno_of(proc) == E2BIG
            continue
        assert proc.returncode == 0, reason(proc)
        cnf = bitblast(cond)
        assert proc.stdout.decode() == cnf.dimacs()
        cert = bytearray(cert_path.read_bytes())
        cert[12:44] = hashlib.sha256(data).digest()
        kpath = tmp_path / "fuzz.bcfcert"
        kpath.write_bytes(bytes(cert))
        if asan("check", path, kpath).returncode == 0:
            assert solve(cnf, time_limit_s=20).status == "unsat", "accepted a satisfiable condition"
