//! Account types, one per file, each with its `invariant()` check.
pub mod auction;
pub mod config;
pub mod domain;
pub mod epoch;
pub mod model;
pub mod reward;
pub mod stake;
pub mod vault_shard;
pub mod work;

pub use auction::*;
pub use config::*;
pub use domain::*;
pub use epoch::*;
pub use model::*;
pub use reward::*;
pub use stake::*;
pub use vault_shard::*;
pub use work::*;
