#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path


def load_local_env() -> None:
    """Read the local ``.env`` that ``./dev`` writes (DEBUG, demo mode, a generated
    SECRET_KEY), so ``python manage.py ...`` works in a development checkout. Variables
    already in the environment win; ``KW_DOTENV=0`` turns it off (the settings tests do).
    Production has no ``.env`` beside manage.py and stays strict."""
    path = Path(__file__).resolve().parent / ".env"
    if os.environ.get("KW_DOTENV") == "0" or not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, _sep, value = line.partition("=")
            os.environ.setdefault(name.strip(), value.strip().strip('"'))


def main() -> None:
    load_local_env()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kewaspadaan.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
