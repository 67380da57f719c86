//! Footprint report: what each account costs in rent, what each transaction costs in bytes
//! and accounts, and how many transactions an epoch needs as participants grow. Every
//! number is computed from the real account types and instruction builders (serialised
//! transactions), not estimated. Run: `cargo bench -p deepnode-tests --bench footprint`.
use anchor_lang::prelude::Rent;
use anchor_lang::Space;
use anchor_spl::token_2022::spl_token_2022::extension::ExtensionType;
use anchor_spl::token_2022::spl_token_2022::state::Account as TokenState;
use deepnode::state::*;
use deepnode_sdk::ix::{self, DnKeys, DomainKeys, Line};
use deepnode_sdk::pda;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

use deepnode_tests::sizes::{legacy, with_table, PACKET};

fn main() {
    let rent = Rent::default();
    println!("## Accounts (size includes the 8-byte discriminator; rent at the default rate)\n");
    println!("| account | bytes | rent (lamports) | created |");
    println!("|---|---:|---:|---|");
    let token = TokenState::LEN_FOR_REPORT;
    let token_fee =
        ExtensionType::try_calculate_account_len::<TokenState>(&[ExtensionType::TransferFeeAmount])
            .unwrap();
    let rows: [(&str, usize, &str); 19] = [
        ("Config", 8 + Config::INIT_SPACE, "once"),
        ("Domain", 8 + Domain::INIT_SPACE, "per domain"),
        ("Epoch", 8 + Epoch::INIT_SPACE, "per domain per epoch"),
        (
            "EpochBook",
            8 + EpochBook::INIT_SPACE,
            "per domain per epoch",
        ),
        (
            "RewardBalance",
            8 + RewardBalance::INIT_SPACE,
            "per recipient per domain",
        ),
        (
            "EmissionPeriod",
            8 + EmissionPeriod::INIT_SPACE,
            "per period of the global cap",
        ),
        (
            "EpochShard",
            8 + EpochShard::INIT_SPACE,
            "per shard per epoch",
        ),
        ("VaultShard", 8 + VaultShard::INIT_SPACE, "per shard"),
        (
            "vault token account",
            token,
            "per shard, buyback vault, stake vault, reward vault",
        ),
        (
            "vault token account (transfer-fee mint)",
            token_fee,
            "per shard + buyback vault",
        ),
        ("Model", 8 + Model::INIT_SPACE, "per model"),
        (
            "ModelEpoch",
            8 + ModelEpoch::INIT_SPACE,
            "per model with payments, per epoch",
        ),
        ("Auction", 8 + Auction::INIT_SPACE, "per domain"),
        ("StakePool", 8 + StakePool::INIT_SPACE, "per domain"),
        (
            "StakePosition",
            8 + StakePosition::INIT_SPACE,
            "per staker per domain",
        ),
        (
            "UnstakeTicket",
            8 + UnstakeTicket::INIT_SPACE,
            "per unstake request epoch, until withdrawn and credited (rent returned)",
        ),
        ("Miner", 8 + Miner::INIT_SPACE, "per miner per domain"),
        (
            "Validator",
            8 + Validator::INIT_SPACE,
            "per validator per domain",
        ),
        (
            "WorkRecord",
            8 + WorkRecord::INIT_SPACE,
            "per attested miner per epoch",
        ),
    ];
    for (name, size, when) in rows {
        println!(
            "| {name} | {size} | {} | {when} |",
            rent.minimum_balance(size)
        );
    }

    let domain = pda::domain(0);
    let d = DomainKeys {
        domain,
        revenue_mint: Pubkey::new_unique(),
        token_program: anchor_spl::token::ID,
        epoch: 0,
        is_dn: false,
    };
    let payer = Keypair::new().pubkey();
    let model = pda::model(&domain, 0);
    let account = Pubkey::new_unique();
    println!("\n## Transactions (one instruction each, fee payer = signer)\n");
    println!("| transaction | bytes (legacy) | accounts | bytes with a lookup table |");
    println!("|---|---:|---:|---:|");
    let dn = DnKeys {
        mint: Pubkey::new_unique(),
        token_program: anchor_spl::token::ID,
    };
    let staker = ix::StakerKeys {
        owner: payer,
        owner_dn: account,
        change_epoch: 0,
    };
    let single: [(&str, Instruction); 14] = [
        ("pay", ix::pay(&d, payer, account, model, 0, 1_000, 1)),
        (
            "claim_model_revenue",
            ix::claim_model_revenue(&d, payer, model, account, 0),
        ),
        ("withdraw_fees", ix::withdraw_fees(&d, payer, account, 0)),
        ("fund_auction", ix::fund_auction(&d, 0)),
        (
            "buy_back",
            ix::buy_back(&d, &dn, payer, account, Pubkey::new_unique(), 1, 1),
        ),
        (
            "open_stake_position",
            ix::open_stake_position(payer, domain),
        ),
        ("stake", ix::stake(domain, &dn, &staker, 1_000)),
        (
            "request_unstake",
            ix::request_unstake(domain, &staker, 1, 1_000),
        ),
        (
            "withdraw_stake",
            ix::withdraw_stake(
                domain,
                &dn,
                &staker,
                ix::TicketKeys {
                    epoch: 1,
                    pending_epoch: 0,
                },
            ),
        ),
        (
            "claim_stake_rewards",
            ix::claim_stake_rewards(&d, &dn, &staker, Pubkey::new_unique()),
        ),
        ("register_miner", ix::register_miner(payer, domain)),
        ("register_validator", ix::register_validator(payer, domain)),
        ("close_epoch, 2 shards", ix::close_epoch(payer, &d, 2)),
        ("close_epoch, 16 shards", ix::close_epoch(payer, &d, 16)),
    ];
    for (name, i) in single {
        let (bytes, accounts) = legacy(&i, &payer);
        println!(
            "| {name} | {bytes} | {accounts} | {} |",
            with_table(&i, &payer)
        );
    }
    let models: Vec<Pubkey> = (0..deepnode::constants::MAX_BATCH_LINES as u64)
        .map(|i| pda::model(&domain, i))
        .collect();
    let mut legacy_max = 0;
    for n in [1usize, 2, 4, 7, 8, 16, 25] {
        let lines: Vec<Line> = models[..n]
            .iter()
            .map(|m| Line {
                model: *m,
                amount: 1_000,
                usage_units: 1,
            })
            .collect();
        let i = ix::pay_batch(&d, payer, account, 0, &lines);
        let (bytes, accounts) = legacy(&i, &payer);
        if bytes <= PACKET {
            legacy_max = n;
        }
        let fits = if bytes <= PACKET { "" } else { " (over 1,232)" };
        println!(
            "| pay_batch, {n} lines | {bytes}{fits} | {accounts} | {} |",
            with_table(&i, &payer)
        );
    }
    let alt_max = deepnode::constants::MAX_BATCH_LINES;

    println!("\n## Per epoch, as participants grow (one domain)\n");
    println!("| payments (distinct models) | txs, consumers paying | txs, processor batches (legacy, {legacy_max}/tx) | txs, batches with a lookup table ({alt_max}/tx) | record rent (lamports) |");
    println!("|---:|---:|---:|---:|---:|");
    let record = rent.minimum_balance(8 + ModelEpoch::INIT_SPACE);
    for p in [10u64, 100, 1_000, 10_000] {
        println!(
            "| {p} | {p} | {} | {} | {} |",
            p.div_ceil(legacy_max as u64),
            p.div_ceil(alt_max as u64),
            p * record
        );
    }
    // Attestations: one validator, many miners per instruction.
    let miners: Vec<ix::Attestation> = (0..deepnode::constants::MAX_ATTEST_LINES)
        .map(|_| ix::Attestation {
            miner: Pubkey::new_unique(),
            units: 100,
            revise: false,
        })
        .collect();
    let mut attest_legacy = 0;
    println!("\n## Attestations per transaction\n");
    println!("| attest, miners | bytes (legacy) | accounts | bytes with a lookup table |");
    println!("|---:|---:|---:|---:|");
    let mut rows = Vec::new();
    for n in 1..=deepnode::constants::MAX_ATTEST_LINES {
        let i = ix::attest(payer, domain, 0, &miners[..n]);
        let (bytes, accounts) = legacy(&i, &payer);
        if bytes <= PACKET {
            attest_legacy = n;
        }
        rows.push((n, bytes, accounts, with_table(&i, &payer)));
    }
    // One miner, the legacy maximum and the first line over it, 20, and the program's cap.
    let shown = [
        1,
        attest_legacy,
        attest_legacy + 1,
        20,
        deepnode::constants::MAX_ATTEST_LINES,
    ];
    for (n, bytes, accounts, table) in rows.into_iter().filter(|r| shown.contains(&r.0)) {
        let fits = if bytes <= PACKET { "" } else { " (over 1,232)" };
        println!("| {n} | {bytes}{fits} | {accounts} | {table} |");
    }
    let attest_alt = deepnode::constants::MAX_ATTEST_LINES;
    let work_rent = rent.minimum_balance(8 + WorkRecord::INIT_SPACE);
    println!("\n## Attestation transactions per epoch (every validator attests every miner)\n");
    println!("| validators | miners | attestations | txs, legacy ({attest_legacy}/tx) | txs, lookup table ({attest_alt}/tx) | work-record rent (lamports) |");
    println!("|---:|---:|---:|---:|---:|---:|");
    // At most MAX_ATTESTATIONS (16) validators vote in an epoch.
    for (v, m) in [(5u64, 100u64), (10, 1_000), (16, 5_000), (16, 10_000)] {
        println!(
            "| {v} | {m} | {} | {} | {} | {} |",
            v * m,
            v * m.div_ceil(attest_legacy as u64),
            v * m.div_ceil(attest_alt as u64),
            m * work_rent
        );
    }
    println!(
        "\nRent per staker: {} lamports (its position); per validator: {} more; per miner: {}.",
        rent.minimum_balance(8 + StakePosition::INIT_SPACE),
        rent.minimum_balance(8 + Validator::INIT_SPACE),
        rent.minimum_balance(8 + Miner::INIT_SPACE)
    );
    println!("\nRent per model owner: {} lamports for the Model, plus {record} per epoch in which the model is paid (each record stores its rent payer, so that closing it after the claim window can return the rent).", rent.minimum_balance(8 + Model::INIT_SPACE));
    crank(&rent, &d, &dn, &payer, work_rent, attest_legacy);
}

