#!/usr/bin/env bash
# Quick start, first command: install everything and run the demo.
source "$(dirname "$0")/lib.sh"
install_dependencies
cd "$REPO_ROOT"
say "running the demo"
exec "${PNPM[@]}" --silent demo "$@"
