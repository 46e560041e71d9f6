"""A variant's VM spec: written from the config and the built files, read by every load job."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bcfpipe import config as bcfconfig
from bcfpipe.cli import main
from bcfpipe.errors import PipelineError
from bcfpipe.guest import vmspec


def _files(tmp_path: Path) -> tuple[str, str, str]:
    kernel, initrd, accel = tmp_path / "bzImage", tmp_path / "initramfs.cpio", tmp_path / "a.json"
    kernel.write_bytes(b"kernel bytes")
    initrd.write_bytes(b"initramfs bytes")
    accel.write_text(json.dumps({"accel": "tcg"}))
    return str(kernel), str(initrd), str(accel)


VARIANTS = {
    "variants": [
        {"name": "stock", "source": "linux-6.12-debian", "series": ""},
        {"name": "bcf", "source": "linux-6.12-debian", "series": "bcf", "bcf": True},
    ]
}


def _config(**sections: dict) -> dict:
    return bcfconfig.validate({"kernel": VARIANTS, **sections})


def _variant(cfg: dict, name: str) -> dict:
    return next(v for v in cfg["kernel"]["variants"] if v["name"] == name)


def test_settings_follow_the_config_per_variant() -> None:
    cfg = _config(load={"object_timeout_s": 7, "bcf_rounds": 2}, guest={"memory_mb": 640})
    stock = vmspec.settings_from_config(cfg, _variant(cfg, "stock"))
    bcf = vmspec.settings_from_config(cfg, _variant(cfg, "bcf"))
    assert (stock.bcf, bcf.bcf) == (False, True)
    assert stock.object_timeout_s == bcf.object_timeout_s == 7
    assert bcf.bcf_rounds == 2 and bcf.memory_mb == 640
    assert stock.boot_timeout_s == cfg["guest"]["boot_timeout_s"]
    # The rule's param: stable text, so an unchanged config never reruns the spec.
    arg = vmspec.settings_arg(cfg, _variant(cfg, "bcf"))
    assert arg == vmspec.settings_arg(cfg, _variant(cfg, "bcf"))
    assert json.loads(arg)["bcf_rounds"] == 2


def test_written_spec_reads_back_with_hashes(tmp_path: Path) -> None:
    kernel, initrd, accel = _files(tmp_path)
    cfg = _config()
    settings = vmspec.settings_from_config(cfg, _variant(cfg, "bcf"))
    out = tmp_path / "vm.json"
    vmspec.write_spec(out, "bcf", kernel, initrd, accel, settings)
    raw = json.loads(out.read_text())
    assert raw["kernel_sha256"] == hashlib.sha256(b"kernel bytes").hexdigest()
    assert raw["initrd_sha256"] == hashlib.sha256(b"initramfs bytes").hexdigest()
    spec = vmspec.read_spec(out)
    assert (spec.variant, spec.kernel, spec.initrd, spec.accel) == ("bcf", kernel, initrd, accel)
    assert spec.settings == settings


def test_vm_timeout_grows_with_the_objects_of_one_boot(tmp_path: Path) -> None:
    kernel, initrd, accel = _files(tmp_path)
    cfg = _config(guest={"boot_timeout_s": 100}, load={"object_timeout_s": 30})
    settings = vmspec.settings_from_config(cfg, _variant(cfg, "stock"))
    spec = vmspec.VmSpec("stock", kernel, initrd, accel, settings)
    assert spec.vm_timeout(1) == 100
    assert spec.vm_timeout(8) == 100 + 7 * 30


def test_missing_input_and_bad_loader_are_named(tmp_path: Path) -> None:
    kernel, _, accel = _files(tmp_path)
    cfg = _config()
    settings = vmspec.settings_from_config(cfg, _variant(cfg, "stock"))
    with pytest.raises(PipelineError, match=r"initramfs .*does not exist"):
        vmspec.write_spec(tmp_path / "vm.json", "stock", kernel, "/nonexistent", accel, settings)
    assert not (tmp_path / "vm.json").exists()
    bad = {**json.loads(vmspec.settings_arg(cfg, _variant(cfg, "stock"))), "loader": "libbpf"}
    with pytest.raises(PipelineError, match="unknown loader 'libbpf'"):
        vmspec.LoadSettings(**bad)
    bad = {**json.loads(vmspec.settings_arg(cfg, _variant(cfg, "stock"))), "verifier_log": "2"}
    with pytest.raises(PipelineError, match=r"load\.verifier_log '2': use one of stats, trace"):
        vmspec.LoadSettings(**bad)


def test_verifier_log_sets_the_loaders_level() -> None:
    cfg = _config()
    assert vmspec.settings_from_config(cfg, _variant(cfg, "bcf")).log_level == 4
    cfg = _config(load={"verifier_log": "trace"})
    assert vmspec.settings_from_config(cfg, _variant(cfg, "stock")).log_level == 1 | 4
    with pytest.raises(PipelineError, match="verifier_log"):
        _config(load={"verifier_log": "all"})


def test_stale_or_missing_spec_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(PipelineError, match="run the vm_spec rule"):
        vmspec.read_spec(tmp_path / "none.json")
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"variant": "stock", "kernel": "k"}))
    with pytest.raises(PipelineError, match="rerun the vm_spec rule"):
        vmspec.read_spec(old)
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({"schema": vmspec.SCHEMA, "variant": "stock"}))
    with pytest.raises(PipelineError, match="lacks 'settings'"):
        vmspec.read_spec(partial)


def test_cli_writes_the_spec_and_load_objects_refuses_a_missing_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kernel, initrd, accel = _files(tmp_path)
    cfg = _config()
    out = tmp_path / "vm.json"
    args = ["vm-spec", "--variant", "stock", "--kernel", kernel, "--initrd", initrd]
    args += ["--accel", accel, "--out", str(out)]
    assert main([*args, "--settings", vmspec.settings_arg(cfg, _variant(cfg, "stock"))]) == 0
    assert vmspec.read_spec(out).settings.loader == "bcfpipe-load"
    assert main([*args, "--settings", '{"memory": 1}']) == 1
    assert "not a LoadSettings JSON object" in capsys.readouterr().err
    load = ["load-objects", "--vm", str(tmp_path / "missing.json"), "--object", "x.o"]
    load += ["--project", "p", "--out", str(tmp_path / "x.json"), "--log", str(tmp_path / "x.log")]
    assert main(load) == 1
    assert "run the vm_spec rule first" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()
