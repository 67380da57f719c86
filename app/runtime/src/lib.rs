//! The in-process runtime: `solana-program-test` with the DeepNode program loaded,
//! natively (a builtin) or as its SBF build ([`SBF_SWITCH`]), metered as a cluster meters
//! it (200,000 compute units per instruction unless the transaction asks, on the `.so`),
//! its clock moved on demand, and a [`Cluster`](deepnode_sdk::cluster::Cluster) client over
//! it ([`cluster::InProcess`]). The scenario runner, the CLI and the tests share it; the
//! tests' fixtures and assertions live in `deepnode-tests`, on top of it.

pub mod cluster;
pub mod keys;

use anchor_lang::prelude::AccountInfo;
use anchor_lang::solana_program::bpf_loader_upgradeable::{self, UpgradeableLoaderState};
use anchor_lang::solana_program::entrypoint::ProgramResult;
use anchor_lang::Event;
use solana_address_lookup_table_interface as alt;
use solana_banks_interface::BanksTransactionResultWithSimulation;
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::instruction::{Instruction, InstructionError};
use solana_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;
use solana_sdk::transaction::{Transaction, TransactionError, VersionedTransaction};

use deepnode_sdk::pda;

/// Runs the program's Anchor entry point as a native builtin. Anchor's `entry` ties its
/// three arguments to one lifetime; the runtime keeps them alive for the whole call.
fn process(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    // SAFETY: only narrows the lifetimes to their common minimum for the call's duration.
    let accounts: &[AccountInfo] = unsafe { std::mem::transmute(accounts) };
    deepnode::entry(program_id, accounts, data)
}

/// What the fee payer starts with: a million SOL, as `solana-program-test` gives its own.
const PAYER_LAMPORTS: u64 = 1_000_000 * 1_000_000_000;

/// A started in-process validator with the program loaded.
pub struct Runtime {
    /// The program-test context.
    pub ctx: ProgramTestContext,
    /// The program's upgrade authority (named in its ProgramData account).
    pub upgrade: Keypair,
    /// When recording ([`Runtime::record_compute`]): every transaction sent, with the compute
    /// units it consumed.
    pub measured: Option<Vec<Measured>>,
    /// When tracing ([`Runtime::start_trace`]): the outcome of every transaction processed and the
    /// notes added, in order, for comparing two runs (native and SBF).
    pub trace: Option<Vec<String>>,
    /// Every account named by a transaction processed so far (see [`cluster`]).
    pub registry: cluster::Registry,
}

/// One transaction measured while recording: the program instructions it carried and
/// the compute units it consumed, from a simulation on the same state just before it
/// was processed (the processed transaction does not report them).
#[derive(Clone, Debug)]
pub struct Measured {
    /// The program's instructions in the transaction, by IDL name, in order.
    pub instructions: Vec<String>,
    /// Compute units the whole transaction consumed (its compute-budget instructions
    /// included: 150 each).
    pub units: u64,
    /// Compute units the program's last top-level instruction consumed (its inner
    /// calls included), from the runtime's log; `None` without one.
    pub program_units: Option<u64>,
    /// Whether it succeeded.
    pub ok: bool,
    /// The compute-unit limit it ran under (the one it set, else the cluster's default).
    pub limit: u32,
    /// Whether it set its own limit.
    pub sets_limit: bool,
    /// The program log lines of the simulation.
    pub logs: Vec<String>,
}

impl Measured {
    /// The limit a client asks for this transaction: the one it set, or, for one sent
    /// without (the harness's set-up), what the clients would ask: the units plus those
    /// of the limit instruction they add, and the margin.
    pub fn client_limit(&self) -> u32 {
        use deepnode_sdk::compute;
        if self.sets_limit {
            self.limit
        } else {
            compute::limit_for(self.units + compute::BUDGET_INSTRUCTION_UNITS)
        }
    }
}

