#!/usr/bin/env bash
# Benchmarks of pm at scale: see docs/benchmarks.md for what is measured and why.
#
#   benches/run.sh                 # every corpus (1,000 and 10,000 stories, and the fast-import shape)
#   PM_BENCH_SIZES=1000 benches/run.sh        # the quick mode: one small corpus
#   PM_BENCH_SIZES=100000 benches/run.sh      # 100,000 stories x 1,000 commits (~5 min to generate)
#
# Builds pm in release, generates the corpora with examples/gen-product.rs (cached under
# target/bench-corpora, keyed by the parameters and the generator's source), installs hyperfine,
# ripgrep and GNU time from the system's packages when missing, then times every operation with
# hyperfine after a warm-up, in the same run as the baselines:
#   reading floor: rg -c '^status:' product
#   history floor: git log --raw --no-renames -- product
# It prints each operation's median, its ratio to its baseline or target, and its peak memory
# (/usr/bin/time -v). Commands the binary does not have yet are reported as "not available".
#
# This is a benchmark, not a test: .ci/run does not call it and nothing here fails on timing.
#
# Settings (environment):
#   PM_BENCH_SIZES      corpora to run, among 1000, 10000, 100000 and fastimport (10,000 stories whose
#                       every commit reranks the backlog, packed by git fast-import; history
#                       rows only) (default "1000 10000 fastimport")
#   PM_BENCH_RUNS       minimum timed runs per command (default 10)
#   PM_BENCH_WARMUP     warm-up runs per command (default 3)
#   PM_BENCH_CORPORA    where corpora are cached (default target/bench-corpora)
#   PM_BENCH_OUT        where results are written (default target/bench-results)
#   PM_BENCH_BASE       another pm binary (say, a build of main before a change): every pm row is
#                       timed with it too, right after, and the report gives both medians and
#                       their ratio, measured in the same run
#   PM_BENCH_DIFF_ARGS  arguments of the `pm diff` row (default "HEAD~1000 HEAD"; "HEAD~500 HEAD"
#                       on the 1,000-commit corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SIZES=${PM_BENCH_SIZES:-"1000 10000 fastimport"}
RUNS=${PM_BENCH_RUNS:-10}
WARMUP=${PM_BENCH_WARMUP:-3}
CORPORA=${PM_BENCH_CORPORA:-$ROOT/target/bench-corpora}
OUT=${PM_BENCH_OUT:-$ROOT/target/bench-results}
SEED=1

say() { printf '%s\n' "$*" >&2; }

