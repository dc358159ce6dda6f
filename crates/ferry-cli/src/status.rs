//! Every exit status `ferry` ends with, in one place: the codes, what each means for each
//! command, and the "Exit status" list its `--help` shows (the README repeats it).
//!
//! A script can tell them apart: 0 done, 2 done with something listed to look at, 1 failed,
//! 64 the command line itself is wrong (nothing was done), 130 stopped by Ctrl-C.

use std::process::ExitCode;

/// Done, and nothing to look at.
pub const OK: u8 = 0;
/// Failed: one line on stderr says what went wrong and what to do.
pub const FAILED: u8 = 1;
/// Done, with something listed to look at (what, depends on the command).
pub const LISTED: u8 = 2;
/// The command line is wrong — an unknown flag, a missing argument, a bad value — so nothing
/// was done (`EX_USAGE` of sysexits.h).
pub const USAGE: u8 = 64;
/// Stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const INTERRUPTED: u8 = 130;

/// The process's exit code for one of the statuses above.
pub fn exit(status: u8) -> ExitCode {
    ExitCode::from(status)
}

/// What status 0 means for `command`.
fn ok(command: &str) -> &'static str {
    match command {
        "migrate" => "every row arrived exactly, nothing left behind",
        "preflight" => "ready to migrate: no group of values is left to a default that rejects rows",
        "diff" => "the target matches the plan, or holds none of it",
        "validate" => "valid: every row matches the source, the schema matches the plan",
        "sync" => "the target matches the source as it is now (synced, or nothing to do)",
        "connect" => "connected (whether the target is empty is printed)",
        "advise" => "looked: the findings (if any) are listed, each with its fix, and what could not be checked",
        _ => "done",
    }
}

/// What status 2 means for `command`, for the commands that end with it.
fn listed(command: &str) -> Option<&'static str> {
    match command {
        "migrate" => Some("the run completed, but rejected or changed values or objects left behind are listed (and in the report)"),
        "preflight" => Some("some group of values is left to a default that rejects rows: choose for it (--choose)"),
        "diff" => Some("the target holds something that differs from the plan: listed"),
        "validate" => Some("the target differs from the source or the plan: the differences are listed"),
        "sync" => Some("synced, but rows the plan or the target refuses are not in the target: listed"),
        _ => None,
    }
}

/// Whether Ctrl-C ends `command` with its own status (the others just stop).
fn interruptible(command: &str) -> bool {
    matches!(command, "migrate" | "preflight")
}

/// The statuses `command` can end with, lowest first.
pub fn statuses(command: &str) -> Vec<u8> {
    let mut all = vec![OK, FAILED];
    if listed(command).is_some() {
        all.push(LISTED);
    }
    all.push(USAGE);
    if interruptible(command) {
        all.push(INTERRUPTED);
    }
    all
}

/// One status's line for `command`.
fn meaning(command: &str, status: u8) -> &'static str {
    match status {
        OK => ok(command),
        LISTED => listed(command).unwrap_or(""),
        FAILED => "failed: one line on stderr says what went wrong and what to do",
        USAGE => "the command line is wrong (unknown flag, missing argument, bad value): nothing was done",
        INTERRUPTED => match command {
            "migrate" => "stopped by Ctrl-C between batches; the report says how far the run got",
            _ => "stopped by Ctrl-C",
        },
        _ => "",
    }
}

/// The "Exit status" list `command --help` ends with.
pub fn help(command: &str) -> String {
    let lines: Vec<String> = statuses(command).into_iter().map(|s| format!("  {s:<4}{}", meaning(command, s))).collect();
    format!("Exit status:\n{}", lines.join("\n"))
}

/// The list `ferry --help` ends with: what each status means across commands.
pub fn help_all() -> String {
    [
        "Exit status (each command's --help says what each means for it):",
        "  0   done, nothing to look at (migrate: every row arrived exactly)",
        "  1   failed: one line on stderr says what went wrong and what to do",
        "  2   done, with something listed to look at (migrate: values or objects not carried exactly;",
        "      preflight: a choice to make; diff, validate: differences)",
        "  64  the command line is wrong (unknown flag, missing argument, bad value): nothing was done",
        "  130 stopped by Ctrl-C (migrate, preflight)",
    ]
    .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_command_lists_exactly_its_statuses() {
        let cases: [(&str, &[u8]); 15] = [
            ("demo", &[0, 1, 64]),
            ("backup", &[0, 1, 64]),
            ("restore", &[0, 1, 64]),
            ("rollback", &[0, 1, 64]),
            ("audit", &[0, 1, 64]),
            ("connect", &[0, 1, 64]),
            ("inspect", &[0, 1, 64]),
            ("plan", &[0, 1, 64]),
            ("preflight", &[0, 1, 2, 64, 130]),
            ("diff", &[0, 1, 2, 64]),
            ("migrate", &[0, 1, 2, 64, 130]),
            ("monitor", &[0, 1, 64]),
            ("validate", &[0, 1, 2, 64]),
            ("sync", &[0, 1, 2, 64]),
            ("advise", &[0, 1, 64]),
        ];
        for (command, want) in cases {
            assert_eq!(statuses(command), want, "{command}");
            let help = help(command);
            for s in want {
                assert!(help.contains(&format!("\n  {s:<4}")), "{command}: {help}");
                assert!(!meaning(command, *s).is_empty(), "{command} {s}");
            }
        }
        // Every command is in the table.
        let commands = ["demo", "backup", "restore", "rollback", "audit", "connect", "inspect", "plan", "preflight", "diff", "migrate", "monitor", "validate", "sync", "advise"];
        assert_eq!(cases.map(|c| c.0), commands);
    }
}
