"""Local stand-ins for the paper's three repositories, laid out like the real ones.

* a kernel-like tree (bpf-next): a top Makefile with the version lines, kernel/bpf/verifier.c,
  tools/bpf/bpftool/main.c;
* the BCF repository: ``patches-kernel/set1:verifier_and_initial_checker_support`` … ``set6:…``
  made by ``git format-patch`` against the kernel stand-in (each set but set5 with its
  ``0000-cover-letter.patch``; set6 must not be applied and would fail), the solver patch in
  ``patches-solver/``, and ``bpf-progs/`` with ``prog_index.json``, ``obj_prog_type.json`` and
  real BPF objects named ``<clang-N>_-O<k>_<name>.o``;
* a cvc5-like tree whose ``configure.sh`` writes a Makefile that builds a static ``bin/cvc5``,
  which lists the ``bcf`` proof format only once the solver patch is applied.

Each is a git repository served as ``file://``; a test config is config/paper.yaml with only the
urls and commits swapped, so the real configuration's structure is what the tests run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
SETS = [
    "set1:verifier_and_initial_checker_support",
    "set2:add_core_proof_rules",
    "set3:add_boolean_proof_rules",
    "set4:add_bv_proof_rules",
    "set5:bpftool_libbpf_support",
]
SET6 = "set6:kernel_user_interaction_reduction"
SOLVER_PATCH = "patches-solver/0001-proof-Add-bcf-proof-format-support.patch"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_AUTHOR_DATE": "2025-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2025-01-01T00:00:00Z",
}


def git(cwd: Path, *args: str) -> str:
    import os

    env = dict(os.environ, **GIT_ENV)
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env
    ).stdout.strip()


def commit_all(repo: Path, msg: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", msg)
    return git(repo, "rev-parse", "HEAD")


def make_kernel(root: Path) -> tuple[Path, str]:
    k = root / "bpf-next"
    (k / "kernel" / "bpf").mkdir(parents=True)
    (k / "tools" / "bpf" / "bpftool").mkdir(parents=True)
    (k / "Makefile").write_text(
        "VERSION = 6\nPATCHLEVEL = 15\nSUBLEVEL = 0\nEXTRAVERSION = -rc1\nNAME = stand-in\n"
    )
    (k / "kernel" / "bpf" / "verifier.c").write_text(
        "".join(f"/* verifier line {i} */\n" for i in range(40))
    )
    (k / "tools" / "bpf" / "bpftool" / "main.c").write_text(
        "int main(void)\n{\n\t/* options */\n\treturn 0;\n}\n"
    )
    git(k, "init", "-q", "-b", "master")
    base = commit_all(k, "bpf-next stand-in base")
    # A later commit: the pin must take the base, not the branch head.
    (k / "kernel" / "bpf" / "later.c").write_text("/* after the paper's base */\n")
    commit_all(k, "later work on master")
    return k, base


def _format_patches(kernel: Path, base: str, out: Path, edits: list[tuple[str, Any]]) -> None:
    """Commit ``edits`` on a branch from ``base`` and write them with ``git format-patch``."""
    work = out.parent / f".work-{out.name}"
    shutil.rmtree(work, ignore_errors=True)
    git(kernel.parent, "clone", "-q", str(kernel), str(work))
    git(work, "checkout", "-q", base)
    for msg, edit in edits:
        edit(work)
        commit_all(work, msg)
    out.mkdir(parents=True, exist_ok=True)
    git(
        work,
        "format-patch",
        "-q",
        "--cover-letter" if out.name != SETS[4] else "--no-numbered",
        "-o",
        str(out),
        f"{base}..HEAD",
    )
    shutil.rmtree(work)


def make_bcf(
    root: Path, kernel: Path, base: str, objects: dict[str, list[str]]
) -> tuple[Path, str]:
    b = root / "BCF"
    pk = b / "patches-kernel"

    def append(path: str, text: str) -> Any:
        def edit(w: Path) -> None:
            with open(w / path, "a") as f:
                f.write(text)

        return edit

    def replace(path: str, old: str, new: str) -> Any:
        def edit(w: Path) -> None:
            p = w / path
            p.write_text(p.read_text().replace(old, new))

        return edit

    def create(path: str, text: str) -> Any:
        def edit(w: Path) -> None:
            (w / path).parent.mkdir(parents=True, exist_ok=True)
            (w / path).write_text(text)

        return edit

    # Each set is made against the tree with the previous sets applied, as the real ones are.
    plan: list[tuple[str, list[tuple[str, Any]]]] = [
        (
            SETS[0],
            [
                ("bpf: Add BCF checker", create("kernel/bpf/bcf_checker.c", "/* checker */\n")),
                (
                    "bpf: Refine in the verifier",
                    replace("kernel/bpf/verifier.c", "/* verifier line 7 */", "/* bcf_refine */"),
                ),
            ],
        ),
        (SETS[1], [("bpf: core rules", append("kernel/bpf/bcf_checker.c", "/* core */\n"))]),
        (SETS[2], [("bpf: boolean rules", append("kernel/bpf/bcf_checker.c", "/* bool */\n"))]),
        (SETS[3], [("bpf: bv rules", append("kernel/bpf/bcf_checker.c", "/* bv */\n"))]),
        (
            SETS[4],
            [
                (
                    "bpftool: Add bcf support",
                    replace(
                        "tools/bpf/bpftool/main.c", "/* options */", "/* options: -P prover */"
                    ),
                )
            ],
        ),
    ]
    work = root / ".bcf-base"
    git(root, "clone", "-q", str(kernel), str(work))
    git(work, "checkout", "-q", base)
    current = git(work, "rev-parse", "HEAD")
    for name, edits in plan:
        _format_patches(work, current, pk / name, edits)
        for p in sorted((pk / name).glob("*.patch")):
            if not p.name.startswith("0000-"):
                git(work, "am", "-q", str(p))
        current = git(work, "rev-parse", "HEAD")
    shutil.rmtree(work)
    # set6 exists and is not applied by the paper's build: here it would not even apply.
    (pk / SET6).mkdir(parents=True)
    (pk / SET6 / "bpf-Batch-BCF-requests.patch").write_text(
        "--- a/kernel/bpf/nonexistent.c\n+++ b/kernel/bpf/nonexistent.c\n@@ -1 +1 @@\n-x\n+y\n"
    )
    solver = b / SOLVER_PATCH
    solver.parent.mkdir(parents=True)
    solver.write_text(
        "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
        "Subject: [PATCH] proof: Add bcf proof format support\n\n---\n"
        "diff --git a/src/main.c b/src/main.c\n--- a/src/main.c\n+++ b/src/main.c\n"
        '@@ -1,3 +1,3 @@\n #include <stdio.h>\n-#define FORMATS "+ cpc\\n+ lfsc\\n"\n'
        '+#define FORMATS "+ cpc\\n+ lfsc\\n+ bcf\\n"\n'
        " int main(void) { return 0 * printf(FORMATS); }\n"
    )
    progs = b / "bpf-progs"
    index: dict[str, dict[str, list[str]]] = {}
    types: dict[str, str | None] = {}
    for project, names in objects.items():
        (progs / project).mkdir(parents=True)
        for name in names:
            src_name = name.split("_", 2)[2]
            index.setdefault(project, {}).setdefault(src_name, []).append(name)
            subprocess.run(
                [
                    clang(),
                    "-O2",
                    "-g",
                    "-target",
                    "bpf",
                    "-c",
                    str(REPO / "guest" / "trivial.bpf.c"),
                    "-o",
                    str(progs / project / name),
                ],
                check=True,
            )
            types[name] = "socket" if project == "collected" else None
    (progs / "prog_index.json").write_text(json.dumps(index, indent=4))
    (progs / "obj_prog_type.json").write_text(json.dumps(types, indent=4))
    (b / "README.md").write_text("stand-in of the paper's repository\n")
    git(b, "init", "-q", "-b", "main")
    return b, commit_all(b, "BCF stand-in")


def clang() -> str:
    for c in ("clang-19", "clang-16", "clang-14", "clang"):
        if shutil.which(c):
            return c
    raise RuntimeError("no clang")


def make_cvc5(root: Path) -> tuple[Path, str]:
    c = root / "cvc5"
    (c / "src").mkdir(parents=True)
    (c / "CMakeLists.txt").write_text("# stand-in\n")
    (c / "src" / "main.c").write_text(
        '#include <stdio.h>\n#define FORMATS "+ cpc\\n+ lfsc\\n"\n'
        "int main(void) { return 0 * printf(FORMATS); }\n"
    )
    # The real configure.sh makes build/ with a Makefile; so does this one, and records its args.
    (c / "configure.sh").write_text(
        '#!/bin/sh\nset -e\nmkdir -p build/bin\necho "$@" > build/configure-args\n'
        "printf 'bin/cvc5: ../src/main.c\\n\\tgcc -static -O1 -o bin/cvc5 ../src/main.c\\n' "
        "> build/Makefile\n"
    )
    (c / "configure.sh").chmod(0o755)
    git(c, "init", "-q", "-b", "main")
    return c, commit_all(c, "cvc5 stand-in")


DEFAULT_OBJECTS = {
    "collected": ["clang-19_-O2_shift_constraint.bpf.o", "clang-14_-O2_shift_constraint.bpf.o"],
    "bcc": ["clang-19_-O2_ksnoop.bpf.o"],
}


def make_mirrors(root: Path) -> dict[str, tuple[Path, str]]:
    root.mkdir(parents=True, exist_ok=True)
    kernel, base = make_kernel(root)
    bcf = make_bcf(root, kernel, base, DEFAULT_OBJECTS)
    return {"bpf-next": (kernel, base), "bcf": bcf, "cvc5": make_cvc5(root)}


def paper_config(mirrors: dict[str, tuple[Path, str]], results: Path) -> dict[str, Any]:
    """config/paper.yaml with each source pointed at its local mirror, nothing else changed."""
    cfg: dict[str, Any] = yaml.safe_load((REPO / "config" / "paper.yaml").read_text())
    for name, (path, commit) in mirrors.items():
        cfg["sources"][name]["url"] = f"file://{path}"
        cfg["sources"][name]["commit"] = commit
    cfg["paths"] = {
        "results": str(results / "results"),
        "work": str(results / "work"),
        "resources": str(results / "resources"),
    }
    return cfg


def offline_env() -> dict[str, str]:
    """An environment in which git may only use file:// and HTTP goes nowhere."""
    import os

    env = dict(os.environ)
    env.update(
        GIT_ALLOW_PROTOCOL="file",
        http_proxy="http://127.0.0.1:9",
        https_proxy="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
        no_proxy="",
    )
    return env
