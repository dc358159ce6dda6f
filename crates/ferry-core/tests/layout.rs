//! The engine's layout, checked: data flows one way (no file imports a file that imports it
//! back, however far round), and only `dialect/` names a dialect. Reads the source files as
//! text; test modules (from a file's `#[cfg(test)]` on) are left out, since tests may name
//! what they test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// Circles known and not yet taken apart, each as its files sorted. A new circle fails the
/// test; so does one of these once it is gone (take it off the list).
const KNOWN_CIRCLES: &[&[&str]] = &[];

/// Every `.rs` file under `src`, as its module path (`dialect::postgres::ddl`) → its text
/// without comments or test modules.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut paths = vec![];
    walk(Path::new(SRC), &mut paths);
    let files = paths
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(SRC).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
            if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                parts.pop();
            }
            let text = std::fs::read_to_string(&p).unwrap();
            (parts.join("::"), code_of(&text))
        })
        .collect::<BTreeMap<String, (String, Vec<String>)>>();
    // Modules only tests compile (`#[cfg(test)] mod live;`) are left out, with their own.
    let test_only: Vec<String> = files.iter().flat_map(|(m, (_, kids))| kids.iter().map(move |k| if m.is_empty() { k.clone() } else { format!("{m}::{k}") })).collect();
    files
        .into_iter()
        .filter(|(m, _)| !test_only.iter().any(|t| m == t || m.starts_with(&format!("{t}::"))))
        .map(|(m, (code, _))| (m, code))
        .collect()
}

