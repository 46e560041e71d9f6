"""Per-object VM jobs: boot a fresh guest, load every program of the object, record the verdicts.

The guest only observes (``guest/bcfpipe-load.c`` writes key=value files and raw logs); every
decision — verdict, error category, statistics — is made here, where it is tested.
"""

from __future__ import annotations

import copy
import json
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bcfpipe.bcf import replay
from bcfpipe.bcf.encoding import condition_hash
from bcfpipe.corpus import elf
from bcfpipe.corpus import objects as corpus
from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import read_text_or_empty, sha256_file, write_json_atomic, write_text_atomic
from bcfpipe.guest import snapshot as snapshots
from bcfpipe.guest import vm, vmspec
from bcfpipe.guest.job import vm_job
from bcfpipe.load import bcfloop, bpftoollog, progtypes, vlog
from bcfpipe.load.results import SCHEMA, object_verdict


@dataclass
class ObjectJob:
    path: Path
    project: str
    types: dict[str, str] = field(default_factory=dict)
    prog_type: str = ""  # the object's type for the paper's bpftool loop (obj_prog_type.json)

    @property
    def name(self) -> str:
        return self.path.name


def object_job(path: Path, project: str, types: Any) -> ObjectJob:
    """The load job of one object with its ``obj_prog_type`` entry (the ``--types`` JSON).

    A string is the paper's: one type, in bpftool's words, for every program of the object. The
    guest loader takes types per program, so each program the object's ELF lists gets it; this
    is what types cilium's tail calls, whose numbered sections (``2/1``) libbpf cannot type. The
    name is handed over as bpftool would resolve it (:mod:`bcfpipe.load.progtypes`); one bpftool
    would refuse is handed over as is, and the loader's libbpf reports it. A mapping gives
    per-program types; none (null, {}) lets libbpf take each type from its section name.
    """
    programs: list[str] = []
    stated = types  # the paper's loop hands bpftool the name as the corpus states it
    if isinstance(types, str) and types:
        resolved = progtypes.resolve(types)
        if resolved is None:
            print(
                f"bcfpipe: {path.name}: program type {types!r} is not one bpftool knows "
                f"(e.g. {', '.join(progtypes.BPFTOOL_TYPES[:6])}, …); passed on as is",
                file=sys.stderr,
            )
        else:
            types = resolved[0]
        try:
            programs = [p.name for p in elf.programs(path)]
        except PipelineError:
            programs = []  # not an object libbpf can open either: the loader records why
    return ObjectJob(
        path,
        project,
        corpus.type_overrides(types, programs),
        prog_type=corpus.object_type(stated),
    )


def read_meta(path: Path) -> dict[str, str]:
    meta = {}
    if path.is_file():
        for line in path.read_text(errors="replace").splitlines():
            key, sep, value = line.partition("=")
            if sep:
                meta[key] = value
    return meta


def program_result(meta: dict[str, str], vlog_text: str, libbpf_text: str) -> dict[str, Any]:
    stats = vlog.parse(vlog_text)
    err = int(meta.get("err", "0") or 0)
    if meta.get("stage") == "open":
        category, verdict = vlog.categorize([], libbpf_text)
        verdict = "compat_issue"
    elif err == 0:
        category, verdict = "", "loaded"
    else:
        category, verdict = vlog.categorize(stats.error_lines, libbpf_text)
    error_line = stats.error_line if err else ""
    if err and not error_line:
        error_line = next((ln.strip() for ln in libbpf_text.splitlines() if ln.strip()), "")
    return vlog.program_record(
        name=meta.get("name", ""),
        section=meta.get("section", ""),
        prog_type=meta.get("type", ""),
        verdict=verdict,
        category=category,
        error_line=error_line,
        errno=-err if err else 0,
        stats=stats,
        insn_cnt=int(meta["insn_cnt"]) if meta.get("insn_cnt", "").isdigit() else None,
        load_ns=int(meta["load_ns"]) if meta.get("load_ns", "").isdigit() else None,
        type_override=meta.get("type_override", ""),
    )


# Exit codes of the guest's `timeout` wrapper when it had to stop the loader: 124 (GNU),
# 143/137 (busybox passes on the SIGTERM/SIGKILL that ended the child).
TIMEOUT_CODES = (124, 137, 143)
# Boots that die before any object's loader started are retried this many times.
INFRA_RETRIES = 2


