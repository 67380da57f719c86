//! Domains: creation (governance co-signs), shard initialisation, settings changes.
pub mod create_domain;
pub mod init_shard;
pub mod set_fee_authority;
pub mod update_domain_settings;

#[allow(ambiguous_glob_reexports)]
pub use create_domain::*;
#[allow(ambiguous_glob_reexports)]
pub use init_shard::*;
#[allow(ambiguous_glob_reexports)]
pub use set_fee_authority::*;
#[allow(ambiguous_glob_reexports)]
pub use update_domain_settings::*;
