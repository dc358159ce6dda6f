//! The shapes masked values take, drawn from a keyed stream of bytes: made-up words that
//! keep each word's length and case, digits for digits, punctuation and spaces kept. Pure
//! functions of (stream, text); `apply` chooses which one a rule and a column call for.

use super::hmac::Hmac;
use sha2::{Digest, Sha256};

/// The bytes one value's mask draws from: the keyed hash of (rule, round, input), then that
/// hash extended by SHA-256 in counter mode (the seed is secret, so the extension is too).
pub(crate) struct Stream {
    seed: [u8; 32],
    block: [u8; 32],
    pos: usize,
    counter: u32,
}

impl Stream {
    pub(crate) fn new(key: &Hmac, tag: &str, round: u32, input: &[u8]) -> Stream {
        let seed = key.mac(&[tag.as_bytes(), &[0], &round.to_le_bytes(), input]);
        Stream { seed, block: seed, pos: 0, counter: 0 }
    }

    pub(crate) fn byte(&mut self) -> u8 {
        if self.pos == 32 {
            self.counter += 1;
            let mut h = Sha256::new();
            h.update(self.seed);
            h.update(self.counter.to_le_bytes());
            self.block = h.finalize().into();
            self.pos = 0;
        }
        self.pos += 1;
        self.block[self.pos - 1]
    }

    pub(crate) fn u64(&mut self) -> u64 {
        (0..8).fold(0u64, |a, _| (a << 8) | self.byte() as u64)
    }

    /// A number in `0..n` (n > 0), from as few bytes as give it with a bias of at most 1/256
    /// per value (a letter or a digit takes one byte: the stream's SHA-256 blocks are the
    /// cost of masking, so a 30-letter text needs two, not sixteen).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            0
        } else if n <= 256 {
            self.byte() as u64 % n
        } else if n <= 1 << 16 {
            ((self.byte() as u64) << 16 | (self.byte() as u64) << 8 | self.byte() as u64) % n
        } else {
            self.u64() % n
        }
    }
}

const CONSONANTS: &[u8] = b"bcdfghjklmnprstvz";
const VOWELS: &[u8] = b"aeiou";

/// A pronounceable lowercase word of `n` letters.
fn word(s: &mut Stream, n: usize) -> String {
    let mut vowel = s.below(3) == 0;
    let mut w = String::with_capacity(n);
    for _ in 0..n {
        let set = if vowel { VOWELS } else { CONSONANTS };
        w.push(set[s.below(set.len() as u64) as usize] as char);
        vowel = !vowel;
    }
    w
}

fn digit(s: &mut Stream, nonzero: bool) -> char {
    if nonzero {
        (b'1' + s.below(9) as u8) as char
    } else {
        (b'0' + s.below(10) as u8) as char
    }
}

/// How a run of letters is written back: as it was cased.
#[derive(Clone, Copy, PartialEq)]
enum Case {
    Lower,
    Capital,
    Upper,
}

fn case_of(run: &[char]) -> Case {
    let upper = run.iter().filter(|c| c.is_uppercase()).count();
    if run.len() > 1 && upper == run.len() {
        Case::Upper
    } else if run[0].is_uppercase() {
        Case::Capital
    } else {
        Case::Lower
    }
}

fn cased(w: String, case: Case) -> String {
    match case {
        Case::Lower => w,
        Case::Upper => w.to_uppercase(),
        Case::Capital => {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect(),
                None => w,
            }
        }
    }
}

/// Every run of letters a made-up word of as many letters (cased as the run was, or
/// capitalised with `capital`; non-Latin letters become Latin ones), every digit a digit;
/// spaces, punctuation and symbols kept.
pub(crate) fn words(s: &mut Stream, text: &str, capital: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_alphabetic() {
            let start = i;
            while i < chars.len() && chars[i].is_alphabetic() {
                i += 1;
            }
            let run = &chars[start..i];
            let case = if capital { Case::Capital } else { case_of(run) };
            out.push_str(&cased(word(s, run.len()), case));
            continue;
        }
        if c.is_ascii_digit() {
            out.push(digit(s, false));
        } else if c.is_numeric() {
            out.push(digit(s, false));
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// A name: each word a made-up capitalised word of the same length (two letters at least,
/// so that a one-character name does not become an initial).
pub(crate) fn name(s: &mut Stream, text: &str) -> String {
    let masked = words(s, text, true);
    // One-letter words (an initial, or one CJK character) are made two letters long.
    let mut out = String::with_capacity(masked.len() + 4);
    let chars: Vec<char> = masked.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        out.push(*c);
        let alone = c.is_alphabetic() && (i == 0 || !chars[i - 1].is_alphabetic()) && chars.get(i + 1).is_none_or(|n| !n.is_alphabetic());
        if alone {
            out.push(VOWELS[s.below(5) as usize] as char);
        }
    }
    out
}

/// Digits replaced by digits (a leading zero stays zero, another leading digit non-zero:
/// national and international numbers keep their look), all else kept.
pub(crate) fn phone(s: &mut Stream, text: &str) -> String {
    let mut first = true;
    text.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                let d = if first && c == '0' { '0' } else { digit(s, first) };
                first = false;
                d
            } else {
                c
            }
        })
        .collect()
}

