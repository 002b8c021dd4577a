#!/usr/bin/env bash
# One sticky comment per pull request: what it changes in the product, found by its first
# line (a hidden marker) among the comments this token's account wrote, and edited in place on
# every push, so the thread never fills up and nobody else's comment is ever touched.
set -euo pipefail
marker='<!-- pm diff -->'
body="$RUNNER_TEMP/pm-diff-comment.md"
junit=()
for report in ${JUNIT:-}; do
  junit+=(--junit "$report")
done
{
  echo "$marker"
  pm diff "$BASE...$HEAD" --format markdown
  # With the run's test reports: which criteria are proved, and by what.
  if [ ${#junit[@]} -gt 0 ]; then
    echo
    pm trace "${junit[@]}" --format markdown || echo "_pm trace could not run; the check step says why._"
  fi
} > "$body"
errors="$RUNNER_TEMP/pm-gh-errors"
exec 3>&1 # the step's stdout, for the warning, wherever api's output goes
# A fork's pull request gets a read-only token (HTTP 403): warn, the job summary has the
# changes. Any other failure of GitHub's API fails the step, with what gh said.
api() {
  if gh api "$@" 2> "$errors"; then
    return 0
  fi
  if grep -qE 'HTTP 403|Resource not accessible by integration' "$errors"; then
    echo "::warning title=pm::cannot comment on the pull request (the token is read-only); the job summary has the changes" >&3
    exit 0
  fi
  cat "$errors" >&2
  exit 1
}
# The account that comments: the token's user, or the Actions bot for GITHUB_TOKEN (which
# cannot read /user).
me=$(gh api user --jq .login 2> /dev/null || echo 'github-actions[bot]')
# (Into a file, not `$(...)`: api's exit must end this script, not a subshell.)
ids="$RUNNER_TEMP/pm-comment-ids"
api "repos/$REPOSITORY/issues/$PR/comments" --paginate \
  --jq ".[] | select(.user.login == \"$me\" and (.body | startswith(\"$marker\"))) | .id" > "$ids"
existing=$(head -n 1 "$ids")
if [ -n "$existing" ]; then
  api --method PATCH "repos/$REPOSITORY/issues/comments/$existing" -F "body=@$body" > /dev/null
  echo "updated the product-changes comment $existing"
else
  api --method POST "repos/$REPOSITORY/issues/$PR/comments" -F "body=@$body" > /dev/null
  echo "posted the product-changes comment"
fi
