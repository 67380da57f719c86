//! One small trait for talking to a cluster, so that the keeper, the CLI and the tests
//! run the same code on the in-process runtime (`deepnode-runtime`'s `InProcess`) and on a
//! real cluster over JSON-RPC ([`crate::rpc::RpcCluster`]), every transaction asking for
//! the compute units it needs ([`budgeted`], [`crate::compute`]).
use anchor_lang::{AccountDeserialize, Discriminator};
use solana_sdk::account::Account;
use solana_sdk::instruction::{Instruction, InstructionError};
use solana_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature};
use solana_sdk::transaction::TransactionError;

use crate::errors::{decode_error, ProgramError};
use crate::{compute, limits};
use deepnode::errors::DeepNodeError;

/// Why a cluster call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClusterError {
    /// The program refused instruction `instruction` of the transaction.
    #[error("instruction {instruction} failed: {error}")]
    Program {
        /// Index of the failing instruction in the transaction.
        instruction: u8,
        /// The decoded program error.
        error: ProgramError,
    },
    /// The runtime refused the transaction for another reason.
    #[error("transaction failed: {0}")]
    Transaction(String),
    /// The cluster could not be reached or answered with an error.
    #[error("cluster unreachable or erroring: {0}")]
    Transport(String),
    /// The client asked for something that cannot be done as asked.
    #[error("{0}")]
    Usage(String),
    /// An account's data is not what it should be.
    #[error("account {key}: {reason}")]
    Decode {
        /// The account.
        key: Pubkey,
        /// What is wrong.
        reason: String,
    },
}

/// Program errors that mean another client did the crank step first (a keeper reports
/// them as raced, not failed).
pub const DONE_BY_ANOTHER: [DeepNodeError; 5] = [
    DeepNodeError::RecordAlreadyFinalised,
    DeepNodeError::ShardAlreadyFunded,
    DeepNodeError::EpochAlreadySettled,
    DeepNodeError::AlreadyCredited,
    DeepNodeError::EpochAlreadySwept,
];

/// Program errors that mean an actor has nothing to claim or withdraw yet.
pub const NOTHING_YET: [DeepNodeError; 4] = [
    DeepNodeError::NothingToClaim,
    DeepNodeError::NothingToWithdraw,
    DeepNodeError::TicketRewardsUnsettled,
    DeepNodeError::StakeStillUnbonding,
];

impl ClusterError {
    /// The program error's code, if the program refused the transaction.
    pub fn program_code(&self) -> Option<u32> {
        match self {
            ClusterError::Program { error, .. } => Some(error.code),
            _ => None,
        }
    }

    /// Whether the program refused the transaction with `e`.
    pub fn is(&self, e: DeepNodeError) -> bool {
        self.program_code() == Some(u32::from(e))
    }

    /// Whether the program refused with one of `errors`.
    pub fn is_any(&self, errors: &[DeepNodeError]) -> bool {
        errors.iter().any(|e| self.is(*e))
    }
}

impl From<TransactionError> for ClusterError {
    fn from(e: TransactionError) -> Self {
        match e {
            TransactionError::InstructionError(i, InstructionError::Custom(code)) => {
                match decode_error(code) {
                    Some(error) => ClusterError::Program {
                        instruction: i,
                        error: error.clone(),
                    },
                    None => ClusterError::Transaction(format!(
                        "instruction {i}: custom error {code}: {}",
                        framework_error(code)
                    )),
                }
            }
            other => ClusterError::Transaction(other.to_string()),
        }
    }
}

/// What a custom error code outside the program's own range means: Anchor's framework
/// errors by their documented ranges, or another program's.
pub fn framework_error(code: u32) -> &'static str {
    match code {
        100..=999 => "an Anchor instruction error (the data does not match any instruction)",
        1000..=1999 => "an Anchor IDL instruction error",
        2000..=2999 => {
            "an Anchor account constraint failed: an account is not the one the instruction \
             expects (stale state? read it again and rebuild the transaction)"
        }
        3000..=3999 => {
            "an Anchor account error: an account is missing, of another type or owned by \
             another program"
        }
        4100..=4999 => "an Anchor error (misc)",
        _ => "not a DeepNode or Anchor error: another program (a token program?) refused",
    }
}

