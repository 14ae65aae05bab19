//! Numbers as the pages show them: `fixed(1049.4, 0)` is "1049", like
//! `format!("{:.0}", 1049.4)`, but without pulling core's float formatting
//! (some 20 KB of wasm) into the module.

/// `value` with `decimals` digits after the point, rounded half away from
/// zero (core's `{:.N}` rounds exact halves to even; the figures shown here
/// are measurements, where the two never differ in practice). Not-a-number
/// reads "NaN"; values beyond ±10^15 read "∞" or "−∞" (no time, count or
/// byte size shown comes near it).
pub fn fixed(value: f64, decimals: u32) -> String {
    const LIMIT: f64 = 1e15;
    if value.is_nan() {
        return "NaN".into();
    }
    if value.abs() >= LIMIT {
        return if value > 0.0 {
            "∞".into()
        } else {
            "−∞".into()
        };
    }
    let decimals = decimals.min(6);
    let scale = 10u64.pow(decimals);
    let scaled = (value.abs() * scale as f64).round() as u64;
    let (whole, fraction) = (scaled / scale, scaled % scale);
    let sign = if value < 0.0 && scaled != 0 { "-" } else { "" };
    if decimals == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction:0width$}", width = decimals as usize)
    }
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
        assert_eq!(fixed(-2e15, 0), "−∞");
    }
}
