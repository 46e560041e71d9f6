"""One VM job's share: a scratch folder with the job's inputs and ``run.sh``, removed afterwards.

Every caller that boots a guest on a payload (the boot check, the verifier selftests, the object
loads) goes through :func:`vm_job`, so the share's layout and its clean-up live in one place.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path

from bcfpipe.fsutil import read_text_or_empty
from bcfpipe.guest import vm

SCRIPT = "run.sh"


@contextlib.contextmanager
def scratch_dir(parent: str = "", prefix: str = "bcfpipe-job-") -> Iterator[Path]:
    """A fresh scratch folder (under ``parent``, '' the system temp folder), always removed."""
    path = vm.make_scratch(parent, prefix)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def vm_job(
    script: str,
    files: Mapping[str, Path | bytes] = {},
    *,
    dirs: Iterable[str] = (),
    executable: Collection[str] = (),
    scratch: str = "",
    prefix: str = "bcfpipe-job-",
) -> Iterator[Path]:
    """The share of one VM job, for :func:`vm.run`: ``files`` (name in the share -> a host file
    to copy or the bytes to write; a name with '/' gets its folders), ``dirs`` (folders the guest
    expects even when empty), ``executable`` (names made 0o755) and ``script`` as ``run.sh``."""
    with scratch_dir(scratch, prefix) as share:
        for name in dirs:
            (share / name).mkdir(parents=True, exist_ok=True)
        for name, src in files.items():
            dest = share / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(src, bytes):
                dest.write_bytes(src)
            else:
                shutil.copyfile(src, dest)
            if name in executable:
                dest.chmod(0o755)
        (share / SCRIPT).write_text(script)
        yield share


def read(share: Path, name: str) -> str:
    """A file the guest (or QEMU) wrote in the share, '' when it never did."""
    return read_text_or_empty(share / name)
