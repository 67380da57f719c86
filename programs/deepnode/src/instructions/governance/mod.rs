//! Governance: initialisation, bounds, authority rotation, pause, foundation account.
pub mod accept_authority;
pub mod initialize;
pub mod initialize_with_new_mint;
pub mod propose_authority;
pub mod set_foundation;
pub mod set_paused;
pub mod update_bounds;

#[allow(ambiguous_glob_reexports)]
pub use accept_authority::*;
#[allow(ambiguous_glob_reexports)]
pub use initialize::*;
#[allow(ambiguous_glob_reexports)]
pub use initialize_with_new_mint::*;
#[allow(ambiguous_glob_reexports)]
pub use propose_authority::*;
#[allow(ambiguous_glob_reexports)]
pub use set_foundation::*;
#[allow(ambiguous_glob_reexports)]
pub use set_paused::*;
#[allow(ambiguous_glob_reexports)]
pub use update_bounds::*;
