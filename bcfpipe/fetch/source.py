"""Fetch a named source (Debian package or URL) into the cache and unpack its tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from bcfpipe.errors import PipelineError
from bcfpipe.fetch import git as gitfetch
from bcfpipe.fetch import url as urlfetch
from bcfpipe.fetch.apt import IsolatedApt
from bcfpipe.fsutil import sha256_file, write_text_atomic


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _cached_deb(cache: Path, package: str, version: str, expect: str) -> Path | None:
    """A previously downloaded .deb whose digest still matches what was recorded at download."""
    if not version:
        return None
    deb = cache / f"{package}_{version.split(':')[-1]}_all.deb"
    side = _sidecar(deb)
    if not deb.is_file() or not side.is_file():
        return None
    recorded = side.read_text().strip()
    actual = sha256_file(deb)
    if actual != recorded or (expect and actual != expect.lower()):
        print(f"cache entry {deb} is corrupt or truncated; fetching it again", flush=True)
        deb.unlink()
        side.unlink()
        return None
    return deb


def fetch(name: str, src: dict[str, Any], resources: Path) -> dict[str, Any]:
    """Make the source's artifact available in the cache; return its provenance record."""
    if src["provider"] == "debian":
        return _fetch_debian(name, src, resources)
    if src["provider"] == "url":
        fname = src["url"].rstrip("/").rsplit("/", 1)[-1] or f"{name}.tar"
        dest = resources / "url" / name / fname
        path = urlfetch.fetch_url(src["url"], dest, src["sha256"])
        return {
            "name": name,
            "provider": "url",
            "url": src["url"],
            "file": str(path),
            "sha256": src["sha256"].lower(),
            "size": path.stat().st_size,
            "expect": src.get("expect", ["Makefile"]),
        }
    if src["provider"] == "git":
        repo = gitfetch.fetch_commit(
            src["url"], src["commit"], resources / "git" / f"{name}.git", name
        )
        return {
            "name": name,
            "provider": "git",
            "url": src["url"],
            "commit": src["commit"].lower(),
            "file": str(repo),
            "expect": src.get("expect", ["Makefile"]),
        }
    raise PipelineError(f"sources.{name}.provider: unknown provider '{src['provider']}'")


def _fetch_debian(name: str, src: dict[str, Any], resources: Path) -> dict[str, Any]:
    cache = resources / "debian"
    cache.mkdir(parents=True, exist_ok=True)
    deb = _cached_deb(cache, src["package"], src["version"], src["sha256"])
    apt_version = src["version"]
    if deb is None:
        apt = IsolatedApt(resources / "debian" / f"apt-{src['suite']}", src["suite"])
        apt.update()
        deb = apt.download(src["package"], src["version"], cache)
        digest = sha256_file(deb)
        if src["sha256"] and digest != src["sha256"].lower():
            raise PipelineError(
                f"checksum mismatch for {deb.name}: expected sha256 {src['sha256']} "
                f"(sources.{name}.sha256), got {digest}; update the key if this version is wanted"
            )
        write_text_atomic(_sidecar(deb), digest + "\n")
        apt_version = deb.name.split("_")[1]
    info = subprocess.run(
        ["dpkg-deb", "--field", str(deb), "Version"], capture_output=True, text=True
    )
    if info.returncode != 0:
        deb.unlink()
        raise PipelineError(
            f"{deb} is not a valid Debian package ({info.stderr.strip()}); "
            f"it was removed, run again to fetch it anew"
        )
    return {
        "name": name,
        "provider": "debian",
        "package": src["package"],
        "suite": src["suite"],
        "version": info.stdout.strip() or apt_version,
        "file": str(deb),
        "sha256": _sidecar(deb).read_text().strip(),
        "size": deb.stat().st_size,
        "tarball": src["tarball"],
        "expect": src.get("expect", ["Makefile"]),
    }


def unpack(record: dict[str, Any], dest: Path) -> Path:
    """Extract the source tree to ``dest`` (replacing it); return the tree's root directory."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        archive = Path(record["file"])
        if record["provider"] == "git":
            tree = staging / "tree"
            gitfetch.export_tree(archive, record["commit"], tree)
            _check_expected(record, tree)
            if dest.exists():
                shutil.rmtree(dest)
            os.replace(tree, dest)
            return dest
        if record["provider"] == "debian":
            subprocess.run(["dpkg-deb", "-x", str(archive), str(staging / "deb")], check=True)
            archive = staging / "deb" / record["tarball"]
            if not archive.is_file():
                raise PipelineError(
                    f"{record['file']} has no {record['tarball']}; fix sources.{record['name']}."
                    f"tarball (list the package with: dpkg-deb -c {record['file']})"
                )
        tree_parent = staging / "tree"
        tree_parent.mkdir()
        # tar(1) is several times faster than tarfile on the 1.7 GB kernel tree.
        subprocess.run(["tar", "-xf", str(archive), "-C", str(tree_parent)], check=True)
        tops = list(tree_parent.iterdir())
        root = tops[0] if len(tops) == 1 and tops[0].is_dir() else tree_parent
        _check_expected(record, root)
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(root, dest)
        return dest
    except (subprocess.CalledProcessError, tarfile.TarError) as err:
        raise PipelineError(f"unpacking {record['file']} failed: {err}") from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _check_expected(record: dict[str, Any], root: Path) -> None:
    """The tree has what its source's ``expect`` names (records from older runs: a Makefile)."""
    missing = [p for p in record.get("expect", ["Makefile"]) if not (root / p).exists()]
    if missing:
        where = record.get("commit") or record.get("file")
        raise PipelineError(
            f"the tree of source '{record.get('name')}' ({where}) lacks {', '.join(missing)}, "
            f"which sources.{record.get('name')}.expect says it must have: the url or commit "
            f"points at another tree than the one this configuration was written for"
        )


def kernel_version(tree: Path) -> str:
    if not (tree / "Makefile").is_file():
        return ""
    fields: dict[str, str] = {}
    with open(tree / "Makefile") as f:
        for line in f:
            for key in ("VERSION", "PATCHLEVEL", "SUBLEVEL", "EXTRAVERSION"):
                if line.startswith(f"{key} ="):
                    fields[key] = line.split("=", 1)[1].strip()
            if len(fields) == 4:
                break
    return "{}.{}.{}{}".format(
        fields.get("VERSION", "?"),
        fields.get("PATCHLEVEL", "?"),
        fields.get("SUBLEVEL", "0"),
        fields.get("EXTRAVERSION", ""),
    )
