//! Models: minting, two-step ownership transfer, deactivation, owner claims.
pub mod accept_model_owner;
pub mod claim_model_revenue;
pub mod deactivate_model;
pub mod mint_model;
pub mod propose_model_owner;

#[allow(ambiguous_glob_reexports)]
pub use accept_model_owner::*;
#[allow(ambiguous_glob_reexports)]
pub use claim_model_revenue::*;
#[allow(ambiguous_glob_reexports)]
pub use deactivate_model::*;
#[allow(ambiguous_glob_reexports)]
pub use mint_model::*;
#[allow(ambiguous_glob_reexports)]
pub use propose_model_owner::*;
