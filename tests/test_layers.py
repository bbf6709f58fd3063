"""Imports run one way: runner -> report -> library (see DESIGN.md, "Layout").

Every ``.py`` file under ``socvit/`` is parsed with :mod:`ast`; every ``import`` and
``from ... import`` (absolute or relative, at module level or inside a function or class)
is resolved to the modules it names. A library module (``socvit/*.py`` and every subpackage
other than ``report`` and ``runner``: ``io``, ``reliability``, ``regression``, ...) may not
import ``socvit.report`` or ``socvit.runner``; a report module may not import
``socvit.runner``. ``socvit/cli.py``, the ``socvit`` command's entry point, may import every
layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "socvit"

#: what each layer may not import
FORBIDDEN = {
    "library": ("socvit.report", "socvit.runner"),
    "report": ("socvit.runner",),
    "runner": (),
    "entry point": (),
}


def module_name(path: Path, root: Path) -> str:
    """``socvit/io/_panel.py`` -> ``socvit.io._panel``; a package's ``__init__`` is the package."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> str:
    parts = module.split(".")
    if module == "socvit.cli":
        return "entry point"
    if len(parts) > 1 and parts[1] in ("report", "runner"):
        return parts[1]
    return "library"


def imported_modules(tree: ast.AST, module: str, is_package: bool):
    """``(line, module)`` for every module an import statement in ``tree`` may load:
    ``from a import b`` counts as ``a`` and ``a.b`` (``b`` may be a submodule)."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                if node.level > 1:
                    base_parts = base_parts[: len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            yield node.lineno, base
            for alias in node.names:
                if alias.name != "*":
                    yield node.lineno, f"{base}.{alias.name}"


def violations(root: Path = ROOT) -> list[str]:
    """Every import in ``root`` (a ``socvit`` package folder) that runs against the layers."""
    found = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        banned = FORBIDDEN[layer(module)]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, target in imported_modules(tree, module, path.name == "__init__.py"):
            hit = next((b for b in banned if target == b or target.startswith(b + ".")), None)
            if hit:
                found.append(f"{path.relative_to(root.parent)}:{line}: {layer(module)} module "
                             f"{module} imports {target} ({hit.split('.')[1]} layer)")
    return sorted(set(found))


def test_imports_run_one_way():
    assert list(ROOT.rglob("*.py")), f"no socvit sources under {ROOT}"
    bad = violations()
    assert bad == [], "imports against the layers (runner -> report -> library):\n" + "\n".join(bad)


def test_the_checker_finds_every_kind_of_bad_import(tmp_path):
    root = tmp_path / "socvit"
    files = {
        "__init__.py": "",
        "cli.py": "from .runner import cli_reports\nfrom . import report\n",   # allowed
        "estimates.py": "import os\n\ndef f():\n    from .runner import run_reports\n",
        "fmt.py": "from . import report\n",
        "io/__init__.py": "from ._panel import x\n",
        "io/_panel.py": "class P:\n    def m(self):\n        import socvit.report.sections as s\n",
        "io/_read.py": "from ..report._prepare import prepare\n",
        "report/__init__.py": "from .. import fmt\nfrom ..io import x\n",            # allowed
        "report/sections.py": "from ..runner._render import slug\n",
        "report/texts.py": "from socvit import runner\n",
        "runner/__init__.py": "from ..report import sections\nfrom .. import io\n",  # allowed
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    bad = violations(root)
    where = sorted({v.split(":")[0] + ":" + v.split(":")[1] for v in bad})
    assert where == ["socvit/estimates.py:4", "socvit/fmt.py:1", "socvit/io/_panel.py:3",
                     "socvit/io/_read.py:1", "socvit/report/sections.py:1",
                     "socvit/report/texts.py:1"], bad
    assert any("library module socvit.estimates imports socvit.runner.run_reports" in v for v in bad)
    assert any("report module socvit.report.texts imports socvit.runner" in v for v in bad)


def test_module_names_and_layers():
    assert module_name(ROOT / "io" / "__init__.py", ROOT) == "socvit.io"
    assert module_name(ROOT / "io" / "_panel.py", ROOT) == "socvit.io._panel"
    assert [layer(m) for m in ("socvit", "socvit.plots", "socvit.regression._fit", "socvit.report",
                               "socvit.report.sections", "socvit.runner._run", "socvit.cli")] == [
        "library", "library", "library", "report", "report", "runner", "entry point"]
