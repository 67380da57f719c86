#!/usr/bin/env bash
# Runs a scenario file on a real solana-test-validator over JSON-RPC
# (`deepnode --url … scenario run FILE`: every transaction a real one, the runner waiting
# for the validator's clock at each epoch's end), then the same file on the in-process
# runtime, and checks that the two `--json` documents are the same. Not part of CI (the
# validator is a 20-minute build and each epoch waits out the program's 300 s close
# grace); README "Deploying" gives the measured cost.
#
# Needs: solana-test-validator on PATH (or VALIDATOR=path), the SBF build
# (target/deploy/deepnode.so, from `bash tests/sbf/build.sh`), `cargo build -p
# deepnode-cli`, curl, and python3 with the `cryptography` package (for a fresh
# keypair). On failure the working folder (validator log, reports) is kept and named.
#
#   bash app/localnet/scenario.sh [FILE]       (default: app/examples/localnet.json)
set -euo pipefail
file=$(realpath "${1:-$(dirname "$0")/../examples/localnet.json}")
cd "$(dirname "$0")/../.."

validator=${VALIDATOR:-solana-test-validator}
program=HxB3T8DHvrvP6o6w5aVqsaT8DApcmkMftHtQGnJd9ijm
so=target/deploy/deepnode.so
cli=target/debug/deepnode
for need in "$so" "$cli"; do
  [[ -e $need ]] || { echo "missing $need (see the header of $0)" >&2; exit 1; }
done
work=$(mktemp -d)
pid=
cleanup() {
  rc=$?
  [[ -n $pid ]] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
  if (( rc == 0 )); then rm -rf "$work"; else echo "failed: see $work (validator.log, reports)" >&2; fi
  exit $rc
}
trap cleanup EXIT
# A fresh key: the validator's mint (so it holds the genesis SOL that pays for
# everything) and the program's upgrade authority (initialise checks it).
key=$(python3 - "$work/payer.json" <<'EOF'
import json, sys
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives import serialization as s

k = ed25519.Ed25519PrivateKey.generate()
secret = k.private_bytes(s.Encoding.Raw, s.PrivateFormat.Raw, s.NoEncryption())
public = k.public_key().public_bytes(s.Encoding.Raw, s.PublicFormat.Raw)
open(sys.argv[1], "w").write(json.dumps(list(secret + public)))
alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
n, out = int.from_bytes(public, "big"), ""
while n:
    n, r = divmod(n, 58)
    out = alphabet[r] + out
print("1" * (len(public) - len(public.lstrip(b"\0"))) + out)
EOF
)
echo "payer and upgrade authority: $key" >&2
"$validator" --ledger "$work/ledger" --reset --quiet --mint "$key" \
  --upgradeable-program "$program" "$so" "$key" >"$work/validator.log" 2>&1 &
pid=$!
# Ready once it answers and has moved past its first slots: in slots 0 and 1 a debug
# build still refuses the token programs ("Unsupported program id").
rpc() {
  curl -sf http://127.0.0.1:8899 -H 'Content-Type: application/json' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"$1\"}" || true
}
for _ in $(seq 300); do
  kill -0 "$pid" 2>/dev/null || { tail -5 "$work/validator.log" >&2; echo "the validator exited" >&2; exit 1; }
  slot=$(rpc getSlot | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])' 2>/dev/null || echo -1)
  (( slot >= 10 )) && break
  sleep 1
done
(( slot >= 10 )) || { echo "the validator did not come up (log: $work/validator.log)" >&2; exit 1; }
start=$(date +%s)
"$cli" --url localhost --keypair "$work/payer.json" --json scenario run "$file" >"$work/cluster.json"
cluster_secs=$(( $(date +%s) - start ))
start=$(date +%s)
"$cli" --json scenario run "$file" >"$work/in-process.json"
local_secs=$(( $(date +%s) - start ))
python3 - "$work/cluster.json" "$work/in-process.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
if a != b:
    import difflib
    diff = difflib.unified_diff(json.dumps(b, indent=1, sort_keys=True).splitlines(),
                                json.dumps(a, indent=1, sort_keys=True).splitlines(),
                                "in-process", "cluster", lineterm="")
    sys.exit("the cluster's report differs from the in-process one:\n" + "\n".join(diff))
print(f"{len(a['epochs'])} epoch reports and the final state: identical on the cluster and in-process")
EOF
echo "cluster run ${cluster_secs}s, in-process run ${local_secs}s"
cp "$work/cluster.json" "${OUT:-/dev/null}"
