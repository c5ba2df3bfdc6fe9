"""The CLI reference (docs/cli.md), generated from the commands themselves so it never drifts:
`python -m sabt.cli.reference > docs/cli.md` (a test checks the file is up to date)."""

from __future__ import annotations

from typing import Any

import typer.main

from sabt.cli import app


def _options(command: Any) -> list[str]:
    """One table row per argument and option (click's objects, read by their attributes)."""
    lines = []
    for param in command.params:
        if param.param_type_name == "argument":
            help_text = (getattr(param, "help", None) or "").replace("|", "\\|")
            lines.append(f"| `{param.name.upper()}` | {help_text}"
                         f"{'' if param.required else ' (optional)'} | |")
            continue
        if param.param_type_name != "option" or param.hidden:
            continue
        names = ", ".join(f"`{n}`" for n in [*param.opts, *param.secondary_opts])
        default = "" if param.default in (None, False, (), [], "") or param.is_flag \
            else f" (default: `{param.default}`)"
        help_text = (param.help or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {names} | {help_text}{default} | "
                     f"{'env `' + str(param.envvar) + '`' if param.envvar else ''} |")
    return lines


def _walk(command: Any, path: list[str]) -> list[str]:
    out: list[str] = []
    if hasattr(command, "commands"):
        for name in sorted(command.commands):
            out += _walk(command.commands[name], [*path, name])
        return out
    out += [f"## `sabt {' '.join(path)}`", "", (command.help or "").strip(), ""]
    rows = _options(command)
    if rows:
        out += ["| parameter | meaning | environment |", "|---|---|---|", *rows, ""]
    return out


def reference() -> str:
    """The whole reference as Markdown."""
    root = typer.main.get_command(app)
    head = ["# Command-line reference", "",
            "Generated from the commands (`python -m sabt.cli.reference > docs/cli.md`). Every "
            "command also takes `--debug` (a traceback instead of a one-line error) and "
            "`--as USER` (act as that user; default `$SABT_USER`, else your login name).", ""]
    return "\n".join(head + _walk(root, [])).rstrip() + "\n"


if __name__ == "__main__":
    print(reference(), end="")