# --- tools -----------------------------------------------------------------------------------
missing=()
command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
[ -x /usr/bin/time ] || missing+=(time)
command -v git >/dev/null 2>&1 || missing+=(git)
if [ ${#missing[@]} -gt 0 ]; then
  say "== installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

say "== cargo build --release (pm and the corpus generator)"
cargo build --release --quiet --bin pm --example gen-product
PM=$ROOT/target/release/pm
GEN=$ROOT/target/release/examples/gen-product
mkdir -p "$CORPORA" "$OUT"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pm-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# --- corpora ---------------------------------------------------------------------------------
# A corpus is regenerated when its parameters or the generator's source change.
GEN_KEY=$(git hash-object examples/gen-product.rs | cut -c1-10)

corpus() { # stories epics commits branches [generator flags...] -> prints the corpus folder
  local stories=$1 epics=$2 commits=$3 branches=$4
  shift 4
  local flags="$*"
  local dir="$CORPORA/s$stories-e$epics-c$commits-b$branches${flags:+-${flags//[^a-z]/}}-seed$SEED-gen$GEN_KEY"
  if [ ! -f "$dir.done" ]; then
    rm -rf "$dir"
    say "== generating $stories stories, $epics epics, $commits commits, $branches branches $flags -> $dir"
    local more=("$@")
    [ "$branches" -gt 0 ] && more+=(--branches "$branches")
    "$GEN" --stories "$stories" --epics "$epics" --commits "$commits" --seed "$SEED" "${more[@]}" "$dir" >&2
    touch "$dir.done"
  fi
  printf '%s\n' "$dir"
}

# --- measuring -------------------------------------------------------------------------------
RESULTS="$OUT/results.tsv"
: >"$RESULTS"

# quote ARGS...: the arguments as one command line in single quotes (hyperfine -N splits it).
quote() {
  local out="" a
  for a in "$@"; do out+="'${a//\'/\'\\\'\'}' "; done
  printf '%s' "$out"
}

# time_cmd NAME DIR PREPARE CMD...: median seconds of CMD run in DIR, or "" on failure.
# PREPARE is a script run before every timed run ("" for none).
time_cmd() {
  local name=$1 dir=$2 prepare=$3
  shift 3
  local csv="$WORK/$(echo "$name" | tr -c 'A-Za-z0-9' '_').csv"
  local args=(-N --style none --warmup "$WARMUP" --min-runs "$RUNS" --export-csv "$csv" -n "$name")
  [ -n "$prepare" ] && args+=(--prepare "$prepare")
  if (cd "$dir" && hyperfine "${args[@]}" -- "$(quote "$@")") >/dev/null 2>"$WORK/err"; then
    tail -n 1 "$csv" | cut -d, -f4
  else
    say "   $name failed: $(tail -n 3 "$WORK/err")"
    echo ""
  fi
}

# peak_kib DIR PREPARE CMD...: peak resident memory in KiB of one run of CMD in DIR.
peak_kib() {
  local dir=$1 prepare=$2
  shift 2
  [ -n "$prepare" ] && "$prepare"
  (cd "$dir" && /usr/bin/time -v "$@" >/dev/null 2>"$WORK/time") || true
  sed -n 's/.*Maximum resident set size (kbytes): *//p' "$WORK/time"
}

# has CMD: whether this pm binary has the subcommand.
has() { "$PM" help "$1" >/dev/null 2>&1; }

# record SIZE NAME DIR PREPARE KIND TARGET CMD...
#   KIND: read (ratio to the reading floor), history (ratio to the history floor),
#         warm (ratio to the first history run), check (ratio to `pm check (history copy)`),
#         trace (ratio to the trace floor, rg over the same files), abs (absolute target in seconds).
record() {
  local size=$1 name=$2 dir=$3 prepare=$4 kind=$5 target=$6
  shift 6
  say "-- [$size] $name"
  local median peak base=""
  median=$(time_cmd "$size $name" "$dir" "$prepare" "$@")
  peak=""
  [ -n "$median" ] && peak=$(peak_kib "$dir" "$prepare" "$@")
  if [ -n "${PM_BENCH_BASE:-}" ] && [ "$1" = "$PM" ]; then
    if [ "$kind" = warm ]; then "$PM_BENCH_BASE" -C "$dir" "${@:2}" >/dev/null 2>&1 || true; fi
    base=$(time_cmd "$size $name (base)" "$dir" "$prepare" "$PM_BENCH_BASE" "${@:2}")
    if [ "$kind" = warm ]; then "$PM" -C "$dir" "${@:2}" >/dev/null 2>&1 || true; fi
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$name" "$kind" "$target" "${median:-failed}" "${peak:--}" \
    "${base:--}" >>"$RESULTS"
}

unavailable() { # size name kind target
  say "-- [$1] $2: not available in this build"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "n/a" "-" >>"$RESULTS"
}

# A scratch copy for commands that write, and a script that resets it before every run.
scratch() { # corpus name keep_branches -> prints the scratch folder
  local src=$1 dst="$WORK/$2"
  cp -a "$src" "$dst"
  if [ "$3" = no ]; then
    git -C "$dst" for-each-ref --format='%(refname)' refs/heads/ | grep -vx refs/heads/main |
      sed 's/^/delete /' | git -C "$dst" update-ref --stdin
  fi
  cat >"$dst.reset" <<EOF
#!/bin/sh
# Back to HEAD: undo the last run's edits, remove the files it created and any pm cache.
git -C '$dst' reset -q --hard HEAD
git -C '$dst' clean -fdqx product
rm -rf '$dst/.git/pm' '$dst/.git/pm-cache' '$dst/.git/pm.cache'
EOF
  chmod +x "$dst.reset"
  printf '%s\n' "$dst"
}

# The other history shape: every commit rewrites backlog.md, one pack from `git fast-import`
# never repacked. Only the history rows (and their floor) and pm check --suspect run on it.
run_fastimport() {
  local size=fastimport c h
  c=$(corpus 10000 500 5000 0 --rank-every-commit --fast-import)
  say "== 10,000 stories, every commit reranks, fast-import pack: $c"
  record "$size" "floor: git log --raw --no-renames -- product" "$c" "" floor - \
    git log --raw --no-renames -- product
  h=$(scratch "$c" "history-$size" no)
  record "$size" "pm history (first run)" "$h" "$h.reset" history 1 "$PM" history
  "$PM" -C "$h" history >/dev/null 2>&1 || true
  record "$size" "pm history (cache warm)" "$h" "" warm 0.1 "$PM" history
  if has chart; then
    record "$size" "pm chart priorities (cache warm)" "$h" "" abs 1 "$PM" chart priorities --format svg
  fi
  if has review; then
    record "$size" "pm check (history copy)" "$h" "" abs 0.3 "$PM" check
    record "$size" "pm check --suspect (cache warm)" "$h" "" check 1.5 "$PM" check --suspect
  fi
  rm -rf "$WORK"/history-*
}

run_size() {
  local size=$1 epics commits branches
  [ "$size" = fastimport ] && { run_fastimport; return; }
  case $size in
    1000) epics=50 commits=1000 branches=0 ;;
    10000) epics=500 commits=5000 branches=200 ;;
    100000) epics=500 commits=1000 branches=0 ;;
    *) say "unknown size $size (use 1000, 10000, 100000 or fastimport)"; exit 2 ;;
  esac
  local c diff_args=${PM_BENCH_DIFF_ARGS:-}
  [ -z "$diff_args" ] && { [ "$commits" -gt 1000 ] && diff_args="HEAD~1000 HEAD" || diff_args="HEAD~500 HEAD"; }
  c=$(corpus "$size" "$epics" "$commits" "$branches")
  say "== $size stories: $c"

  # Baselines, in the same run as the operations.
  record "$size" "floor: rg -c '^status:' product" "$c" "" floor - rg -c '^status:' product
  record "$size" "floor: git log --raw --no-renames -- product" "$c" "" floor - \
    git log --raw --no-renames -- product

  # Reading the whole product (read-only: run on the corpus itself).
  if has check; then
    record "$size" "pm check" "$c" "" read 3 "$PM" check
  else
    unavailable "$size" "pm check" read 3
  fi
  record "$size" "pm story list --format json" "$c" "" read 3 "$PM" story list --format json
  record "$size" "pm backlog" "$c" "" read 3 "$PM" backlog

  # Scores (issue 15: pm score <= pm story list --format json + 20%): a copy whose pm.yaml
  # scores every story by its points, so every story has a score to compute and sort.
  local sc
  sc=$(scratch "$c" "scores-$size" no)
  sed -i 's/^scoring: {}$/scoring: {model: formula, formula: points}/' "$sc/product/pm.yaml"
  record "$size" "pm story list --format json (scored copy)" "$sc" "" read 3 "$PM" story list --format json
  record "$size" "pm score --format json" "$sc" "" read 3 "$PM" score --format json
  record "$size" "pm backlog --by score" "$sc" "" read 3 "$PM" backlog --by score
  record "$size" "pm rank --by score --dry-run" "$sc" "" read 3 "$PM" rank --by score --dry-run

  # Import (issue 15: pm import github of 10,000 issues <= 3 s): as many issues as the corpus
  # has stories, shaped as `gh issue list --json` writes them (two in three with criteria, one
  # in four closed, twenty milestones), into a new product made again before every run.
  local imp="$WORK/import-$size"
  mkdir -p "$imp"
  git -C "$imp" init -q
  awk -v n="$size" 'BEGIN {
    printf "[";
    for (i = 1; i <= n; i++) {
      body = (i % 3) ? "Why it matters.\\n\\n## Acceptance criteria\\n\\n- [ ] Given a, when b, then c\\n- [x] Given d, then e" : "Plain body.";
      printf "%s{\"number\":%d,\"title\":\"Issue %d: export the report faster\",\"body\":\"%s\",\"labels\":[{\"name\":\"feature\"}],\"state\":\"%s\",\"milestone\":{\"number\":%d,\"title\":\"Milestone %d\",\"dueOn\":null},\"assignees\":[{\"login\":\"dev\"}],\"url\":\"https://github.com/o/r/issues/%d\"}",
        (i > 1 ? "," : ""), i, i, body, (i % 4 ? "OPEN" : "CLOSED"), i % 20, i % 20, i;
    }
    print "]";
  }' >"$WORK/issues-$size.json"
  printf '#!/bin/sh\nrm -rf %s/product && %s -q -C %s init --name Imported\n' "'$imp'" "'$PM'" "'$imp'" >"$imp.reset"
  chmod +x "$imp.reset"
  record "$size" "pm import github ($size issues, new product)" "$imp" "$imp.reset" abs 3 \
    "$PM" import github "$WORK/issues-$size.json"

  # Changing one item, on a scratch copy reset before every run.
  local s last file ac
  s=$(scratch "$c" "main-$size" no)
  last=$(sed -n 's/^- \[\(S-[0-9]*\)\].*/\1/p' "$s/product/backlog.md" | tail -n 1)
  file=$(sed -n "s/^- \[$last\](\([^)]*\)).*/\1/p" "$s/product/backlog.md")
  ac=$(sed -n 's/^- \[ \] \(AC-[0-9]*\):.*/\1/p' "$s/product/$file" | head -n 1)
  say "   editing $last ($file), criterion ${ac:-none}"
  record "$size" "pm story add" "$s" "$s.reset" abs 0.050 \
    "$PM" story add "Export invoices as CSV for the auditors" --epic E-1 --priority high --points 3 \
    --ac "Given an invoice, when I export it, then a CSV file downloads"
  record "$size" "pm story set" "$s" "$s.reset" abs 0.050 "$PM" story set "$last" priority=critical points=8
  record "$size" "pm rank --top" "$s" "$s.reset" abs 0.050 "$PM" rank "$last" --top
  if [ -n "$ac" ]; then
    record "$size" "pm ac check" "$s" "$s.reset" abs 0.050 "$PM" ac check "$last" "$ac"
  fi

  if [ "$branches" -gt 0 ]; then
    local b
    b=$(scratch "$c" "branches-$size" yes)
    say "   $(git -C "$b" for-each-ref refs/heads | wc -l) local branches"
    record "$size" "pm story add ($branches branches)" "$b" "$b.reset" abs 0.5 \
      "$PM" story add "Export invoices as CSV for the auditors" --epic E-1
  fi

  # History.
  if has history; then
    local h
    h=$(scratch "$c" "history-$size" no)
    record "$size" "pm history (first run)" "$h" "$h.reset" history 1 "$PM" history
    "$PM" -C "$h" history >/dev/null 2>&1 || true
    record "$size" "pm history (cache warm)" "$h" "" warm 0.1 "$PM" history
    if has review; then
      # Against pm check on the same copy, right before.
      record "$size" "pm check (history copy)" "$h" "" abs 0.3 "$PM" check
      record "$size" "pm check --suspect (cache warm)" "$h" "" check 1.5 "$PM" check --suspect
    fi
    # The commands that read the same walk: after it, the cache is warm for them too.
    if has flow; then
      record "$size" "pm flow (cache warm)" "$h" "" abs 0.3 "$PM" flow
      record "$size" "pm velocity (cache warm)" "$h" "" abs 0.3 "$PM" velocity
    fi
    if has chart; then
      record "$size" "pm chart priorities (cache warm)" "$h" "" abs 1 "$PM" chart priorities --format svg
      record "$size" "pm chart burnup (cache warm)" "$h" "" abs 1 "$PM" chart burnup --format svg
      record "$size" "pm chart flow (cache warm)" "$h" "" abs 1 "$PM" chart flow --format svg
    fi
    if has report; then
      record "$size" "pm report --since 1m (cache warm)" "$h" "" abs 0.5 "$PM" report --since 1m
    fi
    if has publish; then
      # A new folder each run (the first publish), then the same revision again. The last
      # run's site is moved aside, not deleted: ext4 avoids the inodes of files deleted a
      # moment ago, and creating 10,000 files right after deleting 10,000 took twice as long
      # (perf: the kernel's recently_deleted), which is the benchmark's doing, not pm's.
      mkdir -p "$WORK/old-sites"
      printf '#!/bin/sh\n[ ! -d %s ] || mv %s "%s/$(date +%%s%%N)"\n' "$WORK/site-$size" "$WORK/site-$size" \
        "$WORK/old-sites" >"$WORK/site-reset" && chmod +x "$WORK/site-reset"
      record "$size" "pm publish (new folder)" "$h" "$WORK/site-reset" abs 3 "$PM" -q publish "$WORK/site-$size"
      record "$size" "pm publish (same revision again)" "$h" "" abs 3 "$PM" -q publish "$WORK/site-$size"
    fi
    # A sprint of the five stories at the top of the backlog, committed on the scratch copy
    # (the corpora have none): its show reads the walk above and the working tree.
    if has sprint; then
      local top
      # awk reads to the end (head would close the pipe early, which pipefail takes for a failure)
      top=$(sed -n 's/^- \[\(S-[0-9]*\)\].*/\1/p' "$h/product/backlog.md" | awk 'NR <= 5' | tr '\n' ' ')
      "$PM" -C "$h" -q sprint add "Bench sprint" --capacity 60 >/dev/null
      # shellcheck disable=SC2086
      "$PM" -C "$h" -q sprint plan SP-1 $top >/dev/null
      git -C "$h" add -A
      git -C "$h" -c user.name=bench -c user.email=bench@example.com commit -qm "bench sprint"
      "$PM" -C "$h" history >/dev/null 2>&1 || true
      record "$size" "pm sprint show (cache warm)" "$h" "" abs 0.2 "$PM" sprint show
      record "$size" "pm sprint plan --fill" "$h" "$h.reset" abs 0.2 "$PM" sprint plan SP-1 --fill
    fi
  else
    unavailable "$size" "pm history (first run)" history 1
    unavailable "$size" "pm history (cache warm)" warm 0.1
  fi
  if has diff; then
    # shellcheck disable=SC2086
    record "$size" "pm diff $diff_args" "$c" "" abs 0.5 "$PM" diff $diff_args
  else
    unavailable "$size" "pm diff $diff_args" abs 0.5
  fi

  # Traceability: the product beside 20,000 source and test files (benches/trace-corpus.sh).
  if has trace && [ "$size" = 10000 ]; then
    local tc="$WORK/trace-$size"
    bash "$ROOT/benches/trace-corpus.sh" "$c" "$tc" >/dev/null
    record "$size" "floor: rg -c 'S-[0-9]+/AC-[0-9]+' (trace corpus)" "$tc" "" floor - rg -c 'S-[0-9]+/AC-[0-9]+' .
    record "$size" "pm trace --format json (trace corpus)" "$tc" "" trace 2 "$PM" trace --format json
    record "$size" "pm trace S-1 (trace corpus)" "$tc" "" trace 2 "$PM" trace S-1
    rm -rf "$tc"
  fi

  record "$size" "pm --version" "$c" "" abs 0.005 "$PM" --version
  record "$size" "pm --help" "$c" "" abs 0.005 "$PM" --help
  rm -rf "$WORK"/main-* "$WORK"/branches-* "$WORK"/history-*
}

