//! A domain's offset emissions as clients read them (PROTOCOL.md §14): the offset stock
//! for sale in its auction and its offset reserve, by the auction's ledger and by the
//! reserve's token balance (which invariant 2 keeps equal).
use anchor_lang::prelude::Pubkey;
use deepnode::state::Auction;

use crate::cluster::{read, Cluster, ClusterError};
use crate::{pda, tokens};

/// A domain's offset state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OffsetView {
    /// Offset stock for sale in the auction (revenue base units).
    pub stock_for_sale: u64,
    /// Everything for sale in the auction (buyback and offset stock).
    pub for_sale: u64,
    /// DN the reserve holds by the auction's ledger (paid in minus paid out).
    pub reserve: u64,
    /// DN the reserve's token account holds.
    pub reserve_balance: u64,
    /// DN paid into the reserve over its life.
    pub reserve_in: u64,
    /// DN paid out of it to the roles over its life (not minted).
    pub reserve_out: u64,
}

/// The offset state of `domain`: zero for a domain without an auction (or without a
/// reserve, before its stake pool exists).
pub async fn offset_view(
    cluster: &mut impl Cluster,
    domain: &Pubkey,
) -> Result<OffsetView, ClusterError> {
    let reserve_key = pda::offset_reserve(domain);
    let reserve_balance = match cluster.account(&reserve_key).await? {
        Some(_) => tokens::balance(cluster, &reserve_key).await?,
        None => 0,
    };
    let Some(a) = read::<Auction>(cluster, &pda::auction(domain)).await? else {
        return Ok(OffsetView {
            reserve_balance,
            ..OffsetView::default()
        });
    };
    Ok(OffsetView {
        stock_for_sale: a.offset_available,
        for_sale: a.available,
        reserve: a.reserve_in.saturating_sub(a.reserve_out),
        reserve_balance,
        reserve_in: a.reserve_in,
        reserve_out: a.reserve_out,
    })
}
