from __future__ import annotations

from bcfpipe.fetch import preflight


def test_missing_tools_name_the_install_command() -> None:
    report = preflight.check(["clang-does-not-exist-99"])
    missing = {m["tool"]: m["package"] for m in report["missing"]}
    assert missing["clang-does-not-exist-99"] == "clang-does-not-exist-99"
    text = preflight.explain(report)
    assert "missing host tools:" in text and "clang-does-not-exist-99" in text
    assert "apt-get install -y" in text and "./run setup" in text


def test_present_tools_carry_versions() -> None:
    report = preflight.check([])
    assert report["found"]["make"].startswith("GNU Make")
    assert "gcc" in report["found"]
