"""The dependency lists must not drift apart: pyproject.toml (ranges for library users), requirements.lock (exact
versions and hashes, what `make env` installs), environment.yml (the same exact versions for conda), and the
versions recorded in the provenance of the stored results (what produced the committed outputs)."""

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
# provenance keys that are no lock entry: "highs" is the solver inside highspy, "mipnn" this checkout
_NOT_IN_LOCK = {"mipnn", "highs"}


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _extras_of(spec: str) -> set[str]:
    m = re.search(r"\[([^\]]+)\]", spec)
    return {e.strip().lower() for e in m.group(1).split(",")} if m else set()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        specs += extra
    names = {_name(s) for s in specs}
    names |= {e for s in specs if _name(s) == "dask" for e in _extras_of(s)}  # dask[distributed]
    return names


def _lock() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==(\S+)", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def _env():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_part = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_part and pip_part[0]["pip"][0] == "-e ."
    specs = [d for d in env["dependencies"] if isinstance(d, str)] + pip_part[0]["pip"][1:]
    return {_name(s): s for s in specs if _name(s) not in {"python", "pip"}}


def test_environment_yml_mirrors_pyproject():
    declared, conda = _declared(), set(_env())
    assert conda == declared, f"only in environment.yml: {conda - declared}; only in pyproject: {declared - conda}"


def test_environment_yml_pins_the_lock_versions():
    lock, wrong = _lock(), {}
    for name, spec in _env().items():
        m = re.match(r"^[A-Za-z0-9_.\-\[\]]+\s*==?\s*([^\s#]+)$", spec.split("#")[0].strip())
        pinned = m.group(1) if m else None
        if pinned != lock.get(name):
            wrong[name] = (spec, lock.get(name))
    assert not wrong, f"environment.yml pins differ from requirements.lock (spec, lock): {wrong}"


def test_lock_is_complete_pinned_and_hashed():
    text = LOCK.read_text()
    lock = _lock()
    assert _declared() <= set(lock), f"not in requirements.lock: {_declared() - set(lock)}"
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1] if "\n\n" in text else text)
    reqs = [b for b in blocks if re.match(r"^[A-Za-z0-9_.\-]+==", b)]
    assert len(reqs) == len(lock)
    unhashed = [b.split()[0] for b in reqs if "--hash=sha256:" not in b]
    assert not unhashed, f"lock entries without hashes: {unhashed}"
    assert "mipnn" not in lock, "the lock must not pin mipnn itself (make env installs it with -e . --no-deps)"


def _provenances():
    def walk(obj, path):
        if isinstance(obj, dict):
            for k, v in obj.items():
                if k == "provenance" and isinstance(v, dict) and "versions" in v:
                    yield path, v
                else:
                    yield from walk(v, path)
        elif isinstance(obj, list):
            for v in obj:
                yield from walk(v, path)

    for path in sorted((ROOT / "results").glob("*/summary*.json")):
        yield from walk(json.loads(path.read_text()), path)


def test_lock_matches_the_versions_that_made_the_stored_results():
    found = list(_provenances())
    if not found:
        pytest.skip("no results/*/summary*.json with provenance")
    lock, bad = _lock(), []
    for path, prov in found:
        for pkg, version in prov["versions"].items():
            if pkg in _NOT_IN_LOCK or version is None:
                continue
            if lock.get(pkg.lower()) != version:
                bad.append(f"{path.relative_to(ROOT)}: {pkg} {version} (lock: {lock.get(pkg.lower())})")
    assert not bad, ("requirements.lock and the versions that produced the stored results disagree; re-run the "
                     "notebooks with the locked environment (make env && make reproduce) or restore the lock:\n"
                     + "\n".join(bad))


def test_layout():
    for name in ("environment.yml", "requirements.lock", "notebooks", "lib", "data", "figures", "tests", "README.md",
                 "Makefile", ".ci/run"):
        assert (ROOT / name).exists(), name
