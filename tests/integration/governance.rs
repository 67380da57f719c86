use deepnode_tests::tokens::TOKEN;
use deepnode_tests::*;

#[tokio::test]
async fn smoke() {
    let mut env = Env::start().await;
    let p = env.init_protocol(TOKEN).await;
    let d = env.default_domain(&p).await;
    let (m, _owner) = env.model(&d, 2500).await;
    let (c, acct) = env.consumer(&d, 10_000_000).await;
    let ix = ix::pay(
        &d.keys,
        solana_sdk::signer::Signer::pubkey(&c),
        acct,
        m,
        0,
        10_000_000,
        5,
    );
    let ev: deepnode::events::PaymentRouted = env.ok_event(&[ix], &[&c]).await;
    assert_eq!(ev.line.owner, 2_500_000);
    env.check_vaults(&d, &[m]).await;
    env.check_dn_supply(p.dn.mint, &[&d]).await;
}
