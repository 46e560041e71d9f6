"""The run's provenance manifest: what the results were computed from, and with which tools.

Snakemake's own metadata covers rule code and parameters per output; this manifest covers what it
does not: the workflow's git state, the resolved configuration, a sha256 of every input (source
packages, patches, kernel configs, corpus objects), exact tool versions and the host. Tables and
figures name the manifest by path and by its ``id`` — a digest of everything except the times, so
regenerating it without a change keeps the id.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import read_json, sha256_file

MANIFEST_SCHEMA = 1
PYTHON_PACKAGES = ("snakemake", "cvc5", "python-sat", "matplotlib", "numpy", "pandas")


def _run(
    cmd: Sequence[str], cwd: str | os.PathLike[str] | None = None, strip: bool = True
) -> tuple[int, str]:
    try:
        proc = subprocess.run(
            list(cmd), cwd=cwd, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return 127, str(err)
    text = proc.stdout or proc.stderr
    return proc.returncode, text.strip() if strip else text


def git_state(repo: str | os.PathLike[str]) -> dict[str, Any]:
    rc, commit = _run(["git", "rev-parse", "HEAD"], cwd=repo)
    if rc != 0:
        return {"commit": None, "dirty": None, "error": commit.splitlines()[0] if commit else ""}
    # Unstripped: porcelain lines start with a status column that may be a space.
    _, status = _run(["git", "status", "--porcelain"], cwd=repo, strip=False)
    changed = [ln[3:] for ln in status.splitlines() if ln.strip()]
    return {"commit": commit, "dirty": bool(changed), "changed": changed[:50]}


def tool_version(cmd: Sequence[str]) -> str:
    """The first line a tool prints about its version, or why there is none."""
    rc, out = _run(cmd)
    if rc == 127:
        return f"not found: {out}"
    lines = [ln for ln in out.splitlines() if ln.strip()]
    return lines[0].strip() if lines else f"no output (exit {rc})"


def python_package(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def tool_versions(
    compilers: Iterable[str], qemu: str, bpftools: Mapping[str, str]
) -> dict[str, Any]:
    tools: dict[str, Any] = {
        "gcc": tool_version(["gcc", "--version"]),
        "clang": {c: tool_version([c, "--version"]) for c in compilers},
        "qemu": tool_version([qemu, "--version"]),
        "pahole": tool_version(["pahole", "--version"]),
        # The bpftool each variant built, since the loader's libbpf comes from the same tree.
        "bpftool": {
            v: " · ".join(_run([p, "version"])[1].splitlines()) for v, p in bpftools.items()
        },
        "python": sys.version.split()[0],
    }
    tools.update({name: python_package(name) for name in PYTHON_PACKAGES})
    return tools


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def host_facts(accel: Mapping[str, Any] | None) -> dict[str, Any]:
    mem = ""
    with contextlib.suppress(OSError, StopIteration):
        mem = next(
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/meminfo").read_text().splitlines()
            if ln.startswith("MemTotal")
        )
    return {
        "kernel": platform.release(),
        "os": platform.platform(),
        "machine": platform.machine(),
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "memory": mem,
        "accel": dict(accel) if accel else None,
    }


def _digests(paths: Iterable[str]) -> dict[str, str]:
    return {p: sha256_file(p) for p in sorted(set(paths))}


def inputs(
    sources: Iterable[str],
    patched: Mapping[str, str],
    kernel_configs: Mapping[str, str],
    build_infos: Mapping[str, str],
    initrds: Mapping[str, str],
    objects: Iterable[str],
) -> dict[str, Any]:
    out: dict[str, Any] = {"sources": {}, "variants": {}}
    for path in sorted(sources):
        rec = read_json(path)
        out["sources"][rec.get("name", Path(path).stem)] = {
            k: rec.get(k)
            for k in ("provider", "package", "version", "url", "file", "sha256", "size")
        }
    for v in sorted(set(patched) | set(kernel_configs) | set(build_infos) | set(initrds)):
        entry: dict[str, Any] = {}
        if v in patched:
            rec = read_json(patched[v])
            entry["series"] = rec.get("series", "")
            entry["source"] = (rec.get("source") or {}).get("name")
            entry["patches"] = [
                {"patch": p.get("patch"), "sha256": p.get("sha256")} for p in rec.get("patches", [])
            ]
        if v in kernel_configs:
            entry["kernel_config_sha256"] = sha256_file(kernel_configs[v])
        if v in build_infos:
            rec = read_json(build_infos[v])
            entry["kernel_release"] = rec.get("release")
            entry["image_sha256"] = rec.get("image_sha256")
        if v in initrds:
            entry["initramfs_sha256"] = sha256_file(initrds[v])
        out["variants"][v] = entry
    objs = _digests(objects)
    out["corpus"] = {
        "objects": len(objs),
        # One digest over all objects lets two runs be compared at a glance.
        "digest": hashlib.sha256(
            "".join(f"{p}\0{d}\n" for p, d in objs.items()).encode()
        ).hexdigest(),
        "files": objs,
    }
    return out


def result_times(results: Iterable[str]) -> dict[str, Any]:
    """When the evidence was produced: first and last result written (file times)."""
    mtimes = [os.stat(p).st_mtime for p in results]
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
    return {
        "results": len(mtimes),
        "first_result_written": iso(min(mtimes)) if mtimes else None,
        "last_result_written": iso(max(mtimes)) if mtimes else None,
    }


def manifest_id(manifest: Mapping[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k not in ("id", "times")}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]


def build(
    *,
    repo: str | os.PathLike[str],
    config: Mapping[str, Any],
    inputs_: Mapping[str, Any],
    tools: Mapping[str, Any],
    host: Mapping[str, Any],
    times: Mapping[str, Any],
    started: float,
) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "schema": MANIFEST_SCHEMA,
        "workflow": git_state(repo),
        "config": dict(config),
        "inputs": dict(inputs_),
        "tools": dict(tools),
        "host": dict(host),
    }
    manifest["times"] = {
        **times,
        "manifest_started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "manifest_finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    manifest["id"] = manifest_id(manifest)
    return manifest


def footer(manifest_path: str | os.PathLike[str]) -> str:
    """The line every table and figure carries: which manifest, which workflow commit."""
    try:
        m = read_json(manifest_path)
    except (OSError, json.JSONDecodeError) as err:
        raise PipelineError(f"cannot read provenance manifest {manifest_path}: {err}") from None
    wf = m.get("workflow", {})
    commit = (wf.get("commit") or "unknown")[:12]
    dirty = " (uncommitted changes)" if wf.get("dirty") else ""
    return f"{os.fspath(manifest_path)} id {m.get('id', '?')}, workflow {commit}{dirty}"
