#!/usr/bin/env bash
# The project's test command (`npm test`): the type check, then every test file
# against real PostgreSQL servers (see test/support/global-setup.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== tsc --noEmit (strict)"
npx tsc --noEmit -p tsconfig.json
echo "== vitest run"
mkdir -p .work
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.work/vitest.json "$@" || status=$?
# One plain closing line, so a CI reader sees the counts whatever the runner prints.
node -e '
  const r = JSON.parse(require("fs").readFileSync(".work/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' || true
exit $status
