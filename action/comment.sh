#!/usr/bin/env bash
# One sticky comment per pull request: what it changes in the product, found by its first
# line (a hidden marker) and edited in place on every push, so the thread never fills up.
set -euo pipefail
marker='<!-- pm diff -->'
body="$RUNNER_TEMP/pm-diff-comment.md"
{
  echo "$marker"
  pm diff "$BASE...$HEAD" --format markdown
} > "$body"
# A fork's pull request gets a read-only token: the job summary still has the changes.
denied() {
  echo "::warning title=pm::cannot comment on the pull request (the token is read-only); the job summary has the changes"
  exit 0
}
existing=$(gh api "repos/$REPOSITORY/issues/$PR/comments" --paginate \
  --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1) || denied
if [ -n "$existing" ]; then
  gh api --method PATCH "repos/$REPOSITORY/issues/comments/$existing" -F "body=@$body" > /dev/null || denied
  echo "updated the product-changes comment $existing"
else
  gh api --method POST "repos/$REPOSITORY/issues/$PR/comments" -F "body=@$body" > /dev/null || denied
  echo "posted the product-changes comment"
fi
