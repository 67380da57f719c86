//! Compute units per instruction, measured on the SBF build (`tests/sbf/build.sh`) in
//! `solana-program-test`: one run through every instruction of the program, each at its
//! maximum size where it has one (`pay_batch` at its line cap creating every record,
//! `attest` at its miner cap creating every work record, `close_epoch` with 16 shards),
//! on the costliest token program (Token-2022 with a transfer fee, or a DN-paid domain
//! that burns). The runtime meters as a cluster does, and every case is sent as the
//! clients send it: with the compute-unit limit its simulation asks for
//! (`deepnode_sdk::compute`). Checked: every case lands under the limit the clients ask
//! for; every batch case stays within the packer's worst-case [`Cost`] of its
//! instruction; every maximum-size transaction fits Solana's 1.4M CU with 20% headroom;
//! and the goals of the SBF issue, `pay` at most 25,000 CU and every claim at most
//! 30,000. Run: `cargo bench -p deepnode-tests --bench compute` (reads
//! `target/deploy/deepnode.so`, or the `.so` named by `DEEPNODE_SBF`).
use deepnode_runtime::keys::keypair;
use std::collections::BTreeMap;

use deepnode::constants::{MAX_ATTEST_LINES, MAX_BATCH_LINES, MAX_SHARDS};
use deepnode::instructions::InitializeArgs;
use deepnode::state::{Auction, Domain};
use deepnode_sdk::compute::{self, Cost};
use deepnode_sdk::ix::{self, Attestation, Line, TicketKeys};
use deepnode_sdk::pda;
use deepnode_tests::fixtures::{default_bounds, default_settings, DomainFx, Protocol};
use deepnode_tests::staking::StakerFx;
use deepnode_tests::tokens::{MintExt, TOKEN, TOKEN_2022};
use deepnode_tests::{sbf_elf, Env, SBF_SWITCH};
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

/// Solana's compute-unit limit per transaction.
const TX_LIMIT: u64 = 1_400_000;
/// What a maximum-size transaction may use: the limit less 20% headroom.
const WITH_HEADROOM: u64 = TX_LIMIT * 8 / 10;
/// Goal for `pay`.
const PAY_GOAL: u64 = 25_000;
/// Goal for every claim.
const CLAIM_GOAL: u64 = 30_000;

/// One named case: the instruction, what makes it costly, and what it used.
struct Case {
    instruction: String,
    case: String,
    /// Units of the program's instruction (its inner calls included).
    units: u64,
    /// Units of the whole transaction (its compute-budget instructions included).
    tx_units: u64,
    /// The compute-unit limit the transaction asked for.
    limit: u32,
    /// Heap bytes used, when the `.so` is the `heap-report` build (its events log it).
    heap: Option<u64>,
    /// The calls the instruction made, each with the units it consumed: what the
    /// program's own code used is `units` less their sum.
    calls: Vec<(String, u64)>,
}

/// The calls a transaction's top-level program instruction made (depth 2 in the log:
/// "Program X invoke [2]" ... "Program X consumed N of M compute units"), named.
fn inner_calls(logs: &[String]) -> Vec<(String, u64)> {
    let mut depth = Vec::new();
    let mut calls = Vec::new();
    for line in logs {
        let Some(rest) = line.strip_prefix("Program ") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let (Some(id), Some(verb), Some(arg)) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        match verb {
            "invoke" => depth.push((id.to_string(), arg.trim_matches(['[', ']']).to_string())),
            // Every invocation ends with its "consumed" line.
            "consumed" => {
                if let Some((program, d)) = depth.pop() {
                    if d == "2" {
                        let units = arg.parse().expect("consumed units");
                        calls.push((call_name(&program), units));
                    }
                }
            }
            _ => {}
        }
    }
    calls
}

/// A readable name of a called program.
fn call_name(program: &str) -> String {
    match program {
        p if p == TOKEN.to_string() => "SPL Token".into(),
        p if p == TOKEN_2022.to_string() => "Token-2022".into(),
        p if p == deepnode::ID.to_string() => "event (self-CPI)".into(),
        p if p == solana_sdk_ids::system_program::ID.to_string() => "System".into(),
        p => p.into(),
    }
}

/// The heap use a `heap-report` build logged ("heap used: N"), if any.
fn heap_used(logs: &[String]) -> Option<u64> {
    logs.iter()
        .filter_map(|l| l.strip_prefix("Program log: heap used: "))
        .filter_map(|n| n.parse().ok())
        .max()
}

/// The units of a measured transaction's program instruction (the transaction also
/// carries its compute-budget instructions, 150 units each).
fn program_units(m: &deepnode_tests::Measured) -> u64 {
    m.program_units
        .expect("the program's instruction logs what it consumed")
}

/// The environment with the cases measured so far.
struct Bench {
    env: Env,
    cases: Vec<Case>,
    /// Batch cases: (case, units, the packer's cost of the instruction, items).
    batches: Vec<(String, u64, Cost, usize)>,
}

impl Bench {
    /// Keeps the measurement `m` under `case` and shows it on stderr as the run goes.
    fn keep(&mut self, m: &deepnode_tests::Measured, case: &str) -> u64 {
        let units = program_units(m);
        eprintln!("{units:>9} CU  {} {case}", m.instructions[0]);
        self.cases.push(Case {
            instruction: m.instructions[0].clone(),
            case: case.to_string(),
            units,
            tx_units: m.units,
            limit: m.limit,
            heap: heap_used(&m.logs),
            calls: inner_calls(&m.logs),
        });
        units
    }

