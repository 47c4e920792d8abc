"""The dependency lists of pyproject.toml and environment.yml must not drift apart."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_name(s) for s in project["dependencies"]}
    for extra in project.get("optional-dependencies", {}).values():
        declared |= {_name(s) for s in extra}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_part = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_part and pip_part[0]["pip"][0] == "-e ."
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    conda |= {_name(d) for d in pip_part[0]["pip"][1:]}  # packages only on PyPI (gurobipy)
    assert conda == declared, f"only in environment.yml: {conda - declared}; only in pyproject: {declared - conda}"


def test_layout():
    for name in ("environment.yml", "notebooks", "lib", "data", "figures", "tests", "README.md", "Makefile",
                 ".ci/run"):
        assert (ROOT / name).exists(), name
