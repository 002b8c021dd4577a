#!/usr/bin/env bash
# A traceability corpus: the 10,000-story product of benches/run.sh beside 20,000 source and
# test files, one in ten naming a criterion (S-N/AC-M in a comment, s_N_ac_M in a test name),
# in a git repository. Used by the `pm trace` rows of docs/benchmarks.md.
#
#   benches/trace-corpus.sh PRODUCT_CORPUS OUT
set -euo pipefail
src=$1
out=$2
rm -rf "$out"
mkdir -p "$out"
cp -r "$src/product" "$out/product"
python3 - "$out" <<'PY'
import os, random, sys
root = sys.argv[1]
rnd = random.Random(1)
for i in range(20000):
    d = os.path.join(root, "src" if i % 2 else "tests", f"m{i % 200:03d}")
    os.makedirs(d, exist_ok=True)
    lines = [f"// module {i}: ordinary code with numbers like 12-34 and S-words"]
    for j in range(40):
        lines.append(f"fn f_{i}_{j}(x: u32) -> u32 {{ x * {j} + {i % 7} }}")
    if i % 10 == 0:
        s, a = rnd.randint(1, 10000), rnd.randint(1, 3)
        lines.append(f"// verifies S-{s}/AC-{a}")
        lines.append(f"#[test] fn s_{s}_ac_{a}_holds() {{}}")
    with open(os.path.join(d, f"f{i}.rs"), "w") as f:
        f.write("\n".join(lines) + "\n")
PY
git -C "$out" init -q
git -C "$out" add -A
git -C "$out" -c user.name=bench -c user.email=bench@example.com commit -qm corpus
