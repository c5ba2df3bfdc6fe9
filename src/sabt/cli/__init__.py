"""Command-line interface: a thin shell over the Python API (parse, call, print)."""

from __future__ import annotations

import sys

# Each module registers its commands on `app` when imported.
from sabt.cli import (
    access,  # noqa: F401  (registers commands)
    backup,  # noqa: F401  (registers commands)
    claims,  # noqa: F401  (registers commands)
    core,  # noqa: F401  (registers commands)
    demo,  # noqa: F401  (registers commands)
    dossier,  # noqa: F401  (registers commands)
    estimate,  # noqa: F401  (registers commands)
    extract,  # noqa: F401  (registers commands)
    integrity,  # noqa: F401  (registers commands)
    link,  # noqa: F401  (registers commands)
    publish,  # noqa: F401  (registers commands)
    simulate,  # noqa: F401  (registers commands)
    vault,  # noqa: F401  (registers commands)
    web,  # noqa: F401  (registers commands)
)
from sabt.cli.app import _Acting, app, err_console
from sabt.safety import shown


def _take_as(args: list[str]) -> tuple[str | None, list[str]]:
    """The global `--as NAME` (or `--as=NAME`), anywhere on the line, and the other arguments."""
    name, rest, i = None, [], 0
    while i < len(args):
        if args[i] == "--as" and i + 1 < len(args):
            name, i = args[i + 1], i + 2
            continue
        if args[i].startswith("--as="):
            name = args[i].partition("=")[2]
        else:
            rest.append(args[i])
        i += 1
    return name, rest


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the app, turning SabtError into one line and a non-zero exit.

    `--debug` anywhere shows the traceback instead.
    """
    from sabt.errors import SabtError

    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    args = [a for a in args if a != "--debug"]
    _Acting.name, args = _take_as(args)
    try:
        app(args=args, prog_name="sabt")
    except SabtError as exc:
        if debug:
            raise
        err_console.print(f"[bold red]error:[/] {shown(exc)}", highlight=False)
        sys.exit(1)
    except (OSError, MemoryError, RecursionError) as exc:  # the system, not the input
        if debug:
            raise
        err_console.print(f"[bold red]error:[/] {shown(type(exc).__name__)}: {shown(exc)} "
                          "(--debug shows where)", highlight=False)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("[bold red]interrupted[/]")
        sys.exit(130)


__all__ = ["app", "main"]
