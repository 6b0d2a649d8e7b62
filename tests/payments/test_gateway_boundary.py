"""Each provider's library is imported by its gateway module only (DESIGN.md "Paying", STYLE.md habit 5)."""
import ast
from pathlib import Path

import pytest

import gallery
from gallery.payments.gateways import Gateway

GATEWAY_OF = {"stripe": "payments/gateways/stripe.py", "midtransclient": "payments/gateways/midtrans.py"}


def _imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_no_module_outside_its_gateway_imports_a_provider_library():
    root = Path(gallery.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        for library in _imported_top_levels(path) & set(GATEWAY_OF):
            if relative != GATEWAY_OF[library]:
                offenders.append(f"{relative} imports {library}")
    assert offenders == []
    # And each gateway module does import its library (the check above would pass vacuously otherwise).
    for library, module in GATEWAY_OF.items():
        assert library in _imported_top_levels(root / module)


def test_a_gateway_missing_a_method_cannot_be_made():
    class Halfway(Gateway):
        def enabled(self) -> bool:
            return True

    with pytest.raises(TypeError):
        Halfway()
