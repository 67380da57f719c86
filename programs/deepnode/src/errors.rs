//! Every failure of the program, each with its own code and a message a user understands.
use anchor_lang::prelude::*;

/// Program errors (Anchor numbers them from 6000 in this order: append only).
#[error_code]
pub enum DeepNodeError {
    // --- governance (6000..) ---
    /// 6000
    #[msg("Signer is not the program's upgrade authority")]
    NotUpgradeAuthority,
    /// 6001
    #[msg("Signer is not the governance authority")]
    NotGovernance,
    /// 6002
    #[msg("Signer is not the pending authority")]
    NotPendingAuthority,
    /// 6003
    #[msg("No authority transfer is pending")]
    NoPendingAuthority,
    /// 6004
    #[msg("The protocol is paused")]
    ProtocolPaused,
    /// 6005
    #[msg("The protocol is already in the requested pause state")]
    PauseUnchanged,
    /// 6006
    #[msg("DN mint authority must be the program's mint-authority PDA")]
    DnMintAuthorityNotPda,
    /// 6007
    #[msg("DN mint must not have a freeze authority")]
    DnMintHasFreezeAuthority,
    /// 6008
    #[msg("Max supply is below the DN already in circulation")]
    MaxSupplyBelowSupply,
    /// 6009
    #[msg("Bounds are inconsistent: a minimum exceeds its maximum")]
    BoundsMinAboveMax,
    /// 6010
    #[msg("Bounds exceed the protocol's hard limits")]
    BoundsExceedLimits,
    // --- domain parameters, each against its bound (6011..) ---
    /// 6011
    #[msg("Fee bps exceeds the governance maximum")]
    FeeBpsOutOfBounds,
    /// 6012
    #[msg("Model-share ceiling exceeds the governance maximum")]
    ModelShareCeilingOutOfBounds,
    /// 6013
    #[msg("Fee bps plus model-share ceiling plus the 1% buyback exceeds 100%")]
    FeeAndShareExceedWhole,
    /// 6014
    #[msg("Miners' emission share is outside the governance range")]
    MinersSplitOutOfBounds,
    /// 6015
    #[msg("Stakers' emission share is outside the governance range")]
    StakersSplitOutOfBounds,
    /// 6016
    #[msg("Validators' emission share is outside the governance range")]
    ValidatorsSplitOutOfBounds,
    /// 6017
    #[msg("Domain owner's emission share is outside the governance range")]
    DomainOwnerSplitOutOfBounds,
    /// 6018
    #[msg("Model owners' emission share is outside the governance range")]
    ModelOwnersSplitOutOfBounds,
    /// 6019
    #[msg("Emission split must sum to 9900 bps (the foundation's 100 bps is fixed)")]
    SplitSumInvalid,
    /// 6020
    #[msg("Emission rate is outside the governance range")]
    EmissionRateOutOfBounds,
    /// 6021
    #[msg("Emission floor is outside the governance range")]
    FloorOutOfBounds,
    /// 6022
    #[msg("Emission ceiling is outside the governance range")]
    CeilingOutOfBounds,
    /// 6023
    #[msg("Emission floor exceeds the emission ceiling")]
    FloorAboveCeiling,
    /// 6024
    #[msg("Epoch duration is outside the governance range")]
    EpochDurationOutOfBounds,
    /// 6025
    #[msg("Validator quorum is outside the governance range")]
    QuorumOutOfBounds,
    /// 6026
    #[msg("Attestation tolerance exceeds the governance maximum")]
    ToleranceOutOfBounds,
    /// 6027
    #[msg("Minimum validator stake is below the governance minimum")]
    MinValidatorStakeOutOfBounds,
    /// 6028
    #[msg("Validator cap is outside the governance range")]
    MaxValidatorsOutOfBounds,
    /// 6029
    #[msg("Staker yield cap exceeds the governance maximum")]
    StakerYieldCapOutOfBounds,
    /// 6030
    #[msg("Claim window is outside the governance range")]
    ClaimWindowOutOfBounds,
    /// 6031
    #[msg("Unbonding period exceeds the governance maximum")]
    UnbondingOutOfBounds,
    /// 6032
    #[msg("Shard count is outside the governance range")]
    ShardCountOutOfBounds,
    /// 6033
    #[msg("New fee would push an existing model's share plus fee plus buyback above 100%")]
    FeeConflictsWithMintedModel,
    // --- mints (6034..) ---
    /// 6034
    #[msg("Mint has a transfer hook: refused")]
    MintHasTransferHook,
    /// 6035
    #[msg("Mint has a permanent delegate: refused")]
    MintHasPermanentDelegate,
    /// 6036
    #[msg("Mint is non-transferable: refused")]
    MintNonTransferable,
    /// 6037
    #[msg("Mint has confidential transfers: refused")]
    MintHasConfidentialTransfer,
    /// 6038
    #[msg("Mint freezes new accounts by default: refused")]
    MintDefaultFrozen,
    /// 6039
    #[msg("Mint has a close authority: refused")]
    MintHasCloseAuthority,
    /// 6040
    #[msg("Mint is pausable: refused")]
    MintPausable,
    /// 6041
    #[msg("Mint has an extension the protocol does not support")]
    MintExtensionUnsupported,
    // --- domains and shards (6042..) ---
    /// 6042
    #[msg("Shard index does not name the next shard to initialise")]
    ShardOutOfOrder,
    /// 6043
    #[msg("Shard index is beyond the domain's shard count")]
    ShardIndexOutOfRange,
    /// 6044
    #[msg("Domain is not ready: its vault shards and stake pool must all exist first")]
    DomainNotReady,
    /// 6045
    #[msg("Signer is not the domain owner")]
    NotDomainOwner,
    /// 6046
    #[msg("Signer is not the domain's fee authority")]
    NotFeeAuthority,
    /// 6047
    #[msg("Epoch is not open")]
    EpochNotOpen,
    /// 6048
    #[msg("Epoch is not the domain's current epoch")]
    EpochNotCurrent,
    // --- models (6049..) ---
    /// 6049
    #[msg("Owner share exceeds the domain's model-share ceiling")]
    OwnerShareAboveCeiling,
    /// 6050
    #[msg("Owner share plus fee plus the 1% buyback exceeds 100%")]
    OwnerShareExceedsWhole,
    /// 6051
    #[msg("Signer is not the model owner")]
    NotModelOwner,
    /// 6052
    #[msg("Signer is not the model's pending owner")]
    NotPendingModelOwner,
    /// 6053
    #[msg("No model ownership transfer is pending")]
    NoPendingModelOwner,
    /// 6054
    #[msg("Model is deactivated")]
    ModelInactive,
    /// 6055
    #[msg("Model belongs to another domain")]
    ModelWrongDomain,
    /// 6056
    #[msg("Nothing to claim")]
    NothingToClaim,
    // --- payments (6057..) ---
    /// 6057
    #[msg("Payment is below the minimum (100 base units)")]
    PaymentTooSmall,
    /// 6058
    #[msg("Batch is empty")]
    BatchEmpty,
    /// 6059
    #[msg("Batch has more lines than allowed")]
    BatchTooLarge,
    /// 6060
    #[msg(
        "Batch accounts do not match its lines (two accounts per line: model, model-epoch record)"
    )]
    BatchAccountsMismatch,
    /// 6061
    #[msg("Model-epoch record is not the PDA of this model and epoch")]
    ModelEpochMismatch,
    /// 6062
    #[msg("Account is not owned by this program")]
    AccountNotOwnedByProgram,
    /// 6063
    #[msg("DN mint must be passed writable so the buyback share can be burned")]
    MintNotWritable,
    /// 6064
    #[msg("Nothing to withdraw")]
    NothingToWithdraw,
    /// 6065
    #[msg("Arithmetic overflow")]
    MathOverflow,
    /// 6066
    #[msg("Division by zero")]
    DivisionByZero,
    /// 6067
    #[msg("Basis points out of range")]
    InvalidBps,
    /// 6068
    #[msg("Vault balance does not cover what it owes")]
    VaultUndercovered,
    // --- buyback auction (6069..) ---
    /// 6069
    #[msg("Auction duration is outside the governance range")]
    AuctionDurationOutOfBounds,
    /// 6070
    #[msg("Auction price floor is below the governance minimum")]
    AuctionFloorOutOfBounds,
    /// 6071
    #[msg("Auction reference start price is below its floor")]
    AuctionStartBelowFloor,
    /// 6072
    #[msg("Buyback vault is empty")]
    BuybackVaultEmpty,
    /// 6073
    #[msg("Current auction price is above the buyer's maximum")]
    PriceAboveLimit,
    /// 6074
    #[msg("Quantity exceeds the buyback vault's balance")]
    QuantityAboveBalance,
    /// 6075
    #[msg("Quantity must be positive")]
    ZeroQuantity,
    /// 6076
    #[msg("Nothing to move into the auction: the shard holds no buyback share")]
    NothingToFund,
    /// 6077
    #[msg(
        "Revenue mint is DN: its buyback share is burned at payment, there is nothing to auction"
    )]
    AuctionOnDnDomain,
    /// 6078
    #[msg("Account already exists")]
    AccountAlreadyInitialized,
    /// 6079
    #[msg("Account must be writable")]
    AccountNotWritable,
    /// 6080
    #[msg("The new fee authority is the current one")]
    FeeAuthorityUnchanged,
    /// 6081
    #[msg("Stake accounting is inconsistent")]
    StakeAccountingBroken,
    /// 6082
    #[msg("Epoch rewards must be recorded in epoch order")]
    EpochRewardsOutOfOrder,
    /// 6083
    #[msg("Pass the epoch of the stake position's last change")]
    WrongChangeEpoch,
    /// 6084
    #[msg(
        "An earlier stake change waits for its epoch's settlement; try again once it is settled"
    )]
    PreviousStakeChangeUnsettled,
    /// 6085
    #[msg("This miner's work record already holds the maximum number of attestations")]
    AttestationsFull,
    /// 6086
    #[msg("This validator already attested this miner for this epoch; send a revision instead")]
    AlreadyAttested,
    /// 6087
    #[msg("No attestation of this validator for this miner and epoch to revise")]
    NothingToRevise,
    /// 6088
    #[msg("Amount must be positive")]
    AmountZero,
    /// 6089
    #[msg("Amount exceeds the position's active stake")]
    InsufficientActiveStake,
    /// 6090
    #[msg("Unbonding stake cannot be withdrawn yet")]
    StakeStillUnbonding,
    /// 6091
    #[msg("Signer does not own this stake position")]
    NotStakeOwner,
    /// 6092
    #[msg("Miner is not registered in this domain")]
    MinerNotRegistered,
    /// 6093
    #[msg("Miner is already registered")]
    MinerAlreadyRegistered,
    /// 6094
    #[msg("Validator is not registered in this domain")]
    ValidatorNotRegistered,
    /// 6095
    #[msg("Validator is already registered")]
    ValidatorAlreadyRegistered,
    /// 6096
    #[msg("Validator's active stake is below the domain's minimum")]
    ValidatorStakeTooLow,
    /// 6097
    #[msg("The domain has reached its maximum number of validators")]
    ValidatorCapReached,
    /// 6098
    #[msg("A validator cannot attest its own miner")]
    SelfAttestation,
    /// 6099
    #[msg("Remaining accounts must be one [miner, work record] pair per line")]
    AttestAccountsMismatch,
    /// 6100
    #[msg("Miners must be listed in strictly increasing key order")]
    AttestationsNotSorted,
    /// 6101
    #[msg("Work record is not this miner's record for this epoch")]
    WorkRecordMismatch,
    /// 6102
    #[msg("Epoch cannot close before its end time plus the grace window")]
    EpochNotEnded,
    /// 6103
    #[msg("Closing needs the next epoch's shard counters, one per ready shard, in order")]
    EpochShardAccountsMismatch,
    /// 6104
    #[msg("Only the validator may deregister itself while its stake meets the minimum")]
    ValidatorStillEligible,
    /// 6105
    #[msg("Miner belongs to another domain")]
    MinerWrongDomain,
    /// 6106
    #[msg("A validator votes only in epochs that opened after it registered")]
    ValidatorNotYetVoting,
    /// 6107
    #[msg("Attested work units exceed the per-miner maximum")]
    UnitsAboveMaximum,
    /// 6108
    #[msg("Quorum cannot exceed the validator cap")]
    QuorumAboveMaxValidators,
    /// 6109
    #[msg("Foundation account is already this account")]
    FoundationUnchanged,
    /// 6110
    #[msg("Unstake ticket does not belong to this position and epoch")]
    TicketMismatch,
    /// 6111
    #[msg("Nothing to withdraw yet: the ticket's stake is out and its epochs are not settled")]
    TicketRewardsUnsettled,
    /// 6112
    #[msg("Attestations weigh more than the epoch's validator stake")]
    VotesAboveValidatorStake,
    // --- accounts checked by their stored fields (6113..) ---
    /// 6113
    #[msg("Account is not the protocol's config")]
    WrongConfig,
    /// 6114
    #[msg("Shard account does not belong to this domain, epoch and shard index")]
    ShardAccountMismatch,
    /// 6115
    #[msg("Vault is not the shard's token account")]
    VaultMismatch,
    /// 6116
    #[msg("Vault authority is not the domain's")]
    VaultAuthorityMismatch,
    /// 6117
    #[msg("Stake pool or position belongs to another domain")]
    StakePoolMismatch,
    // --- the crank: finalise, settle, credit payouts, claim rewards, sweep, close (6118..) ---
    /// 6118
    #[msg("Epoch is not closed: records are finalised and epochs settled only after close")]
    EpochNotClosed,
    /// 6119
    #[msg("Work record is already finalised")]
    RecordAlreadyFinalised,
    /// 6120
    #[msg("Work record is below quorum: it verifies nothing and needs no finalisation")]
    RecordBelowQuorum,
    /// 6121
    #[msg("Work record belongs to another domain")]
    WorkRecordWrongDomain,
    /// 6122
    #[msg("Work record belongs to another epoch")]
    WorkRecordWrongEpoch,
    /// 6123
    #[msg("Records that reached quorum are not all finalised yet")]
    RecordsNotFinalised,
    /// 6124
    #[msg("Epoch is already settled")]
    EpochAlreadySettled,
    /// 6125
    #[msg("Settle a domain's epochs in order: an earlier epoch is not settled yet")]
    SettleOutOfOrder,
    /// 6126
    #[msg("Epoch is not settled yet")]
    EpochNotSettled,
    /// 6127
    #[msg("Epoch has been swept: nothing more is credited from it")]
    EpochAlreadySwept,
    /// 6128
    #[msg("This payout has already been credited")]
    AlreadyCredited,
    /// 6129
    #[msg("The claim window of this epoch has passed")]
    ClaimWindowClosed,
    /// 6130
    #[msg("The claim window is still open: sweep after it passes")]
    ClaimWindowOpen,
    /// 6131
    #[msg("Credits would exceed the epoch's pool")]
    PoolOverdrawn,
    /// 6132
    #[msg("Reward balance is not the recipient's in this domain")]
    RewardAccountMismatch,
    /// 6133
    #[msg("Rent must go back to the account that paid it")]
    RentPayerMismatch,
    /// 6134
    #[msg(
        "Destination token account cannot receive this payout (owner, mint, state or extensions)"
    )]
    DestinationRefused,
    /// 6135
    #[msg("More validators voted than an epoch records")]
    ScoreTableFull,
    /// 6136
    #[msg("Accounts of a batch must be given in strictly increasing order")]
    AccountsNotIncreasing,
    /// 6137
    #[msg("Account may still prevent a double claim or feed a step: close it later")]
    CloseNotAllowedYet,
    /// 6138
    #[msg("Account is not one this instruction closes")]
    NotClosable,
    /// 6139
    #[msg("Emission period account does not match the epoch's end time")]
    PeriodMismatch,
    /// 6140
    #[msg("Accounts do not match the credit lines")]
    CreditAccountsMismatch,
    /// 6141
    #[msg("Account is not the protocol's foundation account")]
    FoundationMismatch,
    /// 6142
    #[msg("Validator has no agreeing attestation in this epoch")]
    NoValidatorScore,
    /// 6143
    #[msg("Account is not the expected epoch of this domain (the next one, or the open one)")]
    NextEpochMismatch,
    /// 6144
    #[msg("Accounts do not match the claim lines")]
    ClaimAccountsMismatch,
    /// 6145
    #[msg("Epoch belongs to another domain")]
    EpochWrongDomain,
    /// 6146
    #[msg("Validator belongs to another domain")]
    ValidatorWrongDomain,
    /// 6147
    #[msg("This shard's pool share is already in the reward vault")]
    ShardAlreadyFunded,
    /// 6148
    #[msg("Fund the reward vault from every shard (fund_reward_vault) before settling")]
    ShardsNotFunded,
    /// 6149
    #[msg("Epoch book does not belong to this domain and epoch")]
    EpochBookMismatch,
    /// 6150
    #[msg("Token account does not belong to the claimant")]
    TokenAccountOwnerMismatch,
    /// 6151
    #[msg("Token account is not an account of this mint and its token program")]
    TokenAccountMintMismatch,
    /// 6152
    #[msg(
        "Governance requires every domain to set max_emission_value_bps (the emission value guard)"
    )]
    EmissionValueGuardRequired,
    /// 6153
    #[msg("max_emission_value_bps is above governance's bound")]
    EmissionValueGuardOutOfBounds,
    /// 6154
    #[msg("close_grace_secs is outside governance's bounds")]
    CloseGraceOutOfBounds,
    /// 6155
    #[msg("Governance requires every domain to attest by commit and reveal")]
    CommitRevealRequiredByGovernance,
    /// 6156
    #[msg("This domain attests by commit and reveal: commit the batches, then reveal them")]
    CommitRevealRequired,
    /// 6157
    #[msg("This domain does not use commit-reveal: attest directly")]
    CommitRevealOff,
    /// 6158
    #[msg("The epoch has ended: nothing can be committed for it any more")]
    CommitAfterEnd,
    /// 6159
    #[msg("Batches are revealed after the epoch's end, in its close grace window")]
    RevealBeforeEnd,
    /// 6160
    #[msg("The epoch has closed: its batches can no longer be revealed")]
    RevealAfterClose,
    /// 6161
    #[msg("The batch does not match the validator's commitment (lines, salt, index or path)")]
    RevealMismatch,
    /// 6162
    #[msg("A revealed line is a new attestation: it cannot be a revision")]
    RevealCannotRevise,
    /// 6163
    #[msg("A commitment covers between 1 and 1,048,576 batches")]
    CommitmentBatchesOutOfBounds,
    /// 6164
    #[msg("Commitment does not belong to this domain, validator and epoch")]
    CommitmentMismatch,
    /// 6165
    #[msg("The validator set has room: register without displacing anyone")]
    DisplacementNotNeeded,
    /// 6166
    #[msg(
        "The validator to displace and its stake position do not belong together in this domain"
    )]
    DisplacedValidatorMismatch,
    /// 6167
    #[msg("The validator to displace is not registered")]
    DisplacedNotRegistered,
    /// 6168
    #[msg("Displacing a validator needs strictly more stake active in the next epoch than it has")]
    StakeNotAboveDisplaced,
    /// 6169
    #[msg("This shard has recorded the most revenue one epoch may hold: pay through another shard, or in the next epoch")]
    EpochRevenueFull,
    /// 6170
    #[msg("offset_bps is above governance's bound (or above 10000)")]
    OffsetOutOfBounds,
    /// 6171
    #[msg(
        "A domain paid in DN offsets nothing: its payments already buy DN (offset_bps must be 0)"
    )]
    OffsetOnDnDomain,
    /// 6172
    #[msg("The offset reserve is not the domain's")]
    OffsetReserveMismatch,
    /// 6173
    #[msg("An account's state is incoherent after the instruction (an invariant broke)")]
    InvariantBroken,
}

