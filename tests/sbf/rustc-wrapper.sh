#!/usr/bin/env bash
# RUSTC_WRAPPER for the SBF build (build.sh). Every crate compiled for the custom BPF target
# except std itself gets `--cfg target_os="solana"`, so the Solana crates take their on-chain
# code paths while std keeps seeing os = "zkvm". The final link of the program (cdylib) also
# gets the i128 libcall shim (i128-shim.ll, compiled by build.sh). With
# DEEPNODE_SBF_STACK_REPORT=N the program is linked with a stack limit of N bytes and
# non-fatal LLVM errors, so that LLVM names every function whose frame exceeds N
# (build.sh --stack-report).
rustc="$1"
shift
bpf=0
std_crate=0
cdylib=0
prev=""
args=()
for arg in "$@"; do
  if [ -n "${DEEPNODE_SBF_STACK_REPORT:-}" ] && [ "$arg" = "link-arg=--llvm-args=--bpf-stack-size=4096" ]; then
    arg="link-arg=--llvm-args=--bpf-stack-size=$DEEPNODE_SBF_STACK_REPORT"
  fi
  args+=("$arg")
  case "$arg" in
    *bpfel-deepnode*) bpf=1 ;;
    */library/*) std_crate=1 ;;
  esac
  if [ "$prev" = "--crate-type" ] && [ "$arg" = cdylib ]; then cdylib=1; fi
  prev="$arg"
done
extra=()
if [ "$bpf" = 1 ] && [ "$std_crate" = 0 ]; then
  extra+=(-A explicit_builtin_cfgs_in_flags --cfg 'target_os="solana"')
  if [ "$cdylib" = 1 ]; then
    extra+=(-C "link-arg=${DEEPNODE_SBF_CACHE:?}/i128-shim.bc")
    if [ -n "${DEEPNODE_SBF_STACK_REPORT:-}" ]; then extra+=(-C "link-arg=--fatal-errors=false"); fi
  fi
fi
exec "$rustc" "${args[@]}" "${extra[@]}"