/// A cluster the clients read and write: accounts, the program's accounts of one type,
/// the clock, and transactions signed by the cluster's fee payer and `signers`, each
/// asking for the compute units it needs ([`budgeted`]).
#[allow(async_fn_in_trait)]
pub trait Cluster {
    /// The fee payer, which also signs as caller of permissionless instructions.
    fn payer(&self) -> Pubkey;
    /// One account, if it exists.
    async fn account(&mut self, key: &Pubkey) -> Result<Option<Account>, ClusterError>;
    /// Every account of the program whose data starts with `discriminator`.
    async fn program_accounts(
        &mut self,
        discriminator: &[u8],
    ) -> Result<Vec<(Pubkey, Account)>, ClusterError>;
    /// The cluster's clock (unix seconds).
    async fn now(&mut self) -> Result<i64, ClusterError>;
    /// The priority fee this client pays, in micro-lamports per compute unit asked for
    /// (0: none).
    fn priority_fee(&self) -> u64 {
        0
    }
    /// The compute-budget instructions every transaction carries beside its own (the
    /// limit, here at its largest, and the priority fee), so that batches are packed
    /// with their bytes counted.
    fn prefix(&self) -> Vec<Instruction> {
        compute::budget(compute::MAX_TX_UNITS, self.priority_fee())
    }
    /// Every address lookup table `authority` may extend (raw accounts of the
    /// lookup-table program).
    async fn lookup_tables(
        &mut self,
        authority: &Pubkey,
    ) -> Result<Vec<(Pubkey, Account)>, ClusterError>;
    /// The compute units one transaction of exactly `instructions` (fee payer first,
    /// then `signers`; v0 through `tables` when any) would consume if sent now, or the
    /// error it would fail with. Nothing is committed.
    async fn simulate(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<u64, ClusterError>;
    /// Sends one transaction of exactly `instructions` (fee payer first, then
    /// `signers`) on a fresh blockhash and waits until it is processed: a legacy
    /// transaction when `tables` is empty, else a v0 one loading what it can from
    /// `tables`. Nothing is added: see [`Cluster::send_with_tables`].
    async fn send_exactly(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<Signature, ClusterError>;
    /// Sends one transaction of `instructions` (fee payer first, then `signers`), with
    /// the compute-budget instructions it needs ([`budgeted`]), and waits until it is
    /// processed: legacy when `tables` is empty, else v0 through `tables`. A transaction
    /// that would fail is not sent: its simulation's error is returned.
    async fn send_with_tables(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<Signature, ClusterError> {
        let instructions = budgeted(self, instructions, signers, tables).await?;
        self.send_exactly(&instructions, signers, tables).await
    }
    /// Sends one legacy transaction of `instructions` (fee payer first, then
    /// `signers`) as [`Cluster::send_with_tables`] does.
    async fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Signature, ClusterError> {
        self.send_with_tables(instructions, signers, &[]).await
    }
}

/// `instructions` with the compute-budget instructions one transaction of them needs:
/// simulated with the most a transaction may ask for, then asking for what it consumed
/// plus the margin ([`compute::limit_for`]), at the client's priority fee. Instructions
/// that carry their own compute-budget instruction come back as they are. Refused here:
/// a transaction larger than a cluster's packet, and one whose simulation fails (with
/// the simulation's error).
pub async fn budgeted<C: Cluster + ?Sized>(
    cluster: &mut C,
    instructions: &[Instruction],
    signers: &[&Keypair],
    tables: &[AddressLookupTableAccount],
) -> Result<Vec<Instruction>, ClusterError> {
    if compute::sets_budget(instructions) {
        check_size(instructions, &cluster.payer(), tables)?;
        return Ok(instructions.to_vec());
    }
    let fee = cluster.priority_fee();
    // The limit's value does not change the transaction's size.
    let probe = compute::with_budget(instructions, compute::MAX_TX_UNITS, fee);
    check_size(&probe, &cluster.payer(), tables)?;
    let units = cluster.simulate(&probe, signers, tables).await?;
    Ok(compute::with_budget(
        instructions,
        compute::limit_for(units),
        fee,
    ))
}

/// Refuses a transaction of `instructions` paid by `payer` (through `tables` when any)
/// that a cluster would not take: larger than its packet.
pub fn check_size(
    instructions: &[Instruction],
    payer: &Pubkey,
    tables: &[AddressLookupTableAccount],
) -> Result<(), ClusterError> {
    let size = if tables.is_empty() {
        Some(limits::legacy_size(instructions, payer).0)
    } else {
        limits::v0_size(instructions, payer, tables).map(|(bytes, _)| bytes)
    };
    match size {
        Some(bytes) if bytes <= limits::PACKET => Ok(()),
        Some(bytes) => Err(ClusterError::Transaction(format!(
            "the transaction is {bytes} bytes, more than the {} a cluster accepts",
            limits::PACKET
        ))),
        None => Err(ClusterError::Transaction(
            "cannot compile a v0 message: too many accounts".into(),
        )),
    }
}

/// A transaction of `instructions` paid and signed by `payer`, also signed by `signers`
/// (the payer listed once even if it is among them); an error when the signers are not
/// the ones the instructions require.
pub fn sign(
    instructions: &[Instruction],
    payer: &Keypair,
    signers: &[&Keypair],
    blockhash: solana_sdk::hash::Hash,
) -> Result<solana_sdk::transaction::Transaction, ClusterError> {
    use solana_sdk::signer::Signer;
    let mut all: Vec<&Keypair> = vec![payer];
    all.extend(signers.iter().filter(|s| s.pubkey() != payer.pubkey()));
    let mut tx =
        solana_sdk::transaction::Transaction::new_with_payer(instructions, Some(&payer.pubkey()));
    tx.try_sign(&all, blockhash).map_err(|e| {
        ClusterError::Transaction(format!("cannot sign: {e} (a required signer is missing)"))
    })?;
    Ok(tx)
}

/// A transaction of `instructions` paid and signed by `payer`, also signed by
/// `signers`: legacy when `tables` is empty (as [`sign`]), else v0 with its accounts
/// loaded from `tables` where they can be.
pub fn sign_with_tables(
    instructions: &[Instruction],
    payer: &Keypair,
    signers: &[&Keypair],
    blockhash: solana_sdk::hash::Hash,
    tables: &[AddressLookupTableAccount],
) -> Result<solana_sdk::transaction::VersionedTransaction, ClusterError> {
    use solana_sdk::signer::Signer;
    if tables.is_empty() {
        return sign(instructions, payer, signers, blockhash).map(Into::into);
    }
    let message = v0::Message::try_compile(&payer.pubkey(), instructions, tables, blockhash)
        .map_err(|e| ClusterError::Transaction(format!("cannot compile a v0 message: {e}")))?;
    let mut all: Vec<&Keypair> = vec![payer];
    all.extend(signers.iter().filter(|s| s.pubkey() != payer.pubkey()));
    solana_sdk::transaction::VersionedTransaction::try_new(VersionedMessage::V0(message), &all)
        .map_err(|e| {
            ClusterError::Transaction(format!("cannot sign: {e} (a required signer is missing)"))
        })
}

/// Decodes an Anchor account, naming the account when it is not what it should be.
pub fn decode_account<T: AccountDeserialize>(key: &Pubkey, data: &[u8]) -> Result<T, ClusterError> {
    crate::decode::<T>(data).map_err(|e| ClusterError::Decode {
        key: *key,
        reason: e.to_string(),
    })
}

/// Reads and decodes one program account, if it exists.
pub async fn read<T: AccountDeserialize>(
    cluster: &mut impl Cluster,
    key: &Pubkey,
) -> Result<Option<T>, ClusterError> {
    match cluster.account(key).await? {
        Some(a) if a.owner == crate::PROGRAM_ID => decode_account(key, &a.data).map(Some),
        Some(a) => Err(ClusterError::Decode {
            key: *key,
            reason: format!("owned by {}, not the DeepNode program", a.owner),
        }),
        None => Ok(None),
    }
}

/// A sysvar account of the cluster, decoded.
async fn sysvar<T: serde::de::DeserializeOwned>(
    cluster: &mut impl Cluster,
    key: Pubkey,
) -> Result<T, ClusterError> {
    let account = cluster
        .account(&key)
        .await?
        .ok_or_else(|| ClusterError::Decode {
            key,
            reason: "no such sysvar".into(),
        })?;
    bincode::deserialize(&account.data).map_err(|e| ClusterError::Decode {
        key,
        reason: e.to_string(),
    })
}

/// The cluster's `Clock` sysvar (its slot: what a lookup table's addresses are usable
/// from).
pub async fn clock(cluster: &mut impl Cluster) -> Result<solana_sdk::clock::Clock, ClusterError> {
    sysvar(cluster, solana_sdk::sysvar::clock::ID).await
}

/// The cluster's `Rent` sysvar (what an account of a given size must hold).
pub async fn rent(cluster: &mut impl Cluster) -> Result<solana_sdk::rent::Rent, ClusterError> {
    sysvar(cluster, solana_sdk::sysvar::rent::ID).await
}

/// Every program account of type `T`, decoded, in key order.
pub async fn all<T: AccountDeserialize + Discriminator>(
    cluster: &mut impl Cluster,
) -> Result<Vec<(Pubkey, T)>, ClusterError> {
    let mut out = Vec::new();
    for (key, account) in cluster.program_accounts(T::DISCRIMINATOR).await? {
        out.push((key, decode_account(&key, &account.data)?));
    }
    out.sort_by_key(|(k, _)| *k);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The program's error `e` in instruction `i`, as a cluster reports it.
    fn refused(i: u8, e: DeepNodeError) -> ClusterError {
        TransactionError::InstructionError(i, InstructionError::Custom(u32::from(e))).into()
    }

    /// Errors are classified by their typed code, whatever instruction failed.
    #[test]
    fn errors_are_classified_by_their_code() {
        let settled = refused(2, DeepNodeError::EpochAlreadySettled);
        assert_eq!(settled.program_code(), Some(6124));
        assert!(settled.is(DeepNodeError::EpochAlreadySettled));
        assert!(!settled.is(DeepNodeError::NothingToClaim));
        assert!(settled.is_any(&DONE_BY_ANOTHER));
        assert!(!settled.is_any(&NOTHING_YET));
        let nothing = refused(0, DeepNodeError::StakeStillUnbonding);
        assert!(nothing.is_any(&NOTHING_YET));
        assert!(!nothing.is_any(&DONE_BY_ANOTHER));
        // Not a program error: no code, no class.
        let transport = ClusterError::Transport("timed out".into());
        assert_eq!(transport.program_code(), None);
        assert!(!transport.is_any(&NOTHING_YET));
        let runtime: ClusterError = TransactionError::AccountInUse.into();
        assert_eq!(runtime.program_code(), None);
    }
}
