#!/usr/bin/env bash
# The cache key of the built pm: the runner, and a hash of the action's own source, so a new
# version of the action never runs an old binary.
set -euo pipefail
cd "$GITHUB_ACTION_PATH"
hash=$( { cat Cargo.toml Cargo.lock; find src -type f -print0 | sort -z | xargs -0 cat; } | sha256sum | cut -c1-20)
echo "key=pm-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}-$hash" >> "$GITHUB_OUTPUT"
