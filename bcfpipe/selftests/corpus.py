"""Corpus project ``selftests``: the BPF selftest programs of the fetched kernel tree.

The sources (``tools/testing/selftests/bpf/progs``, by default the verifier's own tests
``verifier_*.c``) are only known once the tree is unpacked, so one checkpoint job compiles them all
with the selftests' own flags and writes ``index.json`` beside the objects: what was built, what
did not build and why, and what each program's annotations (``__success``, ``__failure``,
``__msg``) expect of the verifier. The index has the corpus index's ``prog_index`` and
``obj_prog_type``, so the aggregation reads it like the project's own corpus.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bcfpipe.corpus import objects as corpus
from bcfpipe.errors import PipelineError

PROJECT = "selftests"
PROGS = Path("tools/testing/selftests/bpf/progs")

SEC = re.compile(r'\bSEC\(\s*"([^"]*)"\s*\)')
STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
ANNOTATION = re.compile(r"\b(__\w+)(?:\s*\([^()]*(?:\([^()]*\)[^()]*)*\))?")
FUNC_NAME = re.compile(r"\b([A-Za-z_]\w*)\s*\([^()]*\)\s*$")


def discover(tree: Path, globs: Sequence[str]) -> list[Path]:
    """Selftest program sources of ``tree`` matching any of ``globs`` (sorted by name)."""
    progs = tree / PROGS
    if not progs.is_dir():
        raise PipelineError(
            f"{progs} does not exist: the source tree has no BPF selftests "
            f"(set corpus.selftests.enabled: false for such a tree)"
        )
    found = sorted(p for p in progs.glob("*.c") if any(fnmatch.fnmatch(p.name, g) for g in globs))
    if not found:
        raise PipelineError(f"no file in {progs} matches corpus.selftests.globs {list(globs)}")
    return found


def expectations(text: str) -> dict[str, dict[str, Any]]:
    """What each program's test annotations expect of the privileged verifier.

    ``expect`` is ``success``, ``failure`` or ``None`` (no annotation: not a verifier test);
    ``msg`` the expected log lines of a failure.
    """
    out: dict[str, dict[str, Any]] = {}
    for m in SEC.finditer(text):
        section = m[1]
        if section.startswith(".") or section == "license":
            continue
        body = text.find("{", m.end())
        if body < 0:
            continue
        head = text[m.end() : body]
        msgs = [s[1:-1] for s in re.findall(r'__msg\(\s*("(?:[^"\\]|\\.)*")\s*\)', head)]
        tokens = set(re.findall(r"\b__\w+", STRING.sub('""', head)))
        bare = ANNOTATION.sub(" ", STRING.sub('""', head)).strip()
        name = FUNC_NAME.search(bare)
        if not name:
            continue
        expect = (
            "failure" if "__failure" in tokens else "success" if "__success" in tokens else None
        )
        out[name[1]] = {"section": section, "expect": expect, "msg": msgs}
    return out


def compile_command(
    compiler: str, opt: str, src: Path, out: Path, include: Path, tree: Path
) -> list[str]:
    """The selftests Makefile's BPF flags (``-mcpu=v3``, the selftests and UAPI headers)."""
    selftests = tree / PROGS.parent
    return [
        compiler,
        opt,
        "-g",
        "--target=bpf",
        "-mcpu=v3",
        "-D__TARGET_ARCH_x86",
        "-Wno-compare-distinct-pointer-types",
        "-I",
        str(include),
        "-I",
        str(selftests / "progs"),
        "-I",
        str(selftests),
        "-I",
        str(tree / "tools" / "include" / "uapi"),
        "-idirafter",
        "/usr/include/x86_64-linux-gnu",
        "-idirafter",
        "/usr/include",
        "-c",
        str(src),
        "-o",
        str(out),
    ]