/// The program's instructions as the committed IDL lists them: (discriminator, name).
fn idl_instructions() -> &'static [(Vec<u8>, String)] {
    static LIST: std::sync::OnceLock<Vec<(Vec<u8>, String)>> = std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        let idl: serde_json::Value =
            serde_json::from_str(include_str!("../../../idl/deepnode.json")).expect("IDL");
        idl["instructions"]
            .as_array()
            .expect("IDL instructions")
            .iter()
            .map(|i| {
                let disc = i["discriminator"]
                    .as_array()
                    .expect("discriminator")
                    .iter()
                    .map(|b| b.as_u64().expect("byte") as u8)
                    .collect();
                (disc, i["name"].as_str().expect("name").to_string())
            })
            .collect()
    })
}

/// The names of the program's instructions, in the IDL's order.
pub fn instruction_names() -> Vec<String> {
    idl_instructions().iter().map(|(_, n)| n.clone()).collect()
}

/// The IDL name of a program instruction, from its discriminator.
pub fn instruction_name(data: &[u8]) -> Option<String> {
    idl_instructions()
        .iter()
        .find(|(disc, _)| data.starts_with(disc))
        .map(|(_, name)| name.clone())
}

/// The error a failed transaction ended with: the instruction's custom code, or `None`
/// for anything else (with the full error for the message).
pub fn custom_code(err: &TransactionError) -> Option<u32> {
    match err {
        TransactionError::InstructionError(_, InstructionError::Custom(c)) => Some(*c),
        _ => None,
    }
}

/// The environment variable that switches the tests to the SBF build: `1` loads
/// `target/deploy/deepnode.so` (what `tests/sbf/build.sh` writes), any other value is the
/// path of a `.so`; unset, empty or `0` runs the program natively.
pub const SBF_SWITCH: &str = "DEEPNODE_SBF";

/// The SBF build the tests run on, when [`SBF_SWITCH`] asks for one; read once.
pub fn sbf_elf() -> Option<&'static [u8]> {
    static ELF: std::sync::OnceLock<Option<Vec<u8>>> = std::sync::OnceLock::new();
    ELF.get_or_init(|| {
        let path = match std::env::var(SBF_SWITCH) {
            Ok(v) if v.is_empty() || v == "0" => return None,
            Ok(v) if v == "1" => std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/deploy/deepnode.so"),
            Ok(v) => std::path::PathBuf::from(v),
            Err(_) => return None,
        };
        let elf = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{SBF_SWITCH} asks for the SBF build but {} cannot be read ({e}); \
                 build it with `bash tests/sbf/build.sh`",
                path.display()
            )
        });
        Some(elf)
    })
    .as_deref()
}

impl Runtime {
    /// A program-test with the program loaded, natively (a builtin) or as the SBF build
    /// (see [`SBF_SWITCH`]), and a ProgramData account naming `upgrade` as upgrade
    /// authority.
    pub fn program_test(upgrade: &Pubkey) -> ProgramTest {
        let program_data = UpgradeableLoaderState::ProgramData {
            slot: 0,
            upgrade_authority_address: Some(*upgrade),
        };
        let mut data = bincode::serialize(&program_data).expect("serialise program data");
        let mut pt = match sbf_elf() {
            None => {
                let mut pt = ProgramTest::new("deepnode", deepnode::ID, processor!(process));
                pt.prefer_bpf(false);
                pt
            }
            Some(elf) => {
                // The upgradeable loader's two accounts, as a deployment leaves them.
                let mut pt = ProgramTest::default();
                pt.prefer_bpf(false);
                let program = UpgradeableLoaderState::Program {
                    programdata_address: pda::program_data(),
                };
                let program = bincode::serialize(&program).expect("serialise program");
                pt.add_account(
                    deepnode::ID,
                    Account {
                        lamports: 1_000_000_000,
                        data: program,
                        owner: bpf_loader_upgradeable::ID,
                        executable: true,
                        rent_epoch: 0,
                    },
                );
                data.resize(UpgradeableLoaderState::size_of_programdata_metadata(), 0);
                data.extend_from_slice(elf);
                pt
            }
        };
        pt.add_account(
            pda::program_data(),
            Account {
                lamports: 1_000_000_000,
                data,
                owner: bpf_loader_upgradeable::ID,
                executable: false,
                rent_epoch: 0,
            },
        );
        pt
    }

