"""Verifier log parsing and error categories.

Works on the text the 6.12 verifier writes at log level 4 (``load.verifier_log: stats``: the
messages of the failing path, so the error, and the statistics lines) and 1|4 (``trace``: the
instruction trace too). The categories group rejections by the verifier's own message, with the
numbers taken out, as the paper groups its 512 unique rejections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

PROCESSED = re.compile(
    r"^processed (\d+) insns \(limit \d+\) max_states_per_insn (\d+) total_states (\d+) "
    r"peak_states (\d+) mark_read (\d+)"
)
VTIME = re.compile(r"^verification time (\d+) usec")
STACK = re.compile(r"^stack depth (.+)$")
# Lines of the trace, not messages: "12: (bf) r1 = r6", "12: R0=...", "; source", "from 3 to 5:",
# "mark_precise: ...", register dumps and the func-info banner.
TRACE = re.compile(
    r"^(\d+: |; |from \d+ to \d+|mark_precise|last_idx|regs=|parent|func#|Func#|"
    r"Validating |\s|R\d+[_=]|frame\d|Live regs|\(\w+\))"
)
# What btf_prepare_func_args() says about the main program's BTF signature just before the
# verifier checks its instructions; not fatal for the main program. At level 1 the trace follows
# it; at level 4 nothing separates it from the error of a short failing path.
PRELUDE = re.compile(
    r"^(Global function \S+\(\) (doesn't return scalar|with \d+ > \d+ args)|Global functions need"
    r"|arg#\d+ |Arg#\d+ type |Invalid type of function |BTF of func#\d+ doesn't point)"
)
# Printed by every access to a traced function's typed argument (btf_ctx_access()), not an error.
NOTE = re.compile(r"^func '\w+' arg\d+ has btf_id \d+ type ")

# (category, verdict, pattern): compat categories are failures that are not the verifier's
# judgement of the program's safety but a missing kernel feature.
CATEGORIES: list[tuple[str, str, re.Pattern[str]]] = [
    (c, v, re.compile(p))
    for c, v, p in [
        (
            "map_value_bounds",
            "rejected",
            r"invalid access to map (value|key)"
            r"|R# (min|max) value is outside of the allowed memory",
        ),
        ("mem_bounds", "rejected", r"invalid access to memory|access beyond the end of member"),
        ("packet_bounds", "rejected", r"invalid access to packet|offset is outside of the packet"),
        (
            "stack_bounds",
            "rejected",
            r"invalid (unbounded )?variable-offset|invalid read from stack|invalid write to stack"
            r"|invalid indirect read from stack|invalid stack off",
        ),
        ("negative_offset", "rejected", r"min value is negative"),
        ("unbounded_access", "rejected", r"unbounded memory access"),
        (
            "ptr_arith",
            "rejected",
            r"math between .* pointer and register with unbounded min value|pointer arithmetic"
            r"|makes .* pointer be out of bounds|pointer .* is not allowed",
        ),
        ("scalar_deref", "rejected", r"invalid mem access '(scalar|\w+_or_null)'"),
        ("uninit_reg", "rejected", r"R# !read_ok"),
        (
            "ctx_access",
            "rejected",
            r"invalid bpf_context access|dereference of modified ctx ptr|variable ctx access",
        ),
        ("null_deref", "rejected", r"invalid mem access 'map_value_or_null'|_or_null"),
        ("return_value", "rejected", r"At program exit the register R0"),
        ("reference_leak", "rejected", r"Unreleased reference|reference leak"),
        ("lock", "rejected", r"while holding a lock|bpf_spin_lock|spin_lock"),
        ("helper_arg", "rejected", r"R# type=\S+ expected=|invalid zero-sized read|arg#"),
        (
            "complexity",
            "rejected",
            r"BPF program is too large|too many states|infinite loop|back-edge|jump out of range"
            r"|combined stack size|loop is not bounded",
        ),
        ("unreachable", "rejected", r"unreachable insn"),
        ("core_relocation", "compat_issue", r"invalid func unknown#195896080|CO-RE relocat"),
        (
            "unknown_helper",
            "compat_issue",
            r"unknown func|invalid func unknown#\d+|program of this type cannot use helper"
            r"|helper call is not allowed",
        ),
        ("kfunc", "compat_issue", r"kernel function|kfunc"),
        ("attach", "compat_issue", r"attach_btf_id|attach to|Invalid name|is not a valid"),
        ("btf", "compat_issue", r"BTF|btf"),
    ]
]


@dataclass
class LogStats:
    insns_processed: int | None = None
    max_states_per_insn: int | None = None
    total_states: int | None = None
    peak_states: int | None = None
    mark_read: int | None = None
    verification_time_us: int | None = None
    stack_depth: str | None = None
    error_lines: list[str] = field(default_factory=list)

    @property
    def error_line(self) -> str:
        return self.error_lines[0] if self.error_lines else ""


def parse(text: str) -> LogStats:
    stats = LogStats()
    lines = text.splitlines()
    stat_at = len(lines)
    for i, line in enumerate(lines):
        if m := PROCESSED.match(line):
            stats.insns_processed, stats.max_states_per_insn, stats.total_states = (
                int(m.group(1)),
                int(m.group(2)),
                int(m.group(3)),
            )
            stats.peak_states, stats.mark_read = int(m.group(4)), int(m.group(5))
            stat_at = min(stat_at, i)
        elif m := VTIME.match(line):
            stats.verification_time_us = int(m.group(1))
            stat_at = min(stat_at, i)
        elif m := STACK.match(line):
            stats.stack_depth = m.group(1).strip()
            stat_at = min(stat_at, i)
    # The message block is the run of non-trace lines just before the statistics. Source lines
    # ("; ...") are passed over: at level 4 the verifier names the failing instruction's source
    # line after the error or between its messages (level 1 printed it before the instruction).
    block: list[str] = []
    at_start = False
    for line in reversed(lines[:stat_at]):
        if line.startswith("; "):
            continue
        if not line.strip():
            if block:
                break
            continue
        if TRACE.match(line):
            break
        block.append(line.strip())
    else:
        at_start = True
    block.reverse()
    # A block that starts the log (level 4, or a failure before the first instruction) may begin
    # with the main program's prelude; the error is what follows it.
    while at_start and len(block) > 1 and PRELUDE.match(block[0]):
        block.pop(0)
    # What a tracing program's access to a typed argument prints on success; level 1 follows it
    # with the instruction's state.
    stats.error_lines = [x for x in block if not NOTE.match(x)] or block
    return stats


def normalize(line: str) -> str:
    """The message with registers and numbers abstracted, for grouping."""
    line = re.sub(r"\bR\d+\b", "R#", line)
    line = re.sub(r"var_off=\([^)]*\)", "var_off=(#)", line)
    line = re.sub(r"-?\b(0x[0-9a-fA-F]+|\d+)\b", "N", line)
    return line


def categorize(error_lines: list[str], libbpf_text: str = "") -> tuple[str, str]:
    """(category, verdict class) for a failed load."""
    for line in error_lines:
        norm = normalize(line)
        for cat, verdict, pat in CATEGORIES:
            if pat.search(line) or pat.search(norm):
                return cat, verdict
    if error_lines:
        return "other", "rejected"
    for cat, verdict, pat in CATEGORIES:
        if verdict == "compat_issue" and pat.search(libbpf_text):
            return cat, verdict
    if "map" in libbpf_text and ("failed to create" in libbpf_text or "legacy" in libbpf_text):
        return "map", "compat_issue"
    return "load_failure", "compat_issue"


def program_record(
    *,
    name: str,
    verdict: str,
    category: str,
    error_line: str,
    errno: int,
    stats: LogStats,
    section: str = "",
    prog_type: str = "",
    insn_cnt: int | None = None,
    load_ns: int | None = None,
    type_override: str = "",
    refinements: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One program's entry of a result file (DESIGN.md), whichever loader produced the log."""
    return {
        "name": name,
        "section": section,
        "prog_type": prog_type,
        "verdict": verdict,
        "error_category": category,
        "error_line": error_line,
        "error_normalized": normalize(error_line) if error_line else "",
        "errno": errno,
        "insns_processed": stats.insns_processed,
        "total_states": stats.total_states,
        "peak_states": stats.peak_states,
        "max_states_per_insn": stats.max_states_per_insn,
        "verification_time_us": stats.verification_time_us,
        "stack_depth": stats.stack_depth,
        "insn_cnt": insn_cnt,
        "load_ns": load_ns,
        "type_override": type_override,
        "refinements": refinements if refinements is not None else [],
    }
