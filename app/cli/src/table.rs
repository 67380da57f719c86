//! Human output of a scenario run: per epoch and domain a headline (revenue, budget,
//! minted, withheld), the pools funded per role and the largest payouts; then the end
//! state. Tables are drawn by `comfy-table`.
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};
use deepnode_scenario::{EpochReport, Pools, Report, Scenario};

/// How many payouts each epoch's table lists (largest DN first).
pub const TOP_PAYOUTS: usize = 5;

/// `1234567` as `1,234,567`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A price ×1e9 for people: `500000000` as `0.5`.
fn price(e9: u64) -> String {
    let whole = e9 / 1_000_000_000;
    let frac = format!("{:09}", e9 % 1_000_000_000);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{frac}")
    }
}

/// A table with `header`, every column but the first right-aligned.
pub fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_header(header.to_vec());
    for i in 1..header.len() {
        if let Some(col) = t.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

fn pool_rows(dn: &Pools, rev: &Pools) -> [(&'static str, u64, u64); 6] {
    [
        ("miners", dn.miners, rev.miners),
        ("stakers", dn.stakers, rev.stakers),
        ("validators", dn.validators, rev.validators),
        ("domain owner", dn.domain_owner, rev.domain_owner),
        ("model owners", dn.model_owners, rev.model_owners),
        ("foundation", dn.foundation, rev.foundation),
    ]
}

/// The revenue symbol of the domain called `name` in `scenario`.
fn symbol<'a>(scenario: &'a Scenario, name: &str) -> &'a str {
    scenario
        .domains
        .iter()
        .find(|d| d.name == name)
        .map_or("revenue", |d| d.revenue_mint.symbol.as_str())
}

/// One settled epoch of one domain: headline, pools, top payouts.
pub fn epoch(scenario: &Scenario, e: &EpochReport) -> String {
    let sym = symbol(scenario, &e.domain);
    let mut out = format!(
        "Epoch {} · {}\n  revenue {} {sym} · budget {} DN · minted {} DN · withheld {} DN\n",
        e.index,
        e.domain,
        grouped(e.revenue),
        grouped(e.budget),
        grouped(e.minted),
        grouped(e.withheld),
    );
    if let Some(g) = &e.value_guard {
        out.push_str(&format!(
            "  value guard (§13): at {} DN per {sym}, {} bps of the revenue's value caps the budget at {} DN\n",
            price(g.price_e9),
            g.max_value_bps,
            grouped(g.cap),
        ));
    }
    if let Some(o) = &e.offset {
        out.push_str(&format!(
            "  offset (§14): {} {sym} of the pool to the auction · {} DN paid from the offset reserve\n",
            grouped(o.stock),
            grouped(o.from_reserve),
        ));
    }
    // A DN-paid domain's revenue is DN too: name the two columns apart.
    let rev_label = if sym == "DN" { "DN revenue" } else { sym };
    let mut pools = table(&["pool", "DN", rev_label]);
    for (role, dn, rev) in pool_rows(&e.dn_pools, &e.rev_pools) {
        pools.add_row(vec![role.to_string(), grouped(dn), grouped(rev)]);
    }
    out.push_str(&pools.to_string());
    out.push('\n');
    let mut payouts: Vec<(&String, u64, u64)> = e
        .payouts
        .iter()
        .map(|(actor, a)| {
            let dn = a.get("DN").copied().unwrap_or(0);
            // A DN-paid domain pays both amounts in DN: the map has one key.
            let rev = if sym == "DN" {
                0
            } else {
                a.get(sym).copied().unwrap_or(0)
            };
            (actor, dn, rev)
        })
        .collect();
    payouts.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0)));
    if payouts.is_empty() {
        out.push_str("  no payouts\n");
        return out;
    }
    // A DN-paid domain's payouts are one DN amount (emission and revenue together).
    let mut top = if sym == "DN" {
        table(&["top payouts", "DN"])
    } else {
        table(&["top payouts", "DN", sym])
    };
    for (actor, dn, rev) in payouts.iter().take(TOP_PAYOUTS) {
        let mut row = vec![actor.to_string(), grouped(*dn)];
        if sym != "DN" {
            row.push(grouped(*rev));
        }
        top.add_row(row);
    }
    if payouts.len() > TOP_PAYOUTS {
        top.add_row(vec![format!("… {} more", payouts.len() - TOP_PAYOUTS)]);
    }
    out.push_str(&top.to_string());
    out.push('\n');
    out
}

/// The whole run: every epoch, then the end state (supply, burn, every wallet).
pub fn report(scenario: &Scenario, r: &Report) -> String {
    let mut out = String::new();
    for e in &r.epochs {
        out.push_str(&epoch(scenario, e));
        out.push('\n');
    }
    let f = &r.final_state;
    out.push_str(&format!(
        "End state\n  DN supply {} · DN burned {}\n",
        grouped(f.dn_supply),
        grouped(f.dn_burned)
    ));
    let mut symbols: Vec<&String> = f.balances.values().flat_map(|a| a.keys()).collect();
    symbols.sort();
    symbols.dedup();
    let mut header = vec!["wallet"];
    header.extend(symbols.iter().map(|s| s.as_str()));
    let mut wallets = table(&header);
    for (actor, amounts) in &f.balances {
        let mut row = vec![actor.clone()];
        row.extend(
            symbols
                .iter()
                .map(|s| amounts.get(*s).map_or(String::new(), |a| grouped(*a))),
        );
        wallets.add_row(row);
    }
    out.push_str(&wallets.to_string());
    out.push('\n');
    let mut domains = table(&["domain", "fees", "buyback vault"]);
    for (name, fees) in &f.fees {
        let vault = f.buyback_vault.get(name).copied().unwrap_or(0);
        domains.add_row(vec![name.clone(), grouped(*fees), grouped(vault)]);
    }
    out.push_str(&domains.to_string());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::{grouped, price};

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1_000), "1,000");
        assert_eq!(grouped(16_912_498), "16,912,498");
        assert_eq!(grouped(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn prices_drop_trailing_zeros() {
        assert_eq!(price(1_000_000_000), "1");
        assert_eq!(price(500_000_000), "0.5");
        assert_eq!(price(1), "0.000000001");
        assert_eq!(price(2_250_000_000), "2.25");
        assert_eq!(price(0), "0");
    }
}
