//! The engine's events, thinned before they cross to the web view: a few progress updates per
//! second per table, and every other event as it comes (warnings, rejected rows, table and
//! phase boundaries are never dropped).

use ferry_core::events::Event;
use std::collections::HashMap;
use std::time::{Duration, Instant};

pub struct Throttle {
    every: Duration,
    last: HashMap<String, Instant>,
}

impl Throttle {
    pub fn new(every: Duration) -> Throttle {
        Throttle { every, last: HashMap::new() }
    }

    /// Whether `event`, happening at `now`, goes through.
    pub fn pass(&mut self, event: &Event, now: Instant) -> bool {
        let Event::Progress { table, rows_done, rows } = event else { return true };
        if rows_done >= rows {
            self.last.insert(table.clone(), now);
            return true;
        }
        match self.last.get(table) {
            Some(t) if now.duration_since(*t) < self.every => false,
            _ => {
                self.last.insert(table.clone(), now);
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(table: &str, done: u64) -> Event {
        Event::Progress { table: table.into(), rows_done: done, rows: 100 }
    }

    #[test]
    fn progress_is_thinned_per_table_and_nothing_else_is() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let warning = Event::Warning { table: None, object: "x".into(), reason: "y".into() };
        // (event, at ms, passes)
        let cases = [
            (progress("a", 10), 0, true),     // first for a
            (progress("a", 20), 100, false),  // too soon
            (progress("b", 10), 100, true),   // other table: its own clock
            (warning.clone(), 101, true),     // never thinned
            (progress("a", 30), 250, true),   // 250 ms after the last one sent
            (progress("a", 40), 300, false),
            (progress("a", 100), 301, true),  // the last one always goes
            (Event::TableDone { table: "a".into(), rows_read: 100, rows_written: 100, rejected: 0, seconds: 0.3 }, 302, true),
        ];
        let mut th = Throttle::new(Duration::from_millis(250));
        for (i, (e, at, want)) in cases.iter().enumerate() {
            assert_eq!(th.pass(e, ms(*at)), *want, "case {i}: {e:?}");
        }
    }
}
