"""Imports run one way (forkopimda > laporan > kewaspadaan), and migrations match models."""

import ast
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {"kewaspadaan": {"laporan", "forkopimda"}, "laporan": {"forkopimda"}}


def imported_top_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_imports_run_one_way(app):
    offenders = []
    for path in (ROOT / app).rglob("*.py"):
        bad = imported_top_modules(path) & FORBIDDEN[app]
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} imports {', '.join(sorted(bad))}")
    assert offenders == []


@pytest.mark.django_db
def test_migrations_are_committed_for_every_model_change():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # --check exits 1 when a migration is missing
        pytest.fail(f"makemigrations --check found changes (exit {exc.code}):\n{out.getvalue()}")


def test_every_model_shown_to_users_declares_its_jurisdiction_scope():
    from django.apps import apps

    from kewaspadaan.scoping import policy_for

    ours = [m for m in apps.get_models() if m._meta.app_label in FORBIDDEN.keys() | {"forkopimda"}]
    exempt = {"User"}  # users are managed in the admin, not listed to other users
    for model in ours:
        if model.__name__ not in exempt and not model.__name__.startswith("Historical"):
            policy_for(model)  # raises ImproperlyConfigured when missing