    /// Runs one transaction, sent as the clients send it (its limit from a simulation),
    /// that must succeed, and keeps its units under `case`.
    async fn case(&mut self, case: &str, ixs: &[Instruction], signers: &[&Keypair]) -> u64 {
        self.env.ok_budgeted(ixs, signers).await;
        let m = self.env.last_measured().clone();
        assert!(m.ok, "{case} succeeded");
        assert_eq!(m.instructions.len(), 1, "{case}: one program instruction");
        self.keep(&m, case)
    }

    /// Like [`Bench::case`], in a v0 transaction whose non-signer accounts come from a
    /// lookup table (what a transaction this large needs on a cluster).
    async fn case_with_table(&mut self, case: &str, ix: Instruction, signers: &[&Keypair]) -> u64 {
        let addresses: Vec<Pubkey> = ix
            .accounts
            .iter()
            .filter(|m| !m.is_signer)
            .map(|m| m.pubkey)
            .collect();
        let table = self.env.lookup_table(&addresses).await;
        let result = self.env.send_budgeted(&[ix], signers, &[table]).await;
        assert_eq!(result, Ok(()), "{case}");
        let m = self.env.last_measured().clone();
        assert!(m.ok, "{case} succeeded");
        self.keep(&m, case)
    }

    /// A new buyer (100,000 DN) buys everything domain `d`'s auction has for sale at
    /// `max_price_e9` at most, measured under `case`.
    async fn buy_everything(&mut self, p: &Protocol, d: &DomainFx, max_price_e9: u64, case: &str) {
        let buyer = keypair();
        self.env.airdrop(&buyer.pubkey(), 1_000_000_000).await;
        let dn = self
            .env
            .dn_account(p, &buyer.pubkey(), 100_000_000_000)
            .await;
        let revenue = self.env.revenue_account(p, d, &buyer.pubkey(), 0).await;
        let available = self.env.balance(pda::buyback_vault(&d.keys.domain)).await;
        let buy = ix::buy_back(
            &d.keys,
            &p.dn,
            buyer.pubkey(),
            dn,
            revenue,
            available,
            max_price_e9,
        );
        self.case(case, &[buy], &[&buyer]).await;
    }

    /// A batch case (through a lookup table when `table`) of `items` items: its units
    /// must stay within the packer's worst case for its instruction, `cost`.
    async fn batch(
        &mut self,
        case: &str,
        ix: Instruction,
        signers: &[&Keypair],
        table: bool,
        (cost, items): (Cost, usize),
    ) -> u64 {
        let units = if table {
            self.case_with_table(case, ix, signers).await
        } else {
            self.case(case, &[ix], signers).await
        };
        self.batches.push((case.to_string(), units, cost, items));
        units
    }
}

/// The routing instructions on one domain: pay (first and second of an epoch), a
/// full batch creating every record, the claims, fees and the buyback.
async fn routing(b: &mut Bench, p: &Protocol, d: &DomainFx, label: &str) {
    let (model, owner) = b.env.model(d, 2_500).await;
    let consumer = keypair();
    b.env.airdrop(&consumer.pubkey(), 1_000_000_000).await;
    let consumer_token = b
        .env
        .revenue_account(p, d, &consumer.pubkey(), 10_000_000_000)
        .await;
    let pay = ix::pay(
        &d.keys,
        consumer.pubkey(),
        consumer_token,
        model,
        0,
        1_000_000,
        10,
    );
    b.case(
        &format!("{label}, first of the epoch (creates the model's record)"),
        std::slice::from_ref(&pay),
        &[&consumer],
    )
    .await;
    b.case(&format!("{label}, later"), &[pay], &[&consumer])
        .await;

    let mut models = Vec::new();
    for _ in 0..MAX_BATCH_LINES {
        models.push(b.env.model(d, 1_000).await.0);
    }
    let processor = d.fee_authority.insecure_clone();
    let processor_token = b
        .env
        .revenue_account(p, d, &processor.pubkey(), 10_000_000_000)
        .await;
    let lines: Vec<Line> = models
        .iter()
        .map(|m| Line {
            model: *m,
            amount: 1_000_000,
            usage_units: 10,
        })
        .collect();
    let batch = ix::pay_batch(&d.keys, processor.pubkey(), processor_token, 1, &lines);
    let cost = (compute::PAY_BATCH, MAX_BATCH_LINES);
    b.batch(
        &format!("{label}, {MAX_BATCH_LINES} lines (the cap), every record created"),
        batch.clone(),
        &[&processor],
        true,
        cost,
    )
    .await;
    b.batch(
        &format!("{label}, {MAX_BATCH_LINES} lines, records exist"),
        batch,
        &[&processor],
        true,
        cost,
    )
    .await;

    let dest = b.env.revenue_account(p, d, &owner.pubkey(), 0).await;
    let claim = ix::claim_model_revenue(&d.keys, owner.pubkey(), model, dest, 0);
    b.case(&format!("{label}, model owner"), &[claim], &[&owner])
        .await;
    let fee_dest = b.env.revenue_account(p, d, &processor.pubkey(), 0).await;
    let fees = ix::withdraw_fees(&d.keys, processor.pubkey(), fee_dest, 0);
    b.case(&format!("{label}, fee authority"), &[fees], &[&processor])
        .await;

    if d.keys.is_dn {
        return; // a DN-paid domain burns its buyback share at payment: no auction
    }
    let gov = p.gov.insecure_clone();
    let payer = b.env.payer().pubkey();
    let params = ix::set_auction_params(
        payer,
        gov.pubkey(),
        d.keys.domain,
        3_600,
        100_000_000,
        2_000_000_000,
    );
    b.case(&format!("{label}, creates the auction"), &[params], &[&gov])
        .await;
    let collect = ix::fund_auction(&d.keys, 1);
    b.case(
        &format!("{label}, shard with a full batch"),
        &[collect],
        &[],
    )
    .await;
    let auction: Auction = b.env.get(pda::auction(&d.keys.domain)).await;
    let case = format!("{label}, everything for sale (burns DN)");
    b.buy_everything(p, d, auction.start_price_e9, &case).await;
}

