//! Revenue routing: single payments, processor batches, fee withdrawal.
pub mod pay;
pub mod pay_batch;
pub mod route;
pub mod withdraw_fees;

#[allow(ambiguous_glob_reexports)]
pub use pay::*;
#[allow(ambiguous_glob_reexports)]
pub use pay_batch::*;
#[allow(ambiguous_glob_reexports)]
pub use route::*;
#[allow(ambiguous_glob_reexports)]
pub use withdraw_fees::*;
