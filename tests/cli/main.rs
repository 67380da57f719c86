//! Every cluster command of `deepnode`, on the in-process runtime: a whole life (deploy,
//! stake, register, mint a model, pay, attest, close, settle through the keeper, claim,
//! unstake and withdraw, buy back, pause, settings and bounds) with each command's JSON
//! document and table checked, and the errors a user meets, each saying what to do.
use anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent;
use clap::Parser;
use deepnode::state::{Config, EpochBook, RewardBalance};
use deepnode_cli::commands::{exec, Output};
use deepnode_cli::{Cli, Cmd};
use deepnode_keeper::{Keeper, Options};
use deepnode_sdk::ix;
use deepnode_sdk::pda;
use deepnode_tests::cluster::InProcess;
use deepnode_tests::tokens::TOKEN;
use deepnode_tests::Env;
use serde_json::{json, Value};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_sdk::signer::Signer;

/// Runs `deepnode ARGS` as `c`'s payer.
async fn cli(c: &mut InProcess, args: &[&str]) -> anyhow::Result<Output> {
    let argv = std::iter::once("deepnode").chain(args.iter().copied());
    let parsed = Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let Cmd::Cluster(cmd) = parsed.cmd else {
        panic!("{args:?} is not a cluster command")
    };
    exec(cmd, c).await
}

/// Runs a command that must succeed.
async fn ok(c: &mut InProcess, args: &[&str]) -> Output {
    cli(c, args)
        .await
        .unwrap_or_else(|e| panic!("deepnode {}: {e:#}", args.join(" ")))
}

/// Runs a command that must fail; returns its message.
async fn fails(c: &mut InProcess, args: &[&str]) -> String {
    match cli(c, args).await {
        Ok(out) => panic!("deepnode {} succeeded: {}", args.join(" "), out.human),
        Err(e) => format!("{e:#}"),
    }
}

/// A funded wallet and its client.
async fn wallet(env: &mut Env) -> (Keypair, InProcess) {
    let kp = Keypair::new();
    env.airdrop(&kp.pubkey(), 10_000_000_000).await;
    let c = env.cluster(&kp);
    (kp, c)
}

/// `owner`'s associated account for `mint`, created, with `amount` minted by `authority`.
async fn funded_ata(
    env: &mut Env,
    owner: &Pubkey,
    mint: &Pubkey,
    authority: &Keypair,
    amount: u64,
) -> Pubkey {
    let payer = env.payer().pubkey();
    let create = create_associated_token_account_idempotent(&payer, owner, mint, &TOKEN);
    env.ok(&[create], &[]).await;
    let account = ix::associated_token_address(owner, mint, &TOKEN);
    if amount > 0 {
        env.mint_to(mint, &account, authority, amount).await;
    }
    account
}

/// Moves the clock past the open epoch's end and lets a keeper crank everything.
async fn next_epoch(env: &mut Env, keeper: &mut InProcess) {
    env.advance(86_400 + deepnode_tests::fixtures::GRACE_SECS + 1)
        .await;
    let mut emit = |_: &deepnode_keeper::Action| {};
    let s = Keeper::pass(
        keeper,
        Options {
            push: true,
            dry_run: false,
            lookup_tables: false,
        },
        &mut emit,
    )
    .await
    .expect("keeper pass");
    assert_eq!(s.failed, 0);
}

fn tmp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("deepnode-cli-{}-{name}", std::process::id()))
}

