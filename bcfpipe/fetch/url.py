"""URL provider: streamed, retried, resumable, sha256-verified downloads.

``http(s)://`` goes through requests; ``file://`` URLs and plain paths are copied, so an offline
mirror can stand in for the internet. A partial download lives in ``<dest>.part`` and is resumed
with an HTTP Range request; nothing is renamed to ``dest`` before its digest matches.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

import requests

from bcfpipe.errors import PipelineError
from bcfpipe.fsutil import sha256_file

Progress = Callable[[int, int | None], None]


def stderr_progress(label: str) -> Progress:
    last = [0.0]

    def report(done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - last[0] < 2 and (total is None or done < total):
            return
        last[0] = now
        if total:
            print(
                f"{label}: {done / 2**20:.1f} / {total / 2**20:.1f} MiB "
                f"({100 * done / total:.0f}%)",
                file=sys.stderr,
                flush=True,
            )
        else:
            print(f"{label}: {done / 2**20:.1f} MiB", file=sys.stderr, flush=True)

    return report


def _local_path(url: str) -> Path | None:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    if parsed.scheme == "":
        return Path(url)
    return None


def cached_ok(dest: Path, sha256: str) -> bool:
    """True when ``dest`` exists and matches; a corrupt entry is removed to be fetched again."""
    if not dest.is_file():
        return False
    if sha256_file(dest) == sha256.lower():
        return True
    print(f"cache entry {dest} is corrupt or truncated; fetching it again", file=sys.stderr)
    dest.unlink()
    return False


def fetch_url(
    url: str,
    dest: str | os.PathLike[str],
    sha256: str,
    *,
    retries: int = 5,
    backoff: float = 1.0,
    timeout: float = 60.0,
    progress: Progress | None = None,
) -> Path:
    """Fetch ``url`` into ``dest`` (verified against ``sha256``), reusing a good cached copy."""
    if not sha256 or len(sha256) != 64:
        raise PipelineError(
            f"no valid sha256 given for {url}: every URL source needs its 64-hex-digit 'sha256' "
            f"in the config (compute it with: sha256sum FILE)"
        )
    target = Path(dest)
    target.parent.mkdir(parents=True, exist_ok=True)
    if cached_ok(target, sha256):
        return target
    progress = progress or stderr_progress(target.name)
    part = target.with_name(target.name + ".part")

    local = _local_path(url)
    if local is not None:
        if not local.is_file():
            raise PipelineError(f"local source {local} does not exist (from '{url}')")
        shutil.copyfile(local, part)
        progress(part.stat().st_size, part.stat().st_size)
    else:
        _download(url, part, retries=retries, backoff=backoff, timeout=timeout, progress=progress)
    actual = sha256_file(part)
    if actual != sha256.lower():
        bad = target.with_name(target.name + ".bad")
        os.replace(part, bad)
        raise PipelineError(
            f"checksum mismatch for {target.name} from {url}: expected sha256 {sha256}, got "
            f"{actual}. The download was kept as {bad}; if it is the file you want, put its "
            f"digest in the config's 'sha256' key, otherwise check the URL"
        )
    os.replace(part, target)
    return target


def _download(
    url: str, part: Path, *, retries: int, backoff: float, timeout: float, progress: Progress
) -> None:
    last_error: Exception | None = None
    for attempt in range(1, retries + 1):
        have = part.stat().st_size if part.exists() else 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        try:
            with requests.get(url, headers=headers, stream=True, timeout=timeout) as r:
                if r.status_code == 416:  # already complete
                    return
                if r.status_code in (404, 410, 401, 403):
                    raise PipelineError(
                        f"{url} answered HTTP {r.status_code}; the URL is wrong or gone: fix the "
                        f"source's 'url' in the config or point it at a local mirror (file://)"
                    )
                r.raise_for_status()
                resumed = r.status_code == 206
                if have and not resumed:
                    have = 0  # server ignored Range: start over
                total_hdr = r.headers.get("Content-Length")
                total = int(total_hdr) + have if total_hdr is not None else None
                with open(part, "ab" if resumed else "wb") as f:
                    done = have
                    # Small chunks: bytes already received survive a dropped connection.
                    for chunk in r.iter_content(64 * 1024):
                        f.write(chunk)
                        done += len(chunk)
                        progress(done, total)
                if total is not None and done < total:
                    raise requests.ConnectionError(f"connection closed at {done} of {total} bytes")
                return
        except PipelineError:
            raise
        except (requests.RequestException, OSError) as err:
            last_error = err
            if attempt < retries:
                wait = backoff * 2 ** (attempt - 1)
                print(
                    f"{url}: {err}; retry {attempt}/{retries - 1} in {wait:.0f} s",
                    file=sys.stderr,
                    flush=True,
                )
                time.sleep(wait)
    raise PipelineError(
        f"could not download {url} after {retries} attempts ({last_error}); check the network or "
        f"point the source's 'url' at a local mirror (file:// or a path). The partial file "
        f"{part} is kept and the next run resumes it"
    )
