//! Verified work: miners and validators register; validators attest miners' work.
pub mod attest;
pub mod commit_attestations;
pub mod deregister_miner;
pub mod deregister_validator;
pub mod register_miner;
pub mod register_validator;
pub mod reveal_attestations;

#[allow(ambiguous_glob_reexports)]
pub use attest::*;
#[allow(ambiguous_glob_reexports)]
pub use commit_attestations::*;
#[allow(ambiguous_glob_reexports)]
pub use deregister_miner::*;
#[allow(ambiguous_glob_reexports)]
pub use deregister_validator::*;
#[allow(ambiguous_glob_reexports)]
pub use register_miner::*;
#[allow(ambiguous_glob_reexports)]
pub use register_validator::*;
#[allow(ambiguous_glob_reexports)]
pub use reveal_attestations::*;
