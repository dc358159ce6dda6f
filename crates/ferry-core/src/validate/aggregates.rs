//! Aggregates: NULLs, min, max and the exact sum or total length of each column, on both sides.

use crate::schema::LogicalType;
use crate::value::{f64_text, Decimal};
use std::cmp::Ordering;

use super::canonical::{float_of, float_shown, float_text, shown};
use super::report::Aggregates;
use super::spec::cmp_values;

/// An exact running sum of decimals: a mantissa at a scale; f64 when it outgrows i128.
#[derive(Default, Clone)]
struct DecSum {
    mant: i128,
    scale: u32,
    approx: Option<f64>,
}

impl DecSum {
    fn add(&mut self, s: &str) {
        if let Some(a) = self.approx.as_mut() {
            *a += s.parse::<f64>().unwrap_or(0.0);
            return;
        }
        let exact = (|| {
            let d = Decimal::parse(s)?;
            let ds = d.scale();
            let mut m: i128 = if d.digits.is_empty() { 0 } else { d.digits.parse().ok()? };
            if d.exp > 0 {
                m = m.checked_mul(10i128.checked_pow(d.exp as u32)?)?;
            }
            if d.negative {
                m = -m;
            }
            let scale = self.scale.max(ds);
            let mine = self.mant.checked_mul(10i128.checked_pow(scale - self.scale)?)?;
            let theirs = m.checked_mul(10i128.checked_pow(scale - ds)?)?;
            Some((mine.checked_add(theirs)?, scale))
        })();
        match exact {
            Some((m, sc)) => {
                self.mant = m;
                self.scale = sc;
            }
            None => {
                // Too large or not a number: carry on approximately (and say so).
                let so_far = self.text().parse::<f64>().unwrap_or(0.0);
                self.approx = Some(so_far + s.parse::<f64>().unwrap_or(0.0));
            }
        }
    }

    fn text(&self) -> String {
        if let Some(a) = self.approx {
            return format!("≈{}", f64_text(a));
        }
        let neg = self.mant < 0;
        let digits = self.mant.unsigned_abs().to_string();
        let text = format!("{}{digits}e-{}", if neg { "-" } else { "" }, self.scale);
        Decimal::parse(&text).map(|d| d.to_plain()).unwrap_or(text)
    }
}

#[derive(Default, Clone)]
pub(super) struct Agg {
    nulls: u64,
    min: Option<String>,
    max: Option<String>,
    /// An integer column's min and max as numbers, while every value has parsed as one.
    int_range: Option<(i64, i64)>,
    /// An integer column met a value that is not one: min and max are compared as text.
    int_odd: bool,
    int_sum: i128,
    dec: DecSum,
    float_sum: f64,
    trues: u64,
    length: u64,
}

impl Agg {
    pub(super) fn add(&mut self, t: &LogicalType, v: Option<&str>) {
        let Some(s) = v else {
            self.nulls += 1;
            return;
        };
        if let (LogicalType::Integer { .. }, false) = (t, self.int_odd) {
            // Parsed once, compared as a number (cmp_values would parse min and max again).
            match s.parse::<i64>() {
                Ok(i) => {
                    self.int_sum += i as i128;
                    let (lo, hi) = self.int_range.get_or_insert((i, i));
                    if self.min.is_none() || i < *lo {
                        *lo = i;
                        self.min = Some(s.to_string());
                    }
                    if self.max.is_none() || i > *hi {
                        *hi = i;
                        self.max = Some(s.to_string());
                    }
                    return;
                }
                Err(_) => self.int_odd = true,
            }
        }
        match (&self.min, &self.max) {
            (Some(lo), Some(hi)) => {
                if cmp_values(t, Some(s), Some(lo)) == Ordering::Less {
                    self.min = Some(s.to_string());
                } else if cmp_values(t, Some(s), Some(hi)) == Ordering::Greater {
                    self.max = Some(s.to_string());
                }
            }
            _ => {
                self.min = Some(s.to_string());
                self.max = Some(s.to_string());
            }
        }
        match t {
            LogicalType::Integer { .. } => self.int_sum += s.parse::<i64>().unwrap_or(0) as i128,
            LogicalType::Decimal { .. } => self.dec.add(s),
            LogicalType::Float => self.float_sum += float_of(s).unwrap_or(0.0),
            LogicalType::Boolean => self.trues += u64::from(s == "true"),
            LogicalType::Text { .. } => self.length += s.chars().count() as u64,
            LogicalType::Bytes => self.length += s.len() as u64 / 2,
            _ => {}
        }
    }