    /// Starts a validator with the program loaded (nothing initialised yet). Its fee
    /// payer and upgrade authority come from [`keys::keypair`], so that a run creating
    /// its keys in the same order gets the same addresses.
    pub async fn start() -> Runtime {
        let upgrade = keys::keypair();
        let payer = keys::keypair();
        let mut pt = Self::program_test(&upgrade.pubkey());
        pt.add_account(
            payer.pubkey(),
            Account {
                lamports: PAYER_LAMPORTS,
                data: Vec::new(),
                owner: solana_sdk_ids::system_program::ID,
                executable: false,
                rent_epoch: 0,
            },
        );
        let mut ctx = pt.start_with_context().await;
        ctx.payer = payer;
        Runtime {
            ctx,
            upgrade,
            measured: None,
            trace: None,
            registry: cluster::Registry::default(),
        }
    }

    /// Starts recording compute units of every transaction sent (see [`Measured`]).
    pub fn record_compute(&mut self) {
        self.measured = Some(Vec::new());
    }

    /// The last transaction measured while recording.
    pub fn last_measured(&self) -> &Measured {
        self.measured
            .as_ref()
            .and_then(|m| m.last())
            .expect("recording, and a transaction sent")
    }

    /// While recording, simulates `tx` and keeps its compute units and logs.
    async fn measure(&mut self, tx: &VersionedTransaction) {
        if self.measured.is_none() {
            return;
        }
        let sim = self.simulate(tx.clone()).await;
        let details = sim.simulation_details.expect("simulation details");
        let ok = matches!(sim.result, Some(Ok(())));
        self.record(tx, details.units_consumed, ok, details.logs);
    }

    /// Simulates `tx` on the current state (nothing is committed).
    pub async fn simulate(
        &mut self,
        tx: VersionedTransaction,
    ) -> BanksTransactionResultWithSimulation {
        self.ctx
            .banks_client
            .simulate_transaction(tx)
            .await
            .expect("simulate")
    }

    /// While recording, keeps what a simulation of `tx` consumed and logged.
    pub fn record(&mut self, tx: &VersionedTransaction, units: u64, ok: bool, logs: Vec<String>) {
        let Some(measured) = self.measured.as_mut() else {
            return;
        };
        // Program ids are never loaded from a lookup table: the static keys name them.
        let keys = tx.message.static_account_keys();
        let instructions = tx
            .message
            .instructions()
            .iter()
            .filter(|i| keys[usize::from(i.program_id_index)] == deepnode::ID)
            .map(|i| instruction_name(&i.data).unwrap_or_else(|| "unknown".into()))
            .collect();
        // Each instruction's program and data are all the limit depends on.
        let bare: Vec<Instruction> = tx
            .message
            .instructions()
            .iter()
            .map(|i| {
                Instruction::new_with_bytes(keys[usize::from(i.program_id_index)], &i.data, vec![])
            })
            .collect();
        measured.push(Measured {
            instructions,
            units,
            program_units: program_units(&logs),
            ok,
            limit: deepnode_sdk::compute::limit_of(&bare),
            sets_limit: bare.iter().any(deepnode_sdk::compute::is_limit),
            logs,
        });
    }

    /// Processes one signed transaction; the error if it fails.
    pub async fn process(&mut self, tx: VersionedTransaction) -> Result<(), TransactionError> {
        self.measure(&tx).await;
        self.registry.record_tx(&tx);
        let result = match self.ctx.banks_client.process_transaction(tx).await {
            Ok(()) => Ok(()),
            Err(BanksClientError::TransactionError(e)) => Err(e),
            Err(BanksClientError::SimulationError { err, .. }) => Err(err),
            Err(other) => panic!("transport error: {other:?}"),
        };
        self.note(|| format!("{result:?}"));
        result
    }

