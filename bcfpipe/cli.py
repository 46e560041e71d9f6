"""Command line entry point: ``bcfpipe <command> ...``.

Each pipeline stage is a subpackage named after its rule file (``rules/<stage>.smk``) whose ``cli``
module exposes ``register(subparsers)``; the rules call these commands so that every decision stays
in tested Python code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bcfpipe.errors import PipelineError

# Modules that contribute subcommands. Imported lazily so that `bcfpipe fetch` does not pay for
# importing cvc5 or pandas.
COMMAND_MODULES: tuple[str, ...] = (
    "bcfpipe.fetch.cli",
    "bcfpipe.kernel.cli",
    "bcfpipe.tools.cli",
    "bcfpipe.guest.cli",
    "bcfpipe.corpus.cli",
    "bcfpipe.load.cli",
    "bcfpipe.selftests.cli",
    "bcfpipe.aggregate.cli",
    "bcfpipe.bcf.cli",
    "bcfpipe.validate.cli",
)


# Which module registers each command: `bcfpipe load-objects`, run once per VM job, imports its
# own stage's module only (a third of its start-up time). tests/test_imports.py keeps it true.
COMMAND_OWNERS: dict[str, str] = {
    "fetch-source": "bcfpipe.fetch.cli",
    "preflight": "bcfpipe.fetch.cli",
    "unpack-source": "bcfpipe.fetch.cli",
    "build-kernel": "bcfpipe.kernel.cli",
    "build-tools": "bcfpipe.kernel.cli",
    "configure-kernel": "bcfpipe.kernel.cli",
    "patch-tree": "bcfpipe.kernel.cli",
    "build-cvc5": "bcfpipe.tools.cli",
    "boot-check": "bcfpipe.guest.cli",
    "build-guest": "bcfpipe.guest.cli",
    "compile-bpf": "bcfpipe.guest.cli",
    "guest-snapshot": "bcfpipe.guest.cli",
    "probe-accel": "bcfpipe.guest.cli",
    "vm-spec": "bcfpipe.guest.cli",
    "compile-source": "bcfpipe.corpus.cli",
    "corpus-headers": "bcfpipe.corpus.cli",
    "corpus-import": "bcfpipe.corpus.cli",
    "corpus-index": "bcfpipe.corpus.cli",
    "build-loader": "bcfpipe.load.cli",
    "collect-loads": "bcfpipe.load.cli",
    "kick-tires-report": "bcfpipe.load.cli",
    "load-objects": "bcfpipe.load.cli",
    "rerun-failed": "bcfpipe.load.cli",
    "compare-loads": "bcfpipe.load.cli",
    "truth-report": "bcfpipe.load.cli",
    "build-selftests": "bcfpipe.selftests.cli",
    "compare-selftests": "bcfpipe.selftests.cli",
    "run-selftests": "bcfpipe.selftests.cli",
    "selftests-corpus": "bcfpipe.selftests.cli",
    "selftests-expectations": "bcfpipe.selftests.cli",
    "aggregate-compare": "bcfpipe.aggregate.cli",
    "aggregate-figures": "bcfpipe.aggregate.cli",
    "aggregate-paper": "bcfpipe.aggregate.cli",
    "aggregate-variant": "bcfpipe.aggregate.cli",
    "provenance-manifest": "bcfpipe.aggregate.cli",
    "results-readme": "bcfpipe.aggregate.cli",
    "bcf-encode": "bcfpipe.bcf.cli",
    "bcf-vectors": "bcfpipe.bcf.cli",
    "check": "bcfpipe.bcf.cli",
    "prove": "bcfpipe.bcf.cli",
    "show": "bcfpipe.bcf.cli",
    "smt": "bcfpipe.bcf.cli",
    "validate-bcf": "bcfpipe.validate.cli",
}


def add_command(
    sub: argparse._SubParsersAction,  # type: ignore[type-arg, unused-ignore]
    name: str,
    func: Callable[[argparse.Namespace], Any],
    help_: str,
    parents: Sequence[argparse.ArgumentParser] = (),
) -> argparse.ArgumentParser:
    """Add subcommand ``name`` that runs ``func(args)``."""
    p: argparse.ArgumentParser = sub.add_parser(name, help=help_, parents=list(parents))
    p.set_defaults(func=func)
    return p


def build_parser(command: str = "") -> argparse.ArgumentParser:
    """The parser of every command, or of ``command`` alone when a module owns it."""
    parser = argparse.ArgumentParser(prog="bcfpipe", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    owner = COMMAND_OWNERS.get(command)
    for name in (owner,) if owner else COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv[0] if argv else "")
    args = parser.parse_args(argv)
    try:
        result: int | None = args.func(args)
    except PipelineError as err:
        print(f"bcfpipe {args.command}: error: {err}", file=sys.stderr)
        return 1
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
