//! Account types, one per file, each with its `invariant()` check.
pub mod auction;
pub mod commitment;
pub mod config;
pub mod domain;
pub mod epoch;
pub mod model;
pub mod reward;
pub mod stake;
pub mod vault_shard;
pub mod work;

pub use auction::*;
pub use commitment::*;
pub use config::*;
pub use domain::*;
pub use epoch::*;
pub use model::*;
pub use reward::*;
pub use stake::*;
pub use vault_shard::*;
pub use work::*;

use anchor_lang::prelude::*;

use crate::errors::OrOverflow;

/// Adds `dn` and `rev` to a pair of owed balances (a reward balance's, a stake
/// position's), failing on overflow.
pub fn add_owed_pair(dn_owed: &mut u64, rev_owed: &mut u64, dn: u64, rev: u64) -> Result<()> {
    *dn_owed = dn_owed.checked_add(dn).or_overflow()?;
    *rev_owed = rev_owed.checked_add(rev).or_overflow()?;
    Ok(())
}

#[cfg(test)]
mod invariant_tests {
    use super::*;
    use crate::errors::DeepNodeError;

    /// The error an invariant broke with.
    fn broke(r: Result<()>) -> u32 {
        match r.unwrap_err() {
            Error::AnchorError(e) => e.error_code_number,
            other => panic!("not an Anchor error: {other:?}"),
        }
    }

    const BROKEN: u32 = 6173;

    /// Each account type's invariant accepts a coherent account and refuses an
    /// incoherent one with `InvariantBroken`.
    #[test]
    fn invariants_refuse_incoherent_accounts() {
        assert_eq!(u32::from(DeepNodeError::InvariantBroken), BROKEN);
        let k = Pubkey::new_unique();
        let mut miner = Miner {
            version: 1,
            bump: 255,
            domain: k,
            authority: k,
            active: true,
            registered_epoch: 4,
            reserved: [0; 16],
        };
        miner.invariant(4).unwrap();
        assert_eq!(broke(miner.invariant(3)), BROKEN);
        miner.registered_epoch = 0;
        miner.invariant(0).unwrap();

        let mut c = Commitment {
            version: 1,
            bump: 255,
            domain: k,
            validator: k,
            epoch: 2,
            root: [0; 32],
            batches: 2,
            revealed: 2,
            rent_payer: k,
        };
        c.invariant().unwrap();
        c.revealed = 3;
        assert_eq!(broke(c.invariant()), BROKEN);
        c.revealed = 0;
        c.batches = 0;
        assert_eq!(broke(c.invariant()), BROKEN);

        let mut me = ModelEpoch {
            version: 1,
            bump: 255,
            model: k,
            domain: k,
            epoch: 1,
            revenue: 0,
            usage_units: 0,
            payments: 0,
            rent_payer: k,
        };
        me.invariant().unwrap();
        me.usage_units = 1;
        assert_eq!(broke(me.invariant()), BROKEN);
        me.payments = 1;
        me.revenue = 500;
        me.invariant().unwrap();

        let mut rb = RewardBalance {
            version: 1,
            bump: 255,
            domain: k,
            recipient: k,
            dn_owed: 0,
            rev_owed: 0,
            dn_credited: 0,
            rev_credited: 0,
            rent_payer: k,
            reserved: [0; 32],
        };
        rb.credit(10, 7).unwrap();
        rb.invariant().unwrap();
        rb.rev_owed = 8;
        assert_eq!(broke(rb.invariant()), BROKEN);
        // Lifetime counters saturate: a balance credited past u64::MAX stays coherent.
        rb.rev_owed = 7;
        rb.dn_owed = 0;
        rb.credit(u64::MAX, 0).unwrap();
        assert_eq!(rb.dn_credited, u64::MAX);
        rb.invariant().unwrap();

        let mut p = EmissionPeriod {
            version: 1,
            bump: 255,
            index: 3,
            period_secs: 86_400,
            minted: 9,
            reserved: [0; 16],
        };
        p.invariant().unwrap();
        p.period_secs = 0;
        assert_eq!(broke(p.invariant()), BROKEN);

        let mut book = EpochBook::open(255, k, 1);
        book.invariant().unwrap();
        book.quorate_records = 2;
        book.finalised_records = 3;
        assert_eq!(broke(book.invariant()), BROKEN);
        book.finalised_records = 2;
        book.settlement.dn_pools[2] = 100;
        book.settlement.dn_credited[2] = 100;
        book.invariant().unwrap();
        book.settlement.rev_credited[5] = 1;
        assert_eq!(broke(book.invariant()), BROKEN);

        let mut t = UnstakeTicket {
            version: 1,
            bump: 255,
            domain: k,
            owner: k,
            epoch: 5,
            principal: 300,
            withdrawable_epoch: 7,
            settled_part: 200,
            checkpoint_dn: 0,
            checkpoint_rev: 0,
            pending_part: 100,
            pending_epoch: 5,
            rewards_credited: false,
        };
        t.invariant().unwrap();
        t.principal = 0;
        t.invariant().unwrap();
        t.principal = 299;
        assert_eq!(broke(t.invariant()), BROKEN);

        let mut r = WorkRecord {
            version: 1,
            bump: 255,
            domain: k,
            epoch: 1,
            count: 2,
            finalised: false,
            verified_units: 0,
            rent_payer: k,
            attestations: [Attestation::default(); 16],
        };
        r.attestations[0].validator = 3;
        r.attestations[1].validator = 5;
        r.check_attestations().unwrap();
        r.verified_units = 10;
        assert_eq!(broke(r.invariant()), BROKEN);
        r.finalised = true;
        r.invariant().unwrap();
        r.attestations[1].validator = 3;
        assert_eq!(broke(r.check_attestations()), 6086);
    }
}
