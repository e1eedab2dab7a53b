"""Nothing we ship tells pip to fetch goldenpath by name from an index that is not the company's.

goldenpath is not on PyPI and the name there is not ours, so a bare ``pip install goldenpath`` or a
``goldenpath>=…`` requirement line installs whatever a stranger publishes. Acceptable forms: a
direct reference (``goldenpath @ git+https://…``), a local wheel or source path, or a by-name
requirement whose only index is a private one (``--index-url``, never ``--extra-index-url``).
"""

from __future__ import annotations

import re
import shlex
import tomllib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .conftest import ROOT, STACKS

OURS = "goldenpath"
PUBLIC_INDEX_HOSTS = {"pypi.org", "pypi.python.org", "test.pypi.org", "files.pythonhosted.org"}
PIP_COMMAND = re.compile(r"\b(?:pip3?|pipx)(?:\.exe)?\s+(?:install|download|wheel)\b")
SHELL_SEPARATORS = {"&&", "||", ";", "|", "&"}
INDEX_OPTIONS = {"-i", "--index-url"}
EXTRA_INDEX_OPTIONS = {"--extra-index-url"}
VALUE_OPTIONS = {
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "-d",
    "--dest",
    "-w",
    "--wheel-dir",
    "--python",
    *INDEX_OPTIONS,
    *EXTRA_INDEX_OPTIONS,
}


def _names_ours_by_name(spec: str) -> bool:
    """Whether one requirement (a pip argument or a requirements.txt line) resolves ``goldenpath``
    through an index rather than from a URL or a path."""
    spec = spec.strip()
    if not spec or spec.startswith((".", "/", "~")) or spec.endswith((".whl", ".tar.gz", ".zip")):
        return False
    try:
        requirement = Requirement(spec)
    except InvalidRequirement:
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec)
        if not match or "/" in spec or "://" in spec:
            return False
        return canonicalize_name(match.group()) == OURS
    return canonicalize_name(requirement.name) == OURS and requirement.url is None


def _private_index(indexes: list[str], extra_indexes: list[str], no_index: bool) -> bool:
    if extra_indexes:
        return False
    if no_index:
        return True
    return bool(indexes) and all(urlsplit(url).hostname not in PUBLIC_INDEX_HOSTS for url in indexes)


def _option(token: str) -> tuple[str, str | None]:
    name, sep, value = token.partition("=")
    return (name, value) if sep and name.startswith("--") else (token, None)


def pip_command_problems(text: str) -> list[str]:
    """Every pip command in ``text`` that would fetch goldenpath by name from a public index."""
    problems = []
    joined = re.sub(r"\\\n", " ", text)
    for line in joined.splitlines():
        for match in PIP_COMMAND.finditer(line):
            command = line[match.start() :]
            try:
                lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
                lexer.whitespace_split = True
                tokens = list(lexer)
            except ValueError:
                tokens = command.split()
            tokens = tokens[2:]
            cut = next((i for i, t in enumerate(tokens) if t in SHELL_SEPARATORS), len(tokens))
            tokens = tokens[:cut]
            indexes: list[str] = []
            extra: list[str] = []
            no_index = False
            by_name = False
            args = iter(tokens)
            for token in args:
                name, value = _option(token)
                if name in VALUE_OPTIONS:
                    value = value if value is not None else next(args, "")
                    if name in INDEX_OPTIONS:
                        indexes.append(value)
                    elif name in EXTRA_INDEX_OPTIONS:
                        extra.append(value)
                elif name == "--no-index":
                    no_index = True
                elif not name.startswith("-"):
                    by_name |= _names_ours_by_name(token)
            if by_name and not _private_index(indexes, extra, no_index):
                problems.append(command.strip())
    return problems


def requirements_problems(text: str) -> list[str]:
    """Every requirement line that would fetch goldenpath by name from a public index."""
    lines = [re.sub(r"(^|\s)#.*", "", line).strip() for line in re.sub(r"\\\n", " ", text).splitlines()]
    indexes: list[str] = []
    extra: list[str] = []
    no_index = False
    by_name = []
    for line in filter(None, lines):
        if line.startswith("-"):
            name, value = _option(line.split()[0])
            value = value if value is not None else (line.split()[1:] or [""])[0]
            if name in INDEX_OPTIONS:
                indexes.append(value)
            elif name in EXTRA_INDEX_OPTIONS:
                extra.append(value)
            elif name == "--no-index":
                no_index = True
        elif _names_ours_by_name(line):
            by_name.append(line)
    return [] if _private_index(indexes, extra, no_index) else by_name


def markdown_code(text: str) -> str:
    """The fenced blocks and inline code spans of a Markdown text, one per line: prose that names
    goldenpath is not a command."""
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.M | re.S)
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.M | re.S)
    spans = re.findall(r"`([^`\n]+)`", prose.replace("\n", " "))
    return "\n".join(blocks + spans)


def distribution_problems(path: Path) -> list[str]:
    text = path.read_text(errors="replace")
    if path.suffix == ".md":
        return pip_command_problems(markdown_code(text))
    problems = pip_command_problems(text)
    if re.fullmatch(r"(requirements|constraints).*\.txt", path.name):
        problems += requirements_problems(text)
    return problems


def _files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in {".pyc"}:
            yield path


SHIPPED = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").rglob("*.md")),
    *sorted((ROOT / "benchmarks").rglob("*.md")),
    *_files(ROOT / "policies"),
]


