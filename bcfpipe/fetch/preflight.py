"""Host tool check: what is missing, and the one command that installs it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

# (what, how to find it, Debian package, version command)
TOOLS: list[tuple[str, str, str, list[str] | None]] = [
    ("make", "bin:make", "make", ["make", "--version"]),
    ("gcc", "bin:gcc", "gcc", ["gcc", "--version"]),
    ("flex", "bin:flex", "flex", ["flex", "--version"]),
    ("bison", "bin:bison", "bison", ["bison", "--version"]),
    ("bc", "bin:bc", "bc", None),
    ("perl", "bin:perl", "perl", None),
    ("patch", "bin:patch", "patch", ["patch", "--version"]),
    ("xz", "bin:xz", "xz-utils", None),
    ("pahole", "bin:pahole", "dwarves", ["pahole", "--version"]),
    (
        "qemu-system-x86_64",
        "bin:qemu-system-x86_64",
        "qemu-system-x86",
        ["qemu-system-x86_64", "--version"],
    ),
    ("static busybox", "static:/bin/busybox", "busybox-static", None),
    ("dpkg-deb", "bin:dpkg-deb", "dpkg", None),
    ("apt-get", "bin:apt-get", "apt", None),
    ("libelf headers", "file:/usr/include/libelf.h", "libelf-dev", None),
    ("zlib headers", "file:/usr/include/zlib.h", "zlib1g-dev", None),
    ("zstd headers", "file:/usr/include/zstd.h", "libzstd-dev", None),
    ("openssl headers", "file:/usr/include/openssl/ssl.h", "libssl-dev", None),
]


def _present(how: str) -> bool:
    kind, _, what = how.partition(":")
    if kind == "bin":
        return shutil.which(what) is not None
    if kind == "file":
        return Path(what).is_file()
    if kind == "static":
        p = Path(what)
        return p.is_file() and b"ld-linux" not in p.read_bytes()[:65536]
    raise ValueError(how)


def _version(cmd: list[str] | None) -> str:
    if not cmd:
        return ""
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else ""


def check(clangs: list[str]) -> dict[str, Any]:
    tools = list(TOOLS)
    for clang in clangs:
        pkg = clang if clang.startswith("clang-") else "clang"
        tools.append((clang, f"bin:{clang}", pkg, [clang, "--version"]))
    found: dict[str, str] = {}
    missing: list[dict[str, str]] = []
    for name, how, pkg, vcmd in tools:
        if _present(how):
            found[name] = _version(vcmd)
        else:
            missing.append({"tool": name, "package": pkg})
    optional = {"ccache": shutil.which("ccache") is not None}
    return {"found": found, "missing": missing, "optional": optional}


def explain(report: dict[str, Any]) -> str:
    names = ", ".join(m["tool"] for m in report["missing"])
    pkgs = " ".join(sorted({m["package"] for m in report["missing"]}))
    return (
        f"missing host tools: {names}.\nInstall them with:\n"
        f"  sudo apt-get install -y {pkgs}\n(or run ./run setup, which installs everything)"
    )
