"""Independent LRAT checker: the Python twin of the kernel's trusted checker.

It shares no code with the solver path (``prover``): its own certificate decoder, its own textual
LRAT and DIMACS readers. Every added clause must be a reverse-unit-propagation consequence of
exactly the clauses its hints name: assume the clause false, walk the hints in order, each hinted
clause must be unit (propagate it) or falsified (conflict, which must be the last hint). A hinted
clause with a true literal, an unknown or deleted hint, a hint list that ends without conflict,
and a proof that ends without the empty clause are all rejected. Bounded: steps, live literals
(memory) and wall time.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bcfpipe.errors import PipelineError

_HEADER = struct.Struct("<4sHHI32s")
_MAGIC = b"BCFL"
_VERSION = 2  # the CNF of docs/bcf-format.md section 3 as of version 2


class CertificateRejected(PipelineError):
    """The certificate does not prove the condition; ``str()`` says why."""


@dataclass(frozen=True)
class Limits:
    max_steps: int = 10_000_000
    max_live_literals: int = 50_000_000
    time_limit_s: float = 60.0
    max_bytes: int = 64 << 20


@dataclass(frozen=True)
class CheckStats:
    steps: int
    additions: int
    deletions: int
    seconds: float


class _Checker:
    def __init__(self, num_vars: int, clauses: Sequence[Sequence[int]], limits: Limits) -> None:
        self.num_vars = num_vars
        self.limits = limits
        self.db: dict[int, tuple[int, ...]] = {}
        self.live = 0
        self.steps = self.additions = self.deletions = 0
        for k, clause in enumerate(clauses, start=1):
            self._store(k, tuple(clause))
        self.next_id = len(clauses) + 1
        self.done = False
        self.deadline = time.monotonic() + limits.time_limit_s

    def _reject(self, msg: str) -> CertificateRejected:
        return CertificateRejected(f"certificate rejected at step {self.steps}: {msg}")

    def _store(self, cid: int, clause: tuple[int, ...]) -> None:
        self.live += len(clause) + 1
        if self.live > self.limits.max_live_literals:
            raise self._reject(f"over the limit of {self.limits.max_live_literals} live literals")
        self.db[cid] = clause

    def _tick(self) -> None:
        if self.done:
            raise self._reject("steps after the empty clause")
        self.steps += 1
        if self.steps > self.limits.max_steps:
            raise self._reject(f"over the limit of {self.limits.max_steps} steps")
        if self.steps % 1024 == 0 and time.monotonic() > self.deadline:
            raise self._reject(f"over the time limit of {self.limits.time_limit_s} s")

    def add(self, cid: int, lits: Sequence[int], hints: Sequence[int]) -> None:
        self._tick()
        if cid < self.next_id:
            raise self._reject(f"clause id {cid} does not count up (next free id {self.next_id})")
        true: set[int] = set()
        for lit in lits:
            if lit == 0 or abs(lit) > self.num_vars:
                raise self._reject(f"literal {lit} is not a variable of the formula")
            if lit in true:
                raise self._reject(f"clause {cid} is a tautology")
            true.add(-lit)  # the clause is assumed false: each of its literals is false
        conflict = False
        for k, h in enumerate(hints):
            if h <= 0:
                raise self._reject(f"hint {h} of clause {cid}: only positive (RUP) hints allowed")
            clause = self.db.get(h)
            if clause is None:
                raise self._reject(f"hint {h} of clause {cid} is unknown or deleted")
            unit = 0
            for lit in clause:
                if lit in true:
                    raise self._reject(f"hint {h} of clause {cid} is satisfied, not unit")
                if -lit not in true:
                    if unit:
                        raise self._reject(f"hint {h} of clause {cid} is not unit")
                    unit = lit
            if unit == 0:
                if k != len(hints) - 1:
                    raise self._reject(f"clause {cid} has hints after the conflict")
                conflict = True
                break
            true.add(unit)
        if not conflict:
            raise self._reject(f"hints of clause {cid} do not propagate to a conflict")
        self._store(cid, tuple(lits))
        self.next_id = cid + 1
        self.additions += 1
        if not lits:
            self.done = True

    def delete(self, ids: Sequence[int]) -> None:
        self._tick()
        for d in ids:
            clause = self.db.pop(d, None)
            if clause is None:
                raise self._reject(f"deletion of unknown clause {d}")
            self.live -= len(clause) + 1
        self.deletions += 1

    def finish(self, start: float) -> CheckStats:
        if not self.done:
            raise self._reject("the certificate ends without deriving the empty clause")
        return CheckStats(self.steps, self.additions, self.deletions, time.perf_counter() - start)


def _varints(data: bytes, pos: int) -> Iterator[int]:
    """Unsigned LEB128 values, at most 32 bits each, until the data ends."""
    n = len(data)
    while pos < n:
        value = shift = 0
        while True:
            if pos >= n:
                raise CertificateRejected("certificate truncated inside a number")
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                break
            shift += 7
            if shift > 28:
                raise CertificateRejected(f"certificate number too long at byte {pos}")
        if value >> 32:
            raise CertificateRejected(f"certificate number over 32 bits at byte {pos}")
        yield value


def check_certificate(
    cond_hash: bytes,
    num_vars: int,
    clauses: Sequence[Sequence[int]],
    cert: bytes,
    limits: Limits | None = None,
) -> CheckStats:
    """Check a binary certificate against the CNF of the condition whose hash is ``cond_hash``."""
    limits = limits or Limits()
    start = time.perf_counter()
    if len(cert) > limits.max_bytes:
        raise CertificateRejected(f"certificate is {len(cert)} bytes, over {limits.max_bytes}")
    if len(cert) < _HEADER.size:
        raise CertificateRejected(f"certificate truncated: {len(cert)} bytes, no header")
    magic, version, flags, total, key = _HEADER.unpack_from(cert)
    if magic != _MAGIC or version != _VERSION or flags != 0:
        raise CertificateRejected(
            f"not a version-{_VERSION} BCF certificate (magic, version or flags)"
        )
    if total != len(cert):
        raise CertificateRejected(f"certificate length {len(cert)}, header says {total}")
    if key != cond_hash:
        raise CertificateRejected("certificate is for a different condition (hash mismatch)")
    numbers = _varints(cert, _HEADER.size)

    def nxt(what: str) -> int:
        value = next(numbers, None)
        if value is None:
            raise CertificateRejected(f"certificate truncated: missing {what}")
        return value

    if nxt("variable count") != num_vars or nxt("clause count") != len(clauses):
        raise CertificateRejected("certificate is for a different formula (variable/clause count)")
    chk = _Checker(num_vars, clauses, limits)
    for tag in numbers:
        if tag == 1:
            lits = []
            for _ in range(nxt("literal count")):
                code = nxt("literal")
                lits.append(-(code >> 1) if code & 1 else code >> 1)
            hints = [chk.next_id - nxt("hint") for _ in range(nxt("hint count"))]
            chk.add(chk.next_id, lits, hints)
        elif tag == 2:
            chk.delete([chk.next_id - nxt("deleted id") for _ in range(nxt("deletion count"))])
        else:
            raise chk._reject(f"unknown step tag {tag}")
    return chk.finish(start)


def check_lrat_text(
    num_vars: int, clauses: Sequence[Sequence[int]], text: str, limits: Limits | None = None
) -> CheckStats:
    """Check textual LRAT (the format ``lrat-check`` reads); ids must increase, above M."""
    limits = limits or Limits()
    start = time.perf_counter()
    chk = _Checker(num_vars, clauses, limits)
    for lineno, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0] == "c":
            continue
        try:
            if fields[1] == "d":
                ids = [int(x) for x in fields[2:]]
                if not ids or ids[-1] != 0:
                    raise ValueError
                chk.delete(ids[:-1])
                continue
            nums = [int(x) for x in fields]
            zero = nums.index(0, 1)
            if nums[-1] != 0 or zero == len(nums) - 1:
                raise ValueError
            chk.add(nums[0], nums[1:zero], nums[zero + 1 : -1])
        except (ValueError, IndexError):
            raise CertificateRejected(f"LRAT line {lineno} is malformed: {line[:80]!r}") from None
    return chk.finish(start)


def parse_dimacs(text: str) -> tuple[int, list[list[int]]]:
    """A DIMACS CNF; the header's counts must match."""
    header: tuple[int, int] | None = None
    numbers: list[int] = []
    for line in text.splitlines():
        fields = line.split()
        if not fields or fields[0] == "c":
            continue
        if fields[0] == "p":
            if len(fields) != 4 or fields[1] != "cnf" or header is not None:
                raise PipelineError(f"DIMACS: bad header {line!r}")
            header = (int(fields[2]), int(fields[3]))
            continue
        numbers.extend(int(x) for x in fields)
    if header is None:
        raise PipelineError("DIMACS: no 'p cnf' header")
    clauses: list[list[int]] = []
    cur: list[int] = []
    for x in numbers:
        if x == 0:
            clauses.append(cur)
            cur = []
        elif abs(x) > header[0]:
            raise PipelineError(f"DIMACS: literal {x} beyond {header[0]} variables")
        else:
            cur.append(x)
    if cur or len(clauses) != header[1]:
        raise PipelineError(f"DIMACS: {len(clauses)} clauses, header says {header[1]}")
    return header[0], clauses
