"""Every relative Markdown link in the repository's documents resolves: its file exists, and its #anchor names a
heading of that file as GitHub makes it (lowercase, punctuation dropped, spaces to '-', '-1', '-2' for repeats).

The README is short and sends its reader to docs/*.md for the details, and those pages link back into it and into
each other: a heading renamed or a section moved must not leave a reader on a dead link.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_LINK = re.compile(r"(?<!!)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def markdown_files() -> list[Path]:
    """The tracked and new (not ignored) *.md files (without a git checkout: every *.md outside hidden and build
    folders)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.md"],
            cwd=REPO,
            capture_output=True,
            check=True,
            text=True,
        ).stdout
        files = [REPO / name for name in out.split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        files = [
            p
            for p in REPO.rglob("*.md")
            if not any(part.startswith(".") or part in {"out", "node_modules"} for part in p.relative_to(REPO).parts)
        ]
    return sorted(p for p in files if p.is_file())


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks."""
    lines, fenced = [], False
    for number, line in enumerate(text.splitlines(), 1):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not fenced:
            lines.append((number, line))
    return lines


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text (links reduced to their words, no code marks), lowercased, every
    character but letters, digits, '-', '_' and spaces dropped, then each space a '-'."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"<[^>]+>", "", text).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for _, line in _prose_lines(path.read_text(encoding="utf-8")):
        m = _HEADING.match(line)
        if not m:
            continue
        slug = github_slug(m.group(2))
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        found.add(slug if n == 0 else f"{slug}-{n}")
    return found


def broken_links(path: Path) -> list[str]:
    """Each relative link of `path` whose file or #anchor does not exist, as 'file:line: target (why)'."""
    problems = []
    for number, line in _prose_lines(path.read_text(encoding="utf-8")):
        for m in _LINK.finditer(
            _CODE_SPAN.sub(lambda c: "x" * len(c.group(0)) if "](" in c.group(0) else c.group(0), line)
        ):
            target = m.group(1)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # http:, https:, mailto: ...
                continue
            file_part, _, anchor = target.partition("#")
            where = f"{path.relative_to(REPO)}:{number}: {target}"
            dest = (path.parent / file_part).resolve() if file_part else path
            if not dest.exists():
                problems.append(f"{where} (no such file)")
                continue
            if anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                problems.append(f"{where} (no heading with that anchor in {dest.name})")
    return problems


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_and_anchor_resolves(path: Path) -> None:
    assert broken_links(path) == []


def test_the_documents_checked_include_the_readme_and_docs() -> None:
    names = {str(p.relative_to(REPO)) for p in markdown_files()}
    assert {"README.md", "docs/CLI.md", "docs/DASHBOARD.md", "docs/FORMATS.md", "docs/DATA.md"} <= names


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Measured accuracy and speed", "measured-accuracy-and-speed"),
        ("The JSON document (`gait analyze --json`)", "the-json-document-gait-analyze---json"),
        ("4. Prompts during a walk", "4-prompts-during-a-walk"),
        ("A generic CSV's time column", "a-generic-csvs-time-column"),
        ("`gait --version`", "gait---version"),
        ("Uploads that are refused, and walks that count", "uploads-that-are-refused-and-walks-that-count"),
    ],
)
def test_anchors_follow_githubs_rules(heading: str, slug: str) -> None:
    assert github_slug(heading) == slug


def test_a_broken_file_or_anchor_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "A.md").write_text("# A\n\n## Your data\n\n## Your data\n", encoding="utf-8")
    doc = tmp_path / "README.md"
    doc.write_text(
        "# Title\n\n[ok](docs/A.md#your-data) [ok too](docs/A.md#your-data-1) [self](#title) [web](https://x.org/#y)\n"
        "[gone](docs/B.md) [bad anchor](docs/A.md#your-data-2) [bad self](#titel)\n"
        "```\n[in code](nowhere.md)\n```\n`[in a span](nowhere.md)`\n",
        encoding="utf-8",
    )
    assert broken_links(doc) == [
        "README.md:4: docs/B.md (no such file)",
        "README.md:4: docs/A.md#your-data-2 (no heading with that anchor in A.md)",
        "README.md:4: #titel (no heading with that anchor in README.md)",
    ]