impl From<deepnode_math::MathError> for DeepNodeError {
    fn from(e: deepnode_math::MathError) -> Self {
        match e {
            deepnode_math::MathError::Overflow => DeepNodeError::MathOverflow,
            deepnode_math::MathError::DivisionByZero => DeepNodeError::DivisionByZero,
            deepnode_math::MathError::InvalidBps => DeepNodeError::InvalidBps,
            deepnode_math::MathError::VotesAboveTotal => DeepNodeError::VotesAboveValidatorStake,
        }
    }
}

/// Converts a math-crate result into a program result with the matching typed error,
/// logged with the caller's file and line.
#[track_caller]
#[inline]
pub fn math<T>(r: core::result::Result<T, deepnode_math::MathError>) -> Result<T> {
    match r {
        Ok(v) => Ok(v),
        Err(e) => Err(at_caller(DeepNodeError::from(e))),
    }
}

/// `e` raised at the caller's file and line (what the program log names when the
/// transaction fails).
#[track_caller]
#[cold]
#[inline(never)]
pub fn at_caller(e: DeepNodeError) -> Error {
    let here = core::panic::Location::caller();
    Error::from(e).with_source(Source {
        filename: here.file(),
        line: here.line(),
    })
}

/// Checked arithmetic's failure as [`DeepNodeError::MathOverflow`] raised where the step
/// is written: one code for every overflow (clients handle them alike), and the program
/// log names the file and line of the step that failed (`#[track_caller]`), which is what
/// an operator needs and ~100 separate codes would not add to.
pub trait OrOverflow<T> {
    /// The value, or `MathOverflow` raised at the caller's line.
    fn or_overflow(self) -> Result<T>;
}

