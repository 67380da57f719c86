//! Buyback and burn: the descending-price auction of a domain's buyback vault (§8).
pub mod buy_back;
pub mod fund_auction;
pub mod set_auction_params;

#[allow(ambiguous_glob_reexports)]
pub use buy_back::*;
#[allow(ambiguous_glob_reexports)]
pub use fund_auction::*;
#[allow(ambiguous_glob_reexports)]
pub use set_auction_params::*;