def _finished(code: int, out: Path, written: str = "programs") -> tuple[str, str]:
    """Outcome of an object whose loader exited inside a healthy guest."""
    if code in TIMEOUT_CODES:
        return "timeout", f"the loader did not finish within its time limit (exit {code})"
    if not (out / written).is_file():
        return "vm_crash", f"the loader exited {code} without writing its results"
    return "ok", ""


def guest_script(
    jobs: list[ObjectJob],
    per_object_timeout: int,
    bcf: bool = False,
    run: bool = False,
    log_level: int = vmspec.LOG_LEVELS["stats"],
) -> str:
    lines = ["cd /job"]
    for k, job in enumerate(jobs):
        flags = " ".join(
            [f"-L {log_level}"]
            + [f"-t {shlex.quote(f'{p}={s}')}" for p, s in sorted(job.types.items())]
        )
        if bcf:
            # BCF kernels: ask for conditions, send the certificates proved so far.
            flags = (flags + f" -B certs/{k}").strip()
        if run:
            # Dynamic validation: run what loads on inputs/K/NAME.inputs, in the interpreter.
            flags = (flags + f" -I -R inputs/{k}").strip()
        lines += [
            # A rebooted guest skips what an earlier boot finished. The host made out/K; the
            # share has no cache, so a write is on the host when it returns (no sync), and
            # only the loader and its timeout start processes, each of which costs several
            # milliseconds in the emulated guest.
            f"if [ ! -f out/{k}/done ]; then",
            f"  echo running > out/{k}/status",
            f"  timeout {per_object_timeout} bcfpipe-load {flags} "
            f"objs/{k}/{shlex.quote(job.name)} out/{k}",
            f"  echo $? > out/{k}/status; : > out/{k}/done",
            "fi",
        ]
    return "\n".join(lines) + "\n"


def bcf_conditions(
    out: Path, i: int, meta: dict[str, str], vtext: str = ""
) -> list[dict[str, Any]]:
    """The conditions the guest loader wrote for program ``i`` (``N.cond.K`` and meta lines),
    each with what its variables stand for when the verifier log ``vtext`` names them."""
    origins = bcfloop.parse_var_origins(vtext)
    conds = []
    for k in range(int(meta.get("bcf_conditions", "0") or 0)):
        path = out / f"{i}.cond.{k}"
        if not path.is_file():
            continue
        info = dict(
            kv.split(":", 1) for kv in meta.get(f"bcf_condition_{k}", "").split(",") if ":" in kv
        )
        data = path.read_bytes()
        conds.append(
            {
                "kind": info.get("kind", "range"),
                "insn": int(info["insn"]) if info.get("insn", "").isdigit() else -1,
                "bytes": data,
                # a condition of a shortened suffix: if it does not hold, a longer one is asked
                "cut": info.get("cut") == "1",
                "origins": origins.get(condition_hash(data).hex()[:16], {}),
            }
        )
    return conds


def _loader_files(out: Path, prefix: str) -> tuple[dict[str, str], str, str]:
    """One load's meta, verifier log and libbpf messages as the guest loader wrote them."""
    return (
        read_meta(out / f"{prefix}meta"),
        read_text_or_empty(out / f"{prefix}vlog"),
        read_text_or_empty(out / f"{prefix}libbpf"),
    )


def test_runs(out: Path, i: int) -> dict[str, Any]:
    """Program ``i``'s runs (``N.run``) and kernel log records (``N.kmsg``) from the loader.

    ``last_started`` is the input a guest that died was running: the loader writes ``start``
    before each run and the result line after it.
    """
    runs: list[dict[str, Any]] = []
    started = None
    for line in read_text_or_empty(out / f"{i}.run").splitlines():
        if line.startswith("start input="):
            started = int(line.split("=", 1)[1])
            continue
        fields = dict(kv.split("=", 1) for kv in line.split(" ") if "=" in kv)
        if fields.get("input", "").isdigit():
            runs.append(
                {
                    "input": int(fields["input"]),
                    "err": int(fields.get("err", "0") or 0),
                    "retval": int(fields.get("retval", "0") or 0),
                }
            )
    kmsg: list[tuple[str, str]] = []
    for line in read_text_or_empty(out / f"{i}.kmsg").splitlines():
        what, _, text = line.partition(" ")
        if what and text:  # a record's dictionary lines start with a space
            kmsg.append((what, text))
    finished = runs[-1]["input"] if runs else None
    return {
        "runs": runs,
        "kmsg": kmsg,
        "last_started": started if started is not None and started != finished else None,
    }


