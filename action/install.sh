#!/usr/bin/env bash
# Put pm in BIN and on the job's PATH: the cached binary when there is one, else the release
# asset of the action's version when that release exists, else built from the action's own
# source (cargo install --locked), which is the same code whichever ref the workflow pins.
set -euo pipefail
bin=$1
mkdir -p "$bin"
echo "$bin" >> "$GITHUB_PATH"
if [ "${CACHED:-}" = "true" ] && [ -x "$bin/pm" ]; then
  echo "pm from the cache: $("$bin/pm" --version)"
  exit 0
fi
asset="pm-$(uname -m)-unknown-linux-gnu.tar.gz"
# A release binary that does not run on this runner (an older glibc, say) is not used.
if [ -n "${ACTION_REF:-}" ] && [ -n "${ACTION_REPOSITORY:-}" ] && command -v gh >/dev/null 2>&1 &&
  gh release download "$ACTION_REF" --repo "$ACTION_REPOSITORY" --pattern "$asset" --dir "$RUNNER_TEMP" 2>/dev/null &&
  tar -xzf "$RUNNER_TEMP/$asset" -C "$bin" pm && version=$("$bin/pm" --version 2>/dev/null); then
  echo "pm from the release $ACTION_REF: $version"
  exit 0
fi
rm -f "$bin/pm"
echo "no release asset $asset for ${ACTION_REF:-this ref}; building pm from the action's source"
cargo install --locked --path "$GITHUB_ACTION_PATH" --root "$bin/.." --force
echo "pm built: $("$bin/pm" --version)"