/// All but the last `n` characters replaced as `words` replaces them, one by one.
pub(crate) fn keep_last(s: &mut Stream, text: &str, n: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let cut = chars.len().saturating_sub(n);
    let mut out = String::with_capacity(text.len());
    for c in &chars[..cut] {
        if c.is_ascii_digit() {
            out.push(digit(s, false));
        } else if c.is_alphabetic() {
            let l = word(s, 1);
            out.push_str(&if c.is_uppercase() { l.to_uppercase() } else { l });
        } else {
            out.push(*c);
        }
    }
    out.extend(&chars[cut..]);
    out
}

/// Second-level labels kept with a two-letter top-level domain (`co.uk`, `com.br`).
const SECOND_LEVEL: &[&str] = &["co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"];

/// The labels of a domain kept as they are: the top-level domain, and a second level such
/// as `co` before a two-letter one.
fn kept_labels(labels: &[&str]) -> usize {
    match labels {
        [.., sl, tld] if labels.len() >= 3 && tld.len() == 2 && SECOND_LEVEL.contains(&sl.to_ascii_lowercase().as_str()) => 2,
        [_, _, ..] => 1,
        _ => 0,
    }
}

/// `local@domain` → a local part of the same shape (letters, digits, dots kept) and the
/// domain `domain_stream` gives (one stream per domain, so one domain stays one domain), in
/// lower case. None when `text` is not an address.
pub(crate) fn email(s: &mut Stream, domain_stream: impl FnOnce(&str) -> Stream, text: &str) -> Option<String> {
    let (local, domain) = text.rsplit_once('@')?;
    if local.is_empty() || domain.is_empty() || domain.starts_with('.') || domain.ends_with('.') {
        return None;
    }
    let local = words(s, local, false).to_lowercase();
    let lower = domain.to_lowercase();
    let labels: Vec<&str> = lower.split('.').collect();
    let keep = kept_labels(&labels);
    let mut ds = domain_stream(&lower);
    let mut out = local;
    out.push('@');
    for (i, l) in labels.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        if i >= labels.len() - keep {
            out.push_str(l);
        } else {
            out.push_str(&words(&mut ds, l, false).to_lowercase());
        }
    }
    Some(out)
}

/// Whether `text` is shaped as an address: one `@`, something before it, a dotted domain
/// after it, no spaces.
pub(crate) fn is_email(text: &str) -> bool {
    match text.split_once('@') {
        Some((local, domain)) => !local.is_empty() && !domain.contains('@') && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !text.contains(char::is_whitespace),
        None => false,
    }
}

/// An IPv4 address another (first octet 1 to 223, so never 0 or multicast); an IPv6 one with
/// each hex digit replaced; None when `text` is neither.
pub(crate) fn ip(s: &mut Stream, text: &str) -> Option<String> {
    if text.parse::<std::net::Ipv4Addr>().is_ok() {
        let first = 1 + s.below(223);
        return Some(format!("{first}.{}.{}.{}", s.below(256), s.below(256), s.below(256)));
    }
    if text.parse::<std::net::Ipv6Addr>().is_ok() && !text.contains('.') {
        const HEX: &[u8] = b"0123456789abcdef";
        return Some(text.chars().map(|c| if c.is_ascii_hexdigit() { HEX[s.below(16) as usize] as char } else { c }).collect());
    }
    None
}

/// `n` hex digits of the stream.
pub(crate) fn hex(s: &mut Stream, n: usize) -> String {
    const HEX: &[u8] = b"0123456789abcdef";
    (0..n).map(|_| HEX[s.below(16) as usize] as char).collect()
}