#[tokio::test]
async fn every_command_through_a_whole_life() {
    let mut env = Env::start().await;
    let gov = env.upgrade.insecure_clone();
    env.airdrop(&gov.pubkey(), 10_000_000_000).await;
    let mut g = env.cluster(&gov);
    let (_, mut keeper) = wallet(&mut env).await;
    // DN: an existing mint, balances minted, then its authority handed to the program.
    let temp = Keypair::new();
    let dn = env.create_mint(TOKEN, 6, &temp.pubkey()).await;
    let (v1, mut c_v1) = wallet(&mut env).await;
    let (v2, mut c_v2) = wallet(&mut env).await;
    let (dave, mut c_dave) = wallet(&mut env).await;
    let (miner, mut c_miner) = wallet(&mut env).await;
    let (alice, mut c_alice) = wallet(&mut env).await;
    let (carol, mut c_carol) = wallet(&mut env).await;
    for kp in [&v1, &v2] {
        funded_ata(&mut env, &kp.pubkey(), &dn, &temp, 100_000).await;
    }
    funded_ata(&mut env, &dave.pubkey(), &dn, &temp, 1_000_000).await;
    let foundation_owner = Keypair::new();
    let foundation = funded_ata(&mut env, &foundation_owner.pubkey(), &dn, &temp, 0).await;
    env.set_mint_authority(&dn, &temp, &pda::mint_authority())
        .await;
    let usdc_authority = Keypair::new();
    let usdc = env.create_mint(TOKEN, 6, &usdc_authority.pubkey()).await;
    funded_ata(
        &mut env,
        &carol.pubkey(),
        &usdc,
        &usdc_authority,
        1_000_000_000,
    )
    .await;

    // deploy: initialise with the existing mint, create domain 0 (2 shards).
    let mut cfg: Value =
        serde_json::from_str(include_str!("../../migrations/config.example.json")).unwrap();
    cfg["dn"]["mint"] = json!(dn.to_string());
    cfg["dn"]["foundation"] = json!(foundation.to_string());
    cfg["dn"]["foundation_owner"] = Value::Null;
    cfg["domains"][0]["revenue_mint"] = json!(usdc.to_string());
    cfg["domains"][0]["fee_authority"] = json!(gov.pubkey().to_string());
    cfg["domains"][0]["shard_count"] = json!(2);
    let path = tmp("deploy.json");
    std::fs::write(&path, cfg.to_string()).unwrap();
    let p = path.to_str().unwrap();
    let out = ok(&mut g, &["deploy", "--config", p]).await;
    let steps: Vec<&str> = out.json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "initialise the protocol (adopted DN mint)",
            "create domain 0",
            "create the stake pool of domain 0",
            "create shard 0 of domain 0",
            "create shard 1 of domain 0"
        ]
    );
    let again = ok(&mut g, &["deploy", "--config", p]).await;
    assert_eq!(again.json, json!({ "steps": [] }));
    assert!(again.human.contains("nothing to do"), "{}", again.human);

    // Views.
    let out = ok(&mut g, &["protocol", "show"]).await;
    assert_eq!(out.json["authority"], gov.pubkey().to_string());
    assert_eq!(out.json["dn_mint"], dn.to_string());
    assert_eq!(out.json["domain_count"], 1);
    assert_eq!(out.json["initial_supply"], 1_200_000);
    assert_eq!(out.json["bounds"]["keeper_tip_max"], 1_000);
    assert!(out.human.contains("1,200,000"), "{}", out.human);
    let out = ok(&mut g, &["domain", "show", "0"]).await;
    assert_eq!(
        (
            &out.json["revenue_mint"],
            &out.json["shards"],
            &out.json["current_epoch"]
        ),
        (&json!(usdc.to_string()), &json!(2), &json!(0))
    );
    assert_eq!(out.json["settings"]["quorum"], 2);

    // Stake, then register once the stake is active (next epoch).
    for c in [&mut c_v1, &mut c_v2] {
        let out = ok(c, &["stake", "0", "100000"]).await;
        assert_eq!(out.json["amount"], 100_000);
    }
    ok(&mut c_dave, &["stake", "0", "500000"]).await;
    let msg = fails(&mut g, &["epoch", "close", "0"]).await;
    assert!(msg.contains("epoch 0 of domain 0 is not yet due"), "{msg}");
    next_epoch(&mut env, &mut keeper).await;
    for c in [&mut c_v1, &mut c_v2] {
        let out = ok(c, &["register", "validator", "0"]).await;
        assert_eq!(out.json["role"], "validator");
    }
    ok(&mut c_miner, &["register", "miner", "0"]).await;
    // Validators vote from the epoch after they register; this close is done by hand.
    env.advance(86_400 + deepnode_tests::fixtures::GRACE_SECS + 1)
        .await;
    let out = ok(&mut g, &["epoch", "close", "0"]).await;
    assert_eq!(out.json["epoch"], 1);
    next_epoch(&mut env, &mut keeper).await;
    let open = ok(&mut g, &["epoch", "show", "0"]).await;
    let e = open.json["index"].as_u64().unwrap();
    assert_eq!((e, &open.json["status"]), (3, &json!("open")));
    assert!(open.human.contains("closable"), "{}", open.human);

    // A model, a payment, attestations.
    let out = ok(
        &mut c_alice,
        &["model", "mint", "0", "--owner-share-bps", "2000"],
    )
    .await;
    assert_eq!(out.json["model"], 0);
    let out = ok(&mut c_carol, &["pay", "0", "0", "10000000", "--units", "5"]).await;
    assert_eq!(out.json["amount"], 10_000_000);
    let m = miner.pubkey().to_string();
    ok(&mut c_v1, &["attest", "0", &format!("{m}=100")]).await;
    let out = ok(&mut c_v2, &["attest", "0", &format!("{m}=102")]).await;
    assert_eq!(
        (&out.json["epoch"], &out.json["lines"]),
        (&json!(e), &json!(1))
    );
    let out = ok(&mut g, &["model", "show", "0", "0"]).await;
    assert_eq!(out.json["owner"], alice.pubkey().to_string());
    assert_eq!(out.json["lifetime_revenue"], 10_000_000);

    // The keeper settles and credits; the views show it.
    next_epoch(&mut env, &mut keeper).await;
    let out = ok(&mut g, &["epoch", "show", "0", &e.to_string()]).await;
    let book: EpochBook = env.get(pda::epoch_book(&pda::domain(0), e)).await;
    let s = &book.settlement;
    assert_eq!(out.json["status"], "settled");
    assert_eq!(
        out.json["settlement"],
        json!({
            "revenue": s.revenue, "budget": s.budget, "tip": s.tip, "minted": s.minted,
            "withheld": s.withheld, "rolled_out": s.rolled_out, "swept": false,
            "dn_pools": { "miners": s.dn_pools[0], "stakers": s.dn_pools[1], "validators": s.dn_pools[2],
                          "domain_owner": s.dn_pools[3], "model_owners": s.dn_pools[4], "foundation": s.dn_pools[5] },
            "rev_pools": { "miners": s.rev_pools[0], "stakers": s.rev_pools[1], "validators": s.rev_pools[2],
                           "domain_owner": s.rev_pools[3], "model_owners": s.rev_pools[4], "foundation": s.rev_pools[5] },
            "offset": { "stock": 0, "from_reserve": 0 },
        })
    );
    // The only miner takes its whole pool; claimed into its new associated accounts.
    assert!(s.dn_pools[0] > 0 && s.rev_pools[0] > 0);
    let balance: RewardBalance = env.get(pda::reward(&pda::domain(0), &miner.pubkey())).await;
    assert_eq!(
        (balance.dn_owed, balance.rev_owed),
        (s.dn_pools[0], s.rev_pools[0])
    );
    let out = ok(&mut c_miner, &["claimable", "0"]).await;
    assert_eq!(
        out.json["balance"],
        json!({ "dn": balance.dn_owed, "revenue": balance.rev_owed })
    );
    let out = ok(&mut c_miner, &["claim", "0"]).await;
    assert_eq!(
        out.json["claimed"],
        json!([{ "what": "balance", "dn": balance.dn_owed, "revenue": balance.rev_owed }])
    );
    let dn_ata = ix::associated_token_address(&miner.pubkey(), &dn, &TOKEN);
    let usdc_ata = ix::associated_token_address(&miner.pubkey(), &usdc, &TOKEN);
    assert_eq!(env.balance(dn_ata).await, balance.dn_owed);
    assert_eq!(env.balance(usdc_ata).await, balance.rev_owed);
    let out = ok(&mut c_miner, &["claim", "0"]).await;
    assert_eq!(out.json["claimed"], json!([]));
    assert!(out.human.contains("nothing to claim"), "{}", out.human);
    // The model owner claims its 20% of the payment and its credited pool (the only
    // model: the whole model owners' pool).
    let out = ok(&mut c_alice, &["claimable", "0"]).await;
    assert_eq!(
        out.json["models"],
        json!({ "count": 1, "claimable": 2_000_000 })
    );
    assert_eq!(
        out.json["balance"],
        json!({ "dn": s.dn_pools[4], "revenue": s.rev_pools[4] })
    );
    let out = ok(&mut c_alice, &["claim", "0"]).await;
    assert_eq!(
        out.json["claimed"],
        json!([
            { "what": "balance", "dn": s.dn_pools[4], "revenue": s.rev_pools[4] },
            { "what": "model revenue", "model": 0, "dn": 0, "revenue": 2_000_000 },
        ])
    );
    let alice_usdc = ix::associated_token_address(&alice.pubkey(), &usdc, &TOKEN);
    assert_eq!(env.balance(alice_usdc).await, 2_000_000 + s.rev_pools[4]);

    // Unstake, wait out the unbonding, withdraw.
    let out = ok(&mut c_dave, &["unstake", "0", "200000"]).await;
    let requested = out.json["epoch"].as_u64().unwrap();
    let msg = fails(
        &mut c_dave,
        &["withdraw", "0", "--epoch", &requested.to_string()],
    )
    .await;
    assert!(msg.contains("the ticket unbonds in epoch"), "{msg}");
    next_epoch(&mut env, &mut keeper).await;
    next_epoch(&mut env, &mut keeper).await;
    let dave_dn = ix::associated_token_address(&dave.pubkey(), &dn, &TOKEN);
    let before = env.balance(dave_dn).await;
    let out = ok(
        &mut c_dave,
        &["withdraw", "0", "--epoch", &requested.to_string()],
    )
    .await;
    assert_eq!(out.json["amount"], 200_000);
    assert_eq!(env.balance(dave_dn).await, before + 200_000);

    // Buyback: governance sets the auction, a shard's 1% is collected, dave buys.
    let payer = env.payer().pubkey();
    let set = ix::set_auction_params(payer, gov.pubkey(), pda::domain(0), 3_600, 1, 2_000_000_000);
    env.ok(&[set], &[&gov]).await;
    let d: deepnode::state::Domain = env.get(pda::domain(0)).await;
    let keys = ix::DomainKeys::new(pda::domain(0), &d);
    env.ok(&[ix::fund_auction(&keys, 0)], &[]).await;
    let supply = env.supply(dn).await;
    let out = ok(
        &mut c_dave,
        &["buyback", "0", "1000", "--max-price-e9", "2000000000"],
    )
    .await;
    assert_eq!(out.json["quantity"], 1_000);
    // 1,000 revenue units at 2 DN each: 2,000 DN burned.
    assert_eq!(env.supply(dn).await, supply - 2_000);
    assert_eq!(
        env.balance(ix::associated_token_address(&dave.pubkey(), &usdc, &TOKEN))
            .await,
        1_000
    );
    // The domain offsets nothing (§14): no offset stock, an empty reserve.
    let out = ok(&mut g, &["domain", "show", "0"]).await;
    let o = &out.json["offset"];
    assert_eq!(
        (&o["offset_bps"], &o["stock_for_sale"], &o["reserve"]),
        (&json!(0), &json!(0), &json!(0))
    );
    assert!(out.human.contains("offset (§14)"), "{}", out.human);

    // Governance: pause refuses payments with the program's own error, then unpause.
    let out = ok(&mut g, &["protocol", "pause"]).await;
    assert_eq!(out.json["paused"], true);
    let msg = fails(&mut c_carol, &["pay", "0", "0", "1000"]).await;
    assert!(
        msg.contains("instruction 0 failed: ProtocolPaused (6004): The protocol is paused"),
        "{msg}"
    );
    ok(&mut g, &["protocol", "unpause"]).await;
    ok(&mut c_carol, &["pay", "0", "0", "1000"]).await;
    let msg = fails(&mut c_carol, &["protocol", "pause"]).await;
    assert!(msg.contains("only governance"), "{msg}");
    // Bounds and settings from JSON files.
    let config: Config = env.get(pda::config()).await;
    let mut bounds = serde_json::to_value(config.bounds).unwrap();
    bounds["keeper_tip_max"] = json!(500);
    let bounds_file = tmp("bounds.json");
    std::fs::write(&bounds_file, bounds.to_string()).unwrap();
    ok(
        &mut g,
        &[
            "protocol",
            "bounds",
            "--file",
            bounds_file.to_str().unwrap(),
        ],
    )
    .await;
    let config: Config = env.get(pda::config()).await;
    assert_eq!(config.bounds.keeper_tip_max, 500);
    let mut settings = serde_json::to_value(d.settings).unwrap();
    settings["fee_bps"] = json!(1_200);
    let settings_file = tmp("settings.json");
    std::fs::write(&settings_file, settings.to_string()).unwrap();
    let f = settings_file.to_str().unwrap();
    let msg = fails(&mut c_carol, &["domain", "settings", "0", "--file", f]).await;
    assert!(msg.contains("only the domain's owner"), "{msg}");
    ok(&mut g, &["domain", "settings", "0", "--file", f]).await;
    let out = ok(&mut g, &["domain", "show", "0"]).await;
    assert_eq!(out.json["pending_settings"]["fee_bps"], 1_200);
    for f in [path, bounds_file, settings_file] {
        std::fs::remove_file(f).unwrap();
    }
}