#[tokio::main]
async fn main() {
    if std::env::var(SBF_SWITCH).is_err() {
        // SAFETY: set before any other thread reads the environment.
        std::env::set_var(SBF_SWITCH, "1");
    }
    sbf_elf().expect("the compute benchmark runs on the SBF build");
    let mut env = Env::start().await;
    env.record_compute();
    let p = env.init_protocol(TOKEN).await;
    let mut b = Bench {
        env,
        cases: Vec::new(),
        batches: Vec::new(),
    };

    // The other way to initialise, on its own validator.
    {
        let mut other = Env::start().await;
        other.record_compute();
        let upgrade = other.upgrade.insecure_clone();
        let mint = keypair();
        let payer = other.payer().pubkey();
        let init = ix::initialize_with_new_mint(
            payer,
            upgrade.pubkey(),
            mint.pubkey(),
            keypair().pubkey(),
            TOKEN,
            InitializeArgs {
                authority: keypair().pubkey(),
                bounds: default_bounds(),
                max_supply: None,
            },
            6,
        );
        other.ok_budgeted(&[init], &[&upgrade, &mint]).await;
        let m = other.last_measured().clone();
        b.cases.push(Case {
            instruction: m.instructions[0].clone(),
            case: "creates the DN mint and the foundation's account".into(),
            units: program_units(&m),
            tx_units: m.units,
            limit: m.limit,
            heap: heap_used(&m.logs),
            calls: inner_calls(&m.logs),
        });
        b.env.measured.as_mut().expect("recording").push(m);
    }

    let fee = [MintExt::TransferFee {
        bps: 50,
        max: 5_000,
    }];
    let mut stable = b
        .env
        .domain_with(&p, TOKEN_2022, &fee, 2, default_settings())
        .await;
    let dn_domain = b
        .env
        .domain_on_mint(&p, p.dn.mint, TOKEN, keypair(), 2, default_settings())
        .await;
    let mut wide = b
        .env
        .domain_with(&p, TOKEN, &[], MAX_SHARDS, default_settings())
        .await;
    routing(&mut b, &p, &wide, "SPL Token").await;
    routing(&mut b, &p, &stable, "Token-2022 with a transfer fee").await;
    routing(&mut b, &p, &dn_domain, "DN-paid (burns the buyback share)").await;

    // Staking and verified work on the Token-2022 domain.
    let s: StakerFx = b.env.staker(&p, &stable, 1_000_000).await;
    let keys = b.env.staker_keys(&stable, &s).await;
    let stake = ix::stake(stable.keys.domain, &p.dn, &keys, 1_000_000);
    b.case("first stake of the position", &[stake], &[&s.kp])
        .await;
    let v = b.env.validator(&p, &mut stable, 1_000_000).await;
    let mut miners = Vec::new();
    for _ in 0..MAX_ATTEST_LINES + 1 {
        miners.push(b.env.miner(&stable).await);
    }
    let lines = new_lines(&miners);
    let epoch = stable.keys.epoch;
    let one = ix::attest(v.key(), stable.keys.domain, epoch, &lines[..1]);
    b.batch(
        "1 miner, creates its work record",
        one,
        &[&v.kp],
        false,
        (compute::ATTEST, 1),
    )
    .await;
    let full = ix::attest(v.key(), stable.keys.domain, epoch, &lines[1..]);
    b.batch(
        &format!("{MAX_ATTEST_LINES} miners (the cap), every work record created"),
        full,
        &[&v.kp],
        true,
        (compute::ATTEST, MAX_ATTEST_LINES),
    )
    .await;
    let revise: Vec<Attestation> = lines[1..]
        .iter()
        .map(|l| Attestation { revise: true, ..*l })
        .collect();
    let full = ix::attest(v.key(), stable.keys.domain, epoch, &revise);
    b.batch(
        &format!("{MAX_ATTEST_LINES} miners, revising its votes"),
        full,
        &[&v.kp],
        true,
        (compute::ATTEST, MAX_ATTEST_LINES),
    )
    .await;

    // The stakers' side: every closed epoch settled by the real crank, in order.
    b.env.close_epoch(&mut stable).await;
    let keeper = b.env.payer();
    b.env.settle_pending(&p, &stable, &keeper).await;
    let keys = b.env.staker_keys(&stable, &s).await;
    let request = ix::request_unstake(stable.keys.domain, &keys, stable.keys.epoch, 400_000);
    b.case("opens the epoch's ticket", &[request], &[&s.kp])
        .await;
    let request_epoch = stable.keys.epoch;
    b.env.close_epoch(&mut stable).await;
    b.env.close_epoch(&mut stable).await;
    b.env.settle_pending(&p, &stable, &keeper).await;
    let keys = b.env.staker_keys(&stable, &s).await;
    let ticket = pda::unstake_ticket(
        &pda::stake_position(&stable.keys.domain, &s.key()),
        request_epoch,
    );
    let t: deepnode::state::UnstakeTicket = b.env.get(ticket).await;
    let withdraw = ix::withdraw_stake(
        stable.keys.domain,
        &p.dn,
        &keys,
        TicketKeys {
            epoch: t.epoch,
            pending_epoch: t.pending_epoch,
        },
    );
    b.case("principal paid, ticket closed", &[withdraw], &[&s.kp])
        .await;
    let dereg = ix::deregister_validator(v.key(), stable.keys.domain, v.key());
    b.case("by the validator", &[dereg], &[&v.kp]).await;
    let dereg = ix::deregister_miner(miners[0].pubkey(), stable.keys.domain);
    b.case("by the miner", &[dereg], &[&miners[0]]).await;
    commit_reveal(&mut b, &p).await;
    displacement(&mut b, &p).await;
    offset(&mut b, &p).await;

    // close_epoch at its widest: every one of the 16 shards gets the next epoch's counters.
    let domain: Domain = b.env.get(wide.keys.domain).await;
    assert_eq!(domain.shards_ready, MAX_SHARDS);
    let now = b.env.clock().await.unix_timestamp;
    let epoch: deepnode::state::Epoch = b
        .env
        .get(pda::epoch(&wide.keys.domain, wide.keys.epoch))
        .await;
    let due = epoch.closes_at().expect("close time");
    if now < due {
        b.env.advance(due - now).await;
    }
    let payer = b.env.payer().pubkey();
    let close = ix::close_epoch(payer, &wide.keys, MAX_SHARDS);
    b.case("16 shards (the cap)", &[close], &[]).await;
    wide.keys.epoch += 1;

    // The crank, before governance rotates its key (new domains need its signature).
    crank(&mut b, &p).await;
    claims_over_epochs(&mut b, &p).await;

    // Governance and administration.
    let gov = p.gov.insecure_clone();
    let next_gov = keypair();
    let domain_key = stable.keys.domain;
    b.case(
        "names a successor",
        &[ix::propose_authority(gov.pubkey(), Some(next_gov.pubkey()))],
        &[&gov],
    )
    .await;
    b.case("", &[ix::accept_authority(next_gov.pubkey())], &[&next_gov])
        .await;
    let gov = next_gov;
    b.case("", &[ix::set_paused(gov.pubkey(), true)], &[&gov])
        .await;
    b.case("", &[ix::set_paused(gov.pubkey(), false)], &[&gov])
        .await;
    let mut bounds = default_bounds();
    bounds.max_claim_window_epochs += 1;
    b.case("", &[ix::update_bounds(gov.pubkey(), bounds)], &[&gov])
        .await;
    let foundation = b
        .env
        .create_token_account(&keypair().pubkey(), &p.dn.mint)
        .await;
    b.case("", &[ix::set_foundation(gov.pubkey(), foundation)], &[&gov])
        .await;
    let owner = stable.owner.insecure_clone();
    let mut settings = default_settings();
    settings.quorum = 1;
    b.case(
        "",
        &[ix::update_domain_settings(
            owner.pubkey(),
            domain_key,
            settings,
        )],
        &[&owner],
    )
    .await;
    b.case(
        "",
        &[ix::set_fee_authority(
            owner.pubkey(),
            domain_key,
            keypair().pubkey(),
        )],
        &[&owner],
    )
    .await;
    let (model, model_owner) = b.env.model(&stable, 100).await;
    let heir = keypair();
    b.case(
        "",
        &[ix::propose_model_owner(
            model_owner.pubkey(),
            model,
            Some(heir.pubkey()),
        )],
        &[&model_owner],
    )
    .await;
    b.case(
        "",
        &[ix::accept_model_owner(heir.pubkey(), model)],
        &[&heir],
    )
    .await;
    b.case("", &[ix::deactivate_model(heir.pubkey(), model)], &[&heir])
        .await;

    report(&b);
}