def collect(out: Path, job: ObjectJob) -> tuple[list[dict[str, Any]], str]:
    """Programs' results and the raw log text for one object's loader output directory."""
    count_file = out / "programs"
    count = int(count_file.read_text().strip() or 0) if count_file.is_file() else 0
    programs = []
    raw = []
    for i in range(max(count, 1 if (out / "0.meta").exists() else 0)):
        meta, vtext, ltext = _loader_files(out, f"{i}.")
        prog = program_result(meta, vtext, ltext)
        if meta.get("bcf"):
            prog["bcf_stats"] = bcfloop.parse_stats(vtext)
            prog["bcf_conditions"] = bcf_conditions(out, i, meta, vtext)
        if (out / f"{i}.run").is_file() or (out / f"{i}.kmsg").is_file():
            prog["test_run"] = dict(test_runs(out, i), jit=meta.get("jit") == "1")
        programs.append(prog)
        raw.append(
            f"=== program {i} {meta.get('name', '?')} ({meta.get('section', '?')}) "
            f"err={meta.get('err', '?')}\n--- verifier log\n{vtext}\n--- libbpf\n{ltext}"
        )
        if (out / f"{i}.plain.meta").is_file():
            # Loaded again without BCF after ENOKEY: the verifier's own reason (bcfloop.annotate).
            pmeta, pv, pl = _loader_files(out, f"{i}.plain.")
            prog["bcf_plain"] = program_result(pmeta, pv, pl)
            raw.append(f"--- verifier log without BCF (err={pmeta.get('err', '?')})\n{pv}")
    return programs, "\n".join(raw)


class _Boots:
    """Boot the guest until every object has an outcome: a crash or hang costs only its object.

    The guest script skips objects an earlier boot finished, so each boot resumes the batch.
    """

    def __init__(self, share: Path, written: str, n_jobs: int) -> None:
        self.share = share
        self.written = written
        self.n_jobs = n_jobs
        self.outcomes: dict[int, tuple[str, str]] = {}
        self.consoles: list[str] = []
        self.walls: list[float] = []
        self.starts: list[str] = []
        self.start_details: list[str] = []
        self.last: vm.VmOutcome | None = None

    def run(self, max_boots: int, **vm_kw: Any) -> None:
        infra_retries = 0
        while len(self.outcomes) < self.n_jobs and len(self.walls) < max_boots:
            self.last = vm.run(share=self.share, **vm_kw)
            self.walls.append(self.last.wall_seconds)
            self.starts.append(self.last.start)
            if self.last.start_detail:
                self.start_details.append(self.last.start_detail)
            self.consoles.append(read_text_or_empty(self.share / "console.log"))
            progressed = self._record(self.last)
            if self.last.status == "ok":
                break
            if not progressed:
                # The guest died before any loader started: the host or the emulator failed, not
                # an object. Boot again, a bounded number of times, instead of blaming the object.
                if infra_retries >= INFRA_RETRIES or self.last.status == "timeout":
                    break
                infra_retries += 1

    def _record(self, last: vm.VmOutcome) -> bool:
        progressed = False
        for k in range(self.n_jobs):
            if k in self.outcomes:
                continue
            out = self.share / "out" / str(k)
            status = read_text_or_empty(out / "status").strip()
            if status.isdigit():
                self.outcomes[k] = _finished(int(status), out, self.written)
                progressed = True
            elif status == "running":
                # This object was in the loader when the VM died or was killed.
                self.outcomes[k] = (
                    "timeout" if last.status == "timeout" else "vm_crash",
                    last.detail,
                )
                (out / "done").touch()
                progressed = True
        return progressed

    def outcome(self, k: int) -> tuple[str, str]:
        return self.outcomes.get(k, ("vm_crash", self.last.detail if self.last else "no boot"))

    @property
    def console(self) -> str:
        return "\n".join(self.consoles)


