"""Debian provider: download a source package from the host's own mirror, another suite.

The host's apt sources name the mirror (we never write a host name into the project); we copy its
URI into a private apt configuration whose only suite is the one asked for, so neither root nor a
change to the host's apt state is needed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bcfpipe.errors import PipelineError

APT_SOURCE_FILES = ("/etc/apt/sources.list",)
APT_SOURCE_DIR = "/etc/apt/sources.list.d"


@dataclass(frozen=True)
class AptEntry:
    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]
    signed_by: str | None = None


def parse_one_line(text: str) -> list[AptEntry]:
    entries = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        options = None
        rest = line[4:].strip()
        if rest.startswith("["):
            options, _, rest = rest[1:].partition("]")
            rest = rest.strip()
        parts = rest.split()
        if len(parts) < 2:
            continue
        signed_by = None
        if options:
            m = re.search(r"signed-by=(\S+)", options)
            signed_by = m.group(1) if m else None
        entries.append(AptEntry(parts[0], (parts[1],), tuple(parts[2:]), signed_by))
    return entries


def parse_deb822(text: str) -> list[AptEntry]:
    entries = []
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        key = None
        for raw in stanza.splitlines():
            if raw.startswith("#") or not raw.strip():
                continue
            if raw[0].isspace() and key:
                fields[key] += " " + raw.strip()
                continue
            key, _, value = raw.partition(":")
            key = key.strip().lower()
            fields[key] = value.strip()
        if "deb" not in fields.get("types", "").split():
            continue
        if fields.get("enabled", "yes").lower() == "no":
            continue
        for uri in fields.get("uris", "").split():
            entries.append(
                AptEntry(
                    uri,
                    tuple(fields.get("suites", "").split()),
                    tuple(fields.get("components", "").split()),
                    fields.get("signed-by") or None,
                )
            )
    return entries


def host_entries(root: str = "/") -> list[AptEntry]:
    entries: list[AptEntry] = []
    base = Path(root)
    for name in APT_SOURCE_FILES:
        p = base / name.lstrip("/")
        if p.is_file():
            entries += parse_one_line(p.read_text())
    d = base / APT_SOURCE_DIR.lstrip("/")
    if d.is_dir():
        for p in sorted(d.iterdir()):
            if p.suffix == ".list":
                entries += parse_one_line(p.read_text())
            elif p.suffix == ".sources":
                entries += parse_deb822(p.read_text())
    return entries


def debian_mirror(entries: list[AptEntry]) -> AptEntry:
    """The host's main Debian archive: the entry carrying ``main`` for a non-security suite."""
    for e in entries:
        if "main" not in e.components:
            continue
        if any(s.endswith("-security") for s in e.suites) or "security" in e.uri:
            continue
        if "debian" in e.uri.rstrip("/").rsplit("/", 1)[-1]:
            return e
    for e in entries:
        if "main" in e.components and not any(s.endswith("-security") for s in e.suites):
            return e
    raise PipelineError(
        "no Debian mirror found in the host's apt sources (/etc/apt/sources.list, "
        "/etc/apt/sources.list.d/*); add the host's Debian archive with component 'main', "
        "or use a 'url' source in the config instead"
    )


class IsolatedApt:
    """An apt configuration private to one directory, pointing at one suite of the host's mirror."""

    def __init__(self, state_dir: str | os.PathLike[str], suite: str, root: str = "/") -> None:
        self.dir = Path(state_dir).resolve()  # apt reads relative Dir:: paths against "/"
        self.suite = suite
        self.mirror = debian_mirror(host_entries(root))

    def _options(self) -> list[str]:
        d = self.dir
        return [
            f"-oDir::Etc::SourceList={d / 'sources.list'}",
            "-oDir::Etc::SourceParts=/dev/null",
            f"-oDir::State::Lists={d / 'lists'}",
            f"-oDir::State::status={d / 'status'}",
            f"-oDir::Cache={d / 'cache'}",
            "-oDebug::NoLocking=1",
            "-oAPT::Sandbox::User=root" if os.geteuid() == 0 else "-oAPT::Sandbox::User=",
            "-qq",
        ]

    def update(self) -> None:
        for sub in ("lists/partial", "cache/archives/partial"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        (self.dir / "status").touch()
        signed = f" [signed-by={self.mirror.signed_by}]" if self.mirror.signed_by else ""
        (self.dir / "sources.list").write_text(f"deb{signed} {self.mirror.uri} {self.suite} main\n")
        self._run(["apt-get", *self._options(), "update"], "apt-get update")

    def _run(self, cmd: list[str], what: str, cwd: Path | None = None) -> str:
        if shutil.which(cmd[0]) is None:
            raise PipelineError(f"'{cmd[0]}' not found: the Debian provider needs apt")
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise PipelineError(
                f"{what} failed against suite '{self.suite}' of the host's Debian mirror "
                f"(exit {proc.returncode}):\n{proc.stderr.strip()}"
            )
        return proc.stdout

    def versions(self, package: str) -> list[str]:
        out = self._run(["apt-cache", *self._options(), "madison", package], "apt-cache madison")
        return [line.split("|")[1].strip() for line in out.splitlines() if "|" in line]

    def download(self, package: str, version: str, dest: Path) -> Path:
        """Download ``package`` at ``version`` ('' = newest) into ``dest``; return the .deb path."""
        available = self.versions(package)
        if not available:
            raise PipelineError(
                f"package '{package}' is not in suite '{self.suite}' of the host's Debian mirror; "
                f"check the source's 'package' and 'suite' keys"
            )
        if version and version not in available:
            raise PipelineError(
                f"{package} version {version} is no longer on the mirror (suite {self.suite}); "
                f"versions there: {', '.join(available)}. Pin one of them with the source's "
                f"'version' key in the config (and update its 'sha256'), or set version to '' "
                f"to take the newest"
            )
        chosen = version or available[0]
        dest.mkdir(parents=True, exist_ok=True)
        self._run(
            ["apt-get", *self._options(), "download", f"{package}={chosen}"],
            f"apt-get download {package}={chosen}",
            cwd=dest,
        )
        debs = sorted(dest.glob(f"{package}_*.deb"), key=lambda p: p.stat().st_mtime)
        if not debs:
            raise PipelineError(f"apt-get download {package}={chosen} produced no .deb in {dest}")
        return debs[-1]
