//! How the command line writes numbers: a count with its noun in the right number and its
//! thousands grouped ("1 row", "20,000 rows"), a size in bytes, KiB, MiB or GiB (powers of
//! 1,024, named as such), a list ("a, b and c"), and the phases of a run against its wall clock.

pub use ferry_core::value::{group_thousands as group, plural as count};

/// A size: "1 byte", "1,000 bytes", "1.0 KiB", "312.5 KiB", "1.5 MiB" (one decimal, never
/// "1024.0 KiB": that is "1.0 MiB").
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return count(bytes, "byte", "bytes");
    }
    let mut v = bytes as f64 / 1024.0;
    let mut unit = 0;
    while (v >= 1024.0 || format!("{v:.1}") == "1024.0") && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    format!("{v:.1} {}", UNITS[unit])
}

/// Parts joined as a sentence says them: "a", "a and b", "a, b and c".
pub fn and_list(parts: &[String]) -> String {
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => parts.concat(),
    }
}

/// The phases of a run as lines of a table whose seconds add up to what they say: each phase's
/// seconds (summed over the tables, which load `jobs` at a time), the sum of them, and the run's
/// wall clock — with a line saying why the sum is the larger, when it is.
pub fn phase_lines(phases: &[(&str, f64)], wall: f64) -> Vec<String> {
    let mut out = vec![format!("{:<32} {:>9}", "phase", "seconds")];
    for (name, s) in phases {
        out.push(format!("{name:<32} {s:>9.2}"));
    }
    let work: f64 = phases.iter().map(|(_, s)| s).sum();
    out.push(format!("{:<32} {work:>9.2}", "all phases"));
    out.push(format!("{:<32} {wall:>9.2}", "the run (wall clock)"));
    if work > wall + 0.005 {
        out.push(format!("(tables load at the same time, each with its own phases: the phases add up to {:.1}× the wall clock)", work / wall.max(0.001)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        let cases: [(u64, &str); 11] = [
            (0, "0 bytes"),
            (1, "1 byte"),
            (1000, "1,000 bytes"),
            (1023, "1,023 bytes"),
            (1024, "1.0 KiB"),
            (320_000, "312.5 KiB"),
            (1_048_524, "1023.9 KiB"),
            (1_048_550, "1.0 MiB"),
            (1_572_864, "1.5 MiB"),
            (14_155_776, "13.5 MiB"),
            (3 * 1024 * 1024 * 1024, "3.0 GiB"),
        ];
        for (n, want) in cases {
            assert_eq!(size(n), want, "{n}");
        }
    }

    #[test]
    fn counts() {
        let cases: [(u64, &str, &str, &str); 5] = [
            (0, "row", "rows", "0 rows"),
            (1, "row", "rows", "1 row"),
            (2, "view", "views", "2 views"),
            (20_000, "row", "rows", "20,000 rows"),
            (1, "mismatch", "mismatches", "1 mismatch"),
        ];
        for (n, one, many, want) in cases {
            assert_eq!(count(n, one, many), want);
        }
    }

    #[test]
    fn lists() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let cases: [(Vec<String>, &str); 4] = [(s(&[]), ""), (s(&["a"]), "a"), (s(&["a", "b"]), "a and b"), (s(&["a", "b", "c"]), "a, b and c")];
        for (parts, want) in cases {
            assert_eq!(and_list(&parts), want);
        }
    }

    #[test]
    fn phases_against_the_wall_clock() {
        // (phases, wall clock, the last line)
        let cases: [(&[(&str, f64)], f64, &str); 3] = [
            (&[("source", 0.1), ("data", 0.5)], 0.7, "the run (wall clock)"),
            (&[("source", 0.1), ("data", 1.2)], 1.0, "the phases add up to 1.3× the wall clock"),
            (&[], 0.0, "the run (wall clock)"),
        ];
        for (phases, wall, last) in cases {
            let lines = phase_lines(phases, wall);
            assert!(lines.last().unwrap().contains(last), "{lines:?}");
            assert_eq!(lines.len(), phases.len() + 3 + usize::from(last.contains('×')), "{lines:?}");
            let work: f64 = phases.iter().map(|p| p.1).sum();
            assert!(lines.iter().any(|l| l.starts_with("all phases") && l.ends_with(&format!("{work:.2}"))), "{lines:?}");
        }
    }
}
