//! Deterministic randomness: the seeded PRNG, the per-table streams and the keys derived from them.

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::ToSql;

/// The splitmix64 finalizer: a bijection on u64 that scrambles well.
const fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// splitmix64.
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(stream: u64) -> Rng {
        Rng(mix64(
            0x00f3_7272_d3b0_5eed ^ stream.wrapping_mul(0x9e37_79b9_7f4a_7c15),
        ))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix64(self.0)
    }
    /// Uniform in `0..n` (`n > 0`).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
    /// Uniform in `lo..=hi`.
    pub(super) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    /// True with probability `pct`%.
    pub(super) fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    pub(super) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    pub(super) fn hex<const N: usize>(&mut self) -> Txt<N> {
        let mut out = [0u8; N];
        let mut bits = 0u64;
        for (i, b) in out.iter_mut().enumerate() {
            if i % 16 == 0 {
                bits = self.next();
            }
            *b = HEX[(bits & 15) as usize];
            bits >>= 4;
        }
        Txt(out)
    }
}

// Streams (one per table) and identity kinds (one per entity), so tables don't disturb each other.
pub(super) const K_TENANT: u64 = 1;
pub(super) const K_PRODUCT: u64 = 2;
pub(super) const K_CUSTOMER: u64 = 3;
pub(super) const K_ORDER: u64 = 4;
pub(super) const K_ITEM: u64 = 5;
pub(super) const K_STOCK_EVENT: u64 = 6;
pub(super) const K_STOCK_LEVEL: u64 = 7;
pub(super) const K_PRICE_HISTORY: u64 = 8;
pub(super) const K_PRICE_EVENT: u64 = 9;
pub(super) const K_IDEMPOTENCY: u64 = 10;
pub(super) const K_UPLOAD: u64 = 11;
pub(super) const K_UPLOAD_CHUNK: u64 = 12;
pub(super) const K_EXPORT_JOB: u64 = 13;
pub(super) const K_EXPORT_CHUNK: u64 = 14;
pub(super) const K_METRIC: u64 = 15;
pub(super) const K_AUDIT: u64 = 16;

/// A pure hash of (kind, index), for attributes other tables need to recompute.
pub(super) fn attr(kind: u64, salt: u64, i: u64) -> u64 {
    mix64(mix64(kind.wrapping_mul(0x1000_0000_01b3) ^ salt) ^ i)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Fixed-size ASCII text bound without allocating.
#[derive(Clone, Copy)]
pub(super) struct Txt<const N: usize>(pub(super) [u8; N]);

impl<const N: usize> Txt<N> {
    pub(super) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("ASCII")
    }
}

impl<const N: usize> ToSql for Txt<N> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Text(&self.0)))
    }
}

/// The UUID (version-4 shaped, lowercase, hyphenated) of entity `i` of `kind`.
pub(super) fn uuid(kind: u64, i: u64) -> Txt<36> {
    let hi = mix64(kind.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ i);
    let lo = mix64(hi ^ 0xd6e8_feb8_6659_fd93);
    let hi = (hi & !0xf000) | 0x4000;
    let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    let bytes = (((hi as u128) << 64) | lo as u128).to_be_bytes();
    let mut out = [0u8; 36];
    let mut p = 0;
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out[p] = b'-';
            p += 1;
        }
        out[p] = HEX[(b >> 4) as usize];
        out[p + 1] = HEX[(b & 15) as usize];
        p += 2;
    }
    Txt(out)
}