/// A UUID (version 4, lowercase) from the stream.
pub(crate) fn uuid(s: &mut Stream) -> String {
    let mut b = [0u8; 16];
    for x in b.iter_mut() {
        *x = s.byte();
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(b).hyphenated().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Hmac {
        Hmac::new(b"0123456789abcdef-test")
    }

    fn stream(input: &str) -> Stream {
        Stream::new(&key(), "t", 0, input.as_bytes())
    }

    /// The shape of a text: each character's class.
    fn shape(s: &str) -> String {
        s.chars().map(|c| if c.is_ascii_digit() { '9' } else if c.is_alphabetic() { 'a' } else { c }).collect()
    }

    #[test]
    fn words_keep_shape_case_and_length() {
        let cases = [
            ("Prefers delivery after 6pm.\nRing twice.", "Aaaaaaa aaaaaaaa aaaaa 9aa.\nAaaa aaaaa."),
            ("Line 1\r\nLine 2", "Aaaa 9\r\nAaaa 9"),
            ("VIP — très important 🌟", "AAA — aaaa aaaaaaaaa 🌟"),
            ("", ""),
        ];
        for (text, want) in cases {
            let got = words(&mut stream(text), text, false);
            let got_shape: String = got.chars().map(|c| if c.is_ascii_digit() { '9' } else if c.is_uppercase() { 'A' } else if c.is_alphabetic() { 'a' } else { c }).collect();
            assert_eq!(got_shape, want, "{text:?} → {got:?}");
            if !text.is_empty() {
                assert_ne!(got, text, "{text:?} changed");
            }
        }
    }

    #[test]
    fn names_are_capitalised_words_of_the_same_length() {
        for text in ["Alice Smith", "José Álvarez", "O'Brien-Kelly", "山田 太郎", "王 伟", "J. R. Tolkien"] {
            let got = name(&mut stream(text), text);
            assert_ne!(got, text);
            let runs = |s: &str| -> Vec<usize> { s.split(|c: char| !c.is_alphabetic()).filter(|r| !r.is_empty()).map(|r| r.chars().count()).collect() };
            let want: Vec<usize> = runs(text).into_iter().map(|n| n.max(2)).collect();
            assert_eq!(runs(&got), want, "{text:?} → {got:?}");
            for w in got.split(|c: char| !c.is_alphabetic()).filter(|r| !r.is_empty()) {
                assert!(w.starts_with(|c: char| c.is_ascii_uppercase()), "{text:?} → {got:?}");
            }
            assert!(got.is_ascii(), "{got:?} in Latin letters");
        }
    }

    #[test]
    fn phones_keep_length_and_punctuation() {
        for text in ["+1-555-0123", "+33 6 12 34 56 78", "+81 90-1234-5678", "0612345678", "(555) 010-9999 ext. 12"] {
            let got = phone(&mut stream(text), text);
            assert_eq!(got.len(), text.len(), "{text:?} → {got:?}");
            assert_eq!(shape(&got), shape(text), "{text:?} → {got:?}");
            assert_ne!(got, text);
            let first = |s: &str| s.chars().find(|c| c.is_ascii_digit()).unwrap();
            assert_eq!(first(&got) == '0', first(text) == '0', "{text:?} → {got:?}: a leading digit keeps being zero or not");
        }
    }

    #[test]
    fn keep_last_keeps_the_end() {
        let cases = [("4111-1111-1111-1234", 4, "-1234"), ("AB12", 4, "AB12"), ("xy", 4, "xy"), ("secret-token", 3, "ken")];
        for (text, n, end) in cases {
            let got = keep_last(&mut stream(text), text, n);
            assert!(got.ends_with(end), "{text:?} → {got:?}");
            assert_eq!(shape(&got), shape(text));
        }
    }

    #[test]
    fn emails_stay_emails() {
        let dom = |d: &str| Stream::new(&key(), "d", 0, d.as_bytes());
        let cases = [
            ("alice.smith12@example.com", Some(("aaaaa.aaaaa99@", ".com"))),
            ("Bob.JONES7@EXAMPLE.co.uk", Some(("aaa.aaaaa9@", ".co.uk"))),
            ("x@mail.example.net", Some(("a@", ".net"))),
            ("user+tag@beispiel.de", Some(("aaaa+aaa@", ".de"))),
            ("not an email", None),
            ("@example.com", None),
            ("a@", None),
        ];
        for (text, want) in cases {
            let got = email(&mut stream(text), dom, text);
            match (want, &got) {
                (None, None) => {}
                (Some((local, tld)), Some(g)) => {
                    assert!(shape(g).starts_with(local), "{text:?} → {g:?}");
                    assert!(g.ends_with(tld), "{text:?} → {g:?}");
                    assert_eq!(g.len(), text.len(), "{text:?} → {g:?}");
                    assert_eq!(g, &g.to_lowercase());
                    assert!(!g.contains("example") && !g.contains("beispiel"), "the domain is masked: {g}");
                }
                _ => panic!("{text:?} → {got:?}"),
            }
        }
        // One domain, one masked domain, whoever the address.
        let a = email(&mut stream("a@example.com"), dom, "a@example.com").unwrap();
        let b = email(&mut stream("bob@Example.COM"), dom, "bob@Example.COM").unwrap();
        assert_eq!(a.split('@').nth(1), b.split('@').nth(1));
    }

    #[test]
    fn ips_stay_ips() {
        for text in ["203.0.113.7", "2001:db8::1f", "10.0.0.1"] {
            let got = ip(&mut stream(text), text).unwrap();
            assert!(got.parse::<std::net::IpAddr>().is_ok(), "{text:?} → {got:?}");
            assert_ne!(got, text);
        }
        assert_eq!(ip(&mut stream("x"), "localhost"), None);
    }

    #[test]
    fn streams_are_keyed_and_deterministic() {
        let a = hex(&mut Stream::new(&key(), "t", 0, b"v"), 80);
        assert_eq!(a, hex(&mut Stream::new(&key(), "t", 0, b"v"), 80), "same key, same input: same bytes");
        assert_ne!(a, hex(&mut Stream::new(&Hmac::new(b"another key of 16+"), "t", 0, b"v"), 80));
        assert_ne!(a, hex(&mut Stream::new(&key(), "t", 1, b"v"), 80), "another round");
        assert_ne!(a, hex(&mut Stream::new(&key(), "u", 0, b"v"), 80), "another rule");
        assert!(uuid::Uuid::parse_str(&uuid(&mut stream("x"))).is_ok());
    }
}
