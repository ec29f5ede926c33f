"""The wheel ships every subpackage of the source tree, and the theorems with them."""

from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "symxent").rglob("__init__.py")
    }
    assert found | {"symxent.proofs"} == listed
    assert config["package-dir"] == {"symxent.proofs": "proofs"}


def test_the_theorems_load_as_symxent_proofs():
    import symxent.proofs  # noqa: F401  (the registry imports it by this name)

    from symxent.registry import ids

    assert "kl-ce-bernoulli" in ids()