/// Commit-reveal (§7) on a Token-2022 domain: a validator commits two batches (26 lines
/// and 1) in one transaction, then reveals the first, the program's cap, through a lookup
/// table (64 accounts with the compute-budget program).
async fn commit_reveal(b: &mut Bench, p: &Protocol) {
    let fee = [MintExt::TransferFee {
        bps: 50,
        max: 5_000,
    }];
    let settings = deepnode::state::DomainSettings {
        commit_reveal: true,
        quorum: 1,
        ..default_settings()
    };
    let mut d = b.env.domain_with(p, TOKEN_2022, &fee, 2, settings).await;
    let v = b.env.validator(p, &mut d, 1_000_000).await;
    let mut miners = Vec::new();
    for _ in 0..=MAX_ATTEST_LINES {
        miners.push(b.env.miner(&d).await);
    }
    let lines = new_lines(&miners);
    let epoch = d.keys.epoch;
    let batches = deepnode_sdk::commit::Batches::new(
        d.keys.domain,
        v.key(),
        epoch,
        &lines,
        MAX_ATTEST_LINES,
        || [7; 32],
    );
    let (root, count) = batches.commitment();
    assert_eq!(count, 2);
    let commit = ix::commit_attestations(v.key(), d.keys.domain, epoch, root, count);
    b.case(
        "a root for 2 batches, commitment created",
        std::slice::from_ref(&commit),
        &[&v.kp],
    )
    .await;
    b.case(
        "a root for 2 batches, replacing the first",
        &[commit],
        &[&v.kp],
    )
    .await;
    let e: deepnode::state::Epoch = b.env.get(pda::epoch(&d.keys.domain, epoch)).await;
    let now = b.env.clock().await.unix_timestamp;
    b.env.advance(e.end_ts - now).await;
    let reveals = batches.reveals();
    assert_eq!(reveals[0].lines.len(), MAX_ATTEST_LINES);
    let reveal = ix::reveal_attestations(v.key(), d.keys.domain, v.key(), epoch, &reveals[0]);
    b.batch(
        &format!("{MAX_ATTEST_LINES} lines (the cap), every work record created"),
        reveal,
        &[&v.kp],
        true,
        (compute::REVEAL, MAX_ATTEST_LINES),
    )
    .await;
}