for size in $SIZES; do
  run_size "$size"
done

# --- report ----------------------------------------------------------------------------------
report() {
  awk -F'\t' -v with_base="${PM_BENCH_BASE:+1}" '
    function ms(s) { return sprintf("%.1f ms", s * 1000) }
    function mib(k) { return k == "-" || k == "" ? "-" : sprintf("%.1f MiB", k / 1024) }
    function vs(b) { return (b == "-" || b == "" || b == 0) ? "" : sprintf(" | %s | %.2f", ms(b), med / b) }
    BEGIN {
      if (with_base) {
        print "| stories | operation | median | baseline / target | ratio | verdict | peak memory | base median | vs base |"
        print "| ---: | --- | ---: | --- | ---: | --- | ---: | ---: | ---: |"
      } else {
        print "| stories | operation | median | baseline / target | ratio | verdict | peak memory |"
        print "| ---: | --- | ---: | --- | ---: | --- | ---: |"
      }
    }
    {
      size = $1; name = $2; kind = $3; target = $4; med = $5; peak = $6; b = $7
      tail = with_base ? (vs(b) == "" ? " | | " : vs(b)) : ""
      if (kind == "floor") {
        if (name ~ /trace corpus/) tfloor[size] = med; else if (name ~ /rg/) rfloor[size] = med; else hfloor[size] = med
        printf "| %s | `%s` | %s | baseline | 1.00 | | %s%s |\n", size, substr(name, 8), ms(med), mib(peak), tail
        next
      }
      if (med == "n/a") { printf "| %s | `%s` | not available | | | pending merge | |\n", size, name; next }
      if (med == "failed") { printf "| %s | `%s` | failed | | | failed | |\n", size, name; next }
      verdict = ""; base = ""; ratio = ""
      if (kind == "read" && rfloor[size] > 0) {
        ratio = med / rfloor[size]; base = "≤ " target "x reading floor"
        verdict = ratio <= target ? "met" : "missed"
        if (peak != "-" && peak / 1024 > 64) verdict = verdict " (memory > 64 MiB)"
      } else if (kind == "history" && hfloor[size] > 0) {
        ratio = med / hfloor[size]; base = "≤ " target "x history floor"
        verdict = ratio <= target ? "met" : "missed"
      } else if (kind == "warm") {
        if (first[size] > 0) { ratio = med / first[size]; verdict = ratio <= target ? "met" : "missed" }
        base = "≤ " target "x first run"
      } else if (kind == "check" && checked[size] > 0) {
        ratio = med / checked[size]; base = "≤ " target "x pm check"
        verdict = ratio <= target ? "met" : "missed"
      } else if (kind == "trace" && tfloor[size] > 0) {
        ratio = med / tfloor[size]; base = "≤ " target "x rg over the trace corpus"
        verdict = ratio <= target ? "met" : "missed"
      } else if (kind == "abs") {
        ratio = med / target; base = "≤ " ms(target)
        verdict = med <= target ? "met" : "missed"
      }
      if (kind == "history") first[size] = med
      if (name == "pm check (history copy)") checked[size] = med
      printf "| %s | `%s` | %s | %s | %s | %s | %s%s |\n", size, name, ms(med), base,
        ratio == "" ? "" : sprintf("%.2f", ratio), verdict, mib(peak), tail
    }' "$RESULTS"
}

report | tee "$OUT/results.md"
say ""
say "Results: $OUT/results.md (raw: $RESULTS)"
