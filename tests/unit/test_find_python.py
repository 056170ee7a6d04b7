"""The set-up finds a Python 3.12+ by itself, and says clearly when there is none."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "find-python.sh"


def run(env_vars):
    env = {"HOME": os.environ.get("HOME", str(Path.home())), **env_vars}
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True,
                          timeout=60)


def fake_python(directory: Path, name: str, version: str) -> Path:
    path = directory / name
    path.write_text(f"#!/bin/sh\nexec {sys.executable} -c \"import sys; "
                    f"sys.exit(0 if {version} >= (3, 12) else 1)\"\n")
    path.chmod(0o755)
    return path


def test_it_prefers_an_interpreter_on_path(tmp_path):
    good = fake_python(tmp_path, "python3.12", "(3, 12)")
    result = run({"PATH": f"{tmp_path}:/bin", "KW_PYTHON_GLOBS": ""})
    assert result.returncode == 0 and result.stdout.strip() == str(good)


def test_it_skips_an_old_python3_and_finds_one_off_path(tmp_path):
    on_path = tmp_path / "bin"
    on_path.mkdir()
    fake_python(on_path, "python3", "(3, 11)")
    pyenv = tmp_path / "pyenv" / "versions" / "3.13.0" / "bin"
    pyenv.mkdir(parents=True)
    good = fake_python(pyenv, "python3", "(3, 13)")
    result = run({"PATH": f"{on_path}:/bin", "KW_PYTHON_GLOBS": str(pyenv / "python3")})
    assert result.returncode == 0 and result.stdout.strip() == str(good)


def test_it_explains_what_to_do_when_there_is_none(tmp_path):
    fake_python(tmp_path, "python3", "(3, 11)")
    result = run({"PATH": f"{tmp_path}:/bin", "KW_PYTHON_GLOBS": ""})
    assert result.returncode == 1
    assert "needs Python 3.12 or newer" in result.stderr
    assert "PYTHON=/path/to/python3.12 ./dev run" in result.stderr
