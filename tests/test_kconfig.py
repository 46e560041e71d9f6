from __future__ import annotations

from pathlib import Path

import pytest

from bcfpipe.errors import PipelineError
from bcfpipe.kernel import kconfig


def test_later_fragment_wins_and_unset_is_parsed(tmp_path: Path) -> None:
    a = tmp_path / "a.config"
    b = tmp_path / "b.config"
    a.write_text('CONFIG_A=y\nCONFIG_B=y\n# comment\nCONFIG_S="x y"\n')
    b.write_text("# CONFIG_B is not set\nCONFIG_C=m\n")
    merged = kconfig.merge([a, b])
    assert merged == {"CONFIG_A": "y", "CONFIG_B": "n", "CONFIG_S": '"x y"', "CONFIG_C": "m"}
    assert kconfig.parse(kconfig.render(merged)) == merged


def test_missing_fragment_is_named(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match=r"nope\.config does not exist"):
        kconfig.merge([tmp_path / "nope.config"])


def test_required_option_that_vanished_is_named_with_hint() -> None:
    final = {"CONFIG_BPF": "y", "CONFIG_BPF_SYSCALL": "y"}
    wanted = {"CONFIG_BPF": "y", "CONFIG_DEBUG_INFO_BTF": "y", "CONFIG_FOO": "y"}
    with pytest.raises(PipelineError) as err:
        kconfig.assert_required(final, ["BPF", "DEBUG_INFO_BTF", "CONFIG_BPF_SYSCALL"], wanted)
    msg = str(err.value)
    assert "CONFIG_DEBUG_INFO_BTF: it needs pahole" in msg
    assert "CONFIG_BPF:" not in msg
    assert "dropped: CONFIG_FOO" in msg


def test_all_required_present_passes() -> None:
    kconfig.assert_required({"CONFIG_X": "y", "CONFIG_Y": "m"}, ["X", "Y"], {})


def test_shipped_fragments_ask_for_every_required_option(repo: Path) -> None:
    from bcfpipe import config as bcfconfig

    cfg = bcfconfig.validate({})
    frags = [repo / "config" / "kernel" / f"{f}.config" for f in ["base", "bpf", "guest"]]
    merged = kconfig.merge(frags)
    missing = kconfig.missing_required(merged, cfg["kernel"]["required_options"])
    assert missing == []