/// `register_validator` when the set (of one) is full: the candidate, with more stake,
/// takes the registered validator's place.
async fn displacement(b: &mut Bench, p: &Protocol) {
    let settings = deepnode::state::DomainSettings {
        max_validators: 1,
        quorum: 1,
        ..default_settings()
    };
    let mut d = b.env.domain_with(p, TOKEN, &[], 1, settings).await;
    let weak = b.env.validator(p, &mut d, 1_000).await;
    let strong = b.env.staker(p, &d, 2_000).await;
    b.env.stake(p, &d, &strong, 2_000).await;
    b.env.close_epoch(&mut d).await;
    let register = ix::register_validator_displacing(strong.key(), d.keys.domain, Some(weak.key()));
    b.case(
        "displacing the validator with the least stake",
        &[register],
        &[&strong.kp],
    )
    .await;
}

/// §14 on a Token-2022 domain offsetting half of its pool: a settlement that moves the
/// offset stock into the auction (nothing in the reserve yet), a purchase of everything
/// for sale (the buyback part's DN burned, the offset part's into the reserve), and a
/// settlement that moves the next stock and pays the roles from the reserve.
async fn offset(b: &mut Bench, p: &Protocol) {
    let fee = [MintExt::TransferFee {
        bps: 50,
        max: 5_000,
    }];
    let settings = deepnode::state::DomainSettings {
        offset_bps: 5_000,
        ..default_settings()
    };
    let mut d = b.env.domain_with(p, TOKEN_2022, &fee, 2, settings).await;
    let vs = b.env.validators(p, &mut d, 2, 1_000_000).await;
    let miner = b.env.miner(&d).await;
    let keeper = keypair();
    b.env.airdrop(&keeper.pubkey(), 1_000_000_000).await;
    b.env.settle_pending(p, &d, &keeper).await;
    let gov = p.gov.insecure_clone();
    let payer = b.env.payer().pubkey();
    let params = ix::set_auction_params(
        payer,
        gov.pubkey(),
        d.keys.domain,
        60,
        2_000_000_000,
        2_000_000_000,
    );
    b.env.ok(&[params], &[&gov]).await;
    let (model, _) = b.env.model(&d, 1_000).await;
    let (consumer, account) = b.env.consumer(&d, 1_000_000_000).await;
    let cases = [
        "offset stock to the auction, nothing in the reserve",
        "offset stock to the auction, the roles paid from the reserve",
    ];
    for (n, case) in cases.into_iter().enumerate() {
        let epoch = d.keys.epoch;
        let pay = ix::pay(&d.keys, consumer.pubkey(), account, model, 0, 10_000_000, 1);
        b.env.ok(&[pay], &[&consumer]).await;
        for v in &vs {
            let line = Attestation {
                miner: miner.pubkey(),
                units: 100,
                revise: false,
            };
            let attest = ix::attest(v.key(), d.keys.domain, epoch, &[line]);
            b.env.ok(&[attest], &[&v.kp]).await;
        }
        b.env.close_epoch(&mut d).await;
        let record = pda::work_record(&pda::miner(&d.keys.domain, &miner.pubkey()), epoch);
        let finalise = ix::finalise_work(payer, d.keys.domain, epoch, &[record]);
        b.env.ok(&[finalise], &[]).await;
        let collect = ix::fund_reward_vault(payer, &d.keys, epoch, &[0, 1]);
        b.env.ok(&[collect], &[]).await;
        let k = b.env.settle_keys(&d, epoch).await;
        let settle = ix::settle_epoch(keeper.pubkey(), &d.keys, &p.dn, k);
        b.case(case, &[settle], &[&keeper]).await;
        if n + 1 == cases.len() {
            break;
        }
        // Everything for sale, once the auction rests at its floor.
        b.env.ok(&[ix::fund_auction(&d.keys, 0)], &[]).await;
        b.env.advance(61).await;
        let case = "offset and buyback stock: DN burned and into the offset reserve";
        b.buy_everything(p, &d, 2_000_000_000, case).await;
    }
    let e: deepnode::state::Epoch = b
        .env
        .get(pda::epoch(&d.keys.domain, d.keys.epoch - 1))
        .await;
    let book: deepnode::state::EpochBook =
        b.env.get(pda::epoch_book(&d.keys.domain, e.index)).await;
    assert!(book.settlement.from_reserve > 0, "the reserve paid");
}

/// A new attestation of 1,000 units for each miner.
fn new_lines(miners: &[Keypair]) -> Vec<Attestation> {
    miners
        .iter()
        .map(|m| Attestation {
            miner: m.pubkey(),
            units: 1_000,
            revise: false,
        })
        .collect()
}

/// The most lines of `build(n)` that fit a legacy transaction paid by `payer`.
fn legacy_capacity(payer: &Pubkey, max: usize, build: impl Fn(usize) -> Instruction) -> usize {
    (1..=max)
        .take_while(|n| {
            deepnode_tests::sizes::legacy(&build(*n), payer).0 <= deepnode_tests::sizes::PACKET
        })
        .last()
        .unwrap_or(0)
}

