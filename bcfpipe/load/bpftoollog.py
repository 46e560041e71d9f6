"""The paper's loader loop in the guest, and its log turned into our per-program results.

The paper loads each object with its patched bpftool: ``bpftool -d -P <prover> prog loadall OBJ
PIN [type T]``. bpftool proves refinement conditions itself, running the prover (cvc5) inside the
guest, and ``-d`` makes libbpf print every program's verifier log between
``libbpf: prog 'NAME': -- BEGIN PROG LOAD LOG --`` and ``-- END PROG LOAD LOG --``. The kernel
writes one line per checked proof::

    bcf proof checked 37 nth in 99361 ns, size 1196 bytes, type range backtrack_length 20 \
track_length 23 cond_size 676

(the earlier artifact stops after ``type range``). Everything the guest writes is raw text; this
module decides verdicts, categories and refinement records, in the same fields as the project's
own BCF (:mod:`bcfpipe.load.loadjob`, :mod:`bcfpipe.load.bcfloop`), so the aggregation compares
both.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import read_text_or_empty
from bcfpipe.load import vlog

LOG_FILE = "load.log"
GUEST_PROVER = "/bin/cvc5"
BEGIN = re.compile(r"^libbpf: prog '(?P<name>[^']*)': -- BEGIN PROG LOAD LOG --\s*$")
END = "-- END PROG LOAD LOG --"
FAILED = re.compile(r"^libbpf: prog '(?P<name>[^']*)': failed to load: (?P<err>\S+)")
PROOF = re.compile(
    r"bcf proof checked (?P<nth>\d+) nth in (?P<ns>\d+) ns, size (?P<size>\d+) bytes, "
    r"type (?P<kind>range|path)"
    r"(?: backtrack_length (?P<bt>\d+) track_length (?P<track>\d+) cond_size (?P<cond>\d+))?"
)
INSN = re.compile(r"^(\d+): \(")
PROVER_LINE = "Using prover:"
REFINE_ASKED = "Proving the refine condition"
ERRNO_NAMES = {"-EACCES": 13, "-EINVAL": 22, "-E2BIG": 7, "-ENOSPC": 28, "-EPERM": 1}


def guest_script(jobs: list[Any], per_object_timeout: int, prover: bool) -> str:
    """The guest payload: one ``bpftool prog loadall`` per object, output in ``out/K/load.log``.

    ``jobs`` are :class:`bcfpipe.load.loadjob.ObjectJob`; their ``prog_type`` is the object's type
    from ``obj_prog_type.json`` (none: libbpf takes it from the section names). Unlike the
    original script, an object is never retried under 45 guessed types.
    """
    lines = ["cd /job"]
    flags = "-d" + (f" -P {GUEST_PROVER}" if prover else "")
    for k, job in enumerate(jobs):
        typ = f" type {shlex.quote(job.prog_type)}" if job.prog_type else ""
        lines += [
            f"if [ ! -f out/{k}/done ]; then",
            f"  mkdir -p out/{k} /sys/fs/bpf/o{k}; echo running > out/{k}/status; sync",
            f"  timeout {per_object_timeout} bpftool {flags} prog loadall "
            f"objs/{k}/{shlex.quote(job.name)} /sys/fs/bpf/o{k}{typ} > out/{k}/{LOG_FILE} 2>&1",
            f"  echo $? > out/{k}/status; rm -rf /sys/fs/bpf/o{k}; touch out/{k}/done; sync",
            "fi",
        ]
    return "\n".join(lines) + "\n"


@dataclass
class Block:
    """One program's verifier log as libbpf printed it, and the lines before it (bpftool's)."""

    name: str
    text: str
    preamble: str


@dataclass
class LoadLog:
    blocks: list[Block] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # program -> libbpf's error
    other: list[str] = field(default_factory=list)  # lines outside every block


def split(text: str) -> LoadLog:
    out = LoadLog()
    lines = text.splitlines()
    i = 0
    pre: list[str] = []
    while i < len(lines):
        line = lines[i]
        if m := BEGIN.match(line):
            body = []
            i += 1
            while i < len(lines) and lines[i].strip() != END:
                body.append(lines[i])
                i += 1
            out.blocks.append(Block(m["name"], "\n".join(body), "\n".join(pre)))
            pre = []
        else:
            if m := FAILED.match(line):
                out.failed[m["name"]] = m["err"]
            out.other.append(line)
            pre.append(line)
        i += 1
    return out


def refinements(block: Block) -> list[dict[str, Any]]:
    """The checked proofs of one log block, with the instruction being verified when asked."""
    refs = []
    insn = -1
    for line in block.text.splitlines():
        if m := INSN.match(line):
            insn = int(m.group(1))
        m = PROOF.search(line)
        if not m:
            continue
        refs.append(
            {
                "kind": m["kind"],
                "insn": insn,
                "nth": int(m["nth"]),
                "backtrack_length": int(m["bt"]) if m["bt"] else None,
                "track_length": int(m["track"]) if m["track"] else None,
                "condition_bytes": int(m["cond"]) if m["cond"] else None,
                "certificate_bytes": int(m["size"]),
                "check_ns": int(m["ns"]),
                # bpftool runs the solver itself and reports no time for it.
                "solve_seconds": None,
                "round": 1,
                "checked": True,
            }
        )
    return refs


def _errno(err: str) -> int:
    if err.lstrip("-").isdigit():
        return -abs(int(err))
    return -ERRNO_NAMES.get(err, 1)


def refuted(text: str) -> bool:
    """bpftool asked the prover for a refinement condition and the answer was 'sat'."""
    answer = ""
    asked = False
    for line in text.splitlines():
        s = line.strip()
        if REFINE_ASKED in s:
            asked, answer = True, ""
        elif asked and s in ("sat", "unsat", "unknown"):
            answer = s
            asked = False
    return answer == "sat"


def programs(text: str, exit_code: int) -> list[dict[str, Any]]:
    """Per-program results (the fields of :func:`bcfpipe.load.loadjob.program_result`)."""
    log = split(text)
    by_name: dict[str, list[Block]] = {}
    for b in log.blocks:
        by_name.setdefault(b.name, []).append(b)
    other = "\n".join(log.other)
    # libbpf names the program it could not load; without that line, the last one it tried.
    failed_names = set(log.failed) or (
        {log.blocks[-1].name} if exit_code != 0 and log.blocks else set()
    )
    out = []
    for name, blocks in by_name.items():
        last = blocks[-1]
        stats = vlog.parse(last.text)
        seen: set[int] = set()
        refs = []
        for b in blocks:
            for r in refinements(b):
                if r["nth"] not in seen:
                    seen.add(r["nth"])
                    refs.append(r)
        failed = name in failed_names
        if not failed:
            verdict, category, err = "loaded", "", 0
        else:
            category, verdict = vlog.categorize(stats.error_lines, other)
            err = _errno(log.failed.get(name, "-EACCES"))
        error_line = stats.error_line if failed else ""
        out.append(
            vlog.program_record(
                name=name,
                verdict=verdict,
                category=category,
                error_line=error_line,
                errno=err,
                stats=stats,
                refinements=refs,
            )
        )
    if exit_code != 0 and not out:
        # No verifier ran: the object never reached the kernel's verifier (the paper's
        # 'compat_issue': no END PROG LOAD LOG in the output).
        category, _ = vlog.categorize([], other)
        first = next(
            (ln.strip() for ln in log.other if "rror" in ln or "failed" in ln),
            next((ln.strip() for ln in log.other if ln.strip()), ""),
        )
        out.append(
            {
                "name": "",
                "section": "",
                "prog_type": "",
                "verdict": "compat_issue",
                "error_category": category,
                "error_line": first,
                "error_normalized": vlog.normalize(first) if first else "",
                "errno": -1,
                "insns_processed": None,
                "total_states": None,
                "peak_states": None,
                "max_states_per_insn": None,
                "verification_time_us": None,
                "stack_depth": None,
                "insn_cnt": None,
                "load_ns": None,
                "type_override": "",
                "refinements": [],
            }
        )
    return out


def bcf_record(text: str, progs: list[dict[str, Any]]) -> dict[str, Any]:
    """The object's ``bcf`` record, as the project's loop writes it (one boot, one round)."""
    n = sum(len(p["refinements"]) for p in progs)
    verdicts = {p["verdict"] for p in progs}
    if verdicts <= {"loaded"}:
        outcome = "accepted" if n else "not_needed"
    elif refuted(text):
        outcome = "refuted"
    else:
        outcome = "unprovable"
    return {"rounds": 1, "outcome": outcome, "proof_seconds": None, "refinements": n}


def check_prover(text: str, where: str) -> None:
    if PROVER_LINE not in text:
        raise PipelineError(
            f"{where}: the guest's bpftool did not announce a prover ('{PROVER_LINE} …' is "
            f"missing from its output), so BCF was never asked. Either bpftool was built from an "
            f"unpatched tree (check the variant's patch_sets and results/logs/build_tools/) or "
            f"{GUEST_PROVER} in the guest does not list the bcf proof format (check "
            f"results/tools/cvc5/build.json). First lines:\n" + "\n".join(text.splitlines()[:15])
        )


def collect(out: Path, job: Any, prover: bool) -> tuple[list[dict[str, Any]], str]:
    """Programs' results and the raw log for one object's guest output directory."""
    text = read_text_or_empty(out / LOG_FILE)
    status = read_text_or_empty(out / "status").strip()
    code = int(status) if status.lstrip("-").isdigit() else -1
    if not (out / LOG_FILE).is_file():
        return [], ""
    if prover and text.strip():
        check_prover(text, f"{job.project}/{job.name}")
    return programs(text, code), text
