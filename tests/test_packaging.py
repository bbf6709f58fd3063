"""pyproject.toml and environment.yml list the same runtime packages with the same bounds."""

import re
import tomllib
from pathlib import Path

import pytest
import yaml

import socvit as sv

ROOT = Path(__file__).resolve().parent.parent


def _split(req: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", req)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def test_environment_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_split(r) for r in project["dependencies"])
    wanted.update(_split(r) for r in project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = dict(_split(d) for d in env["dependencies"] if isinstance(d, str))
    conda.pop("pip", None)
    assert conda.pop("python") == ">=3.11"
    assert project["requires-python"] == ">=3.11"
    assert conda == wanted


def test_every_dependency_has_a_lower_bound():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for req in project["dependencies"]:
        assert ">=" in req, f"{req} has no lower bound"


def test_gemeente_codes_stay_strings_with_their_leading_zeros(tmp_path):
    """CBS codes are strings: GM0014 must not become 14, on the sample and on a CSV whose
    codes would parse as numbers without the codebook."""
    data = sv.load_sample().data
    assert str(data["gemeente"].dtype) == "string"
    assert data["gemeente"].str.fullmatch(r"GM\d{4}").all()
    assert "GM0014" in set(data["gemeente"])
    raw = (sv.io.SAMPLE_DIR / "panel.csv").read_text(encoding="utf-8")
    (tmp_path / "panel.csv").write_text(raw, encoding="utf-8")
    (tmp_path / "codebook.yaml").write_bytes((sv.io.SAMPLE_DIR / "codebook.yaml").read_bytes())
    again = sv.load_panel(tmp_path / "panel.csv").data
    assert again["gemeente"].tolist() == data["gemeente"].tolist()


def test_codebook_rejects_missing_codes_inside_the_valid_range():
    import pytest

    from socvit.codebook import Codebook
    from socvit.errors import CodebookError

    raw = {"variables": [{"name": "leeftijd", "kind": "numeric", "range": [18, 100],
                          "missing": {99: "geen antwoord"}}]}
    with pytest.raises(CodebookError, match=r"'leeftijd'.*\[99\].*inside the valid range \[18, 100\]"):
        Codebook.from_dict(raw)


def test_every_submodule_is_an_attribute_of_socvit_and_import_stays_light():
    """sv.<module> works for every public module and subpackage in socvit/ (none is listed
    by hand), and `import socvit` imports none of them (nor pandas) until used."""
    import pkgutil
    import subprocess
    import sys

    names = {m.name for m in pkgutil.iter_modules(sv.__path__) if not m.name.startswith("_")}
    assert {"io", "reliability", "regression", "report", "runner", "plots"} <= names
    assert names <= set(sv.__all__)
    for name in names:
        assert getattr(sv, name).__name__ == f"socvit.{name}"
    code = ("import sys, socvit\n"
            "print(sorted(m for m in sys.modules if m.startswith(('socvit.', 'pandas'))))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['socvit.errors']"
    with pytest.raises(AttributeError, match="no attribute 'sections'"):
        sv.sections                                     # noqa: B018  (the old flat module)
