"""cvc5 built from source with the paper's solver patch, for the guest of the paper's variant.

The paper's bpftool runs the prover inside the guest (``bpftool -P <prover>``) and uses it only if
``<prover> --proof-format=help`` lists the ``bcf`` proof format, which the solver patch adds. The
guest has no libraries, so the binary must be static. Both are checked here, after the build,
instead of in the guest after an hour of corpus loads.

cvc5's ``configure.sh --auto-download`` fetches and builds further dependencies itself (see
docs/paper.md); that happens inside ``make``/``configure`` and is logged in the rule's log.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import sha256_file
from bcfpipe.guest import initramfs
from bcfpipe.kernel import patch
from bcfpipe.kernel.build import run_logged


def solver_patches(patch_tree: Path, names: list[str], where: str) -> list[patch.SeriesEntry]:
    entries = []
    for name in names:
        p = patch_tree / name
        if not p.is_file():
            folder = p.parent
            there = sorted(q.name for q in folder.glob("*.patch")) if folder.is_dir() else []
            raise PipelineError(
                f"{where}: solver patch '{name}' does not exist in {patch_tree}"
                + (f" (patches there: {', '.join(there)})" if there else "")
                + ". Fix tools.cvc5.patches, or go back to the commit the config pins"
            )
        entries.append(patch.SeriesEntry(p))
    return entries


def check_binary(binary: Path, require_help: str) -> str:
    """The built cvc5 can serve the paper's bpftool in the guest; return its help output."""
    if not binary.is_file():
        raise PipelineError(
            f"the cvc5 build finished without {binary}; read the build log above for the cause"
        )
    if not initramfs.is_static(binary):
        raise PipelineError(
            f"{binary} is not statically linked, but the guest has no libraries: keep --static "
            f"in tools.cvc5.configure"
        )
    proc = subprocess.run(
        [str(binary), "--proof-format=help"], capture_output=True, text=True, timeout=60
    )
    text = proc.stdout + proc.stderr
    if require_help and require_help not in text:
        raise PipelineError(
            f"'{binary} --proof-format=help' does not list '{require_help}', so the patched "
            f"bpftool would not use it as a prover: the solver patch did not take effect "
            f"(check tools.cvc5.patches). Output:\n{text.strip()[:2000]}"
        )
    return text


def build(
    source_tree: Path,
    patch_tree: Path | None,
    patches: list[str],
    work: Path,
    configure: list[str],
    jobs: int,
    require_help: str,
    out: Path,
    hint: str = "",
) -> dict[str, Any]:
    """Copy, patch, configure and build cvc5 in ``work``; copy the binary to ``out``."""
    entries = solver_patches(patch_tree, patches, "tools.cvc5") if patch_tree else []
    tree = work / "src"
    start = time.monotonic()
    record = patch.apply_series(
        source_tree,
        tree,
        entries,
        work / "src.state.json",
        hint=hint or "Refresh the solver patch against this cvc5 commit.",
    )
    configure_sh = tree / "configure.sh"
    if not configure_sh.is_file():
        raise PipelineError(f"{source_tree} has no configure.sh: is tools.cvc5.source a cvc5 tree?")
    run_logged(["./configure.sh", *configure], cwd=tree, what="cvc5 configure")
    run_logged(["make", "-C", "build", f"-j{jobs}"], cwd=tree, what="cvc5 build")
    binary = tree / "build" / "bin" / "cvc5"
    help_text = check_binary(binary, require_help)
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(binary, out)
    out.chmod(0o755)
    return {
        "patches": record["patches"],
        "configure": configure,
        "binary_sha256": sha256_file(out),
        "proof_formats": [ln.strip() for ln in help_text.splitlines() if ln.strip()][:20],
        "build_seconds": round(time.monotonic() - start, 1),
    }
