//! Integration tests: the real program in `solana-program-test`, one module per
//! instruction family. Every negative test asserts the exact error code.
mod batch;
mod buyback;
mod common;
mod counters;
mod fees;
mod governance;
mod migrations;
mod models;
mod payments;
mod prefund;