    /// Starts tracing: every transaction's outcome and every note is kept in order.
    pub fn start_trace(&mut self) {
        self.trace = Some(Vec::new());
    }

    /// Adds a line to the trace, when tracing.
    pub fn note(&mut self, line: impl FnOnce() -> String) {
        if let Some(trace) = self.trace.as_mut() {
            trace.push(line());
        }
    }

    /// Writes an address lookup table holding `addresses` into the bank (active, owned by
    /// the lookup-table program, authority the fee payer). The table program itself is
    /// not under test; the runtime resolves a v0 transaction's accounts from this state.
    pub async fn lookup_table(&mut self, addresses: &[Pubkey]) -> AddressLookupTableAccount {
        let key = Pubkey::new_unique();
        let table = alt::state::AddressLookupTable {
            meta: alt::state::LookupTableMeta {
                authority: Some(self.payer().pubkey()),
                ..Default::default()
            },
            addresses: std::borrow::Cow::Borrowed(addresses),
        };
        let data = table.serialize_for_tests().expect("serialise lookup table");
        let rent = self.ctx.banks_client.get_rent().await.expect("rent");
        let account = Account {
            lamports: rent.minimum_balance(data.len()),
            data,
            owner: alt::program::ID,
            executable: false,
            rent_epoch: 0,
        };
        self.ctx.set_account(&key, &account.into());
        AddressLookupTableAccount {
            key,
            addresses: addresses.to_vec(),
        }
    }

