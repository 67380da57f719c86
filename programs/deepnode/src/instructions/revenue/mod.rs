//! Revenue routing: single payments, processor batches, fee withdrawal.
pub mod pay;
pub mod route;
pub mod settle_batch;
pub mod withdraw_fees;

#[allow(ambiguous_glob_reexports)]
pub use pay::*;
#[allow(ambiguous_glob_reexports)]
pub use route::*;
#[allow(ambiguous_glob_reexports)]
pub use settle_batch::*;
#[allow(ambiguous_glob_reexports)]
pub use withdraw_fees::*;
