//! Test harness: the in-process runtime (`deepnode-runtime`: the program inside
//! `solana-program-test`, natively or as its SBF build, see [`SBF_SWITCH`]) with what the
//! tests add on top: fixtures, token helpers, exact-error assertions, event decoding and
//! the protocol invariants of PROTOCOL.md §11.
#![allow(clippy::too_many_arguments)]

pub mod crank;
pub mod fixtures;
pub mod invariants;
pub mod sizes;
pub mod staking;
pub mod tokens;

use anchor_lang::{AccountDeserialize, Event};
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;
use solana_sdk::transaction::{TransactionError, VersionedTransaction};

pub use deepnode_runtime::{
    cluster, custom_code, decode_event, explain, instruction_name, instruction_names, sbf_elf,
    Measured, Runtime, SBF_SWITCH,
};
pub use deepnode_sdk::{ix, pda};

/// The runtime with the tests' helpers: everything [`Runtime`] does (through `Deref`),
/// plus assertions that panic with the decoded error, fixtures and token helpers.
pub struct Env(pub Runtime);

impl std::ops::Deref for Env {
    type Target = Runtime;

    fn deref(&self) -> &Runtime {
        &self.0
    }
}

impl std::ops::DerefMut for Env {
    fn deref_mut(&mut self) -> &mut Runtime {
        &mut self.0
    }
}

/// Replaces the account `from` of `ix` with `to` (same signer and writable flags),
/// addressing it by key rather than by its position in the list; panics if `from` is
/// not one of the instruction's accounts.
pub fn swap(ix: &mut Instruction, from: Pubkey, to: Pubkey) {
    let meta = ix
        .accounts
        .iter_mut()
        .find(|m| m.pubkey == from)
        .unwrap_or_else(|| panic!("{from} is not an account of the instruction"));
    meta.pubkey = to;
}

/// Makes the account `key` of `ix` read-only (found by key).
pub fn make_readonly(ix: &mut Instruction, key: Pubkey) {
    let meta = ix
        .accounts
        .iter_mut()
        .find(|m| m.pubkey == key)
        .unwrap_or_else(|| panic!("{key} is not an account of the instruction"));
    meta.is_writable = false;
}

/// Anchor's custom error number for `DeepNodeError` variant `e`.
pub fn code(e: deepnode::errors::DeepNodeError) -> u32 {
    u32::from(e)
}

/// Anchor framework error numbers used in assertions.
pub mod anchor_code {
    /// A `has_one` constraint failed.
    pub const HAS_ONE: u32 = 2001;
    /// A `seeds` constraint failed.
    pub const SEEDS: u32 = 2006;
    /// An `address` constraint failed.
    pub const ADDRESS: u32 = 2012;
    /// `token::mint` failed.
    pub const TOKEN_MINT: u32 = 2014;
    /// `token::authority` failed.
    pub const TOKEN_OWNER: u32 = 2015;
    /// `token::token_program` failed.
    pub const TOKEN_TOKEN_PROGRAM: u32 = 2021;
    /// `mint::token_program` failed.
    pub const MINT_TOKEN_PROGRAM: u32 = 2022;
    /// Discriminator mismatch.
    pub const DISCRIMINATOR: u32 = 3002;
    /// Account owned by the wrong program.
    pub const WRONG_OWNER: u32 = 3007;
    /// A signer was expected.
    pub const NOT_SIGNER: u32 = 3010;
    /// The account is not initialised.
    pub const NOT_INITIALIZED: u32 = 3012;
    /// One mutable account passed in two roles.
    pub const DUPLICATE_MUTABLE: u32 = 2040;
    /// Program id of an `Interface`/`Program` account is wrong.
    pub const INVALID_PROGRAM_ID: u32 = 3008;
}

impl Env {
    /// Starts a validator with the program loaded (nothing initialised yet).
    pub async fn start() -> Env {
        Env(Runtime::start().await)
    }

    /// The runtime itself, for a client that takes one (the scenario runner's `Local`).
    pub fn into_runtime(self) -> Runtime {
        self.0
    }

    /// [`Runtime::send_budgeted`] as a legacy transaction, panicking with the error (its
    /// program error decoded) if it fails.
    pub async fn ok_budgeted(&mut self, ixs: &[Instruction], signers: &[&Keypair]) {
        if let Err(e) = self.send_budgeted(ixs, signers, &[]).await {
            panic!("transaction failed: {e:?}{}", explain(&e));
        }
    }

