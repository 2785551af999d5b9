"""``sampark plugin new NAME``: the package it writes installs and passes its own tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from sampark.cli import build_cli
from sampark.core.scaffold import latest_core_migration


def new_plugin(*args: str) -> Result:
    argv = ["plugin", "new", *args]
    return CliRunner().invoke(build_cli(argv), argv)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Donations", "lower-case letters, digits and _"),
        ("2fa", "starting with a letter"),
        ("my-plugin", "lower-case letters, digits and _"),
        ("x" * 41, "1 to 40"),
        ("core", "reserved"),
        ("contacts", "`sampark contacts` is taken"),
        ("pipeline", "'pipeline' is already installed"),
    ],
)
def test_a_bad_name_is_refused_saying_why(name: str, problem: str, tmp_path: Path) -> None:
    result = new_plugin(name, "--dir", str(tmp_path))

    assert result.exit_code == 2
    assert "Invalid value for NAME" in result.output
    assert problem in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / "sampark-donations"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine", encoding="utf-8")

    result = new_plugin("donations", "--dir", str(tmp_path))

    assert result.exit_code == 2
    assert "already exists" in result.output
    assert [path.name for path in folder.iterdir()] == ["keep.txt"]


def test_the_first_migration_depends_on_cores_latest(tmp_path: Path) -> None:
    assert new_plugin("donations", "--dir", str(tmp_path)).exit_code == 0

    migration = tmp_path / "sampark-donations/sampark_donations/migrations/0001_initial.py"
    names = sorted(
        path.stem for path in (Path(__file__).parents[2] / "core/migrations").glob("0*.py")
    )
    assert f'dependencies = [("core", "{names[-1]}")]' in migration.read_text(encoding="utf-8")
    assert latest_core_migration() == names[-1]


def test_the_generated_code_uses_only_the_public_plugin_api(tmp_path: Path) -> None:
    assert new_plugin("donations", "--dir", str(tmp_path)).exit_code == 0

    sampark_import = re.compile(r"(?:from|import) (sampark(?:\.\w+)*)\b")
    imported = set()
    for path in (tmp_path / "sampark-donations").rglob("*.py"):
        imported |= set(sampark_import.findall(path.read_text("utf-8")))
    assert imported == {"sampark.plugin"}


def _throwaway_venv(folder: Path) -> Path:
    """A venv that sees this one's packages (sampark, pytest, the drivers) through a .pth.

    ``--system-site-packages`` would show the base interpreter's packages, not this venv's.
    """
    venv.create(folder, with_pip=False)
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = sysconfig.get_paths()["purelib"]
    Path(purelib, "sampark_parent.pth").write_text(
        f"import site; site.addsitedir({ours!r})\n", encoding="utf-8"
    )
    return python


def test_the_generated_plugin_installs_and_passes_its_own_tests(tmp_path: Path) -> None:
    assert new_plugin("donations", "--dir", str(tmp_path)).exit_code == 0
    plugin = tmp_path / "sampark-donations"
    python = _throwaway_venv(tmp_path / "venv")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SAMPARK_CONFIG", "SAMPARK_DATABASE_URL", "SAMPARK_PLUGINS", "PYTHONPATH"}
    }

    install = subprocess.run(
        [
            *(sys.executable, "-m", "pip", "--python", str(python), "install", "-q"),
            *("--no-deps", "--no-build-isolation", "-e", str(plugin)),
        ],
        capture_output=True,
        text=True,
        env=env,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    tests = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=plugin,
        capture_output=True,
        text=True,
        env=env,
    )

    assert tests.returncode == 0, tests.stdout + tests.stderr
    summary = tests.stdout.strip().splitlines()[-1]
    engines = 2 if env.get("SAMPARK_TEST_POSTGRES_URL") else 1
    assert re.match(rf"{6 * engines} passed\b", summary), summary
