//! Secrets a run hands back to its caller once and keeps nowhere: the login users
//! `--roles-login` makes, with their generated passwords.

/// A login user made by the run, with its password: shown once, kept nowhere by Ferry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Login {
    pub user: String,
    pub role: String,
    pub password: Password,
}

/// A generated password; its `Debug` hides it, and it has no `Serialize`.
#[derive(Clone, Default, PartialEq)]
pub struct Password(String);

impl Password {
    /// 24 letters and digits from the system's random source (about 143 bits).
    pub fn generate() -> Password {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut out = String::with_capacity(24);
        while out.len() < 24 {
            let mut buf = [0u8; 32];
            getrandom::fill(&mut buf).expect("the system's random source");
            // 248 = 4 × 62: bytes above it are dropped, so every character is equally likely.
            for b in buf.into_iter().filter(|b| *b < 248) {
                if out.len() < 24 {
                    out.push(ALPHABET[(b % 62) as usize] as char);
                }
            }
        }
        Password(out)
    }
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