#[tokio::test]
async fn errors_say_what_to_do() {
    let mut env = Env::start().await;
    let (_, mut c) = wallet(&mut env).await;
    // Nothing deployed here.
    let msg = fails(&mut c, &["protocol", "show"]).await;
    assert!(
        msg.contains("no DeepNode protocol on this cluster") && msg.contains("check --url"),
        "{msg}"
    );
    let msg = fails(&mut c, &["domain", "show", "0"]).await;
    assert!(msg.contains("no DeepNode protocol"), "{msg}");
    // A protocol with no domain.
    env.init_protocol(TOKEN).await;
    let msg = fails(&mut c, &["domain", "show", "3"]).await;
    assert!(
        msg.contains("domain 3 not found: this protocol has 0 domain(s)"),
        "{msg}"
    );
    let msg = fails(&mut c, &["stake", "3", "5"]).await;
    assert!(msg.contains("domain 3 not found"), "{msg}");
    // A bad attestation line is refused by the parser, naming the fix.
    let err = Cli::try_parse_from(["deepnode", "attest", "0", "nokey"]).unwrap_err();
    assert!(err.to_string().contains("write MINER=UNITS"), "{err}");
}

/// §7 through the clients: on a commit-reveal domain, `attest` commits and saves the
/// batches; `reveal` before the epoch's end leaves them waiting, after it sends them (a
/// validator's own, or anyone's given the file); a batch never revealed is absent from
/// the median; `attest --revise` is refused with the reason.
#[tokio::test]
async fn commit_reveal_through_the_cli() {
    use deepnode::state::Epoch;
    use deepnode_tests::fixtures::default_settings;
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let mut settings = default_settings();
    settings.commit_reveal = true;
    let mut d = env.domain_with(&p, TOKEN, &[], 1, settings).await;
    let vs = env.validators(&p, &mut d, 3, 10_000).await;
    let (m1, m2) = (env.miner(&d).await, env.miner(&d).await);
    let dirs = [tmp("reveals-0"), tmp("reveals-1"), tmp("reveals-2")];
    for dir in &dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
    let line = |m: &Keypair, units: u64| format!("{}={units}", m.pubkey());
    let mut clients: Vec<InProcess> = vs.iter().map(|v| env.cluster(&v.kp)).collect();
    let reports = [(100, 200), (102, 200), (900, 900)];
    for (i, (a, b)) in reports.iter().enumerate() {
        let dir = dirs[i].to_str().expect("path");
        let out = ok(
            &mut clients[i],
            &[
                "attest",
                "0",
                &line(&m1, *a),
                &line(&m2, *b),
                "--reveals",
                dir,
            ],
        )
        .await;
        assert_eq!(out.json["batches"], 1);
        assert_eq!(out.json["lines"], 2);
    }
    let msg = fails(
        &mut clients[0],
        &[
            "attest",
            "0",
            &line(&m1, 1),
            "--revise",
            "--reveals",
            dirs[0].to_str().unwrap(),
        ],
    )
    .await;
    assert!(
        msg.contains("attests by commit and reveal: nothing revealed can be revised"),
        "{msg}"
    );
    // Before the end: nothing is sent, the file waits.
    let out = ok(
        &mut clients[0],
        &["reveal", "--reveals", dirs[0].to_str().unwrap()],
    )
    .await;
    assert_eq!(
        out.json["reveals"][0]["outcome"],
        "waiting for the epoch's end"
    );
    let e: Epoch = env.get(pda::epoch(&d.keys.domain, d.keys.epoch)).await;
    let now = env.clock().await.unix_timestamp;
    env.advance(e.end_ts - now).await;
    // Validator 0 reveals its own; a keeper reveals validator 1's from its file; validator
    // 2 (a lone 900) never reveals.
    let out = ok(
        &mut clients[0],
        &["reveal", "--reveals", dirs[0].to_str().unwrap()],
    )
    .await;
    assert_eq!(out.json["reveals"][0]["outcome"], "revealed");
    assert_eq!(out.json["reveals"][0]["batches"], 1);
    let (_, mut keeper) = wallet(&mut env).await;
    let out = ok(
        &mut keeper,
        &["reveal", "--reveals", dirs[1].to_str().unwrap()],
    )
    .await;
    assert_eq!(out.json["reveals"][0]["outcome"], "revealed");
    assert!(
        std::fs::read_dir(&dirs[0]).expect("dir").next().is_none(),
        "file removed"
    );
    let epoch = d.keys.epoch;
    next_epoch(&mut env, &mut keeper).await;
    // Equal weights of 10,000, two reveals of three: the silent third votes 0, so m1's
    // median is the 100 that takes the running weight to 20,000 of 30,000, m2's the 200
    // both revealed; validator 2's 900 never counted. Both revealing validators agree on
    // both miners.
    let book: EpochBook = env.get(pda::epoch_book(&d.keys.domain, epoch)).await;
    assert_eq!(book.quorate_records, 2);
    assert_eq!(book.total_verified, 300);
    assert_eq!(book.total_agreeing, 4);
    let voters: Vec<(u64, u64)> = book
        .voters
        .iter()
        .filter(|v| v.weight > 0)
        .map(|v| (v.weight, v.agreeing))
        .collect();
    assert_eq!(voters, [(10_000, 2), (10_000, 2)]);
    // The third validator's batch, never revealed: too late now, the file is dropped.
    let out = ok(
        &mut clients[2],
        &["reveal", "--reveals", dirs[2].to_str().unwrap()],
    )
    .await;
    assert_eq!(
        out.json["reveals"][0]["outcome"],
        "dropped: the epoch has closed"
    );
    for dir in &dirs {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

/// §7 through the CLI: when the validator set is full, `register validator` takes the
/// place of the registered validator with the least stake in the next epoch, if the
/// candidate has strictly more; at equal stake it is refused with both amounts.
#[tokio::test]
async fn register_validator_displaces_the_weakest_when_the_set_is_full() {
    use deepnode::state::Validator;
    use deepnode_tests::fixtures::default_settings;
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let mut settings = default_settings();
    settings.max_validators = 2;
    let mut d = env.domain_with(&p, TOKEN, &[], 1, settings).await;
    let weak = env.validator(&p, &mut d, 1_000).await;
    let strong = env.validator(&p, &mut d, 3_000).await;
    let equal = env.staker(&p, &d, 1_000).await;
    env.stake(&p, &d, &equal, 1_000).await;
    let more = env.staker(&p, &d, 1_500).await;
    env.stake(&p, &d, &more, 1_500).await;
    env.close_epoch(&mut d).await;
    let mut c_equal = env.cluster(&equal.kp);
    let msg = fails(&mut c_equal, &["register", "validator", "0"]).await;
    assert!(
        msg.contains(
            "every validator holds at least 1000 DN of stake in the next epoch; displacing \
             one needs strictly more (you have 1000)"
        ),
        "{msg}"
    );
    let mut c_more = env.cluster(&more.kp);
    let out = ok(&mut c_more, &["register", "validator", "0"]).await;
    assert_eq!(out.json["displaced"], weak.key().to_string());
    let v: Validator = env.get(pda::validator(&d.keys.domain, &weak.key())).await;
    assert!(!v.active);
    assert_eq!(v.votes_until, d.keys.epoch);
    let s: Validator = env.get(pda::validator(&d.keys.domain, &strong.key())).await;
    assert!(s.active);
}
