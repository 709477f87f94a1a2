#!/usr/bin/env bash
# Run the site on the embedded default: SQLite under instance/, Celery eager, mail to the log.
source "$(dirname "$0")/_venv.sh"
.venv/bin/flask db upgrade
demo=$(.venv/bin/flask ejan demo 2>/dev/null | tail -n 1)
host=${EJAN_HOST:-127.0.0.1}
port=${EJAN_PORT:-5000}
export EJAN_BASE_URL=${EJAN_BASE_URL:-http://$host:$port}
cat <<MSG

  e-じゃん掛川 is running at  $EJAN_BASE_URL/
  $demo
  Invitation mails are written to this console (no SMTP server in the embedded default).

MSG
exec .venv/bin/gunicorn --bind "$host:$port" --workers 2 --threads 4 --access-logfile - wsgi:app