    /// Sends and panics with the error (its program error decoded) if it fails.
    pub async fn ok(&mut self, ixs: &[Instruction], signers: &[&Keypair]) {
        if let Err(e) = self.send(ixs, signers).await {
            panic!("transaction failed: {e:?}{}", explain(&e));
        }
    }

    /// Sends and asserts it fails with custom error `expected`.
    pub async fn fails_with(&mut self, ixs: &[Instruction], signers: &[&Keypair], expected: u32) {
        let wanted = deepnode_sdk::errors::decode_error(expected)
            .map(|d| format!(" {}", d.name))
            .unwrap_or_default();
        match self.send(ixs, signers).await {
            Ok(()) => panic!("expected error {expected}{wanted}, transaction succeeded"),
            Err(e) => assert_eq!(
                custom_code(&e),
                Some(expected),
                "expected error {expected}{wanted}, got {e:?}{}",
                explain(&e)
            ),
        }
    }

    /// Sends and asserts it fails with exactly `expected`.
    pub async fn fails_exactly(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        expected: TransactionError,
    ) {
        match self.send(ixs, signers).await {
            Ok(()) => panic!("expected {expected:?}, transaction succeeded"),
            Err(e) => assert_eq!(e, expected),
        }
    }

    /// Simulates the transaction, returns the events it would emit (their
    /// bytes after the event tag), then processes it for real.
    pub async fn ok_events(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Vec<Vec<u8>> {
        let tx = self.tx(ixs, signers).await;
        let sim = self.simulate(tx.clone().into()).await;
        if let Some(Err(e)) = &sim.result {
            panic!("simulation failed: {e:?}");
        }
        let details = sim.simulation_details.expect("simulation details");
        let vtx: VersionedTransaction = tx.clone().into();
        self.record(&vtx, details.units_consumed, true, details.logs);
        let keys = tx.message.account_keys.clone();
        let mut events = Vec::new();
        for inner in details.inner_instructions.unwrap_or_default() {
            for ix in inner {
                let program = keys[usize::from(ix.instruction.program_id_index)];
                let data = &ix.instruction.data;
                if program == deepnode::ID && data.starts_with(anchor_lang::event::EVENT_IX_TAG_LE)
                {
                    events.push(data[8..].to_vec());
                }
            }
        }
        self.ctx
            .banks_client
            .process_transaction(tx)
            .await
            .expect("process after simulation");
        self.note(|| format!("Ok(()) with {} events", events.len()));
        events
    }

    /// Runs the instruction and returns the single event of type `E` it emitted.
    pub async fn ok_event<E: Event + anchor_lang::AnchorDeserialize>(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> E {
        let events = self.ok_events(ixs, signers).await;
        let found: Vec<E> = events
            .iter()
            .filter_map(|bytes| decode_event::<E>(bytes))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one {} event, got {}",
            std::any::type_name::<E>(),
            found.len()
        );
        found.into_iter().next().expect("one event")
    }

    /// Reads and decodes an Anchor account.
    pub async fn get<T: AccountDeserialize>(&mut self, key: Pubkey) -> T {
        let account = self
            .ctx
            .banks_client
            .get_account(key)
            .await
            .expect("rpc")
            .unwrap_or_else(|| panic!("account {key} missing"));
        deepnode_sdk::decode::<T>(&account.data).expect("decode")
    }

    /// Overwrites program account `key` with `value` (its lamports, owner and size kept).
    /// The one direct write the harness makes: counters at limits that no sequence of
    /// instructions could reach in a test (§10).
    pub async fn write_state<T: anchor_lang::AccountSerialize>(&mut self, key: Pubkey, value: &T) {
        let mut account = self.account(key).await.expect("account to overwrite");
        let mut data = Vec::with_capacity(account.data.len());
        value.try_serialize(&mut data).expect("serialise");
        // Room the account keeps for a larger value (an absent Option) stays zero.
        assert!(
            data.len() <= account.data.len(),
            "the value fits the account"
        );
        data.resize(account.data.len(), 0);
        account.data = data;
        self.ctx.set_account(&key, &account.into());
    }

    /// Transfers lamports to `to` from the payer.
    pub async fn airdrop(&mut self, to: &Pubkey, lamports: u64) {
        let payer = self.payer();
        let ix = anchor_lang::solana_program::system_instruction::transfer(
            &payer.pubkey(),
            to,
            lamports,
        );
        self.ok(&[ix], &[]).await;
    }
}