/// The crank at its widest: 16 validators attest every miner (every record holds 16
/// attestations), then finalise (one record; as many as a legacy transaction carries;
/// the cap with a lookup table), collect the pools, settle, credit (a miner's own
/// claim; pushes, legacy and at the cap), collect (own; a push at the cap), a staker's
/// claim of DN and revenue, the sweep and closing the records left.
async fn crank(b: &mut Bench, p: &Protocol) {
    use deepnode::constants::{
        MAX_CLAIM_LINES, MAX_CLOSE_ACCOUNTS, MAX_CREDIT_LINES, MAX_FINALISE_RECORDS,
    };
    use deepnode_sdk::ix::{ClaimLine, CreditLine};
    let fee = [MintExt::TransferFee {
        bps: 50,
        max: 5_000,
    }];
    let mut d = b
        .env
        .domain_with(p, TOKEN_2022, &fee, 2, default_settings())
        .await;
    let vs = b.env.validators(p, &mut d, 16, 1_000_000).await;
    let keeper = keypair();
    b.env.airdrop(&keeper.pubkey(), 1_000_000_000).await;
    b.env.settle_pending(p, &d, &keeper).await;
    let payer = b.env.payer().pubkey();
    let epoch = d.keys.epoch;
    let finalise_legacy = legacy_capacity(&payer, MAX_FINALISE_RECORDS, |n| {
        let records: Vec<Pubkey> = (0..n).map(|_| Pubkey::new_unique()).collect();
        ix::finalise_work(payer, d.keys.domain, epoch, &records)
    });
    let n = 1 + finalise_legacy + MAX_FINALISE_RECORDS;
    let mut miners = Vec::new();
    for _ in 0..n {
        miners.push(b.env.miner(&d).await);
    }
    for v in &vs {
        for chunk in miners.chunks(MAX_ATTEST_LINES) {
            let ix = ix::attest(v.key(), d.keys.domain, epoch, &new_lines(chunk));
            let table_keys: Vec<Pubkey> = ix
                .accounts
                .iter()
                .filter(|m| !m.is_signer)
                .map(|m| m.pubkey)
                .collect();
            let table = b.env.lookup_table(&table_keys).await;
            let sent = b.env.send_budgeted(&[ix], &[&v.kp], &[table]).await;
            assert_eq!(sent, Ok(()));
        }
    }
    let (model, _) = b.env.model(&d, 1_000).await;
    let (consumer, account) = b.env.consumer(&d, 1_000_000_000).await;
    for shard in 0..2 {
        let pay = ix::pay(
            &d.keys,
            consumer.pubkey(),
            account,
            model,
            shard,
            10_000_000,
            1,
        );
        b.env.ok(&[pay], &[&consumer]).await;
    }
    b.env.close_epoch(&mut d).await;
    let records: Vec<Pubkey> = miners
        .iter()
        .map(|m| pda::work_record(&pda::miner(&d.keys.domain, &m.pubkey()), epoch))
        .collect();
    let one = ix::finalise_work(payer, d.keys.domain, epoch, &records[..1]);
    let cost = compute::FINALISE_WORK;
    b.batch("1 record, 16 attestations", one, &[], false, (cost, 1))
        .await;
    let legacy = ix::finalise_work(
        payer,
        d.keys.domain,
        epoch,
        &records[1..1 + finalise_legacy],
    );
    b.batch(
        &format!("{finalise_legacy} records of 16 attestations (a legacy transaction's most)"),
        legacy,
        &[],
        false,
        (cost, finalise_legacy),
    )
    .await;
    let full = ix::finalise_work(payer, d.keys.domain, epoch, &records[1 + finalise_legacy..]);
    b.batch(
        &format!("{MAX_FINALISE_RECORDS} records of 16 attestations (the cap)"),
        full,
        &[],
        true,
        (cost, MAX_FINALISE_RECORDS),
    )
    .await;
    let collect = ix::fund_reward_vault(payer, &d.keys, epoch, &[0, 1]);
    b.batch(
        "2 shards, Token-2022 with a transfer fee",
        collect,
        &[],
        false,
        (compute::FUND_REWARD_VAULT, 2),
    )
    .await;
    let k = b.env.settle_keys(&d, epoch).await;
    let settle = ix::settle_epoch(keeper.pubkey(), &d.keys, &p.dn, k);
    b.case(
        "budget, mint, pools, accumulators, tip",
        &[settle],
        &[&keeper],
    )
    .await;

    // Credits: a miner's own claim, then pushes.
    let rent_payer = vs[0].key();
    let line = |m: &Keypair| CreditLine::Miner {
        authority: m.pubkey(),
        rent_payer,
    };
    let own = ix::credit_payouts(
        miners[0].pubkey(),
        d.keys.domain,
        epoch,
        &[line(&miners[0])],
    );
    b.batch(
        "a miner's own line (record closed, rent back)",
        own,
        &[&miners[0]],
        false,
        (compute::CREDIT_PAYOUTS, 1),
    )
    .await;
    let credit_legacy = legacy_capacity(&payer, MAX_CREDIT_LINES, |n| {
        let lines: Vec<CreditLine> = miners[1..=n].iter().map(line).collect();
        ix::credit_payouts(payer, d.keys.domain, epoch, &lines)
    });
    let lines: Vec<CreditLine> = miners[1..=credit_legacy].iter().map(line).collect();
    let push = ix::credit_payouts(payer, d.keys.domain, epoch, &lines);
    b.batch(
        &format!("push of {credit_legacy} miners (a legacy transaction's most)"),
        push,
        &[],
        false,
        (compute::CREDIT_PAYOUTS, credit_legacy),
    )
    .await;
    let start = 1 + credit_legacy;
    let lines: Vec<CreditLine> = miners[start..start + MAX_CREDIT_LINES]
        .iter()
        .map(line)
        .collect();
    let push = ix::credit_payouts(payer, d.keys.domain, epoch, &lines);
    b.batch(
        &format!("push of {MAX_CREDIT_LINES} miners (the cap)"),
        push,
        &[],
        true,
        (compute::CREDIT_PAYOUTS, MAX_CREDIT_LINES),
    )
    .await;
    let credited = start + MAX_CREDIT_LINES;

    // Collects: a miner's own, then a push at the cap into each miner's accounts.
    let mut accounts = Vec::new();
    for m in &miners[..credited] {
        let dn_account = b.env.dn_account(p, &m.pubkey(), 0).await;
        let rev = b.env.revenue_account(p, &d, &m.pubkey(), 0).await;
        accounts.push(ClaimLine {
            recipient: m.pubkey(),
            dn_account,
            revenue_account: rev,
        });
    }
    let own = ix::claim_rewards(miners[0].pubkey(), &d.keys, &p.dn, &accounts[..1]);
    b.batch(
        "a miner's own balance, DN and revenue",
        own,
        &[&miners[0]],
        false,
        (compute::CLAIM_REWARDS, 1),
    )
    .await;
    let push = ix::claim_rewards(payer, &d.keys, &p.dn, &accounts[1..=MAX_CLAIM_LINES]);
    b.batch(
        &format!("push of {MAX_CLAIM_LINES} balances (the cap)"),
        push,
        &[],
        true,
        (compute::CLAIM_REWARDS, MAX_CLAIM_LINES),
    )
    .await;
    let keys = b.env.staker_keys(&d, &vs[0]).await;
    let claim = ix::claim_stake_rewards(&d.keys, &p.dn, &keys, vs[0].revenue_account);
    b.case("staker, DN and revenue token", &[claim], &[&vs[0].kp])
        .await;

    // After the claim window: the sweep, then closing the records nobody claimed.
    for _ in 0..2 {
        b.env.close_epoch(&mut d).await;
        b.env.settle_pending(p, &d, &keeper).await;
    }
    let sweep = ix::sweep_epoch(payer, &d.keys, &p.dn, epoch);
    b.case("burns the uncredited DN, rolls the revenue", &[sweep], &[])
        .await;
    let left: Vec<(Pubkey, Pubkey)> = records[credited..credited + MAX_CLOSE_ACCOUNTS]
        .iter()
        .map(|r| (*r, rent_payer))
        .collect();
    let close = ix::close_accounts(payer, d.keys.domain, epoch, &left);
    b.batch(
        &format!("{MAX_CLOSE_ACCOUNTS} work records (the cap), rent back"),
        close,
        &[],
        true,
        (compute::CLOSE_ACCOUNTS, MAX_CLOSE_ACCOUNTS),
    )
    .await;
}

