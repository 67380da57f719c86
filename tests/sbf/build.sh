#!/usr/bin/env bash
# Builds programs/deepnode to an SBPF v0 `.so` (target/deploy/deepnode.so), and the
# panic probe beside it (target/deploy/panic_probe.so, tests/sbf_panic.rs), from the public
# registries alone: Debian's rustc-web 1.96 compiles the program and std for a custom
# `bpfel` target (-Zbuild-std) and sbpf-linker 0.2.6, built against a static LLVM 23.1.1
# from PyPI, links it. SBPF v0 because solana-program-test 3.1.12 loads v0 and rejects v3.
#
# This is upstream LLVM with workarounds, for testing and measuring compute units here;
# production deployments use `anchor build` (Anza's platform-tools). README: "SBF build".
#
# Idempotent: every stage leaves a stamp in the cache folder and is skipped when done.
#   DEEPNODE_SBF_CACHE  the toolchain cache (default ~/.cache/deepnode-sbf)
#   DEEPNODE_SBF_ARCH   v0 (default) or v3
#   DEEPNODE_SBF_HEAP_REPORT=1  build with the `heap-report` feature (each event logs the
#                       heap its instruction used) into target/deploy/deepnode.heap.so
#   DEEPNODE_SBF_STACK_REPORT=N  instead of writing the .so, relink with a stack limit of
#                       N bytes and list the functions whose frame exceeds N (the real
#                       limit stays 4,096: the next normal run relinks)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export DEEPNODE_SBF_CACHE="${DEEPNODE_SBF_CACHE:-$HOME/.cache/deepnode-sbf}"
cache="$DEEPNODE_SBF_CACHE"
arch="${DEEPNODE_SBF_ARCH:-v0}"
mkdir -p "$cache"
t0=$(date +%s)
step() { printf '[sbf %4ds] %s\n' "$(( $(date +%s) - t0 ))" "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. Debian's compiler with its std sources, and LLVM 22's assembler for the i128 shim.
debian_rustc=/usr/bin/rustc
llvm_as=/usr/lib/llvm-22/bin/llvm-as
if ! "$debian_rustc" --version 2>/dev/null | grep -q '^rustc 1\.96' || [ ! -x "$llvm_as" ] \
   || [ ! -d /usr/lib/rustlib/src/rust/library ]; then
  step "installing rustc-web, cargo-web, rust-web-src, llvm-22 (apt)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    rustc-web cargo-web rust-web-src llvm-22 zlib1g-dev libzstd-dev >/dev/null
fi
"$debian_rustc" --version | grep -q '^rustc 1\.96' || { echo "need Debian rustc-web 1.96, got: $("$debian_rustc" --version)" >&2; exit 1; }

# 2. sbpf-linker 0.2.6 on a static LLVM 23.1.1 (PyPI wheels with the BPF backend), with one
#    fix for SBPF v0. LLVM passes a call's sixth and later arguments on the stack: the caller
#    stores them just above its frame pointer and the callee reads them at the bottom of its
#    own frame, which assumes frames are contiguous. SBPF v0 frames have a gap of one frame
#    between them (solana-program-test runs v0 that way), so the caller's stores must land
#    one frame size higher, at the callee's frame. linker-v0-stack-args.py makes that change.
linker="$cache/tools/bin/sbpf-linker"
linker_stamp="$cache/tools/.linker-$(sha256sum "$here/linker-v0-stack-args.py" | cut -c1-16)"
if [ ! -f "$linker_stamp" ] || ! "$linker" --version 2>/dev/null | grep -q 'sbpf-linker 0.2.6'; then
  step "building sbpf-linker 0.2.6 against LLVM 23.1.1 (about 5 minutes cold)"
  mkdir -p "$cache/llvm23"
  if [ ! -d "$cache/llvm23/mlc_llvm_static/static/lib" ]; then
    python3 -m pip download -q --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 \
      -d "$cache/llvm23" mlc-llvm-static==23.1.1.post0 mlc-llvm-static-extra-targets==23.1.1.post0
    for wheel in "$cache"/llvm23/mlc_llvm_static*.whl; do
      python3 -m zipfile -e "$wheel" "$cache/llvm23"
    done
  fi
  # The published sources, fetched by cargo into its registry, copied and fixed.
  mkdir -p "$cache/linker-fetch/src"
  printf '[package]\nname = "linker-fetch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nsbpf-linker = "=0.2.6"\n' \
    > "$cache/linker-fetch/Cargo.toml"
  touch "$cache/linker-fetch/src/lib.rs"
  (cd "$cache/linker-fetch" && cargo fetch -q)
  src=$(cd "$cache/linker-fetch" && cargo metadata -q --format-version 1 | python3 -c '
import json, os, sys
print(next(os.path.dirname(p["manifest_path"]) for p in json.load(sys.stdin)["packages"] if p["name"] == "sbpf-linker"))')
  rm -rf "$cache/linker-src" && cp -a "$src" "$cache/linker-src" && rm -f "$cache/linker-src/rust-toolchain.toml"
  python3 "$here/linker-v0-stack-args.py" "$cache/linker-src"
  llvm="$cache/llvm23/mlc_llvm_static/static"
  (cd "$cache" && LLVM_PREFIX="$llvm" LLVM_SYS_231_PREFIX="$llvm" ZLIB_PATH="$llvm/lib" LIBZSTD_PATH="$llvm/lib" \
    CARGO_TARGET_DIR="$cache/linker-target" \
    cargo install -q --force --path "$cache/linker-src" --locked --no-default-features \
    --features bpf-linker/llvm-23,bpf-linker/llvm-link-static --root "$cache/tools")
  rm -f "$cache"/tools/.linker-* && touch "$linker_stamp"
  # cargo does not track the linker: relink the program.
  rm -rf "$cache"/target-*/bpfel-deepnode/release/.fingerprint/deepnode-*
fi

# 3. A patched copy of std: panics reach the program's handler and abort, no writable globals.
std_stamp="$cache/rust-src/.patched-$(sha256sum "$here/std.patch" | cut -c1-16)"
if [ ! -f "$std_stamp" ]; then
  step "patching a copy of std"
  rm -rf "$cache/rust-src" && mkdir -p "$cache/rust-src"
  cp -a /usr/lib/rustlib/src/rust/library "$cache/rust-src/"
  (cd "$cache/rust-src" && patch -s -p1 < "$here/std.patch")
  touch "$std_stamp"
fi

# 4. The i128 libcall shim.
if [ ! -f "$cache/i128-shim.bc" ] || [ "$here/i128-shim.ll" -nt "$cache/i128-shim.bc" ]; then
  step "assembling the i128 shim"
  "$llvm_as" "$here/i128-shim.ll" -o "$cache/i128-shim.bc"
fi

# 5. The project's sources in a build folder of the cache, with two crates patched there:
#    solana-zk-sdk as an rlib only (it declares cdylib, which cargo would try to link as its
#    own SBF program) and solana-compiler-builtins with its i128 functions renamed for the shim.
work="$cache/work"
step "copying the project's sources"
rm -rf "$work" && mkdir -p "$work"
(cd "$root" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf -) | (cd "$work" && tar -xf -)
crate_dir() { # path of a locked dependency's sources in cargo's registry
  (cd "$root" && cargo metadata -q --locked --format-version 1) | python3 -c '
import json, os, sys
name, version = sys.argv[1], sys.argv[2]
for p in json.load(sys.stdin)["packages"]:
    if p["name"] == name and p["version"] == version:
        print(os.path.dirname(p["manifest_path"])); break
else:
    sys.exit(f"{name} {version} is not in Cargo.lock")' "$1" "$2"
}
patched="$cache/crates"
if [ ! -f "$patched/.done" ]; then
  step "preparing patched copies of solana-zk-sdk and solana-compiler-builtins"
  (cd "$root" && cargo fetch -q --locked)
  rm -rf "$patched" && mkdir -p "$patched"
  cp -a "$(crate_dir solana-zk-sdk 4.0.0)" "$patched/solana-zk-sdk"
  cp -a "$(crate_dir solana-compiler-builtins 0.3.0)" "$patched/solana-compiler-builtins"
  python3 - "$patched/solana-zk-sdk/Cargo.toml" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
new, n = re.subn(r'crate-type = \[[^\]]*\]', 'crate-type = ["rlib"]', text, count=1)
assert n == 1, "crate-type not found in solana-zk-sdk"
open(path, "w").write(new)
PY
  for f in multi3 udivti3 umodti3; do
    grep -q "pub unsafe fn __$f(" "$patched/solana-compiler-builtins/src/lib.rs" \
      || { echo "__$f not found in solana-compiler-builtins" >&2; exit 1; }
    sed -i "s/pub unsafe fn __$f(/pub unsafe fn __deepnode_rs_$f(/" "$patched/solana-compiler-builtins/src/lib.rs"
  done
  touch "$patched/.done"
fi

# 6. The build itself.
if [ "$arch" = v3 ]; then cpu=v4; else cpu=v2; fi
step "building programs/deepnode and tests/sbf/panic-probe for SBPF $arch"
report="${DEEPNODE_SBF_STACK_REPORT:-}"
# cargo tracks neither the linker nor the wrapper's report mode: relink around a report.
if [ -n "$report" ]; then rm -rf "$cache"/target-*/bpfel-deepnode/release/.fingerprint/{deepnode,panic-probe}-*; fi
(
  cd "$work"
  export RUSTC="$debian_rustc" RUSTC_BOOTSTRAP=1 RUSTC_WRAPPER="$here/rustc-wrapper.sh"
  export __CARGO_TESTS_ONLY_SRC_ROOT="$cache/rust-src/library"
  export CARGO_TARGET_DIR="$cache/target-$arch"
  flags=(
    "-C linker=$linker" "-C panic=abort" "-C relocation-model=static" "-C target-cpu=$cpu"
    "-C target-feature=+allows-misaligned-mem-access" "-C link-arg=--arch=$arch"
    "-C link-arg=--llvm-args=--bpf-stack-size=4096"
    # Instructions SBPF v0 lacks, and jump tables the loader rejects.
    "-C link-arg=--llvm-args=--disable-movsx" "-C link-arg=--llvm-args=--disable-ldsx"
    "-C link-arg=--llvm-args=--disable-gotox" "-C link-arg=--llvm-args=--disable-bswap"
    # SBF has no atomics; the program is single-threaded.
    "-C passes=lower-atomic"
  )
  export RUSTFLAGS="${flags[*]}"
  # rustc warns once per crate that a target feature is unstable: the log keeps the noise,
  # and is printed only when the build fails.
  features=()
  if [ -n "${DEEPNODE_SBF_HEAP_REPORT:-}" ]; then features=(--features deepnode/heap-report); fi
  if ! /usr/bin/cargo build --release -p deepnode -p panic-probe "${features[@]}" -Zbuild-std=std,panic_abort -Zjson-target-spec \
    --target "$here/bpfel-deepnode.json" \
    --config "patch.crates-io.solana-zk-sdk.path=\"$patched/solana-zk-sdk\"" \
    --config "patch.crates-io.solana-compiler-builtins.path=\"$patched/solana-compiler-builtins\"" \
    > "$cache/build-$arch.log" 2>&1; then
    # A report build may fail after LLVM's diagnostics (the frames it lists no longer fit).
    [ -n "${DEEPNODE_SBF_STACK_REPORT:-}" ] && exit 0
    cat "$cache/build-$arch.log" >&2
    echo "SBF build failed (log: $cache/build-$arch.log)" >&2
    exit 1
  fi
)
if [ -n "$report" ]; then
  rm -rf "$cache"/target-*/bpfel-deepnode/release/.fingerprint/{deepnode,panic-probe}-*
  step "functions whose stack frame exceeds $report bytes:"
  grep -o "in function [^ ]*" "$cache/build-$arch.log" | sort -u | sed 's/^in function /  /' || true
  exit 0
fi
mkdir -p "$root/target/deploy"
for name in deepnode panic_probe; do
  so="$cache/target-$arch/bpfel-deepnode/release/lib$name.so"
  out="$root/target/deploy/$name"
  if [ -n "${DEEPNODE_SBF_HEAP_REPORT:-}" ]; then out="$out.heap"; fi
  if [ "$arch" != v0 ]; then out="$out.$arch"; fi
  out="$out.so"
  cp "$so" "$out"
  step "wrote $out ($(stat -c %s "$out") bytes)"
done
