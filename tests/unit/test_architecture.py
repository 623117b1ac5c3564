"""The domain stays pure: stdlib and the domain itself only; layers checked by import-linter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

DOMAIN = Path(__file__).parents[2] / "src" / "creditmend" / "domain"


def test_domain_imports_only_the_standard_library() -> None:
    offenders = []
    for path in DOMAIN.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and not name.startswith("creditmend.domain"):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports)], capture_output=True, text=True, check=False, cwd=DOMAIN.parents[2]
    )
    assert result.returncode == 0, result.stdout
