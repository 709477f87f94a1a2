#!/usr/bin/env bash
# Run the whole test suite. SQLite and eager Celery by default; PostgreSQL, Redis and a real
# Celery worker when EJAN_TEST_DATABASE_URL / EJAN_TEST_BROKER_URL are set.
source "$(dirname "$0")/_venv.sh"
exec .venv/bin/python -m pytest "$@"
