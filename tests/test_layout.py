"""The layout the architecture rests on, read from the sources' imports (ast, nothing run):
the command line lives in mlefit/cli/ with one module per command, no command module
imports another, and the library (every module outside mlefit/cli/) imports neither the
command line nor click, nor rich but where it draws for the terminal."""
import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mlefit"
CLI = PACKAGE / "cli"

# The library modules allowed to import rich, each for a reason: they draw for a terminal.
RICH_ALLOWED = {
    "report/tables.py": "draws the result tables on a terminal (report/plain.py writes them without rich elsewhere)",
    "report/plain.py": "builds the rich table report/tables.py draws where rich styles it",
    "report/progress.py": "draws the progress bar on stderr while a command runs",
}
# The one module outside mlefit/cli/ allowed to import it: the command's entry.
CLI_ENTRY = {"__main__.py": "python -m mlefit and the console script run mlefit.cli.main"}


def imported(path):
    """Every module `path` imports (at its top or inside a function), as absolute dotted
    names: 'click', 'mlefit.cli.edge', 'mlefit.cli' (from a relative `from . import cli`)."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(package[:len(package) - node.level + 1]) if node.level else []
            module = ".".join(base + (node.module.split(".") if node.module else []))
            out.add(module)
            out.update(f"{module}.{alias.name}" for alias in node.names)  # `from . import cli`
    return out


def command_modules():
    """The modules of mlefit/cli/ that define a command (`@cli.command`)."""
    found = {}
    for path in sorted(CLI.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(
                    isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr == "command"
                    for d in node.decorator_list):
                found[path.stem] = path
    return found


def test_one_module_per_command_named_for_it():
    from click.testing import CliRunner  # noqa: F401  (click is there: the group loads)

    from mlefit.cli import cli
    modules = command_modules()
    assert {name.replace("-", "_") for name in cli.commands} == set(modules)
    for name, command in cli.commands.items():
        assert command.callback.__module__ == f"mlefit.cli.{name.replace('-', '_')}"


def test_a_command_loads_its_own_module_only():
    """`mlefit fit --help` imports fit's module and what it uses, no other command's."""
    import subprocess
    import sys
    code = ("import sys; sys.argv = ['mlefit', 'fit', '--help']; from mlefit.cli import cli\n"
            "try:\n    cli()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('mlefit.cli.')), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent)
    loaded = set(eval(done.stderr.strip().splitlines()[-1]))
    assert "mlefit.cli.fit" in loaded
    assert not loaded & {f"mlefit.cli.{m}" for m in command_modules() if m != "fit"}


def test_no_command_module_imports_another():
    modules = command_modules()
    assert len(modules) >= 8
    for name, path in modules.items():
        others = {f"mlefit.cli.{other}" for other in modules if other != name}
        assert not imported(path) & others, f"mlefit/cli/{name}.py imports {sorted(imported(path) & others)}"


def test_import_parser_sees_relative_imports(tmp_path):
    """The parser itself: relative imports resolve, and nested ones count."""
    paths = {p.stem: p for p in CLI.glob("*.py")}
    assert "mlefit.cli.group" in imported(paths["fit"])
    assert "mlefit.cli.columns" in imported(paths["fit"])
    assert "mlefit.errors" in imported(paths["fit"])  # inside the command's function
    assert "mlefit.cli.main" in imported(PACKAGE / "__main__.py")


def library_modules():
    return [p for p in sorted(PACKAGE.rglob("*.py")) if CLI not in p.parents]


@pytest.mark.parametrize("path", library_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_library_never_imports_the_command_line(path):
    names = imported(path)
    cli = sorted(n for n in names if n == "mlefit.cli" or n.startswith("mlefit.cli."))
    click = sorted(n for n in names if n.split(".")[0] == "click")
    rich = sorted(n for n in names if n.split(".")[0] == "rich")
    name = str(path.relative_to(PACKAGE))
    assert not click, f"{name} imports {click}"
    assert not cli or name in CLI_ENTRY, f"{name} imports {cli}"
    assert not rich or name in RICH_ALLOWED, f"{name} imports {rich}"


def test_the_exceptions_still_need_it():
    """An allowed exception that no longer imports what it was allowed: drop it here."""
    for name in RICH_ALLOWED:
        assert any(n.split(".")[0] == "rich" for n in imported(PACKAGE / name)), name
    for name in CLI_ENTRY:
        assert "mlefit.cli" in imported(PACKAGE / name), name


def test_no_module_is_over_600_lines():
    """A module that grows past 600 lines is asking to be split (DESIGN.md)."""
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 600}
    assert long == {}


def test_the_input_modules_import_no_private_name_of_another():
    """mlefit/io/: what one input module takes from another is public (no `from .x import _y`),
    and so is what the rest of the package takes from them."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.ImportFrom) or node.module is None:
                continue
            into_io = node.module.startswith("io.") or node.module == "io" or (
                path.parent.name == "io" and node.level == 1)
            if into_io and node.level:
                found += [f"{path.relative_to(PACKAGE)}: {node.module}.{a.name}" for a in node.names
                          if a.name.startswith("_")]
    assert found == []


def test_every_file_the_sources_and_docs_name_exists():
    """A file named as `name.py` in a comment or string of mlefit/ (docstrings too) or in
    docs/ and the README is one of the project's files: the move into packages rewrote
    dotted module names from the AST but left file names in prose (regression_rows.py,
    render_plain.py, mixture_map.py...) naming modules that no longer exist."""
    import io
    import re
    import tokenize

    root = PACKAGE.parent
    files = {p.name for d in ("mlefit", "tests", "benchmarks") for p in (root / d).rglob("*.py")}
    named = re.compile(r"(?<![\w/.-])([A-Za-z_]\w*\.py)\b")
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for tok in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
            if tok.type in (tokenize.STRING, tokenize.COMMENT):
                found += [f"{path.relative_to(root)}:{tok.start[0]}: {m}" for m in named.findall(tok.string)
                          if m not in files]
    for path in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            found += [f"{path.relative_to(root)}:{number}: {m}" for m in named.findall(line) if m not in files]
    assert found == []