/// A claim covering 1 epoch and one covering 50 cost the same: the domain owner's
/// balance collected after one credited epoch and after fifty; a staker's rewards
/// claimed after one settled epoch and after fifty.
async fn claims_over_epochs(b: &mut Bench, p: &Protocol) {
    use deepnode_sdk::ix::{ClaimLine, CreditLine};
    let mut settings = default_settings();
    settings.quorum = 1;
    let mut d = b.env.domain_with(p, TOKEN, &[], 1, settings).await;
    let vs = b.env.validators(p, &mut d, 1, 1_000_000).await;
    let v = &vs[0];
    let m = b.env.miner(&d).await;
    let (model, _) = b.env.model(&d, 1_000).await;
    let (consumer, account) = b.env.consumer(&d, 1_000_000_000_000).await;
    let keeper = b.env.payer();
    let owner = d.owner.insecure_clone();
    let owner_dn = b.env.dn_account(p, &owner.pubkey(), 0).await;
    let owner_rev = b.env.revenue_account(p, &d, &owner.pubkey(), 0).await;
    b.env.settle_pending(p, &d, &keeper).await;
    for round in [1u64, 50] {
        for _ in 0..round {
            let pay = ix::pay(&d.keys, consumer.pubkey(), account, model, 0, 1_000_000, 1);
            b.env.ok(&[pay], &[&consumer]).await;
            let line = Attestation {
                miner: m.pubkey(),
                units: 10,
                revise: false,
            };
            let attest = ix::attest(v.key(), d.keys.domain, d.keys.epoch, &[line]);
            b.env.ok(&[attest], &[&v.kp]).await;
            let settled = b.env.crank(p, &mut d, &[m.pubkey()], &keeper).await;
            let credit = ix::credit_payouts(
                keeper.pubkey(),
                d.keys.domain,
                settled.epoch,
                &[CreditLine::DomainOwner {
                    owner: owner.pubkey(),
                }],
            );
            b.env.ok(&[credit], &[]).await;
        }
        let line = ClaimLine {
            recipient: owner.pubkey(),
            dn_account: owner_dn,
            revenue_account: owner_rev,
        };
        let collect = ix::claim_rewards(owner.pubkey(), &d.keys, &p.dn, &[line]);
        b.case(
            &format!("the domain owner's balance credited over {round} epochs"),
            &[collect],
            &[&owner],
        )
        .await;
        let keys = b.env.staker_keys(&d, v).await;
        let claim = ix::claim_stake_rewards(&d.keys, &p.dn, &keys, v.revenue_account);
        b.case(
            &format!("staker, rewards of {round} epochs"),
            &[claim],
            &[&v.kp],
        )
        .await;
    }
}

