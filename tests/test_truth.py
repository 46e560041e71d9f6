from __future__ import annotations

from typing import Any

from bcfpipe.load import truth


def _index() -> dict[str, Any]:
    return {
        "projects": {
            "patterns": {
                "sources": {
                    "safe_rej": {
                        "truth": [{"program": "p", "safe": True, "stock": "rejected", "why": ""}]
                    },
                    "bad": {
                        "truth": [{"program": "q", "safe": False, "stock": "rejected", "why": ""}]
                    },
                    "mix": {"truth": [{"program": "m", "safe": True, "stock": "mixed", "why": ""}]},
                }
            }
        }
    }


def _result(variant: str, group: str, prog: str, verdict: str) -> dict[str, Any]:
    return {
        "variant": variant,
        "project": "patterns",
        "group": group,
        "object": f"clang-19_-O2_{group}.o",
        "programs": [{"name": prog, "verdict": verdict, "error_line": "x"}],
    }


def test_agreement_disagreement_and_unsafe_accepted() -> None:
    results = [
        _result("stock", "safe_rej", "p", "rejected"),
        _result("stock", "bad", "q", "loaded"),  # a stock verifier bug, or a wrong truth line
        _result("stock", "mix", "m", "loaded"),
        _result("bcf", "safe_rej", "p", "loaded"),  # BCF doing its job
        _result("bcf", "bad", "q", "loaded"),  # must never happen
        _result("stock", "unknown", "z", "loaded"),
    ]
    rep = truth.compare(_index(), results)
    assert rep["stock_checked"] == 3
    assert [(r["object"], r["program"]) for r in rep["stock_disagreements"]] == [
        ("clang-19_-O2_bad.o", "q")
    ]
    assert {(r["variant"], r["program"]) for r in rep["unsafe_accepted"]} == {
        ("stock", "q"),
        ("bcf", "q"),
    }
    assert rep["programs_without_truth"] == ["patterns/clang-19_-O2_unknown.o:z"]
    md = truth.render_markdown(rep)
    assert "UNSAFE PROGRAMS ACCEPTED" in md and "| bcf | patterns/clang-19_-O2_bad.o | q |" in md
    assert rep["summary"] == (
        "2/3 stock verdicts agree with the ground truth; 2 unsafe programs accepted"
    )
    # per project and variant: bcf loads the safe one and the unsafe one
    assert {
        (c["variant"], c["unsafe"], c["unsafe_accepted"], c["safe"], c["safe_loaded"])
        for c in rep["by_project"]
    } == {("stock", 1, 1, 2, 1), ("bcf", 1, 1, 1, 1)}
    assert "| patterns | bcf | 2 | 1 | 1 | 1 | 1 |" in md
