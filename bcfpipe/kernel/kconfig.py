"""Kernel configuration: merge fragments and assert that required options survived."""

from __future__ import annotations

import re
from pathlib import Path

from bcfpipe.errors import PipelineError

_SET = re.compile(r"^(CONFIG_[A-Za-z0-9_]+)=(.*)$")
_UNSET = re.compile(r"^# (CONFIG_[A-Za-z0-9_]+) is not set$")


def parse(text: str) -> dict[str, str]:
    """Options of a .config or a fragment: name → value ('n' for 'is not set')."""
    opts: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if m := _SET.match(line):
            opts[m.group(1)] = m.group(2)
        elif m := _UNSET.match(line):
            opts[m.group(1)] = "n"
    return opts


def merge(fragments: list[Path]) -> dict[str, str]:
    """Later fragments override earlier ones, as merge_config.sh does."""
    merged: dict[str, str] = {}
    for frag in fragments:
        if not frag.is_file():
            raise PipelineError(f"config fragment {frag} does not exist")
        merged.update(parse(frag.read_text()))
    return merged


def render(opts: dict[str, str]) -> str:
    lines = []
    for name, value in opts.items():
        lines.append(f"# {name} is not set" if value == "n" else f"{name}={value}")
    return "\n".join(lines) + "\n"


def _norm(name: str) -> str:
    return name if name.startswith("CONFIG_") else f"CONFIG_{name}"


def missing_required(final: dict[str, str], required: list[str]) -> list[str]:
    return [_norm(r) for r in required if final.get(_norm(r), "n") not in ("y", "m")]


def dropped(final: dict[str, str], wanted: dict[str, str]) -> list[str]:
    """Fragment options whose value did not survive (dependencies unmet)."""
    return [k for k, v in wanted.items() if final.get(k, "n") != v]


HINTS = {
    "CONFIG_DEBUG_INFO_BTF": "it needs pahole >= 1.16 on PATH (Debian: apt-get install dwarves) "
    "and DEBUG_INFO",
}


def assert_required(final: dict[str, str], required: list[str], wanted: dict[str, str]) -> None:
    missing = missing_required(final, required)
    if not missing:
        return
    lines = [f"  {m}: {HINTS.get(m, 'a dependency is not enabled')}" for m in missing]
    others = [d for d in dropped(final, wanted) if d not in missing]
    extra = f"\nOther fragment options that were dropped: {', '.join(others)}" if others else ""
    raise PipelineError(
        "required kernel options did not survive configuration:\n"
        + "\n".join(lines)
        + extra
        + "\nEnable their dependencies in a config/kernel/*.config fragment, or install the "
        "missing tool, then rerun."
    )
