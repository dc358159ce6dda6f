//! What a server's refusal means, whichever server refused: each dialect reads its own codes
//! (`dialect/*/errors.rs`, a `ServerError` on the server's own error type) and the engine sees
//! a `Violation` (`Violation::of`, `dialect/choose.rs`), never a code.

/// A constraint the server says a row breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    Unique,
    Check,
    ForeignKey,
}

/// One server's error, read.
pub trait ServerError {
    /// The constraint it names, if it is a constraint violation.
    fn violation(&self) -> Option<Violation>;
    /// The column a refusal of a loaded row names, where it names one.
    fn column(&self) -> Option<String>;
}
