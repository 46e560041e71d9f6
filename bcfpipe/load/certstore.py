"""Certificates kept by the hash of the condition they prove, for reuse by later loads.

The BCF loads of a variant put every certificate they prove here; the dynamic validation
(:mod:`bcfpipe.validate.run`) loads the same programs again on another build of the same series
and takes the certificates from here instead of proving every condition a second time. Reuse is
safe by construction: the kernel checks each certificate against the condition it asked for,
and a certificate for any other condition is refused there. A missing or unreadable entry only
means proving again.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bcfpipe.bcf.encoding import condition_hash
from bcfpipe.fsutil import write_bytes_atomic
from bcfpipe.load.bcfloop import Prover

if TYPE_CHECKING:
    from bcfpipe.bcf.pipeline import Outcome


def path_for(store: Path, condition: bytes) -> Path:
    key = condition_hash(condition).hex()
    return store / key[:2] / f"{key}.cert"


def caching(prover: Prover, store: Path, reuse: bool) -> Prover:
    """``prover`` that files what it proves under ``store``; with ``reuse`` it looks there first."""

    def prove(data: bytes, limit_s: float) -> Outcome:
        from bcfpipe.bcf.pipeline import Outcome  # with the prover, when a load first needs it

        path = path_for(store, data)
        if reuse:
            t = time.perf_counter()
            try:
                cert = path.read_bytes()
            except OSError:
                cert = b""
            if cert:
                secs = time.perf_counter() - t
                return Outcome(
                    "proved",
                    detail="certificate from the store",
                    certificate=cert,
                    cert_bytes=len(cert),
                    total_s=secs or 1e-9,
                )
        out = prover(data, limit_s)
        if out.verdict == "proved" and out.certificate:
            # A store that cannot be written costs a proof later, nothing else.
            with contextlib.suppress(OSError):
                write_bytes_atomic(path, out.certificate)
        return out

    return prove
