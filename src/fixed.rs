//! Numbers as the pages show them: `fixed(1049.4, 0)` is "1049", like
//! `format!("{:.0}", 1049.4)`, without core's float formatting (some 20 KB of
//! wasm, which the module still links while any `{}` of an f64 remains).

/// `value` with `decimals` digits after the point (at most 6). It scales
/// and rounds half away from zero, where core rounds the exact binary value:
/// the two can differ in the last digit when the value lies within a rounding
/// error of a half (4.35 is stored as 4.3499…, which core writes "4.3" and
/// this "4.4"). For measured times, which carry far less precision than
/// that digit, it does not matter. Not-a-number reads "NaN"; a value too
/// large to scale exactly (beyond 2^53 after scaling: 9·10^15 whole units,
/// 9·10^13 with two decimals) reads "∞" or "-∞", which no time, count or
/// byte size shown comes near.
pub fn fixed(value: f64, decimals: u32) -> String {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if value.is_nan() {
        return "NaN".into();
    }
    let decimals = decimals.min(6);
    let scale = 10u64.pow(decimals);
    let scaled = (value.abs() * scale as f64).round();
    if scaled >= EXACT {
        return if value > 0.0 { "∞".into() } else { "-∞".into() };
    }
    let scaled = scaled as u64;
    let (whole, fraction) = (scaled / scale, scaled % scale);
    let sign = if value < 0.0 && scaled != 0 { "-" } else { "" };
    if decimals == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction:0width$}", width = decimals as usize)
    }
}

/// A JavaScript number as JavaScript writes it (`String(n)`): what a caller
/// passed, e.g. "1.5" or "1e+21", for the sentences that quote it.
pub fn js_number(n: f64) -> String {
    js_sys::Number::from(n)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_else(|_| "a number".into())
}

#[cfg(test)]
mod tests {
    use super::fixed;

    #[test]
    fn matches_core_formatting_away_from_exact_halves() {
        for &(value, decimals) in &[
            (0.0, 0),
            (1049.4, 0),
            (1049.6, 0),
            (0.04, 1),
            (12.345, 2),
            (-3.21, 1),
            (-0.04, 1),
            (99.99, 1),
            (1.0e9 + 0.3, 1),
            (0.1234567, 3),
        ] {
            let core = format!("{value:.decimals$}", decimals = decimals as usize);
            let core = if core == "-0.0" { "0.0".to_string() } else { core };
            assert_eq!(fixed(value, decimals), core, "{value} to {decimals}");
        }
    }

    #[test]
    fn rounds_halves_away_from_zero_and_names_the_odd_values() {
        assert_eq!(fixed(2.5, 0), "3");
        assert_eq!(fixed(-2.5, 0), "-3");
        assert_eq!(fixed(f64::NAN, 1), "NaN");
        assert_eq!(fixed(f64::INFINITY, 0), "∞");
        assert_eq!(fixed(-1e16, 0), "-∞");
        assert_eq!(fixed(2e13, 6), "∞", "2e19 does not fit once scaled");
        assert_eq!(fixed(2e9, 6), "2000000000.000000");
    }
}
