#!/usr/bin/env bash
# The kill -9 audit (docs/reliability.md): writes killed at random moments leave every product
# file whole (its old bytes or its new ones, never a mix), and the temporary files they leave
# are reported by `pm check` and removed by the next write in their folder once a minute old.
#
#   benches/kill-audit.sh            # 300 kills
#   PM_KILLS=1000 benches/kill-audit.sh
#
# Not a test (.ci/run does not call it): it depends on timing, and kills land where they land.
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${PM_KILLS:-300}
cargo build --release --quiet
PM=$PWD/target/release/pm
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
git init -q . && git config user.name Audit && git config user.email audit@example.com
"$PM" init --name Audit >/dev/null
"$PM" vision add "Fair shared bills" >/dev/null
"$PM" epic add "Splitting" --vision V-1 --horizon now >/dev/null
for i in $(seq 1 20); do
  "$PM" story add "Story $i" --epic E-1 --ac "Given $i, then it works" >/dev/null
done
git add -A && git commit -qm base

temps() { find product -name '.*.pm-*.tmp' | wc -l; }
broken=0
for k in $(seq 1 "$KILLS"); do
  case $((k % 3)) in
    0) "$PM" story set S-1 points=$((k % 8 + 1)) title="Story one, take $k" >/dev/null 2>&1 & ;;
    1) "$PM" rank "S-$((k % 20 + 1))" --top >/dev/null 2>&1 & ;;
    2) "$PM" story add "Added $k" --epic E-1 --ac "Given $k, then it is added" >/dev/null 2>&1 & ;;
  esac
  pid=$!
  # 0 to 9.9 ms: a write of this product takes a few milliseconds.
  sleep "0.00$((RANDOM % 10))$((RANDOM % 10))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # A lock left by the killed process is released by the kernel (it is a flock), so
  # the next command may run at once. Every file must still read:
  out=$("$PM" check --format json 2>&1) || true
  if grep -q '"parse/\|"field/' <<<"$out"; then
    broken=$((broken + 1))
    echo "kill $k left a file that does not read:" >&2
    grep -o '"path":"[^"]*"' <<<"$out" | sort -u >&2
  fi
done
left=$(temps)
reported=$("$PM" check --format json 2>/dev/null | grep -o '"file/leftover-temp"' | wc -l || true)
# Age them past the minute, then write once in each folder they are in.
find product -name '.*.pm-*.tmp' -exec touch -d '2 minutes ago' {} +
"$PM" story set S-1 points=3 >/dev/null
"$PM" rank S-2 --top >/dev/null
"$PM" epic set E-1 owner=audit >/dev/null
"$PM" vision set V-1 owner=audit >/dev/null
after=$(temps)
echo "kills: $KILLS, files that no longer read: $broken"
echo "temporary files left: $left, reported by pm check: $reported, left after the next writes: $after"
[ "$broken" -eq 0 ] && [ "$after" -eq 0 ]
