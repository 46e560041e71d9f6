from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bcfpipe.errors import PipelineError
from bcfpipe.fetch import apt

DEB822 = """\
Types: deb
URIs: http://mirror.invalid/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://mirror.invalid/debian-security
Suites: bookworm-security
Components: main
"""


def test_deb822_and_one_line_sources(tmp_path: Path) -> None:
    (tmp_path / "etc/apt/sources.list.d").mkdir(parents=True)
    (tmp_path / "etc/apt/sources.list.d/debian.sources").write_text(DEB822)
    (tmp_path / "etc/apt/sources.list").write_text(
        "# comment\ndeb [arch=amd64 signed-by=/k.gpg] http://other.invalid/x stable contrib\n"
    )
    entries = apt.host_entries(str(tmp_path))
    assert [e.uri for e in entries] == [
        "http://other.invalid/x",
        "http://mirror.invalid/debian",
        "http://mirror.invalid/debian-security",
    ]
    assert entries[0].signed_by == "/k.gpg"
    mirror = apt.debian_mirror(entries)
    assert mirror.uri == "http://mirror.invalid/debian"
    assert mirror.signed_by == "/usr/share/keyrings/debian-archive-keyring.gpg"


def test_no_mirror_is_a_clear_error() -> None:
    with pytest.raises(PipelineError, match="no Debian mirror found"):
        apt.debian_mirror(
            [apt.AptEntry("http://x/debian-security", ("bookworm-security",), ("main",))]
        )


needs_apt = pytest.mark.skipif(shutil.which("apt-get") is None, reason="needs apt")


@needs_apt
def test_real_mirror_lists_versions_and_refuses_a_gone_one(tmp_path: Path) -> None:
    """Against the host's own mirror, as the pipeline does (no root, nothing global touched)."""
    a = apt.IsolatedApt(tmp_path / "apt", "trixie")
    a.update()
    versions = a.versions("linux-source-6.12")
    assert versions and all(v.startswith("6.12.") for v in versions)
    with pytest.raises(PipelineError) as err:
        a.download("linux-source-6.12", "6.12.0-0-gone", tmp_path / "dl")
    msg = str(err.value)
    assert "6.12.0-0-gone is no longer on the mirror" in msg
    assert versions[0] in msg and "'version' key" in msg
    with pytest.raises(PipelineError, match="is not in suite 'trixie'"):
        a.download("no-such-package-bcfpipe", "", tmp_path / "dl")
