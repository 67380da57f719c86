//! Integration tests of staking, miners, validators, attestations and epoch closing
//! (issue: staking and verified work). Every negative test asserts the exact error;
//! scenario tests check invariants 2 and 6 after every instruction.
mod attest;
mod close_epoch;
mod commit_reveal;
mod common;
mod lifecycle;
mod registration;
mod scenarios;
pub mod stake;
