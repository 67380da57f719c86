//! The invariants of PROTOCOL.md §11 that this program's instructions touch, checked by
//! reading accounts and balances: 1 (payment parts sum to what the vault received),
//! 2 (each vault covers what it owes) and 6 (DN supply == initial + minted - burned).
use deepnode::events::RoutedLine;
use deepnode::state::{Auction, Config, Model, StakePool, VaultShard};
use deepnode_sdk::pda;
use solana_sdk::pubkey::Pubkey;

use crate::fixtures::DomainFx;
use crate::Env;

/// Invariant 1 for one routed line.
pub fn check_line(line: &RoutedLine) {
    let parts = line.owner + line.fee + line.buyback + line.pool;
    assert_eq!(
        parts, line.received,
        "invariant 1: parts {parts} != received {}",
        line.received
    );
}

impl Env {
    /// Invariant 2 for every vault of `d` (shards and buyback), plus the ledger identity
    /// that shards owe model owners exactly what the models' claimable balances add up to.
    pub async fn check_vaults(&mut self, d: &DomainFx, models: &[Pubkey]) {
        let mut model_owed = 0u64;
        for s in 0..d.shards {
            let ledger: VaultShard = self.get(pda::vault_shard(&d.keys.domain, s)).await;
            let balance = self.balance(pda::vault(&d.keys.domain, s)).await;
            let owed = ledger.model_owed + ledger.fee_owed + ledger.buyback_owed + ledger.pool_owed;
            assert!(
                balance >= owed,
                "invariant 2: shard {s} holds {balance} < owes {owed}"
            );
            model_owed += ledger.model_owed;
        }
        let mut claimable = 0u64;
        for m in models {
            let model: Model = self.get(*m).await;
            claimable += model.claimable;
        }
        assert_eq!(
            model_owed, claimable,
            "shards owe model owners what models can claim"
        );
        if self.account(pda::auction(&d.keys.domain)).await.is_some() {
            let auction: Auction = self.get(pda::auction(&d.keys.domain)).await;
            let balance = self.balance(pda::buyback_vault(&d.keys.domain)).await;
            assert!(
                balance >= auction.available,
                "invariant 2: buyback vault {balance} < {}",
                auction.available
            );
        }
    }

    /// Invariant 6: DN supply == initial + minted - burned, where burned is what DN-revenue
    /// payments burned on every shard of `domains` plus what every auction burned.
    pub async fn check_dn_supply(&mut self, dn_mint: Pubkey, domains: &[&DomainFx]) {
        let config: Config = self.get(pda::config()).await;
        let mut burned = 0u64;
        for d in domains {
            for s in 0..d.shards {
                let ledger: VaultShard = self.get(pda::vault_shard(&d.keys.domain, s)).await;
                burned += ledger.dn_burned;
            }
            if self.account(pda::auction(&d.keys.domain)).await.is_some() {
                let auction: Auction = self.get(pda::auction(&d.keys.domain)).await;
                burned += auction.dn_burned;
                // §14: the reserve holds exactly the DN paid for offset stock less what
                // settlements paid out of it; the offset stock is part of what is for sale.
                let reserve = self.balance(pda::offset_reserve(&d.keys.domain)).await;
                assert_eq!(
                    reserve,
                    auction.reserve_in - auction.reserve_out,
                    "the offset reserve's balance is its ledger's"
                );
                assert!(auction.offset_available <= auction.available);
            }
            if self
                .account(pda::stake_pool(&d.keys.domain))
                .await
                .is_some()
            {
                let pool: StakePool = self.get(pda::stake_pool(&d.keys.domain)).await;
                burned += pool.dn_burned;
            }
        }
        let supply = self.supply(dn_mint).await;
        assert_eq!(
            supply,
            config.initial_supply + config.dn_minted - burned,
            "invariant 6: supply {supply} != initial {} + minted {} - burned {burned}",
            config.initial_supply,
            config.dn_minted
        );
    }
}
