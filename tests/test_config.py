from __future__ import annotations

from typing import Any

import pytest
import yaml

from bcfpipe import config as bcfconfig
from bcfpipe.errors import PipelineError


def test_empty_config_gets_every_default() -> None:
    cfg = bcfconfig.validate({})
    assert cfg["paths"] == {"resources": "resources", "work": "work", "results": "results"}
    assert cfg["kernel"]["variants"][0]["name"] == "stock"
    assert cfg["kernel"]["variants"][0]["fragments"] == ["base", "bpf", "guest"]
    assert cfg["kernel"]["baseline"] == "stock"
    assert cfg["sources"]["linux-6.12-debian"]["provider"] == "debian"
    assert cfg["guest"]["accel"] == "auto"


def test_shipped_config_is_valid(repo: Any) -> None:
    raw = yaml.safe_load((repo / "config" / "config.yaml").read_text())
    cfg = bcfconfig.validate(raw)
    variants = cfg["kernel"]["variants"]
    assert [v["name"] for v in variants] == ["stock", "bcf"]
    assert [v.get("bcf", False) for v in variants] == [False, True]
    assert variants[1]["series"] == "bcf"


def _walk(schema: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    out = []
    for key, sub in schema.get("properties", {}).items():
        out.append((f"{path}.{key}".lstrip("."), sub))
        out += _walk(sub, f"{path}.{key}")
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        out += _walk(extra, f"{path}.*")
    if "items" in schema and isinstance(schema["items"], dict):
        out += _walk(schema["items"], f"{path}[]")
    return out


def test_every_schema_key_has_description_and_default() -> None:
    schema = bcfconfig.load_schema()
    lacking = []
    for path, sub in _walk(schema):
        if not sub.get("description"):
            lacking.append(f"{path}: description")
        # Keys of list items that identify the item (name, source) and the provider have no
        # sensible default; everything else must.
        if "default" not in sub and path not in {
            "kernel.variants[].name",
            "kernel.variants[].source",
            "sources.*.provider",
        }:
            lacking.append(f"{path}: default")
    assert lacking == []


@pytest.mark.parametrize(
    ("cfg", "needle"),
    [
        ({"guest": {"accel": "fast"}}, "guest.accel: 'fast' is not one of"),
        ({"guest": {"memory_mb": "lots"}}, "guest.memory_mb: 'lots' is not of type 'integer'"),
        ({"guset": {}}, "'guset' was unexpected"),
        (
            {"kernel": {"variants": [{"name": "x y", "source": "linux-6.12-debian"}]}},
            "kernel.variants[0].name",
        ),
        (
            {"kernel": {"variants": [{"name": "a", "source": "nope"}]}},
            "kernel.variants[0].source: 'nope' is not a key of 'sources'",
        ),
        (
            {"kernel": {"variants": [{"name": "a", "source": "linux-6.12-debian"}]}},
            "kernel.baseline: 'stock' is not a variant (kernel.variants: a)",
        ),
        (
            {
                "kernel": {
                    "variants": [
                        {"name": "a", "source": "linux-6.12-debian", "series": "no-such-series"}
                    ]
                }
            },
            "no file patches/linux/no-such-series/series",
        ),
        (
            {
                "kernel": {
                    "variants": [
                        {"name": "a", "source": "linux-6.12-debian", "fragments": ["nope"]}
                    ]
                }
            },
            "config/kernel/nope.config does not exist",
        ),
        (
            {"sources": {"t": {"provider": "url", "url": "http://x/y.tar.xz"}}},
            "sources.t.sha256: a 'url' source needs",
        ),
        (
            {"sources": {"t": {"provider": "url", "url": "u", "sha256": "abc"}}},
            "sources.t.sha256: 'abc' does not match",
        ),
    ],
)
def test_errors_name_the_key(cfg: dict[str, Any], needle: str) -> None:
    with pytest.raises(PipelineError) as err:
        bcfconfig.validate(cfg)
    assert needle in str(err.value)


def test_unknown_key_lists_known_ones() -> None:
    with pytest.raises(PipelineError, match="known keys here: accel, boot_timeout_s"):
        bcfconfig.validate({"guest": {"acel": "tcg"}})


def test_command_line_strings_become_the_schema_types() -> None:
    # snakemake --config load='{batch_size: 8}' hands nested values over as strings.
    cfg = bcfconfig.validate(
        {
            "load": {"batch_size": "8", "bcf_prove_seconds": "2.5"},
            "selftests": {"test_verifier": "False"},
        }
    )
    assert cfg["load"]["batch_size"] == 8
    assert cfg["load"]["bcf_prove_seconds"] == 2.5
    assert cfg["selftests"]["test_verifier"] is False
    with pytest.raises(PipelineError, match=r"load\.batch_size: 'eight' is not of type"):
        bcfconfig.validate({"load": {"batch_size": "eight"}})
