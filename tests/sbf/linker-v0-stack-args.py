"""Fixes sbpf-linker 0.2.6 (sources in argv[1]) for SBPF v0's stack frame gaps.

LLVM 23 passes a call's sixth and later arguments through memory: the caller stores them
through r11 at negative offsets and the callee loads them through r11 at positive ones.
sbpf-linker rewrites the caller's stores to `r10 + n` (just above the caller's frame) and
the callee's loads to `r10 + n - frame_size` (the bottom of the callee's frame): right when
the callee's frame starts where the caller's ends. In SBPF v0 each frame is followed by an
unmapped gap of one frame size, so the callee's frame starts one frame size higher and the
caller's stores fault. For v0 the stores move up by one frame size; v3 is unchanged.
"""
import pathlib
import sys

src = pathlib.Path(sys.argv[1]) / "src"


def edit(path, old, new):
    text = path.read_text()
    if text.count(old) != 1:
        sys.exit(f"{path}: expected exactly one occurrence of {old!r}")
    path.write_text(text.replace(old, new))


fuse = src / "fuse_args_stack.rs"
edit(fuse, "    stack_frame_size: i32,\n) -> Result<(), Vec<CompileError>> {",
     "    stack_frame_size: i32,\n    store_bias: i16,\n) -> Result<(), Vec<CompileError>> {")
edit(fuse, "let Some(new_off) = off.checked_neg() else {",
     "let Some(new_off) = off.checked_neg().and_then(|o| o.checked_add(store_bias)) else {")
edit(src / "byteparser.rs", "rewrite_r11_stack_args(&mut ast, stack_frame_size)",
     "rewrite_r11_stack_args(&mut ast, stack_frame_size, if arch.is_v3() { 0 } else { stack_frame_size as i16 })")
