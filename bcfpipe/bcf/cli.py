"""``bcfpipe prove|check|smt|show`` (and ``bcf-encode``, ``bcf-vectors``): BCF on the user side.

Exit status: 0 proved/accepted, 1 error or rejected certificate, 2 refuted (counterexample),
3 unprovable within the time limit.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_REFUTED = 2
EXIT_UNPROVABLE = 3


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("prove", help="certify a refinement condition (LRAT certificate)")
    p.add_argument("condition", type=Path, help="binary condition or QF_BV .smt2 file")
    p.add_argument("-o", "--output", type=Path, required=True, help="certificate to write")
    p.add_argument("--time-limit", type=float, default=10.0, help="seconds (default 10)")
    p.add_argument("--no-triage", action="store_true", help="skip cvc5, go straight to SAT")
    p.add_argument("--lrat", type=Path, help="also write the refutation as textual LRAT")
    p.add_argument("--cnf", type=Path, help="also write the bit-blasted CNF (DIMACS)")
    p.add_argument("--json", action="store_true", help="print statistics as JSON")
    p.set_defaults(func=cmd_prove)

    p = subparsers.add_parser("check", help="check a certificate against a condition")
    p.add_argument("condition", type=Path)
    p.add_argument("certificate", type=Path, help="binary certificate or textual LRAT")
    p.add_argument("--time-limit", type=float, default=60.0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_check)

    p = subparsers.add_parser("smt", help="print a condition as SMT-LIB (refute = unsat)")
    p.add_argument("condition", type=Path)
    p.set_defaults(func=cmd_smt)

    p = subparsers.add_parser("show", help="print a condition readably")
    p.add_argument("condition", type=Path)
    p.set_defaults(func=cmd_show)

    p = subparsers.add_parser("bcf-encode", help="write a condition in the binary encoding")
    p.add_argument("condition", type=Path)
    p.add_argument("-o", "--output", type=Path, required=True)
    p.set_defaults(func=cmd_encode)

    p = subparsers.add_parser("bcf-vectors", help="regenerate the kernel test vectors")
    p.add_argument("outdir", type=Path, nargs="?", default=Path("tests/bcf_vectors"))
    p.set_defaults(func=cmd_vectors)


def cmd_prove(args: argparse.Namespace) -> int:
    from bcfpipe.bcf.pipeline import load_condition, prove
    from bcfpipe.bcf.prover import lrat_text
    from bcfpipe.fsutil import write_bytes_atomic as write_atomic

    cond, data = load_condition(args.condition)
    out = prove(cond, data, args.time_limit, use_triage=not args.no_triage)
    if out.verdict == "proved":
        write_atomic(args.output, out.certificate)
        assert out.cnf is not None
        if args.lrat:
            write_atomic(args.lrat, lrat_text(out.cnf, out.steps).encode())
    if args.cnf and out.cnf is not None:
        write_atomic(args.cnf, out.cnf.dimacs().encode())
    if args.json:
        print(json.dumps({"condition": str(args.condition), **out.stats()}, indent=1))
    elif out.verdict == "proved":
        print(
            f"proved: {out.cnf_vars} vars, {out.cnf_clauses} clauses, {out.cert_bytes} bytes "
            f"certificate, solve {out.solve_s * 1e3:.1f} ms, check {out.check_s * 1e3:.1f} ms "
            f"-> {args.output}"
        )
    if out.verdict == "refuted":
        print(f"refuted: counterexample {out.detail}", file=sys.stderr)
        return EXIT_REFUTED
    if out.verdict == "unprovable":
        print(f"unprovable: {out.detail}", file=sys.stderr)
        return EXIT_UNPROVABLE
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from bcfpipe.bcf.bitblast import bitblast
    from bcfpipe.bcf.checker import Limits, check_certificate, check_lrat_text
    from bcfpipe.bcf.encoding import condition_hash
    from bcfpipe.bcf.pipeline import load_condition
    from bcfpipe.errors import PipelineError

    cond, data = load_condition(args.condition)
    try:
        cert = args.certificate.read_bytes()
    except OSError as err:
        raise PipelineError(f"cannot read certificate {args.certificate}: {err.strerror}") from None
    cnf = bitblast(cond)
    limits = Limits(time_limit_s=args.time_limit)
    if cert[:4] == b"BCFL":
        stats = check_certificate(condition_hash(data), cnf.num_vars, cnf.clauses, cert, limits)
    else:
        try:
            text = cert.decode("ascii")
        except UnicodeDecodeError:
            raise PipelineError(f"{args.certificate}: not a certificate nor LRAT text") from None
        stats = check_lrat_text(cnf.num_vars, cnf.clauses, text, limits)
    if args.json:
        print(json.dumps({"accepted": True, "steps": stats.steps, "check_s": stats.seconds}))
    else:
        print(
            f"accepted: {stats.additions} additions, {stats.deletions} deletions, "
            f"{stats.seconds * 1e3:.1f} ms"
        )
    return 0


def cmd_smt(args: argparse.Namespace) -> int:
    from bcfpipe.bcf.pipeline import load_condition
    from bcfpipe.bcf.smtlib import to_smtlib

    sys.stdout.write(to_smtlib(load_condition(args.condition)[0]))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from bcfpipe.bcf.expr import format_condition
    from bcfpipe.bcf.pipeline import load_condition

    print(format_condition(load_condition(args.condition)[0]))
    return 0


def cmd_encode(args: argparse.Namespace) -> int:
    from bcfpipe.bcf.pipeline import load_condition
    from bcfpipe.fsutil import write_bytes_atomic as write_atomic

    write_atomic(args.output, load_condition(args.condition)[1])
    return 0


def cmd_vectors(args: argparse.Namespace) -> int:
    from bcfpipe.bcf.vectors import generate

    vectors = generate(args.outdir)["vectors"]
    assert isinstance(vectors, list)
    print(f"{len(vectors)} vectors in {args.outdir}")
    return 0
