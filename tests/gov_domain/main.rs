//! Integration tests of governance and domain instructions (see tests/README.md).
//! Every negative test asserts the exact error.
mod authority;
mod bounds;
mod common;
mod create_domain;
mod domain_settings;
mod init_shard;
mod initialize;
mod pause;
mod token2022;
