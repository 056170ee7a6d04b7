"""Every user-facing string has an Indonesian translation (Bahasa Indonesia is the default)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib

from tests.conftest import need

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"
SOURCES = ("kewaspadaan", "laporan", "forkopimda", "templates", "manage.py")


def test_the_indonesian_catalogue_is_complete():
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []
    assert po.metadata["Language"] == "id"


def test_every_string_in_the_source_is_in_the_catalogue(tmp_path):
    need(shutil.which("xgettext") is not None,
         "needs GNU gettext's xgettext to extract strings (apt install gettext)")
    for name in SOURCES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, tmp_path / name)
    (tmp_path / "locale").mkdir()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings",
           "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "id", "--no-location",
         "--no-obsolete"],
        cwd=tmp_path, env=env, check=True, capture_output=True, timeout=120,
    )
    extracted = polib.pofile(str(tmp_path / "locale" / "id" / "LC_MESSAGES" / "django.po"))
    translated = {e.msgid for e in polib.pofile(str(PO)) if e.translated()}
    missing = sorted(e.msgid for e in extracted if e.msgid not in translated)
    assert missing == [], f"add Indonesian translations to {PO.relative_to(ROOT)}"
