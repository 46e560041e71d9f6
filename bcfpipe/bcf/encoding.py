"""The binary condition format (version 1), as the kernel emits it. Spec: docs/bcf-format.md."""

from __future__ import annotations

import hashlib
import struct

from bcfpipe.bcf.expr import ARITY, BOOL, Access, Condition, Node, Op, check_node
from bcfpipe.errors import PipelineError

MAGIC = b"BCFC"
VERSION = 1
# magic, version, flags, total length, nodes, constraints, names
HEADER = struct.Struct("<4sHHIIII")
FLAG_ACCESS = 0x1
MAX_CONDITION_BYTES = 16 << 20
MAX_NODES = 1 << 20
MAX_NAME = 64
_KNOWN_OPS = {int(op): op for op in Op}


def encode(cond: Condition) -> bytes:
    out = bytearray(HEADER.size)
    for n in cond.nodes:
        out += struct.pack("<BBB", int(n.op), n.width, len(n.args))
        out += struct.pack(f"<{len(n.args)}I", *n.args)
        if n.op is Op.CONST:
            out += struct.pack("<Q", n.imm)
        elif n.op in (Op.VAR, Op.EXTRACT):
            out += struct.pack("<I", n.imm)
    out += struct.pack(f"<{len(cond.constraints)}I", *cond.constraints)
    out += struct.pack("<I", cond.goal)
    for var_id, name in sorted(cond.names.items()):
        raw = name.encode("ascii")
        out += struct.pack("<IB", var_id, len(raw)) + raw
    flags = 0
    if cond.access:
        flags |= FLAG_ACCESS
        out += struct.pack("<III", cond.access.offset, cond.access.size, cond.access.region)
    HEADER.pack_into(
        out,
        0,
        MAGIC,
        VERSION,
        flags,
        len(out),
        len(cond.nodes),
        len(cond.constraints),
        len(cond.names),
    )
    return bytes(out)


def drop_variant(data: bytes) -> bytes:
    """The condition whose certificate makes the kernel drop a range condition's path (series
    0014): the same nodes and constraints, one more node (the boolean constant false) as the
    goal, no access record. Valid when the range condition's assumptions alone are
    unsatisfiable, i.e. its path is infeasible; built byte for byte as the kernel builds it."""
    cond = decode(data)
    false = Node(Op.CONST, BOOL, (), 0)
    return encode(
        Condition((*cond.nodes, false), cond.constraints, len(cond.nodes), dict(cond.names), None)
    )


def condition_hash(data: bytes) -> bytes:
    """The key a certificate carries: SHA-256 of the encoded condition."""
    return hashlib.sha256(data).digest()


# A note in the certificates container (docs/bcf-kernel.md, "Protocol"): a certificate header
# without a body, naming a condition of a shortened suffix that does not hold or was not proved,
# so that the kernel asks for a longer suffix of that path. The kernel trusts it for nothing else.
NOTE_MAGIC = b"BCFN"
NOTE = struct.Struct("<4sHHI32s")


def note(cond_hash: bytes) -> bytes:
    """The note for the condition whose SHA-256 is ``cond_hash``."""
    return NOTE.pack(NOTE_MAGIC, VERSION, 0, NOTE.size, cond_hash)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str, what: str) -> tuple[int, ...]:
        size = struct.calcsize(fmt)
        if self.pos + size > len(self.data):
            raise PipelineError(
                f"condition truncated: {what} at byte {self.pos} needs {size} bytes, "
                f"only {len(self.data) - self.pos} left"
            )
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return values


def decode(data: bytes) -> Condition:
    """Parse and type-check a condition; any defect raises ``PipelineError`` naming it."""
    if len(data) > MAX_CONDITION_BYTES:
        raise PipelineError(
            f"condition is {len(data)} bytes, over the {MAX_CONDITION_BYTES}-byte limit"
        )
    if len(data) < HEADER.size:
        raise PipelineError(f"condition truncated: {len(data)} bytes, header needs {HEADER.size}")
    magic, version, flags, total, n_nodes, n_cons, n_names = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise PipelineError(f"not a BCF condition: magic {magic!r}, expected {MAGIC!r}")
    if version != VERSION:
        raise PipelineError(f"condition format version {version}, this tool reads {VERSION}")
    if flags & ~FLAG_ACCESS:
        raise PipelineError(f"condition has unknown flags 0x{flags:x}")
    if total != len(data):
        state = "truncated" if total > len(data) else "oversized (trailing bytes)"
        raise PipelineError(f"condition {state}: header says {total} bytes, got {len(data)}")
    if n_nodes > MAX_NODES:
        raise PipelineError(f"condition has {n_nodes} nodes, over the {MAX_NODES} limit")
    r = _Reader(data)
    r.pos = HEADER.size
    nodes: list[Node] = []
    seen_vars: set[int] = set()
    for i in range(n_nodes):
        raw_op, width, n_args = r.take("<BBB", f"node {i}")
        op = _KNOWN_OPS.get(raw_op)
        if op is None:
            raise PipelineError(f"condition node {i}: unknown opcode 0x{raw_op:02x}")
        if n_args != ARITY[op]:
            raise PipelineError(
                f"condition node {i}: {op.name} takes {ARITY[op]} arguments, got {n_args}"
            )
        args = r.take(f"<{n_args}I", f"node {i} arguments")
        imm = 0
        if op is Op.CONST:
            (imm,) = r.take("<Q", f"node {i} constant")
        elif op in (Op.VAR, Op.EXTRACT):
            (imm,) = r.take("<I", f"node {i} immediate")
        node = Node(op, width, args, imm)
        check_node(nodes, node, f"condition node {i}")
        if op is Op.VAR:
            if imm in seen_vars:
                raise PipelineError(f"condition node {i}: variable {imm} declared twice")
            seen_vars.add(imm)
        nodes.append(node)
    roots = r.take(f"<{n_cons + 1}I", "constraint and goal indices")
    for k, root in enumerate(roots):
        what = "goal" if k == n_cons else f"constraint {k}"
        if not 0 <= root < n_nodes:
            raise PipelineError(f"condition {what}: node {root} does not exist")
        if nodes[root].width != BOOL:
            raise PipelineError(f"condition {what}: node {root} is not boolean")
    names: dict[int, str] = {}
    for k in range(n_names):
        var_id, length = r.take("<IB", f"name {k}")
        raw = bytes(r.take(f"<{length}s", f"name {k} text")[0])
        if var_id not in seen_vars or var_id in names:
            raise PipelineError(f"condition name {k}: variable {var_id} unknown or named twice")
        if not raw or len(raw) > MAX_NAME or not all(0x21 <= c < 0x7F for c in raw):
            raise PipelineError(f"condition name {k}: not 1..{MAX_NAME} printable ASCII bytes")
        names[var_id] = raw.decode("ascii")
    access = None
    if flags & FLAG_ACCESS:
        offset, size, region = r.take("<III", "access record")
        if not 0 <= offset < n_nodes or nodes[offset].width == BOOL:
            raise PipelineError(f"condition access record: node {offset} is no bit-vector")
        access = Access(offset, size, region)
    if r.pos != len(data):
        raise PipelineError(f"condition oversized: {len(data) - r.pos} bytes after the last field")
    return Condition(tuple(nodes), tuple(roots[:-1]), roots[-1], names, access)


def is_binary_condition(data: bytes) -> bool:
    return data[:4] == MAGIC
