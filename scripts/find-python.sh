#!/usr/bin/env bash
# Prints the path of a Python 3.12+ interpreter, or explains how to get one and exits 1.
# Looks at $PYTHON, then python3.14..python3 on PATH, then interpreters installed off PATH
# (pyenv, /usr/local, Homebrew). KW_PYTHON_GLOBS replaces that last list (used by tests).
set -u

python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

globs=${KW_PYTHON_GLOBS-"${PYENV_ROOT:-$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9] /opt/homebrew/bin/python3.1[2-9]"}

for c in "${PYTHON:-}" python3.14 python3.13 python3.12 python3 python; do
  [ -n "$c" ] && command -v "$c" >/dev/null 2>&1 && python_ok "$c" && { command -v "$c"; exit 0; }
done
for c in $globs; do
  [ -x "$c" ] && python_ok "$c" && { echo "$c"; exit 0; }
done

cat >&2 <<'MSG'
Kewaspadaan needs Python 3.12 or newer, and none was found
(looked at $PYTHON, python3.14 ... python3 on PATH, pyenv and /usr/local).
Install one (Debian/Ubuntu: apt install python3.12 python3.12-venv; macOS: brew install python@3.12)
or point to it: PYTHON=/path/to/python3.12 ./dev run
MSG
exit 1