/// The crank's transactions: bytes and accounts, and transactions per epoch as the
/// network grows.
fn crank(
    rent: &Rent,
    d: &DomainKeys,
    dn: &DnKeys,
    payer: &Pubkey,
    work_rent: u64,
    attest_legacy: usize,
) {
    use deepnode::constants::{
        MAX_CLAIM_LINES, MAX_CLOSE_ACCOUNTS, MAX_CREDIT_LINES, MAX_FINALISE_RECORDS,
    };
    use deepnode_sdk::ix::{ClaimLine, CreditLine, SettleKeys};
    let domain = d.domain;
    let records = |n: usize| -> Vec<Pubkey> { (0..n).map(|_| Pubkey::new_unique()).collect() };
    let finalise = |n: usize| ix::finalise_work(*payer, domain, 0, &records(n));
    let rent_payer = Pubkey::new_unique();
    let miners = |n: usize| -> Vec<CreditLine> {
        (0..n)
            .map(|_| CreditLine::Miner {
                authority: Pubkey::new_unique(),
                rent_payer,
            })
            .collect()
    };
    let credit = |n: usize| ix::credit_payouts(*payer, domain, 0, &miners(n));
    let balances = |n: usize| -> Vec<ClaimLine> {
        (0..n)
            .map(|_| ClaimLine {
                recipient: Pubkey::new_unique(),
                dn_account: Pubkey::new_unique(),
                revenue_account: Pubkey::new_unique(),
            })
            .collect()
    };
    let collect = |n: usize| ix::claim_rewards(*payer, d, dn, &balances(n));
    let close = |n: usize| {
        let pairs: Vec<(Pubkey, Pubkey)> =
            records(n).into_iter().map(|r| (r, rent_payer)).collect();
        ix::close_accounts(*payer, domain, 0, &pairs)
    };
    let most = |build: &dyn Fn(usize) -> Instruction, cap: usize| {
        (1..=cap)
            .take_while(|n| legacy(&build(*n), payer).0 <= PACKET)
            .last()
            .unwrap_or(0)
    };
    let finalise_legacy = most(&finalise, MAX_FINALISE_RECORDS);
    let credit_legacy = most(&credit, MAX_CREDIT_LINES);
    let collect_legacy = most(&collect, MAX_CLAIM_LINES);
    let close_legacy = most(&close, MAX_CLOSE_ACCOUNTS);
    println!("\n## The crank's transactions\n");
    println!("| transaction | bytes (legacy) | accounts | bytes with a lookup table |");
    println!("|---|---:|---:|---:|");
    let settle = ix::settle_epoch(
        *payer,
        d,
        dn,
        SettleKeys {
            epoch: 0,
            period: 0,
        },
    );
    let pools2 = ix::fund_reward_vault(*payer, d, 0, &[0, 1]);
    let pools16 = ix::fund_reward_vault(*payer, d, 0, &(0..16).collect::<Vec<u8>>());
    let sweep = ix::sweep_epoch(*payer, d, dn, 0);
    let rows: Vec<(String, Instruction)> = vec![
        ("finalise_work, 1 record".into(), finalise(1)),
        (
            format!("finalise_work, {finalise_legacy} records (legacy most)"),
            finalise(finalise_legacy),
        ),
        (
            format!("finalise_work, {MAX_FINALISE_RECORDS} records (the cap)"),
            finalise(MAX_FINALISE_RECORDS),
        ),
        ("fund_reward_vault, 2 shards".into(), pools2),
        ("fund_reward_vault, 16 shards".into(), pools16),
        (
            "settle_epoch (any number of participants or shards)".into(),
            settle,
        ),
        ("credit, 1 miner".into(), credit(1)),
        (
            format!("credit, {credit_legacy} miners (legacy most)"),
            credit(credit_legacy),
        ),
        (
            format!("credit, {MAX_CREDIT_LINES} miners (the cap)"),
            credit(MAX_CREDIT_LINES),
        ),
        (
            "collect, 1 balance (any number of epochs)".into(),
            collect(1),
        ),
        (
            format!("collect, {collect_legacy} balances (legacy most)"),
            collect(collect_legacy),
        ),
        (
            format!("collect, {MAX_CLAIM_LINES} balances (the cap)"),
            collect(MAX_CLAIM_LINES),
        ),
        ("sweep_epoch".into(), sweep),
    ];
    let mut rows = rows;
    if close_legacy < MAX_CLOSE_ACCOUNTS {
        rows.push((
            format!("close_accounts, {close_legacy} records (legacy most)"),
            close(close_legacy),
        ));
    }
    rows.push((
        format!(
            "close_accounts, {MAX_CLOSE_ACCOUNTS} records (the cap; legacy fits it: {})",
            close_legacy == MAX_CLOSE_ACCOUNTS
        ),
        close(MAX_CLOSE_ACCOUNTS),
    ));
    for (name, i) in rows {
        let (bytes, accounts) = legacy(&i, payer);
        let fits = if bytes <= PACKET { "" } else { " (over 1,232)" };
        println!(
            "| {name} | {bytes}{fits} | {accounts} | {} |",
            with_table(&i, payer)
        );
    }
    let book = rent.minimum_balance(8 + EpochBook::INIT_SPACE);
    let balance = rent.minimum_balance(8 + RewardBalance::INIT_SPACE);
    println!(
        "\nRent: a work record {work_rent} lamports per attested miner per epoch, back to the validator that created it when the miner's payout is credited (or, unclaimed, when the record is closed after the sweep); an epoch's book {book} (kept, like the epoch); a recipient's reward balance {balance} (once per recipient and domain)."
    );
    // Per epoch, every validator attests every miner and every record reaches quorum;
    // the keeper pushes every payout and every balance (miners, validators, model owners,
    // the domain owner, the foundation); stakers need no transaction per epoch (their
    // accumulator), only when they choose to claim.
    let validators = 16u64;
    let models = 10u64;
    println!("\n## Transactions per epoch (16 validators, 1,000 stakers, 10 models, 2 shards)\n");
    println!("| miners | attest | finalise | fund_reward_vault + settle | credit (push) | collect (push) | sweep + close | total, legacy | total, lookup tables | stakers |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for miners in [100u64, 1_000, 10_000] {
        let per = |n: u64, cap: usize| n.div_ceil(cap as u64);
        let recipients = miners + validators + models + 2;
        let attest = (
            validators * per(miners, attest_legacy),
            validators * per(miners, deepnode::constants::MAX_ATTEST_LINES),
        );
        let fin = (
            per(miners, finalise_legacy),
            per(miners, MAX_FINALISE_RECORDS),
        );
        let credits = (
            per(recipients, credit_legacy),
            per(recipients, MAX_CREDIT_LINES),
        );
        let collects = (
            per(recipients, collect_legacy),
            per(recipients, MAX_CLAIM_LINES),
        );
        // Credits close the records; the sweep and closing the two shard counters: 2.
        let fixed = 2 + 2;
        let legacy_total = attest.0 + fin.0 + credits.0 + collects.0 + fixed;
        let table_total = attest.1 + fin.1 + credits.1 + collects.1 + fixed;
        println!(
            "| {miners} | {} / {} | {} / {} | 2 | {} / {} | {} / {} | 2 | {legacy_total} | {table_total} | 0 (a claim whenever they like, one transaction for any number of epochs) |",
            attest.0, attest.1, fin.0, fin.1, credits.0, credits.1, collects.0, collects.1
        );
    }
}

/// Size of a plain SPL token account.
trait TokenLen {
    const LEN_FOR_REPORT: usize;
}

impl TokenLen for TokenState {
    const LEN_FOR_REPORT: usize = 165;
}
