//! The number formatting behind the `thousands` and `rate` filters, checked against the plain
//! definitions it replaced.

use casewire::lang::{rate_tenths, thousands};
use proptest::prelude::*;

fn thousands_by_definition(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn rate_by_definition(tenths: i64) -> String {
    let sign = if tenths < 0 { "-" } else { "" };
    let abs = tenths.unsigned_abs();
    format!(
        "{sign}{}.{}",
        thousands_by_definition(i64::try_from(abs / 10).unwrap()),
        abs % 10
    )
}

#[test]
fn edges() {
    for n in [
        0,
        1,
        -1,
        999,
        1000,
        -1000,
        999_999,
        1_000_000,
        i64::MAX,
        i64::MIN,
    ] {
        assert_eq!(thousands(n), thousands_by_definition(n), "{n}");
        assert_eq!(rate_tenths(n), rate_by_definition(n), "{n}");
    }
    assert_eq!(rate_tenths(12313), "1,231.3");
    assert_eq!(rate_tenths(-5), "-0.5");
}

proptest! {
    #[test]
    fn same_as_the_definitions(n in any::<i64>(), small in -10_000_000i64..10_000_000) {
        prop_assert_eq!(thousands(n), thousands_by_definition(n));
        prop_assert_eq!(rate_tenths(n), rate_by_definition(n));
        prop_assert_eq!(rate_tenths(small), rate_by_definition(small));
    }
}
