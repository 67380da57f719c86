//! The permissionless crank that moves each domain's epochs forward (PROTOCOL.md §5).
pub mod close_epoch;

#[allow(ambiguous_glob_reexports)]
pub use close_epoch::*;