def build(
    tree: Path,
    include: Path,
    out_dir: Path,
    globs: Sequence[str],
    compilers: Sequence[str],
    opt_levels: Sequence[str],
    progress: Any = print,
    jobs: int = 1,
) -> dict[str, Any]:
    """Compile every matching source with every compiler and level into ``out_dir/objects``.

    ``jobs`` compilers run at once (the whole tree at three compilers and two levels is about
    4,800 compiles); the index lists the objects in the same order whatever ``jobs`` is.
    """
    sources = discover(tree, globs)
    objects_dir = out_dir / "objects"
    objects_dir.mkdir(parents=True, exist_ok=True)
    expect = {src: expectations(src.read_text(errors="replace")) for src in sources}
    todo = [(src, c, o) for src in sources for c in compilers for o in opt_levels]

    def one(item: tuple[Path, str, str]) -> dict[str, Any]:
        src, compiler, opt = item
        name = f"{compiler}_{opt}_{src.stem}.o"
        obj = objects_dir / name
        rec = corpus.run_compiler(compile_command(compiler, opt, src, obj, include, tree), obj)
        entry: dict[str, Any] = {
            "project": PROJECT,
            "source": src.stem,
            "object": name,
            "ok": rec["ok"],
        }
        if rec["ok"]:
            progs: list[dict[str, Any]] = list(corpus.describe_object(obj))
            for p in progs:
                p["expect"] = expect[src].get(p["name"], {}).get("expect")
            entry["programs"] = progs
        else:
            entry["error"] = rec["error"]
        return entry

    entries: list[dict[str, Any]] = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        # map() keeps the input order; each worker thread only waits on its compiler process
        for entry in pool.map(one, todo):
            entries.append(entry)
            if len(entries) % 25 == 0 or len(entries) == len(todo):
                progress(f"selftests: compiled {len(entries)}/{len(todo)}")
    index = corpus.build_index(entries)
    index["objects_dir"] = str(objects_dir)
    index["expectations"] = {
        e["object"]: {p["name"]: p["expect"] for p in e["programs"]} for e in entries if e["ok"]
    }
    return index


def object_names(index: dict[str, Any]) -> list[str]:
    """Object stems (without ``.o``) the index lists, i.e. the load jobs of the project."""
    return sorted(
        obj[:-2]
        for sources in index.get("prog_index", {}).values()
        for objs in sources.values()
        for obj in objs
    )


def expectation_report(
    index: dict[str, Any], results: Iterable[dict[str, Any]]
) -> dict[str, dict[str, int]]:
    """Per variant: how verdicts meet the annotations (expected success/failure × loaded/not)."""
    expect = index.get("expectations", {})
    out: dict[str, dict[str, int]] = {}
    for res in results:
        counts = out.setdefault(res["variant"], {})
        for prog in res["programs"]:
            e = expect.get(res["object"], {}).get(prog["name"])
            key = (
                f"{e or 'unannotated'}:{'loaded' if prog['verdict'] == 'loaded' else 'not_loaded'}"
            )
            counts[key] = counts.get(key, 0) + 1
    return out


def expectation_markdown(report: dict[str, dict[str, int]], index: dict[str, Any]) -> str:
    c = index.get("counts", {})
    lines = [
        "# Selftest programs: verdicts against their annotations",
        "",
        f"{c.get('objects', 0)} objects built, {c.get('compile_failures', 0)} did not build "
        "(listed below). `__success`/`__failure` say what the stock verifier must do with a "
        "privileged load; a BCF variant may accept a `__failure` program that is safe but beyond "
        "the interval domain, and must never accept an unsafe one.",
        "",
        "| variant | success → loaded | success → not loaded | failure → rejected "
        "| failure → loaded | unannotated loaded | unannotated not loaded |",
        "|---|---|---|---|---|---|---|",
    ]
    for v, n in report.items():
        lines.append(
            f"| {v} | {n.get('success:loaded', 0)} | {n.get('success:not_loaded', 0)} | "
            f"{n.get('failure:not_loaded', 0)} | {n.get('failure:loaded', 0)} | "
            f"{n.get('unannotated:loaded', 0)} | {n.get('unannotated:not_loaded', 0)} |"
        )
    failures = index.get("compile_failures", [])
    if failures:
        lines += ["", "## Not built", ""]
        lines += [f"- `{f['object']}`: {f['error']}" for f in failures]
    return "\n".join(lines) + "\n"
