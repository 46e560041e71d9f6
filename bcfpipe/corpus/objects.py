"""The corpus: source programs with their ground truth, compiled the way the paper did it.

Every source program is compiled by several compilers at several optimisation levels. The variants
are semantically equal, so the verifier should treat them alike: a difference in verdict between
them exposes imprecision. Objects are named ``<compiler>_<opt>_<name>.o`` as in the paper.

A prebuilt corpus (the paper's) may also hold objects named otherwise, such as its ``collected``
project's ``ksnoop.bpf.o``: their compiler and optimisation level are unknown (recorded as ''),
and their group is the source ``prog_index.json`` lists them under (see :func:`object_meta`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bcfpipe.corpus import elf
from bcfpipe.errors import PipelineError

TRUTH = re.compile(
    r"^\s*//\s*truth:\s*(?P<prog>\w+)\s+(?P<safety>safe|unsafe)\s+stock=(?P<stock>loaded|rejected|mixed)"
    r"(?:\s+(?P<why>.*))?$"
)
OBJECT = re.compile(r"^(?P<compiler>[^_]+)_(?P<opt>-O[0-3sz])_(?P<name>.+)\.o$")
# A source whose programs are all naked asm gives the same instructions with every compiler and
# optimisation level: it is compiled once (single_variant) instead of once per variant.
SINGLE = re.compile(r"^\s*//\s*variants:\s*single\s*$", re.M)


@dataclass(frozen=True)
class Truth:
    program: str
    safe: bool
    stock: str
    why: str


@dataclass(frozen=True)
class Source:
    project: str
    name: str
    path: Path
    single: bool = False  # says '// variants: single' (see SINGLE): compiled once


def discover(root: Path, projects: list[str] | None = None) -> list[Source]:
    """Source programs under ``root/<project>/*.c``, sorted; ``projects`` limits the set."""
    found = []
    if not root.is_dir():
        raise PipelineError(f"corpus directory {root} does not exist")
    available = sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.c")))
    for want in projects or []:
        if want not in available:
            raise PipelineError(
                f"corpus.projects names '{want}', which is not a folder of {root} with .c files "
                f"(available: {', '.join(available)})"
            )
    for project in projects or available:
        for src in sorted((root / project).glob("*.c")):
            found.append(Source(project, src.stem, src, is_single_variant(src)))
    return found


def read_truth(path: Path) -> list[Truth]:
    out = []
    for line in path.read_text().splitlines():
        if m := TRUTH.match(line):
            out.append(
                Truth(m["prog"], m["safety"] == "safe", m["stock"], (m["why"] or "").strip())
            )
    return out


def is_single_variant(path: Path) -> bool:
    """Whether the source says ``// variants: single`` (naked asm only, see SINGLE)."""
    return bool(SINGLE.search(path.read_text()))


def single_variant(compilers: list[str], opts: list[str]) -> tuple[str, str]:
    """The one (compiler, opt) a single-variant source is compiled with: the last compiler
    listed (the newest, by the corpus's convention) at -O2, or the first level if -O2 is not
    configured."""
    return compilers[-1], "-O2" if "-O2" in opts else opts[0]


def variants(src: Source, compilers: list[str], opts: list[str]) -> list[tuple[str, str]]:
    """Every (compiler, opt) ``src`` is compiled with."""
    if src.single:
        return [single_variant(compilers, opts)]
    return [(c, o) for c in compilers for o in opts]


def object_name(compiler: str, opt: str, name: str) -> str:
    return f"{compiler}_{opt}_{name}.o"


def parse_object_name(filename: str) -> dict[str, str]:
    """compiler, opt and name of an object the corpus compiled; any other name is an error."""
    m = OBJECT.match(filename)
    if not m:
        raise PipelineError(
            f"object '{filename}' is not named <compiler>_<opt>_<name>.o (e.g. clang-14_-O2_x.o)"
        )
    return m.groupdict()


def source_name(source: str) -> str:
    """A source as ``prog_index.json`` names it (``bpf_lxc.o``), as the corpus groups it."""
    return source[:-2] if source.endswith(".o") else source


def object_meta(filename: str, source: str = "") -> dict[str, str]:
    """compiler, opt and name (the group: the source its variants share) of any object.

    An object named ``<compiler>_<opt>_<name>.o`` gives all three; any other (a prebuilt
    corpus's ``ksnoop.bpf.o``) is a compiler-less group of its own: compiler and opt '' and, as
    name, ``source`` (its ``prog_index.json`` entry) or else the file name without ``.o``. A
    given ``source`` always names the group.
    """
    m = OBJECT.match(filename)
    meta = m.groupdict() if m else {"compiler": "", "opt": "", "name": source_name(filename)}
    if source:
        meta["name"] = source_name(source)
    return meta


def compile_command(compiler: str, opt: str, src: Path, out: Path, include: Path) -> list[str]:
    return [
        compiler,
        opt,
        "-g",
        "-target",
        "bpf",
        "-D__TARGET_ARCH_x86",
        "-I",
        str(include),
        "-I",
        str(src.parent),
        "-c",
        str(src),
        "-o",
        str(out),
    ]


def compile_object(compiler: str, opt: str, src: Path, out: Path, include: Path) -> dict[str, Any]:
    """Compile one variant; a failure is recorded (not raised) so the corpus shows what did not
    build and why, instead of silently dropping it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return run_compiler(compile_command(compiler, opt, src, out, include), out)


def run_compiler(cmd: list[str], out: Path) -> dict[str, Any]:
    """Run one compile command for ``out``; a failure is a record with its first error line."""
    compiler = cmd[0]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except FileNotFoundError:
        raise PipelineError(
            f"compiler '{compiler}' not found: apt-get install -y {compiler}, "
            f"or remove it from corpus.compilers"
        ) from None
    record: dict[str, Any] = {"command": cmd, "ok": proc.returncode == 0}
    if proc.returncode != 0:
        out.unlink(missing_ok=True)
        first = next((ln for ln in proc.stderr.splitlines() if "error:" in ln), proc.stderr[:300])
        record["error"] = first.strip()
    return record


def describe_object(path: Path) -> list[dict[str, str]]:
    return [asdict(p) for p in elf.programs(path)]


def build_index(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The corpus index from per-object records (project, source, object, programs, truth).

    Also carries the paper's two index files' content: ``prog_index`` (project → source object →
    variant files) and ``obj_prog_type`` (object → program → section).
    """
    prog_index: dict[str, dict[str, list[str]]] = {}
    obj_prog_type: dict[str, dict[str, str]] = {}
    projects: dict[str, dict[str, Any]] = {}
    failures = []
    for e in sorted(entries, key=lambda e: (e["project"], e["source"], e["object"])):
        proj = projects.setdefault(e["project"], {"sources": {}})
        src = proj["sources"].setdefault(e["source"], {"truth": e.get("truth", []), "objects": []})
        if not e.get("ok", True):
            failures.append({k: e[k] for k in ("project", "source", "object", "error")})
            continue
        src["objects"].append(
            {
                "object": e["object"],
                "compiler": e.get("compiler", ""),
                "opt": e.get("opt", ""),
                "programs": e["programs"],
            }
        )
        prog_index.setdefault(e["project"], {}).setdefault(e["source"], []).append(e["object"])
        obj_prog_type[f"{e['project']}/{e['object']}"] = {
            p["name"]: p["section"] for p in e["programs"]
        }
    return {
        "projects": projects,
        "prog_index": prog_index,
        "obj_prog_type": obj_prog_type,
        "compile_failures": failures,
        "counts": {
            "projects": len(projects),
            "sources": sum(len(p["sources"]) for p in projects.values()),
            "objects": sum(len(v) for p in prog_index.values() for v in p.values()),
            "compile_failures": len(failures),
        },
    }


def load_prebuilt(root: Path) -> dict[str, Any]:
    """A directory laid out like the paper's corpus: ``<project>/<object>.o`` with
    ``prog_index.json`` and ``obj_prog_type.json``; imported as is. Objects are usually named
    ``<clang-N>_-O<k>_<name>.o``; any other name (``collected/ksnoop.bpf.o``) is a compiler-less
    group (:func:`object_meta`). Each object's ``source`` is its ``prog_index.json`` entry."""
    idx_path = root / "prog_index.json"
    if not idx_path.is_file():
        raise PipelineError(
            f"{root} has no prog_index.json: a prebuilt corpus needs it "
            f"({{project: {{source_object: [variant files]}}}})"
        )
    prog_index = json.loads(idx_path.read_text())
    types_path = root / "obj_prog_type.json"
    types = json.loads(types_path.read_text()) if types_path.is_file() else {}
    objects = []
    missing = []
    for project, sources in sorted(prog_index.items()):
        for source, variants in sorted(sources.items()):
            for obj in variants:
                rel = obj if "/" in obj else f"{project}/{obj}"
                path = root / rel
                if not path.is_file():
                    missing.append(rel)
                    continue
                t = types.get(rel, types.get(Path(rel).name, types.get(obj, {})))
                meta = object_meta(Path(rel).name, source)
                objects.append(
                    {
                        "project": project,
                        "source": meta["name"],
                        "object": Path(rel).name,
                        "compiler": meta["compiler"],
                        "opt": meta["opt"],
                        "path": str(path),
                        "types": t,
                    }
                )
    if missing:
        raise PipelineError(
            f"{len(missing)} objects listed in {idx_path} are missing, e.g. "
            f"{', '.join(missing[:3])}; fix the index or the directory"
        )
    return {"objects": objects}


def index_prebuilt(root: Path, out: Path, copy: bool) -> dict[str, Any]:
    """The corpus index of a prebuilt corpus (see :func:`load_prebuilt`), in the format of the
    compiled corpus's, plus ``imported`` (object, path, type) for the workflow. The paper's own
    ``prog_index.json`` and ``obj_prog_type.json`` are written to ``out`` unchanged; with
    ``copy`` the objects are copied to ``out/objects/<project>/`` too (a corpus imported from a
    fetched tree), else they are indexed where they are (``corpus.prebuilt``)."""
    imported = load_prebuilt(root)
    objects_dir = out / "objects"
    if copy and objects_dir.exists():
        shutil.rmtree(objects_dir)
    entries = []
    listed = []
    for o in imported["objects"]:
        path = Path(o["path"])
        if copy:
            path = objects_dir / o["project"] / o["object"]
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(o["path"], path)
        try:
            progs = describe_object(path)
        except PipelineError as err:
            raise PipelineError(f"{root}/{o['project']}/{o['object']}: {err}") from None
        entries.append(
            {
                "project": o["project"],
                "source": o["source"],
                "object": o["object"],
                "compiler": o["compiler"],
                "opt": o["opt"],
                "programs": progs,
                "truth": [],
            }
        )
        listed.append(
            {
                "project": o["project"],
                "object": o["object"],
                "path": str(path),
                "types": o["types"],
            }
        )
    index = build_index(entries)
    index["imported"] = listed
    index["imported_from"] = str(root)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("prog_index.json", "obj_prog_type.json"):
        src = root / name
        if src.is_file():
            shutil.copyfile(src, out / name)
        else:
            (out / name).write_text("{}\n")
    return index


def import_tree(root: Path, out: Path) -> dict[str, Any]:
    """Import a prebuilt corpus laid out like the paper's from a fetched tree: objects are copied
    to ``out/objects/<project>/`` (see :func:`index_prebuilt`)."""
    return index_prebuilt(root, out, copy=True)


def type_overrides(types: Any, programs: list[str]) -> dict[str, str]:
    """Per-program section overrides from an ``obj_prog_type`` entry (a string for the whole
    object, or a mapping program → section/type)."""
    if isinstance(types, str):
        return {p: types for p in programs}
    if isinstance(types, dict):
        return {str(k): str(v) for k, v in types.items()}
    return {}


def object_type(types: Any) -> str:
    """The one program type of a whole object for ``bpftool prog loadall … type T``: the
    ``obj_prog_type.json`` entry when it is a string (the paper's format), or the single type
    all programs of a mapping share; '' lets libbpf take each type from its section name."""
    if isinstance(types, str):
        return types
    if isinstance(types, dict):
        kinds = {str(v) for v in types.values() if v}
        if len(kinds) == 1:
            return kinds.pop()
    return ""