/// Prints the table and checks the limits and goals.
fn report(b: &Bench) {
    let measured = b.env.measured.as_ref().expect("recording");
    // Every successful single-instruction transaction of the run, by instruction: the
    // units of the program's instruction.
    let mut all: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for m in measured
        .iter()
        .filter(|m| m.ok && m.instructions.len() == 1)
    {
        all.entry(m.instructions[0].as_str())
            .or_default()
            .push(program_units(m));
    }
    let mut asked: BTreeMap<&str, u32> = BTreeMap::new();
    for m in measured
        .iter()
        .filter(|m| m.ok && m.instructions.len() == 1)
    {
        let most = asked.entry(m.instructions[0].as_str()).or_default();
        *most = (*most).max(m.client_limit());
    }
    let names = deepnode_tests::instruction_names();
    println!("## Compute units per instruction (SBF build, solana-program-test)\n");
    println!(
        "| instruction | runs | least CU | most CU | largest limit asked | worst case measured |"
    );
    println!("|---|---:|---:|---:|---:|---|");
    let mut missing = Vec::new();
    for name in &names {
        let Some(units) = all.get(name.as_str()) else {
            missing.push(name.clone());
            continue;
        };
        let least = units.iter().min().expect("one");
        let most = units.iter().max().expect("one");
        let worst = b
            .cases
            .iter()
            .filter(|c| &c.instruction == name)
            .max_by_key(|c| c.units)
            .map(|c| {
                if c.case.is_empty() {
                    format!("{}", c.units)
                } else {
                    format!("{} ({})", c.units, c.case)
                }
            })
            .unwrap_or_default();
        println!(
            "| {name} | {} | {least} | {most} | {} | {worst} |",
            units.len(),
            asked[name.as_str()]
        );
    }
    assert!(missing.is_empty(), "instructions not measured: {missing:?}");

    println!("\n## Every named case\n");
    println!(
        "| instruction | case | CU | transaction CU | limit asked | share of 1.4M | heap bytes |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for c in &b.cases {
        let heap = c.heap.map(|h| h.to_string()).unwrap_or_else(|| "—".into());
        println!(
            "| {} | {} | {} | {} | {} | {:.1}% | {heap} |",
            c.instruction,
            c.case,
            c.units,
            c.tx_units,
            c.limit,
            c.units as f64 * 100.0 / TX_LIMIT as f64
        );
        // The limit the client asked for carried the whole transaction.
        assert!(
            c.limit <= compute::MAX_TX_UNITS && c.tx_units <= u64::from(c.limit),
            "{}: {} CU under a limit of {}",
            c.case,
            c.tx_units,
            c.limit
        );
    }
    // The packer's worst case per batched instruction must bound what was measured, or
    // a batch it builds could ask for more than a transaction may.
    println!("\n## Batches against the packer's worst case (`deepnode_sdk::compute`)\n");
    println!("| case | items | CU | worst case allowed | used |");
    println!("|---|---:|---:|---:|---:|");
    let mut above = Vec::new();
    for (case, units, cost, items) in &b.batches {
        let allowed = cost.units(*items);
        println!(
            "| {case} | {items} | {units} | {allowed} | {:.0}% |",
            *units as f64 * 100.0 / allowed as f64
        );
        if *units > allowed {
            above.push(format!("{case}: {units} > {allowed}"));
        }
    }
    assert!(above.is_empty(), "batches above their Cost: {above:?}");
    if let Some(most) = b.cases.iter().filter_map(|c| c.heap).max() {
        println!("\nLargest heap use of a named case: {most} of 32,768 bytes.");
    }
    let worst = measured.iter().map(|m| m.units).max().expect("one");
    println!(
        "\nLargest transaction of the run: {worst} CU (limit with 20% headroom: {WITH_HEADROOM})."
    );
    assert!(
        worst <= WITH_HEADROOM,
        "a transaction above 1.4M CU less 20%"
    );
    // The goals of the SBF issue: a consumer's payment (a model's later payment of the
    // epoch, in a revenue token other than DN) at most 25,000 CU; every claim at most
    // 30,000. The first payment of a model in an epoch creates its record and a DN-paid
    // payment burns the buyback share: both are reported, each with its extra CPI.
    let case_units = |instruction: &str, case: &str| {
        b.cases
            .iter()
            .find(|c| c.instruction == instruction && c.case == case)
            .map(|c| c.units)
            .unwrap_or_else(|| panic!("{instruction}: no case {case}"))
    };
    let pays = [
        (
            "pay, SPL Token, later",
            case_units("pay", "SPL Token, later"),
        ),
        (
            "pay, Token-2022 with a transfer fee, later",
            case_units("pay", "Token-2022 with a transfer fee, later"),
        ),
    ];
    let claims = [
        "claim_model_revenue",
        "claim_stake_rewards",
        "withdraw_fees",
        "withdraw_stake",
    ]
    .map(|n| (n, *all[n].iter().max().expect("claim")));
    println!("Goals: a payment at most {PAY_GOAL} CU: {pays:?}; every claim and withdrawal at most {CLAIM_GOAL} CU: {claims:?}.");
    // Where a payment's units go: the calls it makes, and the program's own code.
    for (name, case) in [
        ("pay", "SPL Token, later"),
        ("pay", "Token-2022 with a transfer fee, later"),
    ] {
        let c = b
            .cases
            .iter()
            .find(|c| c.instruction == name && c.case == case)
            .expect("the payment case");
        let called: u64 = c.calls.iter().map(|(_, u)| u).sum();
        let parts: Vec<String> = c.calls.iter().map(|(n, u)| format!("{n} {u}")).collect();
        println!(
            "{name}, {case}: {} CU = {} + the program's own code {}",
            c.units,
            parts.join(" + "),
            c.units - called
        );
    }
    let failed_goals: Vec<String> = pays
        .iter()
        .map(|(n, u)| (*n, *u, PAY_GOAL))
        .chain(claims.iter().map(|(n, u)| (*n, *u, CLAIM_GOAL)))
        .filter(|(_, u, goal)| u > goal)
        .map(|(n, u, goal)| format!("{n} {u} > {goal}"))
        .collect();
    if b.cases.iter().any(|c| c.heap.is_some()) {
        println!("The heap-report build logs in every instruction: its CU are not the program's, and the goals are checked on the normal build only.");
        return;
    }
    if !failed_goals.is_empty() {
        println!("GOALS MISSED: {}", failed_goals.join(", "));
        std::process::exit(1);
    }
}
