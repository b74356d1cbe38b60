"""docs/CLI.md names every option of every `gait` command, as the README promises ("Every option of every command
is in docs/CLI.md"): an option added to a command and left out of its section is found here (QA28: `gait scan
--all`, `gait live --speed`, `gait analyze --acc-unit` and a dozen more were only in `--help`).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.cli import _build_parsers

REPO = Path(__file__).resolve().parents[2]
CLI_MD = REPO / "docs" / "CLI.md"


def _sections() -> dict[str, str]:
    """Each `## ...` section of docs/CLI.md by the `gait` commands its heading names (`gait formats` and `gait
    convert` share one)."""
    sections: dict[str, str] = {}
    heading, body = "", []
    for line in [*CLI_MD.read_text(encoding="utf-8").splitlines(), "## end"]:
        if line.startswith("## "):
            for command in re.findall(r"`gait (\w+)", heading):
                sections[command] = sections.get(command, "") + "\n".join(body)
            heading, body = line, []
        else:
            body.append(line)
    return sections


def _options() -> list[tuple[str, str]]:
    _, commands = _build_parsers()
    return [
        (name, option)
        for name, parser in commands.items()
        for action in parser._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    ]


@pytest.mark.parametrize(("command", "option"), _options())
def test_every_option_is_in_its_commands_section(command: str, option: str) -> None:
    section = _sections().get(command)
    assert section is not None, f"docs/CLI.md has no section for `gait {command}`"
    assert re.search(re.escape(option) + r"(?![\w-])", section), (
        f"`gait {command} {option}` is not in docs/CLI.md's `gait {command}` section"
    )
