//! Attributes other tables recompute: pure functions of an entity's index, so a child row
//! can know its parent's currency, price or email without a lookup.

use super::random::{attr, K_CUSTOMER, K_PRODUCT, K_TENANT};
use super::time::{CATALOG_FROM_MS, DAY_MS, TENANTS_FROM_MS};
use super::words::{DOMAINS, FIRST_NAMES, LAST_NAMES};

pub(super) fn tenant_currency(t: u64) -> &'static str {
    match attr(K_TENANT, 1, t) % 6 {
        0..=2 => "USD",
        3 | 4 => "EUR",
        _ => "GBP",
    }
}

pub(super) fn tenant_created_ms(t: u64) -> i64 {
    TENANTS_FROM_MS + (attr(K_TENANT, 2, t) % (365 * DAY_MS) as u64) as i64
}

/// Tax in basis points by currency (US sales tax, EU/UK VAT).
pub(super) fn tax_bp(currency: &str) -> i64 {
    match currency {
        "USD" => 825,
        _ => 2000,
    }
}

pub(super) fn product_created_ms(j: u64) -> i64 {
    CATALOG_FROM_MS + (attr(K_PRODUCT, 1, j) % (365 * DAY_MS) as u64) as i64
}

/// The product's current price in cents: `x.99`, `x.49`, `x.95`, `x.50` or `x.00`.
pub(super) fn product_price_cents(j: u64) -> i64 {
    let h = attr(K_PRODUCT, 2, j);
    let mut dollars = 1 + (h % 120) as i64;
    if (h >> 20) % 10 == 9 {
        dollars *= 10;
    }
    let cents = [99, 49, 95, 50, 0][((h >> 40) % 5) as usize];
    dollars * 100 + cents
}

pub(super) fn money(cents: i64) -> f64 {
    cents as f64 / 100.0
}

pub(super) fn customer_email(j: u64) -> String {
    let h = attr(K_CUSTOMER, 1, j);
    let (_, first) = FIRST_NAMES[(h % FIRST_NAMES.len() as u64) as usize];
    let (_, last) = LAST_NAMES[((h >> 16) % LAST_NAMES.len() as u64) as usize];
    let domain = DOMAINS[((h >> 32) % DOMAINS.len() as u64) as usize];
    if (h >> 48) % 7 == 3 {
        // Mixed case, as people type it: lower(email) is what the expression index is for.
        let mut cap = first.to_string();
        cap[..1].make_ascii_uppercase();
        format!("{cap}.{}{j}@{domain}", last.to_ascii_uppercase())
    } else {
        format!("{first}.{last}{j}@{domain}")
    }
}
