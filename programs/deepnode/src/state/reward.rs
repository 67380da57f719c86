//! What the crank credits: each recipient's balance per domain, and the DN minted per
//! period under the global cap.
use anchor_lang::prelude::*;

/// DN and revenue tokens credited to one recipient in one domain, over any number of
/// epochs, collected in one transaction. Seeds: `[REWARD_SEED, domain, recipient]`.
/// Created by whoever credits first (that caller pays the rent).
#[account]
#[derive(InitSpace, Debug)]
pub struct RewardBalance {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Domain.
    pub domain: Pubkey,
    /// The recipient's wallet: collected tokens go to token accounts it owns.
    pub recipient: Pubkey,
    /// DN credited and not yet collected (held in the domain's stake vault).
    pub dn_owed: u64,
    /// Revenue tokens credited and not yet collected (held in the reward vault).
    pub rev_owed: u64,
    /// DN credited, lifetime (saturates).
    pub dn_credited: u64,
    /// Revenue tokens credited, lifetime (saturates).
    pub rev_credited: u64,
    /// Who paid the rent.
    pub rent_payer: Pubkey,
    /// Room to grow without migration.
    pub reserved: [u8; 32],
}

impl RewardBalance {
    /// Credits `dn` and `rev`.
    pub fn credit(&mut self, dn: u64, rev: u64) -> Result<()> {
        super::add_owed_pair(&mut self.dn_owed, &mut self.rev_owed, dn, rev)?;
        self.dn_credited = self.dn_credited.saturating_add(dn);
        self.rev_credited = self.rev_credited.saturating_add(rev);
        Ok(())
    }

    /// Checks nothing is owed that was not credited (the lifetime counters saturate,
    /// so this holds even past `u64::MAX` credited).
    pub fn invariant(&self) -> Result<()> {
        require!(
            self.dn_owed <= self.dn_credited && self.rev_owed <= self.rev_credited,
            crate::errors::DeepNodeError::InvariantBroken
        );
        Ok(())
    }
}

/// DN minted by every domain's settlements in one period of the global cap.
/// Seeds: `[PERIOD_SEED, index.to_le_bytes()]`, `index = end_ts / period_secs` of the
/// settled epochs.
#[account]
#[derive(InitSpace, Debug)]
pub struct EmissionPeriod {
    /// Layout version.
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Period index.
    pub index: u64,
    /// Period length when the account was created (seconds).
    pub period_secs: u32,
    /// DN minted in this period (never above the cap in force when each mint happened).
    pub minted: u64,
    /// Room to grow without migration.
    pub reserved: [u8; 16],
}

impl EmissionPeriod {
    /// Checks the period is coherent: it has a length.
    pub fn invariant(&self) -> Result<()> {
        require!(
            self.period_secs > 0,
            crate::errors::DeepNodeError::InvariantBroken
        );
        Ok(())
    }
}
