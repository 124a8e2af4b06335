"""dlref as a library others install: the wheel, its requirements, and an install beside torch.

The wheel is built from a copy of the sources (no build/ or *.egg-info left in the repository),
offline, with the setuptools of this environment (torch depends on it, constraints.txt pins it).
It is installed into a fresh venv that already has torch: the venv sees this environment's
site-packages through a .pth line, as a user's environment would have its own torch. pip
resolves the wheel's requirements with no index at all, so it can only succeed if the installed
torch satisfies the wheel's range; torch's version must be the same afterwards.
"""

from __future__ import annotations

import email
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
# Only what the wheel is built from; no user, site or machine pip configuration either.
PIP_ENV = {
    "PIP_CONFIG_FILE": "/dev/null",
    "PIP_NO_INPUT": "1",
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
}


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    shutil.copy(ROOT / "pyproject.toml", src)
    shutil.copy(ROOT / "README.md", src)
    shutil.copytree(ROOT / "dlref", src / "dlref", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-index",
        "--no-build-isolation",
        "--wheel-dir",
        out,
        src,
        cwd=src,
        env=PIP_ENV,
    )
    (built,) = out.glob("dlref-*.whl")
    return built


def test_wheel_requires_ranges_not_pins(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        (metadata_name,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        metadata = email.message_from_bytes(z.read(metadata_name))
    assert metadata["Requires-Python"] == ">=3.10"
    requires = metadata.get_all("Requires-Dist") or []
    runtime = [r for r in requires if "extra ==" not in r]
    assert runtime == ["torch<3,>=2.4"]
    assert any(r.startswith("matplotlib") and 'extra == "viz"' in r for r in requires)
    # The package and its type marker; no tests, pages or tools.
    assert "dlref/py.typed" in names and "dlref/data.py" in names and "dlref/viz.py" in names
    assert not [n for n in names if n.startswith(("tests/", "docs/", "tools/", "bench/"))]


def test_installs_beside_an_existing_torch_and_keeps_it(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "user-env"
    venv.create(env_dir, with_pip=False)  # pip comes from this environment (pip --python)
    python = env_dir / "bin" / "python"
    user_site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path
        ).strip()
    )
    # The user's environment already has torch (this one's, through a path line).
    (user_site / "existing-torch.pth").write_text(sysconfig.get_path("purelib") + "\n")
    # The installed distribution (what pip would replace) and where it lies; no torch import.
    version = (
        "import importlib.metadata as m; d = m.distribution('torch'); "
        "print(d.version, d.locate_file(''))"
    )
    before = _run(python, "-c", version, cwd=tmp_path).strip()
    assert before.split()[0] == torch.__version__

    # No index, no find-links: the requirement torch>=2.4,<3 must be met by what is installed.
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-index",
        "--no-build-isolation",
        wheel,
        cwd=tmp_path,
        env=PIP_ENV,
    )
    assert _run(python, "-c", version, cwd=tmp_path).strip() == before
    check = (
        "import dlref, dlref.nn, torch; "
        f"assert torch.__version__ == {torch.__version__!r}, torch.__version__; "
        "print(dlref.__file__); "
        "out, h = dlref.nn.RNN(3, 4)(torch.randn(5, 2, 3)); print(tuple(out.shape))"
    )
    file, shape = _run(python, "-c", check, cwd=tmp_path).splitlines()
    assert Path(file).is_relative_to(user_site / "dlref")  # the wheel's copy, not the repository
    assert shape == "(5, 2, 4)"


OTHER_PYTHONS = ["3.10", "3.12", "3.13"]


def _interpreter(version: str) -> str | None:
    """A python{version} that runs: on PATH, or a pyenv install (whose shim may be inactive)."""
    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(
        str(p) for p in Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}")
    )
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.strip() == str(
            tuple(map(int, version.split(".")))
        ):
            return candidate
    return None


@pytest.mark.parametrize("version", OTHER_PYTHONS)
def test_other_pythons_compile_dlref_and_run_its_torch_free_modules(version: str) -> None:
    """What can be checked here without a torch wheel for that Python (only the 3.11 CPU wheel
    lies on these machines): every module compiles, and the two modules that need only the
    standard library (the scalar autograd engine and the data maker) run."""
    python = _interpreter(version)
    if python is None:
        pytest.skip(f"no working python{version} on this machine")
    code = f"""
import importlib.util, pathlib, sys
assert sys.version_info[:2] == {tuple(int(p) for p in version.split("."))}
for path in pathlib.Path("dlref").rglob("*.py"):
    compile(path.read_text(encoding="utf-8"), str(path), "exec")
def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
engine = load("engine", "dlref/autograd/engine.py")
data = load("data", "dlref/data.py")
x = engine.Value(2.0)
y = (x * x + 1.0).tanh()
y.backward()
X, labels = data.make_moons(4, seed=0)
print(round(x.grad, 6), len(X), labels)
"""
    out = _run(python, "-c", code, cwd=ROOT, env={"PYTHONDONTWRITEBYTECODE": "1"})
    assert out.split()[1:] == ["4", "[1,", "1,", "-1,", "-1]"]
