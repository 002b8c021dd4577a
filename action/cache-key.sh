#!/usr/bin/env bash
# The cache key of the built pm: the runner's image and architecture, and a hash of the
# action's own source, so a new version of the action never runs an old binary and
# ubuntu-22.04 and ubuntu-24.04 jobs never share one.
set -euo pipefail
cd "$GITHUB_ACTION_PATH"
hash=$( { cat Cargo.toml Cargo.lock; find src -type f -print0 | sort -z | xargs -0 cat; } | sha256sum | cut -c1-20)
echo "key=pm-${ImageOS:-${RUNNER_OS:-os}}-${RUNNER_ARCH:-arch}-$hash" >> "$GITHUB_OUTPUT"