    /// Sends one v0 transaction whose accounts may come from `tables`.
    pub async fn send_v0(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<(), TransactionError> {
        let blockhash = self.blockhash().await;
        let payer = self.payer();
        // Accounts loaded from a table are not among the message's static keys.
        self.registry
            .record(ixs.iter().flat_map(|i| i.accounts.iter().map(|m| m.pubkey)));
        let message = v0::Message::try_compile(&payer.pubkey(), ixs, tables, blockhash)
            .expect("compile v0 message");
        let all = with_payer(&payer, signers);
        let tx = VersionedTransaction::try_new(VersionedMessage::V0(message), &all).expect("sign");
        self.process(tx).await
    }

    /// The fee payer of every transaction.
    pub fn payer(&self) -> Keypair {
        self.ctx.payer.insecure_clone()
    }

    /// Sends one transaction (fee payer first, then `signers`) on a fresh blockhash.
    pub async fn send(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<(), TransactionError> {
        let tx = self.tx(ixs, signers).await;
        self.process(tx.into()).await
    }

    /// A blockhash newer than the last one used, so that a transaction identical to one
    /// already sent is processed again. The runtime registers one every slot (6.4 ms
    /// here); program-test's own helper polls every 200 ms, this every millisecond.
    async fn blockhash(&mut self) -> solana_sdk::hash::Hash {
        let start = std::time::Instant::now();
        loop {
            let hash = self.read_blockhash().await;
            if hash != self.ctx.last_blockhash {
                self.ctx.last_blockhash = hash;
                return hash;
            }
            assert!(
                start.elapsed() < std::time::Duration::from_secs(5),
                "no new blockhash in 5 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }

    /// Builds and signs a transaction on the latest blockhash, or on a newer one when the
    /// same transaction was signed before (so that both are processed).
    pub async fn tx(&mut self, ixs: &[Instruction], signers: &[&Keypair]) -> Transaction {
        let payer = self.payer();
        let all = with_payer(&payer, signers);
        let mut blockhash = self.latest_blockhash().await;
        loop {
            let tx =
                Transaction::new_signed_with_payer(ixs, Some(&payer.pubkey()), &all, blockhash);
            if self.registry.first_signing(tx.signatures[0]) {
                return tx;
            }
            // The same transaction again: only a new blockhash makes it new.
            blockhash = self.blockhash().await;
        }
    }

    /// The runtime's latest blockhash (no waiting for a new one).
    async fn latest_blockhash(&mut self) -> solana_sdk::hash::Hash {
        let hash = self.read_blockhash().await;
        self.ctx.last_blockhash = hash;
        hash
    }

    /// The runtime's latest blockhash, as read.
    async fn read_blockhash(&mut self) -> solana_sdk::hash::Hash {
        self.ctx
            .banks_client
            .get_latest_blockhash()
            .await
            .expect("blockhash")
    }

    /// Sends `ixs` as the clients send them: after the compute-budget instructions a
    /// simulation says they need (`deepnode_sdk::cluster::budgeted`), v0 through `tables`
    /// when any. When the simulation fails, the instructions go with the largest limit,
    /// so that the failure is the runtime's own.
    pub async fn send_budgeted(
        &mut self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<(), TransactionError> {
        use deepnode_sdk::compute;
        let payer = self.payer();
        let mut client = self.cluster(&payer);
        let ixs = deepnode_sdk::cluster::budgeted(&mut client, ixs, signers, tables)
            .await
            .unwrap_or_else(|_| compute::with_budget(ixs, compute::MAX_TX_UNITS, 0));
        if tables.is_empty() {
            self.send(&ixs, signers).await
        } else {
            self.send_v0(&ixs, signers, tables).await
        }
    }

    /// Raw account, if it exists.
    pub async fn account(&mut self, key: Pubkey) -> Option<Account> {
        self.ctx.banks_client.get_account(key).await.expect("rpc")
    }

    /// The current clock.
    pub async fn clock(&mut self) -> Clock {
        self.ctx
            .banks_client
            .get_sysvar::<Clock>()
            .await
            .expect("clock")
    }

    /// Moves the clock's unix time forward by `secs`.
    pub async fn advance(&mut self, secs: i64) {
        let mut clock = self.clock().await;
        clock.unix_timestamp = clock.unix_timestamp.checked_add(secs).expect("time");
        self.ctx.set_sysvar(&clock);
    }

    /// Moves the runtime to the next slot (the in-process bank otherwise stays in one
    /// slot: lookup-table addresses extended in it become usable in the next), keeping the
    /// clock's unix time where the tests put it.
    pub async fn next_slot(&mut self) {
        let before = self.clock().await;
        self.ctx
            .warp_to_slot(before.slot + 1)
            .expect("warp to the next slot");
        let mut clock = self.clock().await;
        clock.unix_timestamp = clock.unix_timestamp.max(before.unix_timestamp);
        self.ctx.set_sysvar(&clock);
    }
}

/// The compute units the program's last top-level instruction consumed, from the
/// runtime's log: its `consumed` line is the last of the program's, after those of its
/// inner calls (the event self-CPI).
fn program_units(logs: &[String]) -> Option<u64> {
    let prefix = format!("Program {} consumed ", deepnode::ID);
    logs.iter()
        .rev()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
}

/// ` = Name (code): message` for a program error, else nothing.
pub fn explain(e: &TransactionError) -> String {
    custom_code(e)
        .and_then(deepnode_sdk::errors::decode_error)
        .map(|d| format!(" = {d}"))
        .unwrap_or_default()
}

/// The fee payer followed by `signers`, each key once.
fn with_payer<'a>(payer: &'a Keypair, signers: &[&'a Keypair]) -> Vec<&'a Keypair> {
    let mut all: Vec<&Keypair> = vec![payer];
    for s in signers {
        if !all.iter().any(|k| k.pubkey() == s.pubkey()) {
            all.push(s);
        }
    }
    all
}

/// Decodes an event of type `E` if `bytes` (after the event tag) carry its discriminator.
pub fn decode_event<E: Event + anchor_lang::AnchorDeserialize>(bytes: &[u8]) -> Option<E> {
    let disc = E::DISCRIMINATOR;
    if bytes.len() < disc.len() || &bytes[..disc.len()] != disc {
        return None;
    }
    E::try_from_slice(&bytes[disc.len()..]).ok()
}
