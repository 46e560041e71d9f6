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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bcfpipe", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int | None = args.func(args)
    except PipelineError as err:
        print(f"bcfpipe {args.command}: error: {err}", file=sys.stderr)
        return 1
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