/// The code of a file without `#[cfg(test)]` items (a test module, inline or in its own
/// file, or a helper only tests use), `//` comments and string literals' contents (a doc
/// comment or a message may name anything); and the names of the test-only child modules
/// it declares (`#[cfg(test)] mod live;`).
fn code_of(text: &str) -> (String, Vec<String>) {
    // Comments and strings out first, so braces and semicolons in them do not count.
    let mut code = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = ' ';
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if !in_str && c == '/' && chars.peek() == Some(&'/') {
                break;
            }
            if c == '"' && prev != '\\' && prev != '\'' {
                in_str = !in_str;
                code.push(c);
            } else if !in_str {
                code.push(c);
            }
            prev = if prev == '\\' && c == '\\' { ' ' } else { c };
        }
        code.push('\n');
    }
    let mut out = String::with_capacity(code.len());
    let mut test_mods = vec![];
    let mut rest = code.as_str();
    while let Some(i) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..i]);
        let item = &rest[i + "#[cfg(test)]".len()..];
        // The item ends at its `;` or at the brace closing its first `{`.
        let (semi, brace) = (item.find(';'), item.find('{'));
        let end = match (semi, brace) {
            (Some(s), Some(b)) if s < b => s + 1,
            (Some(s), None) => s + 1,
            (_, Some(b)) => {
                let mut depth = 0;
                let mut end = item.len();
                for (j, c) in item[b..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = b + j + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (None, None) => item.len(),
        };
        let words: Vec<&str> = item[..end].split(|c: char| c.is_whitespace() || c == ';').filter(|w| !w.is_empty()).collect();
        if let [.., "mod", name] = words.as_slice() {
            test_mods.push(name.to_string());
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    (out, test_mods)
}

/// `use` items expanded: `use a::{b, c::{d as e}}` → ["a::b", "a::c::d"], each with the name
/// it binds (`b`, `e`).
fn uses(code: &str) -> Vec<(String, String)> {
    let mut out = vec![];
    let mut rest = code;
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        rest = &rest[i + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let Some(end) = rest.find(';') else { break };
        let item: String = rest[..end].split_whitespace().collect::<Vec<_>>().join(" ").replace(" as ", "@").chars().filter(|c| !c.is_whitespace()).collect();
        expand("", &item, &mut out);
        rest = &rest[end..];
    }
    out
}

fn expand(prefix: &str, item: &str, out: &mut Vec<(String, String)>) {
    if let Some(open) = item.find('{') {
        let head = format!("{prefix}{}", &item[..open]);
        let inner = &item[open + 1..item.rfind('}').unwrap_or(item.len())];
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&head, &inner[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand(&head, &inner[start..], out);
        return;
    }
    if item.is_empty() {
        return;
    }
    let (path, name) = match item.split_once('@') {
        Some((p, n)) => (p.to_string(), n.to_string()),
        None => (item.to_string(), item.rsplit("::").next().unwrap_or(item).to_string()),
    };
    let path = format!("{prefix}{path}");
    let path = path.strip_suffix("::self").map(String::from).unwrap_or(path);
    let name = if name == "self" { path.rsplit("::").next().unwrap_or("").to_string() } else { name };
    out.push((path, name));
}

/// The module a path names, relative to module `here`: the longest prefix that is a module
/// (`crate::dialect::postgres::ddl::qualified` → `dialect::postgres::ddl`).
fn resolve(path: &str, here: &str, mods: &BTreeSet<String>) -> Option<String> {
    let mut parts: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: Vec<&str> = here.split("::").filter(|s| !s.is_empty()).collect();
    match parts.first() {
        Some(&"crate") => {
            parts.remove(0);
            base.clear();
        }
        Some(&"super") => {
            // `a::b`'s super is `a`, whether `b` is a file or a folder's mod.rs.
            base.pop();
            parts.remove(0);
            while parts.first() == Some(&"super") {
                base.pop();
                parts.remove(0);
            }
        }
        Some(&"self") => {
            parts.remove(0);
        }
        // A child module named from its parent (`pub use read::x` in a mod.rs).
        Some(first) if mods.contains(&if here.is_empty() { first.to_string() } else { format!("{here}::{first}") }) => {}
        _ => return None,
    }
    let mut best = None;
    for n in 0..=parts.len() {
        let candidate: Vec<&str> = base.iter().copied().chain(parts[..n].iter().copied()).collect();
        let m = candidate.join("::");
        if mods.contains(&m) {
            best = Some(m);
        }
    }
    best
}

/// Which modules each module reaches: by `use`, by `crate::`/`super::` paths in its code,
/// and by paths that start with a module it imported (`use crate::dialect::postgres;` then
/// `postgres::ddl::x`).
fn edges(mods: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let names: BTreeSet<String> = mods.keys().cloned().collect();
    let mut out = BTreeMap::new();
    for (m, code) in mods {
        let mut to = BTreeSet::new();
        // A folder's own modules are in scope by name (`pub mod postgres;` then `postgres::x`).
        let mut aliases: BTreeMap<String, String> = names
            .iter()
            .filter_map(|c| {
                let rest = if m.is_empty() { Some(c.as_str()) } else { c.strip_prefix(&format!("{m}::")) }?;
                (!rest.is_empty() && !rest.contains("::")).then(|| (rest.to_string(), c.clone()))
            })
            .collect();
        for (path, name) in uses(code) {
            if let Some(r) = resolve(&path, m, &names) {
                let full = if path.starts_with("crate::") { path.trim_start_matches("crate::").to_string() } else { r.clone() };
                if names.contains(&full) {
                    aliases.insert(name, full);
                }
                to.insert(r);
            }
        }
        // Paths in the code: `crate::…`, `super::…`, and `alias::…`.
        let bytes: Vec<char> = code.chars().collect();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            let starts = (c.is_alphabetic() || c == '_') && (i == 0 || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_' || bytes[i - 1] == ':'));
            if !starts {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < bytes.len() && (bytes[j].is_alphanumeric() || bytes[j] == '_' || (bytes[j] == ':' && bytes.get(j + 1) == Some(&':')) || (bytes[j] == ':' && j > 0 && bytes[j - 1] == ':')) {
                j += 1;
            }
            let path: String = bytes[i..j].iter().collect();
            i = j.max(i + 1);
            // `a::{…}` groups are `use` items, read by `uses`.
            if !path.contains("::") || path.ends_with("::") {
                continue;
            }
            let first = path.split("::").next().unwrap();
            let resolved = match first {
                "crate" | "super" | "self" => resolve(&path, m, &names),
                _ => aliases.get(first).and_then(|full| resolve(&format!("crate::{full}{}", &path[first.len()..]), m, &names)),
            };
            if let Some(r) = resolved {
                to.insert(r);
            }
        }
        to.remove(m);
        // A folder's mod.rs declaring its children is not a use of them.
        out.insert(m.clone(), to);
    }
    out
}

/// The circles: groups of two or more modules each reachable from the others (Tarjan).
fn circles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        let n = t.index.len();
        t.index.insert(v, n);
        t.low.insert(v, n);
        t.stack.push(v);
        t.on.insert(v);
        for w in t.g.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !t.index.contains_key(w) {
                visit(t, w);
                let lw = t.low[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if t.on.contains(w) {
                let iw = t.index[w];
                let lv = t.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if t.low[v] == t.index[v] {
            let mut group = vec![];
            loop {
                let w = t.stack.pop().unwrap();
                t.on.remove(w);
                group.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                t.out.push(group);
            }
        }
    }
    let mut t = T { g, index: BTreeMap::new(), low: BTreeMap::new(), stack: vec![], on: BTreeSet::new(), out: vec![] };
    for v in g.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v);
        }
    }
    t.out.sort();
    t.out
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let mods = modules();
    let found = circles(&edges(&mods));
    let known: Vec<Vec<String>> = KNOWN_CIRCLES.iter().map(|c| c.iter().map(|s| s.to_string()).collect()).collect();
    let new: Vec<&Vec<String>> = found.iter().filter(|c| !known.contains(c)).collect();
    let gone: Vec<&Vec<String>> = known.iter().filter(|c| !found.contains(c)).collect();
    assert!(new.is_empty(), "import circles (a module below must not reach up; move the helper down):\n{}", new.iter().map(|c| c.join(" ↔ ")).collect::<Vec<_>>().join("\n"));
    assert!(gone.is_empty(), "these circles are gone: take them off KNOWN_CIRCLES:\n{gone:?}");
}

#[test]
fn only_dialect_names_a_dialect() {
    let mut found = vec![];
    for (m, code) in modules() {
        if m == "dialect" || m.starts_with("dialect::") {
            continue;
        }
        for (n, line) in code.lines().enumerate() {
            for needle in ["Dialect::Postgres", "Dialect::MySql", "Dialect::MariaDb", "is_mysql_family", "Conn::Pg", "Conn::My"] {
                if line.contains(needle) {
                    found.push(format!("{m}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "outside dialect/, code names a dialect; ask the dialect door instead:\n{}", found.join("\n"));
}

#[test]
fn only_dialect_reaches_a_dialects_folder() {
    let mods = modules();
    let mut found = vec![];
    for (m, to) in edges(&mods) {
        if m == "dialect" || m.starts_with("dialect::") {
            continue;
        }
        for t in to.iter().filter(|t| t.starts_with("dialect::postgres") || t.starts_with("dialect::mysql")) {
            found.push(format!("{m} → {t}"));
        }
        if mods[&m].contains("each!(") {
            found.push(format!("{m} uses each!"));
        }
    }
    assert!(found.is_empty(), "outside dialect/, code goes into a dialect's folder; go through its door (dialect/*.rs):\n{}", found.join("\n"));
}

/// The checks above read what they are meant to read.
#[test]
fn the_readers_see_what_they_should() {
    let u = uses("use crate::a::{b, c::{d as e, self}};\nuse super::f;");
    assert_eq!(u, vec![("crate::a::b".into(), "b".into()), ("crate::a::c::d".into(), "e".into()), ("crate::a::c".into(), "c".into()), ("super::f".into(), "f".into())]);
    let (code, kids) = code_of("let x = \"crate::copy::Conn\"; // crate::diff\nfn f() {}\n#[cfg(test)]\nmod tests { use crate::copy; fn g() { if x { } } }\n#[cfg(test)]\nmod live;\n#[cfg(test)]\nfn h() { crate::restore::x() }\nfn after() {}");
    assert!(!code.contains("crate::copy") && !code.contains("crate::diff") && !code.contains("crate::restore") && code.contains("fn f()") && code.contains("fn after()"), "{code}");
    assert_eq!(kids, vec!["live".to_string()]);
    let mut g = BTreeMap::new();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        g.entry(a.to_string()).or_insert_with(BTreeSet::new).insert(b.to_string());
    }
    g.insert("d".into(), BTreeSet::new());
    assert_eq!(circles(&g), vec![vec!["a".to_string(), "b".into(), "c".into()]]);
    let mods: BTreeMap<String, String> = [("", ""), ("dialect", ""), ("dialect::postgres", ""), ("dialect::postgres::ddl", ""), ("copy", "use crate::dialect::postgres;\nfn f() { postgres::ddl::x(); }")].into_iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert!(edges(&mods)["copy"].contains("dialect::postgres::ddl"), "an alias's path is followed");
}

/// `cargo test -p ferry-core --test layout print_edges -- --ignored --nocapture` lists who
/// imports whom, for finding the edge that closes a circle.
#[test]
#[ignore]
fn print_edges() {
    let mods = modules();
    for (m, to) in edges(&mods) {
        println!("{m} -> {}", to.iter().cloned().collect::<Vec<_>>().join(", "));
    }
}