def _object_result(
    job: ObjectJob,
    variant: str,
    accel: str,
    status: str,
    detail: str,
    programs: list[dict[str, Any]],
    raw: str,
    boots: _Boots,
) -> tuple[dict[str, Any], str]:
    """One object's result (DESIGN.md's per-program result) and its raw log."""
    if status != "ok":
        programs = [dict(p, verdict=status) for p in programs if p["name"]]
    # A prebuilt corpus's compiler-less objects (ksnoop.bpf.o): compiler and opt ''; the
    # aggregation takes the group from the corpus index (prog_index.json's source).
    meta = corpus.object_meta(job.name)
    wall = sum(boots.walls)
    result = {
        "schema": SCHEMA,
        "variant": variant,
        "project": job.project,
        "object": job.name,
        "group": meta["name"],
        "compiler": meta["compiler"],
        "opt": meta["opt"],
        "verdict": object_verdict(programs, "loaded" if status == "ok" else status),
        "vm": {
            "status": status,
            "detail": detail if status != "ok" else "",
            "accel": accel,
            "boots": len(boots.walls),
            # snapshot: resumed from the variant's saved guest; boot: booted; both when a
            # snapshot did not fit or failed to restore (start_detail says why).
            "start": "+".join(sorted(set(boots.starts))) or "none",
            "start_detail": "; ".join(boots.start_details),
            # An object's share of the VM job (boots, loads, poweroffs), so that sums over
            # objects are the machine time whatever the batch size.
            "wall_seconds": round(wall / boots.n_jobs, 3),
            "objects_in_vm": boots.n_jobs,
            "vm_wall_seconds": round(wall, 3),
        },
        "programs": programs,
        "kernel_warnings": vm.kernel_warnings(boots.console),
    }
    if status != "ok":
        raw += f"\n--- console ({status}: {detail})\n{boots.console}"
    return result, raw


def run_jobs(
    jobs: list[ObjectJob],
    *,
    kernel: Path,
    initrd: Path,
    accel: str,
    variant: str,
    timeout_s: float,
    per_object_timeout: int,
    memory_mb: int = 512,
    qemu: str = "qemu-system-x86_64",
    scratch: str = "",
    max_boots: int | None = None,
    certs: dict[int, dict[str, bytes]] | None = None,
    loader: str = "bcfpipe-load",
    prover: bool = False,
    run_inputs: dict[int, dict[str, bytes]] | None = None,
    append: str = "",
    snapshot: snapshots.Snapshot | None = None,
    log_level: int = vmspec.LOG_LEVELS["stats"],
) -> list[tuple[dict[str, Any], str]]:
    """Load ``jobs`` in as few boots as possible; a crash costs only the object that caused it.

    With ``certs`` (BCF kernels), every load asks for refinement conditions and sends the
    certificates given for its object (condition hash -> certificate). With ``loader``
    'bpftool', the guest runs the paper's loop instead (:mod:`bcfpipe.load.bpftoollog`); ``prover``
    passes the solver to it. With ``run_inputs`` (dynamic validation: object -> program name ->
    encoded inputs), every program that loads is run on its inputs in the interpreter and its
    result gains ``test_run``; ``append`` is added to the guest's kernel command line. With
    ``snapshot`` every VM starts from that saved guest instead of booting (:mod:`snapshot`).
    ``log_level`` is the verifier log level of bcfpipe-load (``vmspec.LOG_LEVELS``).
    """
    paper = loader == "bpftool"
    files: dict[str, Path | bytes] = {}
    dirs = []
    for k, job in enumerate(jobs):
        # One folder per object keeps its own file name, which the guest's logs show.
        files[f"objs/{k}/{job.name}"] = job.path
        if not paper:
            dirs.append(f"out/{k}")  # where guest_script's loader writes
        # The guest loader is pointed at these folders, with or without a file in them.
        if certs is not None:
            dirs.append(f"certs/{k}")
            for key, cert in certs.get(k, {}).items():
                files[f"certs/{k}/{key}.cert"] = cert
        if run_inputs is not None:
            dirs.append(f"inputs/{k}")
            for name, blob in run_inputs.get(k, {}).items():
                files[f"inputs/{k}/{name}.inputs"] = blob
    script = (
        bpftoollog.guest_script(jobs, per_object_timeout, prover)
        if paper
        else guest_script(
            jobs, per_object_timeout, certs is not None, run_inputs is not None, log_level
        )
    )
    with vm_job(script, files, dirs=dirs, scratch=scratch) as share:
        written = bpftoollog.LOG_FILE if paper else "programs"
        boots = _Boots(share, written, len(jobs))
        boots.run(
            max_boots or len(jobs) + 1 + INFRA_RETRIES,
            kernel=kernel,
            initrd=initrd,
            accel=accel,
            timeout_s=timeout_s,
            memory_mb=memory_mb,
            qemu=qemu,
            append=append,
            snapshot=snapshot,
        )
        results = []
        for k, job in enumerate(jobs):
            status, detail = boots.outcome(k)
            out_k = share / "out" / str(k)
            if paper:
                programs, raw = bpftoollog.collect(out_k, job, prover and status == "ok")
            else:
                programs, raw = collect(out_k, job)
            result, raw = _object_result(job, variant, accel, status, detail, programs, raw, boots)
            if paper and prover:
                result["bcf"] = (
                    bpftoollog.bcf_record(raw, programs)
                    if status == "ok"
                    else {"rounds": 1, "outcome": "unprovable", "proof_seconds": None}
                )
            results.append((result, raw))
        return results


