"""The kernel test vectors are current, and every verdict in the manifest holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bcfpipe.bcf.bitblast import bitblast
from bcfpipe.bcf.checker import CertificateRejected, check_certificate, parse_dimacs
from bcfpipe.bcf.encoding import condition_hash, decode
from bcfpipe.bcf.expr import Op
from bcfpipe.bcf.vectors import generate

VECTORS = Path(__file__).resolve().parents[1] / "bcf_vectors"


def manifest() -> list[dict[str, object]]:
    return json.loads((VECTORS / "manifest.json").read_text())["vectors"]  # type: ignore[no-any-return]


def test_vectors_are_current(tmp_path: Path) -> None:
    generate(tmp_path)
    fresh = sorted(p.name for p in tmp_path.iterdir())
    assert fresh == sorted(p.name for p in VECTORS.iterdir() if p.name != "README.md")
    for name in fresh:
        assert (tmp_path / name).read_bytes() == (VECTORS / name).read_bytes(), (
            f"{name} is stale: run `bcfpipe bcf-vectors tests/bcf_vectors`"
        )


def test_every_operation_and_mutation_is_covered() -> None:
    vs = manifest()
    ops = {op for v in vs if v.get("verdict") == "accept" for op in v["ops"]}  # type: ignore[attr-defined]
    assert ops == {op.name for op in Op}
    mutations = {v.get("mutation") for v in vs}
    for kind in (
        "flipped_literal",
        "dropped_hint",
        "wrong_hint",
        "reordered_steps",
        "missing_empty_clause",
        "truncated",
        "for_masked_index_24",
    ):
        assert kind in mutations


@pytest.mark.parametrize("v", manifest(), ids=lambda v: str(v["name"]))
def test_vector(v: dict[str, object]) -> None:
    data = (VECTORS / str(v["condition"])).read_bytes()
    cnf = bitblast(decode(data))
    dimacs = (VECTORS / str(v["cnf"])).read_text()
    assert cnf.dimacs() == dimacs
    num_vars, clauses = parse_dimacs(dimacs)
    if "certificate" not in v:
        assert v["expect"] == "invalid"
        return
    cert = (VECTORS / str(v["certificate"])).read_bytes()
    if v["verdict"] == "accept":
        check_certificate(condition_hash(data), num_vars, clauses, cert)
    else:
        with pytest.raises(CertificateRejected):
            check_certificate(condition_hash(data), num_vars, clauses, cert)
