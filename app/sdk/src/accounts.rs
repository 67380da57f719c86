//! Typed readers for every account the program owns: one enum, decoded by the account's
//! discriminator, so a client (the CLI's views, the keeper) reads any program account
//! without knowing its type in advance.
use anchor_lang::{AccountDeserialize, Discriminator};
use deepnode::state::*;

/// A program account, decoded.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum ProgramAccount {
    /// The protocol's configuration.
    Config(Config),
    /// A domain.
    Domain(Domain),
    /// An epoch.
    Epoch(Epoch),
    /// An epoch's crank book.
    EpochBook(EpochBook),
    /// A shard's epoch revenue counter.
    EpochShard(EpochShard),
    /// A shard's vault ledger.
    VaultShard(VaultShard),
    /// A model.
    Model(Model),
    /// A model's epoch revenue record.
    ModelEpoch(ModelEpoch),
    /// A domain's buyback auction.
    Auction(Auction),
    /// A domain's stake pool.
    StakePool(StakePool),
    /// A staker's position.
    StakePosition(StakePosition),
    /// An unstake ticket.
    UnstakeTicket(UnstakeTicket),
    /// A miner.
    Miner(Miner),
    /// A validator.
    Validator(Validator),
    /// A miner's work record for one epoch.
    WorkRecord(WorkRecord),
    /// A recipient's credited balance.
    RewardBalance(RewardBalance),
    /// DN minted in one period of the global cap.
    EmissionPeriod(EmissionPeriod),
    /// A validator's commit-reveal commitment for one epoch.
    Commitment(Commitment),
}

/// Decodes `T` if `data` carries its discriminator; `None` for another type; an error
/// if it carries the discriminator but not a valid body.
fn read<T: AccountDeserialize + Discriminator>(data: &[u8]) -> Option<anchor_lang::Result<T>> {
    data.starts_with(T::DISCRIMINATOR)
        .then(|| T::try_deserialize(&mut &data[..]))
}

/// Decodes a program account of any type from its data; `None` when the data carries
/// no discriminator of this program's accounts.
pub fn read_account(data: &[u8]) -> Option<anchor_lang::Result<ProgramAccount>> {
    use ProgramAccount as A;
    macro_rules! try_types {
        ($($t:ident),*) => {
            $(if let Some(r) = read::<$t>(data) {
                return Some(r.map(A::$t));
            })*
        };
    }
    try_types!(
        Config,
        Domain,
        Epoch,
        EpochBook,
        EpochShard,
        VaultShard,
        Model,
        ModelEpoch,
        Auction,
        StakePool,
        StakePosition,
        UnstakeTicket,
        Miner,
        Validator,
        WorkRecord,
        Commitment,
        RewardBalance,
        EmissionPeriod
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::prelude::Pubkey;
    use anchor_lang::AccountSerialize;

    #[test]
    fn reads_each_type_by_its_discriminator() {
        let balance = RewardBalance {
            version: 1,
            bump: 254,
            domain: Pubkey::new_unique(),
            recipient: Pubkey::new_unique(),
            dn_owed: 7,
            rev_owed: 9,
            dn_credited: 70,
            rev_credited: 90,
            rent_payer: Pubkey::new_unique(),
            reserved: [0; 32],
        };
        let mut data = Vec::new();
        balance.try_serialize(&mut data).expect("serialise");
        match read_account(&data) {
            Some(Ok(ProgramAccount::RewardBalance(b))) => {
                assert_eq!(
                    (b.dn_owed, b.rev_owed, b.recipient),
                    (7, 9, balance.recipient)
                )
            }
            other => panic!("read as {other:?}"),
        }
        let book = EpochBook::open(253, Pubkey::new_unique(), 12);
        let mut data = Vec::new();
        book.try_serialize(&mut data).expect("serialise");
        match read_account(&data) {
            Some(Ok(ProgramAccount::EpochBook(b))) => assert_eq!((b.epoch, b.bump), (12, 253)),
            other => panic!("read as {other:?}"),
        }
        // A known discriminator with a truncated body is an error, not another type.
        let truncated = read_account(&data[..20]).expect("a known discriminator");
        assert_eq!(
            truncated.err(),
            Some(anchor_lang::error::ErrorCode::AccountDidNotDeserialize.into())
        );
        // Data of no program account.
        assert!(read_account(&[0u8; 64]).is_none());
        assert!(read_account(&[]).is_none());
    }
}