def run_jobs_bcf(
    jobs: list[ObjectJob],
    *,
    max_rounds: int = bcfloop.DEFAULT_ROUNDS,
    prove_seconds: float = bcfloop.DEFAULT_PROVE_SECONDS,
    prover: bcfloop.Prover = bcfloop.default_prover,
    refuter: bcfloop.Prover | None = bcfloop.default_refuter,
    run_inputs: dict[int, dict[str, bytes]] | None = None,
    **kw: Any,
) -> list[tuple[dict[str, Any], str]]:
    """``run_jobs`` for a BCF kernel: rounds of boot, prove on the host, boot with certificates."""

    def one_round(
        idx: list[int], certs: dict[int, dict[str, bytes]]
    ) -> list[tuple[dict[str, Any], str]]:
        sub = [jobs[k] for k in idx]
        inputs = (
            None if run_inputs is None else {j: run_inputs.get(k, {}) for j, k in enumerate(idx)}
        )
        return run_jobs(
            sub, certs={j: certs[k] for j, k in enumerate(idx)}, run_inputs=inputs, **kw
        )

    results = bcfloop.run(
        len(jobs),
        one_round,
        max_rounds=max_rounds,
        prove_seconds=prove_seconds,
        prover=prover,
        refuter=refuter,
    )
    for job, (result, _) in zip(jobs, results, strict=True):
        # A refutation's model, run on the program's own instructions (bcfpipe/bcf/replay.py).
        replay.annotate(result, job.path)
    return results


def same_bytes(jobs: list[ObjectJob]) -> list[int | None]:
    """For each job, the first earlier job whose object has the same bytes and program types
    (None: load it). The verifier sees the bytes and the types, not the file's name, so a twin's
    load is the load of the other; clang gives a source's -O2 and -O3 (often -O1 too) the same
    bytes. An object that cannot be read is loaded, so that its error is its own."""
    seen: dict[str, int] = {}
    out: list[int | None] = []
    for k, job in enumerate(jobs):
        try:
            digest = sha256_file(job.path)
        except OSError:
            out.append(None)
            continue
        key = json.dumps([digest, job.types, job.prog_type], sort_keys=True)
        out.append(seen.get(key))
        seen.setdefault(key, k)
    return out


def copy_result(result: dict[str, Any], raw: str, job: ObjectJob) -> tuple[dict[str, Any], str]:
    """The result of ``job`` from the load of an object with the same bytes (``same_bytes``):
    its own name, compiler and level, the load's verdicts and statistics, and no VM time."""
    meta = corpus.object_meta(job.name)
    twin = copy.deepcopy(result)
    twin.update(
        object=job.name,
        group=meta["name"],
        compiler=meta["compiler"],
        opt=meta["opt"],
        same_bytes_as=result["object"],
    )
    twin["vm"].update(
        start="copy",
        start_detail=f"same bytes as {result['object']}",
        boots=0,
        wall_seconds=0.0,
        objects_in_vm=0,
        vm_wall_seconds=0.0,
    )
    note = f"bcfpipe: {job.name} has the bytes of {result['object']}; the log of that load:\n"
    return twin, note + raw


def write_result(result: dict[str, Any], raw: str, out_json: Path, out_log: Path) -> None:
    # The log first: a result JSON on disk always has its log beside it.
    write_text_atomic(out_log, raw)
    write_json_atomic(out_json, result)
