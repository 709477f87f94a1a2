#!/usr/bin/env bash
# Re-extract every marked string and update the three catalogues (ja is the source language):
#   bash scripts/translations.sh            extract + update, then compile
#   bash scripts/translations.sh init CODE  start the catalogue of a new language
source "$(dirname "$0")/_venv.sh"
pot=ejan/translations/messages.pot
# --ignore-dirs ".*": pybabel skips folders starting with "_" by default, and templates/_shared holds words.
.venv/bin/pybabel -q extract -F babel.cfg -k lazy_gettext -k _l -k N_ -k ngettext:1,2 -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
  --sort-by-file --no-wrap --project "e-jan Kakegawa" --ignore-dirs ".*" -o "$pot" .
if [ "${1:-}" = init ]; then
  .venv/bin/pybabel init -i "$pot" -d ejan/translations -l "$2" --no-wrap
else
  .venv/bin/pybabel update -i "$pot" -d ejan/translations --no-wrap  # obsolete entries stay (#~) so no translation is lost
fi
.venv/bin/pybabel -q compile -d ejan/translations
