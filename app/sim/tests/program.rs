//! The DeepNode regime against the real program: the simulator's inputs for a short
//! run (payments, every miner's work, stakers joining and leaving at their boundaries)
//! are replayed as a scenario file through the scenario library, on the program in the
//! in-process runtime with the keeper cranking; every epoch's budget, minted, withheld
//! and pools must equal what the simulator computed with the math crate.
use deepnode_math::ROLES;
use deepnode_scenario::{Pools, Scenario};
use deepnode_sim::config::{DemandPath, UNIT};
use deepnode_sim::{replay, run_regime, Draws, Regime, SimConfig};

/// A short, busy market of 10 epochs: fast-growing demand, miners joining, stakers
/// joining and leaving (validators' stake of `validator_stake` DN each sets the yield).
fn busy(seed: u64, validator_stake: u64) -> SimConfig {
    let mut c = SimConfig {
        seed,
        epochs: 10,
        ..SimConfig::default()
    };
    c.demand.path = DemandPath::Growth;
    c.demand.start_units = 150_000;
    c.demand.growth_bps_per_epoch = 6_000;
    c.miners.initial = 2;
    c.miners.max = 6;
    c.miners.patience_epochs = 2;
    c.stakers.count = 4;
    c.stakers.initial_staked = 0;
    c.stakers.stake_each = 100_000 * UNIT;
    c.stakers.min_yield_bps_min = 1;
    c.stakers.min_yield_bps_max = 60;
    c.stakers.patience_epochs = 1;
    c.stakers.joins_per_epoch = 3;
    c.stakers.join_margin_bps = 0;
    c.validators.count = 3;
    c.validators.stake_each = validator_stake * UNIT;
    c.deepnode.floor = 100 * UNIT;
    c.deepnode.max_staker_yield_bps = 20;
    c
}

fn pools(p: [u64; ROLES]) -> Pools {
    Pools::from(p)
}

/// Replays `c`'s DeepNode regime on the program and compares every epoch.
async fn matches_the_program(c: &SimConfig) {
    let run = recorded(c);
    let trace = run.trace.as_ref().unwrap();
    // The run exercises what it claims to: stakes, unstakes and a changing miner set.
    assert!(trace.iter().any(|e| !e.stakes.is_empty()), "a staker joins");
    assert!(
        trace.iter().any(|e| !e.unstakes.is_empty()),
        "a staker leaves"
    );
    let miners = |e: &deepnode_sim::EpochTrace| e.work.len();
    assert!(
        trace.iter().any(|e| miners(e) != miners(&trace[0])),
        "the miner set changes"
    );
    replay_and_compare(c, &run).await;
}

/// The DeepNode regime of `c`, with what it sent the program each epoch.
fn recorded(c: &SimConfig) -> deepnode_sim::RegimeRun {
    let draws = Draws::new(c);
    run_regime(
        c,
        &draws,
        Regime::DeepNode,
        c.deepnode.max_emission_value_bps,
        true,
    )
    .unwrap()
}

/// Runs `run`'s inputs on the program; every epoch must equal the simulator's.
async fn replay_and_compare(c: &SimConfig, run: &deepnode_sim::RegimeRun) {
    let trace = run.trace.as_ref().unwrap();
    let doc = replay::scenario(c, trace).unwrap();
    let scenario: Scenario = serde_json::from_value(doc).unwrap();
    let report = deepnode_scenario::run(&scenario, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(report.epochs.len(), run.settlements.len());
    for (k, (chain, sim)) in report.epochs.iter().zip(&run.settlements).enumerate() {
        assert_eq!(chain.index, k as u64);
        assert_eq!(
            (chain.budget, chain.minted, chain.withheld),
            (sim.budget, sim.budget - sim.withheld, sim.withheld),
            "epoch {k}"
        );
        assert_eq!(chain.dn_pools, pools(sim.dn_pools), "epoch {k} DN pools");
        assert_eq!(
            chain.rev_pools,
            pools(sim.rev_pools),
            "epoch {k} revenue pools"
        );
        assert_eq!(
            chain.value_guard.map(|g| g.cap),
            sim.value_cap,
            "epoch {k} guard"
        );
    }
}

#[tokio::test]
async fn the_deepnode_regime_is_the_program_on_a_stablecoin_domain() {
    matches_the_program(&busy(5, 50_000)).await;
}

/// Paid in DN with a §13 guard of 40%: consumers buy DN from the pool, the guard prices
/// a revenue unit at 1 DN.
#[tokio::test]
async fn the_deepnode_regime_is_the_program_on_a_dn_paid_guarded_domain() {
    let mut c = busy(3, 20_000);
    c.demand.paid_in_dn = true;
    c.deepnode.max_emission_value_bps = Some(4_000);
    matches_the_program(&c).await;
}

/// Validators paid less than they require unstake together: their stake stops counting
/// and they stop voting at the next boundary, so work is no longer verified and nothing
/// is minted, on chain as in the simulator.
#[tokio::test]
async fn validators_leaving_end_verification_on_chain_too() {
    let mut c = busy(5, 50_000);
    c.validators.min_yield_bps = 10_000;
    c.validators.patience_epochs = 3;
    c.validators.quorum = 2;
    let run = recorded(&c);
    assert!(run
        .trace
        .as_ref()
        .unwrap()
        .iter()
        .any(|e| !e.validator_exits.is_empty()));
    // They decide at the end of epoch 2, ask during epoch 3, stop voting from epoch 4.
    let budgets: Vec<u64> = run.settlements.iter().map(|s| s.budget).collect();
    assert!(budgets[..4].iter().all(|b| *b > 0), "{budgets:?}");
    assert!(budgets[4..].iter().all(|b| *b == 0), "{budgets:?}");
    replay_and_compare(&c, &run).await;
}
