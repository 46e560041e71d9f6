"""Tools of the host that several test modules look up the same way."""

from __future__ import annotations

import shutil

# The newest BPF-capable clang on PATH (Debian's versioned names first), or None: tests that
# compile a source skip without one.
CLANG = next((c for c in ("clang-19", "clang-16", "clang-14", "clang") if shutil.which(c)), None)
