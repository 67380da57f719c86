//! Instructions grouped by actor, one per file: its args, accounts and handler together.
pub mod buyback;
pub mod crank;
pub mod domain;
pub mod governance;
pub mod models;
pub mod revenue;
pub mod staking;
pub mod work;

#[allow(ambiguous_glob_reexports)]
pub use buyback::*;
#[allow(ambiguous_glob_reexports)]
pub use crank::*;
#[allow(ambiguous_glob_reexports)]
pub use domain::*;
#[allow(ambiguous_glob_reexports)]
pub use governance::*;
#[allow(ambiguous_glob_reexports)]
pub use models::*;
#[allow(ambiguous_glob_reexports)]
pub use revenue::*;
#[allow(ambiguous_glob_reexports)]
pub use staking::*;
#[allow(ambiguous_glob_reexports)]
pub use work::*;
