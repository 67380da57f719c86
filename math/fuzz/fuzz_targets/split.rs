//! Payment split: for any amount and any shares, either `InvalidBps` (shares above the
//! whole) or four parts that sum to the amount, each share the floor of its exact value.
#![no_main]
use deepnode_math::{split_payment, MathError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u64, u16, u16)| {
    let (amount, x, y) = input;
    let whole = u32::from(x) + u32::from(y) + 100;
    match split_payment(amount, x, y) {
        Err(MathError::InvalidBps) => assert!(whole > 10_000),
        Err(e) => panic!("unexpected {e:?}"),
        Ok(s) => {
            assert!(whole <= 10_000);
            assert_eq!(s.total(), Ok(amount));
            let a = u128::from(amount);
            for (part, bps) in [(s.owner, x), (s.fee, y), (s.buyback, 100)] {
                let exact = a * u128::from(bps);
                assert!(u128::from(part) * 10_000 <= exact);
                assert!((u128::from(part) + 1) * 10_000 > exact);
            }
        }
    }
});