    pub(super) fn finish(&self, t: &LogicalType) -> Aggregates {
        let (sum, length) = match t {
            LogicalType::Integer { .. } => (Some(self.int_sum.to_string()), None),
            LogicalType::Decimal { .. } => (Some(self.dec.text()), None),
            LogicalType::Float => (Some(float_shown(self.float_sum)), None),
            LogicalType::Boolean => (Some(self.trues.to_string()), None),
            LogicalType::Text { .. } | LogicalType::Bytes => (None, Some(self.length)),
            _ => (None, None),
        };
        let (min, max) = match t {
            LogicalType::Bytes | LogicalType::Json => (None, None),
            LogicalType::Float => (self.min.as_deref().map(float_text), self.max.as_deref().map(float_text)),
            _ => (shown(self.min.as_deref()), shown(self.max.as_deref())),
        };
        Aggregates { nulls: self.nulls, min, max, sum, length }
    }
}

/// Equal aggregates; a sum of doubles may differ in its last bits when rows were added in
/// another order (multisets).
pub(super) fn aggregates_equal(t: &LogicalType, a: &Aggregates, b: &Aggregates) -> bool {
    if *t == LogicalType::Float {
        let close = match (a.sum.as_deref().and_then(|s| s.parse::<f64>().ok()), b.sum.as_deref().and_then(|s| s.parse::<f64>().ok())) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs()),
            (x, y) => x.is_none() && y.is_none(),
        };
        return close && a.nulls == b.nulls && a.min == b.min && a.max == b.max;
    }
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_sum_exactly() {
        let dec = LogicalType::Decimal { precision: Some(10), scale: Some(2) };
        let mut a = Agg::default();
        for v in [Some("0.1"), Some("0.2"), None, Some("-1"), Some("1000000000000.01")] {
            a.add(&dec, v);
        }
        let got = a.finish(&dec);
        assert_eq!(got.sum.as_deref(), Some("999999999999.31"));
        assert_eq!((got.nulls, got.min.as_deref(), got.max.as_deref()), (1, Some("-1"), Some("1000000000000.01")));
        let text = LogicalType::Text { max: None };
        let mut a = Agg::default();
        a.add(&text, Some("日本"));
        a.add(&text, Some("abc"));
        assert_eq!(a.finish(&text).length, Some(5));
        // Integers order as numbers (not as text: "9" > "10"), sum exactly beyond i64, and an
        // odd value in the column (text the load let through) still gets a min and max.
        let int = LogicalType::Integer { bits: 64 };
        let cases: &[(&[Option<&str>], (Option<&str>, Option<&str>, &str))] = &[
            (&[Some("9"), Some("10"), Some("-3")], (Some("-3"), Some("10"), "16")),
            (&[None, Some("7")], (Some("7"), Some("7"), "7")),
            (&[Some("9223372036854775807"), Some("9223372036854775807")], (Some("9223372036854775807"), Some("9223372036854775807"), "18446744073709551614")),
            (&[Some("5"), Some("x"), Some("12")], (Some("5"), Some("x"), "17")),
        ];
        for (values, (min, max, sum)) in cases {
            let mut a = Agg::default();
            for v in *values {
                a.add(&int, *v);
            }
            let got = a.finish(&int);
            assert_eq!((got.min.as_deref(), got.max.as_deref(), got.sum.as_deref()), (*min, *max, Some(*sum)), "{values:?}");
        }
        let mut big = DecSum::default();
        big.add(&"9".repeat(38));
        big.add(&"9".repeat(38));
        assert!(big.text().starts_with('≈'), "{}", big.text());
    }
}
