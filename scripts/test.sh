#!/usr/bin/env bash
# Quick start, second command: install everything and run every test
# (typecheck, lint, all test suites), ending with one summary line.
source "$(dirname "$0")/lib.sh"
install_dependencies
cd "$REPO_ROOT"

say "typecheck"
"${PNPM[@]}" --silent typecheck
say "lint and format (Biome)"
"${PNPM[@]}" --silent lint

say "tests"
mkdir -p test-results
status=0
"${PNPM[@]}" --silent test:report "$@" || status=$?

# One plain closing line that any CI reader understands.
if [ -f test-results/vitest.json ]; then
  node -e '
    const r = require(process.argv[1]);
    const skipped = r.numPendingTests + r.numTodoTests;
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
    if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
  ' "$REPO_ROOT/test-results/vitest.json" || status=1
else
  echo "tests: 0 passed, 1 failed (the test runner wrote no report)"
  status=1
fi
exit "$status"
