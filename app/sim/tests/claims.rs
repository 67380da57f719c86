//! PROTOCOL.md §1's claims, each on a shipped configuration, where it holds and where
//! it does not (docs/economics.md discusses each run).
use std::path::PathBuf;

use deepnode_sim::{simulate, SimConfig, SimReport};

fn example(name: &str) -> SimConfig {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/sim")
        .join(name);
    SimConfig::from_json(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn run(name: &str) -> (SimConfig, SimReport) {
    let c = example(name);
    let r = simulate(&c).unwrap();
    (c, r)
}

/// §12's budget written out: floor(R * rate / 1e9), raised to the floor, held at the
/// ceiling; nothing without work.
fn budget(c: &SimConfig, revenue: u64, work: bool) -> u64 {
    if !work {
        return 0;
    }
    let d = &c.deepnode;
    let raw = (u128::from(revenue) * u128::from(d.emission_rate_e9) / 1_000_000_000) as u64;
    raw.max(d.floor).min(d.ceiling)
}

/// Emissions follow value creation: each DeepNode epoch's budget is its revenue at the
/// rate within floor and ceiling, while the fixed split mints the same whatever the
/// usage. Where it does not: the floor pays more than usage is worth while usage is
/// small (the bootstrap run's first epochs).
#[test]
fn emissions_follow_value_creation() {
    for name in ["growth.json", "bootstrap.json", "shock.json"] {
        let (c, r) = run(name);
        for e in &r.deepnode.epochs {
            assert_eq!(
                e.budget,
                budget(&c, e.revenue, e.served_units > 0),
                "{name} epoch {}",
                e.epoch
            );
            assert!(e.minted <= e.budget);
        }
        for e in &r.fixed_split.epochs {
            let expected = if e.miners_active > 0 {
                c.fixed.emission_per_epoch
            } else {
                0
            };
            assert_eq!(e.minted, expected, "{name} epoch {}", e.epoch);
        }
    }
    let (c, r) = run("bootstrap.json");
    let subsidised = r
        .deepnode
        .epochs
        .iter()
        .filter(|e| {
            e.budget
                > (u128::from(e.revenue) * u128::from(c.deepnode.emission_rate_e9) / 1_000_000_000)
                    as u64
        })
        .count();
    assert!(
        subsidised > 0,
        "the floor mints above usage while usage is small"
    );
}

/// Sell pressure does not exceed buy pressure: it holds when consumers pay in DN and
/// recipients hold part of what they earn (the DeepNode price ends above its start, and
/// above the fixed split's under the same behaviour). It fails when
/// revenue is a stablecoin: the only buyers are the 1% buyback and new stakers, so
/// DeepNode's recipients out-sell them too, only less than the fixed split's.
#[test]
fn sell_pressure_against_buy_pressure() {
    let (_, r) = run("paid-in-dn.json");
    let (f, d) = (&r.fixed_split.summary, &r.deepnode.summary);
    assert!(
        d.sold_value < d.bought_value,
        "DeepNode: {} sold, {} bought",
        d.sold_value,
        d.bought_value
    );
    assert!(d.final_price > d.start_price);
    assert!(d.pressure.unwrap() < f.pressure.unwrap());
    assert!(d.final_price > f.final_price);
    let (_, r) = run("growth.json");
    let (f, d) = (&r.fixed_split.summary, &r.deepnode.summary);
    assert!(
        d.sold_value > d.bought_value,
        "the claim fails with stablecoin revenue"
    );
    assert!(d.pressure.unwrap() < f.pressure.unwrap());
    assert!(d.final_price > f.final_price);
}

/// The "41/41" collapse: under the fixed split the price falls, miners leave and the
/// network serves less of the demand; under DeepNode more miners stay and serve it.
#[test]
fn the_fixed_split_collapses_where_deepnode_holds_miners() {
    let (c, r) = run("growth.json");
    let (f, d) = (&r.fixed_split.summary, &r.deepnode.summary);
    assert!(
        f.final_miners < c.miners.initial,
        "fixed: {} miners left",
        f.final_miners
    );
    assert!(d.final_miners > f.final_miners);
    assert!(
        d.revenue > f.revenue,
        "DeepNode serves more of the same demand"
    );
    assert!(d.miners_profit > f.miners_profit);
}

/// Incentives adapt per domain: two domains with the same settings and different
/// demand get different emissions under DeepNode (each its own usage), the same under
/// the fixed split.
#[test]
fn incentives_adapt_per_domain() {
    let busy = example("growth.json");
    let mut quiet = busy.clone();
    quiet.demand.path = deepnode_sim::config::DemandPath::Flat;
    let (b, q) = (simulate(&busy).unwrap(), simulate(&quiet).unwrap());
    assert_eq!(b.fixed_split.summary.minted, q.fixed_split.summary.minted);
    assert!(b.deepnode.summary.minted > q.deepnode.summary.minted);
    assert!(b.deepnode.summary.revenue > q.deepnode.summary.revenue);
    // Per unit of revenue, DeepNode pays both domains alike (within the floor's subsidy).
    let per = |r: &SimReport| r.deepnode.summary.minted as f64 / r.deepnode.summary.revenue as f64;
    let rate = busy.deepnode.emission_rate_e9 as f64 / 1e9;
    assert!(per(&b) >= rate && per(&q) >= rate);
}