impl<T> OrOverflow<T> for Option<T> {
    #[track_caller]
    #[inline]
    fn or_overflow(self) -> Result<T> {
        match self {
            Some(v) => Ok(v),
            None => Err(at_caller(DeepNodeError::MathOverflow)),
        }
    }
}

impl<T> OrOverflow<T> for core::result::Result<T, core::num::TryFromIntError> {
    #[track_caller]
    #[inline]
    fn or_overflow(self) -> Result<T> {
        match self {
            Ok(v) => Ok(v),
            Err(_) => Err(at_caller(DeepNodeError::MathOverflow)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The source an error was raised at.
    fn origin(e: &Error) -> (&'static str, u32, u32) {
        let Error::AnchorError(ae) = e else {
            panic!("not an Anchor error: {e:?}");
        };
        let Some(ErrorOrigin::Source(s)) = &ae.error_origin else {
            panic!("no source: {ae:?}");
        };
        (s.filename, s.line, ae.error_code_number)
    }

    /// A failed checked step names the line that wrote it, with the one overflow code.
    #[test]
    fn overflow_names_the_callers_line() {
        let e = u64::MAX.checked_add(1).or_overflow().unwrap_err();
        let line = line!() - 1;
        assert_eq!(origin(&e), (file!(), line, 6065));
        let e = u8::try_from(300u32).or_overflow().unwrap_err();
        let line = line!() - 1;
        assert_eq!(origin(&e), (file!(), line, 6065));
        let e = math(deepnode_math::mul_div_floor(1, 1, 0)).unwrap_err();
        let line = line!() - 1;
        assert_eq!(origin(&e), (file!(), line, 6066));
        assert_eq!(Some(7u64).or_overflow().unwrap(), 7);
    }
}
