"""A wheel installed without the source tree can load the sample and make a report.

The wheel is built from a copy of the package (pyproject.toml, README.md, socvit/), so the
checkout gets no build/ or *.egg-info, with pip's build isolation (the development
environment's setuptools may be older than the one pyproject.toml asks for). It is installed into a fresh virtual environment
that sees this environment's third-party packages through a ``.pth`` line, but not socvit's
editable install: a ``.pth`` line only adds a folder to ``sys.path``; the ``.pth`` files in
that folder (the editable finder among them) are not run. The Jupyter kernel the report
runs in is that environment's own (its kernelspec, installed with ``--sys-prefix``), and
everything runs from a folder outside the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _run(cmd, cwd, env, timeout=120):
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "socvit", src / "socvit",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".*"))
    out = tmp_path_factory.mktemp("dist")
    # with build isolation: pip fetches the build requirements pyproject.toml declares
    # (setuptools>=68 and wheel) from the configured index, as a user's `pip install .` does
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, src], cwd=src,
         env=dict(os.environ))
    wheels = list(out.glob("socvit-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_holds_the_report_notebook_and_the_sample(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("socvit/report/gemeente_rapport.ipynb", "socvit/report/gemeente_rapport.py",
                 "socvit/data/sample/panel.csv", "socvit/data/sample/codebook.yaml",
                 "socvit/data/sample/bevolking.csv", "socvit/runner/_warmup.py", "socvit/py.typed",
                 "socvit/runner/rapport.css"):
        if name == "socvit/py.typed" and not (ROOT / name).exists():
            continue
        assert name in names, f"{name} is not in {wheel.name}"
    assert not any(n.startswith(("tests/", "notebooks/", "benchmarks/")) for n in names)


def test_installed_wheel_loads_the_sample_and_makes_a_report(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path, env=dict(os.environ))
    py = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "JUPYTER_PATH", "MPLBACKEND")}
    env["PATH"] = f"{py.parent}{os.pathsep}{env.get('PATH', '')}"
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-data")   # no user-wide kernelspecs
    site = _run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                cwd=tmp_path, env=env).strip()
    (Path(site) / "_socvit_test_dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    # nbconvert's templates are data files of its installation (not on sys.path): link them
    # where installing nbconvert into the new environment would have put them
    templates = Path(sysconfig.get_paths()["data"]) / "share" / "jupyter" / "nbconvert"
    (venv / "share" / "jupyter").mkdir(parents=True)
    (venv / "share" / "jupyter" / "nbconvert").symlink_to(templates, target_is_directory=True)

    # --ignore-installed: the editable socvit of this environment is visible through the .pth
    # line; pip must neither take it for this one nor try to remove it
    _run([py, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", "-q", wheel],
         cwd=tmp_path, env=env)
    _run([py, "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3"], cwd=tmp_path, env=env)

    work = tmp_path / "work"          # outside the repository: nothing found by accident
    work.mkdir()
    said = _run([py, "-c", "import socvit as sv\n"
                 "from jupyter_client.kernelspec import get_kernel_spec\n"
                 "panel = sv.load_sample()\n"
                 "print(sv.__file__)\n"
                 "print(len(panel.data))\n"
                 "print(sv.report.notebook_path().is_file())\n"
                 "print(get_kernel_spec('python3').argv[0])\n"], cwd=work, env=env).splitlines()
    location, rows, notebook, kernel_python = said
    assert Path(location).is_relative_to(venv), location     # the wheel, not the checkout
    assert int(rows) > 1000 and notebook == "True"
    assert Path(kernel_python).is_relative_to(venv), kernel_python

    out = work / "out"
    _run([py.parent / "socvit", "reports", "--gemeente", "Pekela", "--out", out, "--jobs", "1"],
         cwd=work, env=env, timeout=180)
    made = list(out.glob("*/GM0765-pekela.html"))
    assert len(made) == 1, list(out.rglob("*"))
    text = made[0].read_text(encoding="utf-8")
    assert "Sociale vitaliteit in Pekela" in text
    assert text.count('src="data:image/') >= 3          # the notebook ran: its figures are in
    assert (out / "index.html").exists()
