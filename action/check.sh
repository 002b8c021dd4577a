#!/usr/bin/env bash
# pm check as annotations (and SARIF when asked); the exit status goes to the step's output
# so the comment is still posted and the last step fails the job.
set -uo pipefail
args=()
[ "${STRICT:-false}" = "true" ] && args+=(--strict)
# The test reports, one --junit each (paths without spaces, as the input says).
for report in ${JUNIT:-}; do
  args+=(--junit "$report")
done
if [ "${CHANGED_ONLY:-false}" = "true" ] && [ -n "${BASE_REF:-}" ]; then
  args+=(--changed-since "origin/$BASE_REF")
fi
pm check --format github "${args[@]}"
status=$?
if [ "${SARIF:-false}" = "true" ]; then
  # The job summary already has the findings: this run only writes the file.
  GITHUB_STEP_SUMMARY='' pm check --format sarif "${args[@]}" > "$RUNNER_TEMP/pm.sarif"
  sarif=$?
  if [ "$sarif" -gt 1 ]; then
    echo "::warning title=pm::pm check --format sarif could not run (exit $sarif); nothing to upload"
    rm -f "$RUNNER_TEMP/pm.sarif"
  fi
fi
echo "status=$status" >> "$GITHUB_OUTPUT"
