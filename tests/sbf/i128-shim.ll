; The 128-bit libcalls as LLVM 23's BPF backend calls them: `i128 f(i128, i128)`, result in
; registers. rustc 1.96 compiles the Rust implementations in solana-compiler-builtins with a
; result pointer instead, so build.sh renames those (crates/solana-compiler-builtins.patch)
; and these three wrappers adapt one convention to the other.
target datalayout = "e-m:e-p:64:64-i64:64-i128:128-n32:64-S128"
target triple = "bpfel"

declare void @__deepnode_rs_multi3(ptr sret([16 x i8]) align 16, i128, i128)
declare void @__deepnode_rs_udivti3(ptr sret([16 x i8]) align 16, i128, i128)
declare void @__deepnode_rs_umodti3(ptr sret([16 x i8]) align 16, i128, i128)

define i128 @__multi3(i128 %a, i128 %b) {
  %out = alloca [16 x i8], align 16
  call void @__deepnode_rs_multi3(ptr sret([16 x i8]) align 16 %out, i128 %a, i128 %b)
  %r = load i128, ptr %out, align 16
  ret i128 %r
}

define i128 @__udivti3(i128 %a, i128 %b) {
  %out = alloca [16 x i8], align 16
  call void @__deepnode_rs_udivti3(ptr sret([16 x i8]) align 16 %out, i128 %a, i128 %b)
  %r = load i128, ptr %out, align 16
  ret i128 %r
}

define i128 @__umodti3(i128 %a, i128 %b) {
  %out = alloca [16 x i8], align 16
  call void @__deepnode_rs_umodti3(ptr sret([16 x i8]) align 16 %out, i128 %a, i128 %b)
  %r = load i128, ptr %out, align 16
  ret i128 %r
}
