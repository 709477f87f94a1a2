# Sourced by the set-up scripts: a project-local virtualenv with every pinned dependency.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Reinstall only when pyproject.toml changed since the last install.
stamp=.venv/.ejan-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[test]"
  touch "$stamp"
fi
export FLASK_APP=wsgi.py
# The message catalogues are build output (.mo, gitignored): compile them on every run, it takes a blink.
if compgen -G "ejan/translations/*/LC_MESSAGES/messages.po" >/dev/null; then
  .venv/bin/pybabel -q compile -d ejan/translations
fi
