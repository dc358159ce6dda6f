//! Time, as text: instants and dates written as SQLite applications write them.

use super::random::Txt;

pub(super) const SECOND_MS: i64 = 1000;
pub(super) const HOUR_MS: i64 = 3600 * SECOND_MS;
pub(super) const DAY_MS: i64 = 24 * HOUR_MS;
/// 2021-01-01T00:00:00Z: tenants sign up during 2021.
pub(super) const TENANTS_FROM_MS: i64 = 1_609_459_200_000;
/// 2022-01-01T00:00:00Z: products and customers appear during 2022.
pub(super) const CATALOG_FROM_MS: i64 = 1_640_995_200_000;
/// 2023-01-01T00:00:00Z: orders and everything after them, over two years.
pub(super) const ORDERS_FROM_MS: i64 = 1_672_531_200_000;
pub(super) const ORDERS_SPAN_MS: i64 = 730 * DAY_MS;

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = (if mp < 10 { mp + 3 } else { mp - 9 }) as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn put_digits(out: &mut [u8], mut v: u64) {
    for b in out.iter_mut().rev() {
        *b = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// `YYYY-MM-DD HH:MM:SS` into the first 19 bytes.
fn put_datetime(out: &mut [u8], ms: i64, sep: u8) {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    let in_day = ms.rem_euclid(DAY_MS) / SECOND_MS;
    put_digits(&mut out[0..4], y as u64);
    out[4] = b'-';
    put_digits(&mut out[5..7], m as u64);
    out[7] = b'-';
    put_digits(&mut out[8..10], d as u64);
    out[10] = sep;
    put_digits(&mut out[11..13], (in_day / 3600) as u64);
    out[13] = b':';
    put_digits(&mut out[14..16], (in_day / 60 % 60) as u64);
    out[16] = b':';
    put_digits(&mut out[17..19], (in_day % 60) as u64);
}

/// `2024-03-05T14:22:01.123Z`, as `strftime('%Y-%m-%dT%H:%M:%fZ')` writes.
pub(super) fn iso(ms: i64) -> Txt<24> {
    let mut out = [0u8; 24];
    put_datetime(&mut out, ms, b'T');
    out[19] = b'.';
    put_digits(&mut out[20..23], ms.rem_euclid(SECOND_MS) as u64);
    out[23] = b'Z';
    Txt(out)
}

/// `2024-03-05 14:22:01`, as `CURRENT_TIMESTAMP` and `datetime('now')` write.
pub(super) fn sqlts(ms: i64) -> Txt<19> {
    let mut out = [0u8; 19];
    put_datetime(&mut out, ms, b' ');
    Txt(out)
}

/// `2024-03-05`.
pub(super) fn date(days: i64) -> Txt<10> {
    let mut out = [0u8; 19];
    put_datetime(&mut out, days * DAY_MS, b' ');
    let mut d = [0u8; 10];
    d.copy_from_slice(&out[..10]);
    Txt(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_text_matches_chrono() {
        for ms in [
            0i64,
            951_782_400_123,
            1_709_648_521_123,
            1_672_531_199_999,
            4_102_444_800_000,
        ] {
            let dt = chrono::DateTime::from_timestamp_millis(ms).unwrap();
            assert_eq!(
                iso(ms).as_str(),
                dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
            );
            assert_eq!(
                sqlts(ms).as_str(),
                dt.format("%Y-%m-%d %H:%M:%S").to_string()
            );
            assert_eq!(
                date(ms.div_euclid(DAY_MS)).as_str(),
                dt.format("%Y-%m-%d").to_string()
            );
        }
    }
}