# -- the scanner itself --

REFUSED = [
    "pip install goldenpath",
    "python -m pip install --quiet goldenpath==0.1.0 && goldenpath check .",
    "pip install 'goldenpath>=0.1,<0.2'",
    "pip3 install -U goldenpath[dev]",
    "pip install --extra-index-url https://pypi.internal.example/simple goldenpath==0.1.0",
    "pip install -i https://pypi.internal.example/simple --extra-index-url=https://pypi.org/simple goldenpath",
    "pip install --index-url https://pypi.org/simple goldenpath",
    "pip install rich \\\n  goldenpath",
    "pip download goldenpath",
]
ACCEPTED = [
    "pip install -e '.[dev]'",
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[dev]' && goldenpath check stacks/x",
    "pip install --index-url https://pypi.internal.example/simple goldenpath==0.1.0",
    "pip install -i https://pypi.internal.example/simple goldenpath==0.1.0",
    "PIP_X=1 pip install --index-url=https://pypi.internal.example/simple goldenpath==0.1.0  # pinned",
    'pip install "goldenpath @ git+https://git.internal.example/platform/goldenpath@v0.1.0"',
    "pip install ./dist/goldenpath-0.1.0-py3-none-any.whl",
    "pip install goldenpath-0.1.0-py3-none-any.whl",
    "pip install --no-index --find-links dist goldenpath",
    "pip install pulumi-policy goldenpath-extras",
]


@pytest.mark.parametrize("command", REFUSED)
def test_the_scan_refuses_a_pip_command_that_fetches_goldenpath_by_name(command):
    assert pip_command_problems(command)


@pytest.mark.parametrize("command", ACCEPTED)
def test_the_scan_accepts_a_direct_reference_a_path_or_a_private_only_index(command):
    assert pip_command_problems(command) == []


@pytest.mark.parametrize(
    "requirements",
    [
        "goldenpath>=0.1,<0.2\n",
        "pulumi>=3.200,<4\nGoldenPath == 0.1.0  # pinned\n",
        "--extra-index-url https://pypi.internal.example/simple\ngoldenpath==0.1.0\n",
        "--index-url https://pypi.internal.example/simple\n--extra-index-url https://x.example/\ngoldenpath\n",
    ],
)
def test_the_scan_refuses_a_requirement_line_that_fetches_goldenpath_by_name(requirements):
    assert requirements_problems(requirements)


@pytest.mark.parametrize(
    "requirements",
    [
        "# goldenpath>=0.1 is deliberately not listed\npulumi-policy>=1.21,<2\n",
        "goldenpath @ git+https://git.internal.example/platform/goldenpath@v0.1.0\n",
        "--index-url https://pypi.internal.example/simple\ngoldenpath==0.1.0\n",
        "-e ../..\n",
    ],
)
def test_the_scan_accepts_requirement_lines_with_a_direct_reference_or_a_private_only_index(requirements):
    assert requirements_problems(requirements) == []


def test_the_scan_reads_commands_in_markdown_code_and_not_in_prose():
    text = "Never install goldenpath by name.\n\nRun `pip install goldenpath` or:\n\n```bash\npip install goldenpath\n```\n"

    assert pip_command_problems(markdown_code(text)) == ["pip install goldenpath"] * 2


# -- what we ship --


def test_the_scan_covers_the_readme_and_every_pack_file():
    names = {p.relative_to(ROOT).as_posix() for p in SHIPPED}

    assert "README.md" in names
    for pack in ("aws_security", "platform_standards", "kubernetes"):
        assert f"policies/{pack}/requirements.txt" in names
        assert f"policies/{pack}/PulumiPolicy.yaml" in names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_shipped_file_installs_goldenpath_by_name_from_a_public_index(path):
    assert distribution_problems(path) == []


def test_the_readme_says_goldenpath_is_not_on_pypi_and_shows_both_channels():
    readme = (ROOT / "README.md").read_text()
    commands = [line for line in markdown_code(readme).splitlines() if PIP_COMMAND.search(line)]

    assert "goldenpath is **not on PyPI**" in readme
    assert any("--index-url https://pypi.internal.example/simple goldenpath==" in c for c in commands)
    assert any("goldenpath @ git+https://git.internal.example/" in c for c in commands)
    assert "--extra-index-url" not in "\n".join(commands)


def _pinned(requirements: str) -> dict[str, Requirement]:
    lines = [re.sub(r"(^|\s)#.*", "", line).strip() for line in requirements.splitlines()]
    return {canonicalize_name(r.name): r for r in map(Requirement, filter(None, lines))}


@pytest.mark.parametrize("pack", ["aws_security", "platform_standards", "kubernetes"])
def test_a_pack_requires_only_public_projects_it_imports_pinned_as_pyproject_pins_them(pack):
    listed = _pinned((ROOT / "policies" / pack / "requirements.txt").read_text())
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    ours = {canonicalize_name(r.name): r for r in map(Requirement, pyproject["project"]["dependencies"])}

    assert set(listed) == {"pulumi", "pulumi-policy"}
    assert {name: str(r.specifier) for name, r in listed.items()} == {
        name: str(ours[name].specifier) for name in listed
    }


def test_no_example_stack_installs_goldenpath_by_name_from_a_public_index():
    problems = {p.name: distribution_problems(p) for p in STACKS.rglob("requirements.txt")}

    assert problems and not any(problems.values()), problems
