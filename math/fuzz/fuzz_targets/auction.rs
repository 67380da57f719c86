//! Auction price and cost: never below the floor nor above the start, non-increasing in
//! time, and the cost never below the exact value (rounding against the buyer).
#![no_main]
use deepnode_math::{auction_cost, auction_price, mul_div_ceil, mul_div_floor, MathError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u64, u64, u64, u64, u64, u64)| {
    let (start, floor, t1, dt, duration, q) = input;
    let p1 = auction_price(start, floor, t1, duration).expect("price never fails");
    let p2 = auction_price(start, floor, t1.saturating_add(dt), duration).expect("price never fails");
    assert!(p2 <= p1);
    assert!(p1 >= floor && p1 <= start.max(floor));
    let exact = u128::from(q) * u128::from(p1);
    match auction_cost(q, p1) {
        Ok(c) => {
            assert!(u128::from(c) * 1_000_000_000 >= exact);
            assert!(u128::from(c) * 1_000_000_000 < exact + 1_000_000_000);
        }
        Err(MathError::Overflow) => assert!(exact / 1_000_000_000 >= u128::from(u64::MAX)),
        Err(e) => panic!("unexpected {e:?}"),
    }
    if duration > 0 {
        match (mul_div_floor(q, start, duration), mul_div_ceil(q, start, duration)) {
            (Ok(f), Ok(c)) => assert!(c >= f && c - f <= 1),
            (Err(MathError::Overflow), _) | (_, Err(MathError::Overflow)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
});
