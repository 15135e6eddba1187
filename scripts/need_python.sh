#!/usr/bin/env bash
# Stops with a clear message when an interpreter the project needs is missing.
set -euo pipefail
if ! command -v "$1" >/dev/null 2>&1 || ! "$1" -c 'import sys' >/dev/null 2>&1; then
  case "$1" in
    python3.10) why="Rasa 3.6 runs only on Python 3.8-3.10 (the conversation runtime)" ;;
    python3.11) why="the service center runs on Python 3.11" ;;
    *) why="" ;;
  esac
  echo "error: '$1' was not found. It is needed because $why." >&2
  echo "With pyenv: 'pyenv install ${1#python}' and keep .python-version listing it; otherwise install $1 so it is on PATH." >&2
  exit 1
fi
