//! Reports as one self-contained HTML page each: the validation's (`validation`) and the
//! migration run's (`run_report`). Inline CSS, no scripts, nothing fetched from anywhere;
//! they print well. Every name and value from a database goes through `escape`.

use crate::report::Report;
use crate::validate::{Aggregates, MismatchKind, TableValidation, ValidationReport};
use crate::value::{group_thousands as group, plural};
use std::fmt::Write as _;

/// Text made safe for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9dee4; --soft: #f5f7f9; --ok: #1e7a4c; --ok-bg: #e6f4ec; --bad: #b42318; --bad-bg: #fdecea; --warn: #8a5a00; --warn-bg: #fff6e0; }
* { box-sizing: border-box; }
body { margin: 0; padding: 32px 40px 48px; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", "DejaVu Sans", Helvetica, Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1100px; margin: 0 auto; }
h1 { font-size: 22px; margin: 0 0 4px; font-weight: 600; }
h2 { font-size: 17px; margin: 36px 0 8px; font-weight: 600; border-bottom: 1px solid var(--line); padding-bottom: 6px; }
h3 { font-size: 14px; margin: 20px 0 6px; font-weight: 600; }
.sub { color: var(--muted); margin: 0 0 20px; }
.verdict { border-radius: 8px; padding: 16px 20px; margin: 0 0 20px; font-size: 18px; font-weight: 600; border: 1px solid; }
.verdict small { display: block; font-size: 13px; font-weight: 400; margin-top: 2px; }
.verdict.ok { background: var(--ok-bg); color: var(--ok); border-color: #b7dfc8; }
.verdict.bad { background: var(--bad-bg); color: var(--bad); border-color: #f4c7c3; }
.verdict.warn { background: var(--warn-bg); color: var(--warn); border-color: #f0d9a8; }
.cards { display: flex; gap: 12px; margin: 0 0 20px; flex-wrap: wrap; }
.card { flex: 1 1 150px; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: var(--soft); }
.card b { display: block; font-size: 20px; font-weight: 600; }
.card span { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
dl.facts { display: grid; grid-template-columns: 150px 1fr; gap: 2px 16px; margin: 0 0 8px; font-size: 13px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; background: var(--soft); }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code, .v { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; overflow-wrap: anywhere; }
.null { color: var(--muted); font-style: italic; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; }
.badge.ok { background: var(--ok-bg); color: var(--ok); }
.badge.bad { background: var(--bad-bg); color: var(--bad); }
.badge.warn { background: var(--warn-bg); color: var(--warn); }
.diff { background: var(--bad-bg); }
.pair div + div { color: var(--muted); }
td.n .pair div { white-space: nowrap; }
.pair .diff { color: var(--bad); }
.note { color: var(--muted); font-size: 13px; margin: 4px 0; }
.more { color: var(--muted); font-size: 12px; }
.bar { background: var(--soft); border-radius: 3px; height: 10px; min-width: 120px; }
.bar span { display: block; height: 10px; border-radius: 3px; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
svg.chart { display: block; margin: 6px 0 12px; max-width: 100%; height: auto; }
details summary { cursor: pointer; color: var(--muted); margin: 8px 0; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
@media print {
  body { padding: 0; font-size: 11px; }
  h2 { break-after: avoid; }
  tr, .card, .verdict { break-inside: avoid; }
  .verdict, .badge, th, .card, .diff, .bar span, .swatch { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

/// What a report page may load or run: nothing but its own inline style. A report shows
/// names and values from anyone's database; were one ever to slip through as markup, the
/// browser would still run no script, load nothing and send no form.
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>{CSS}</style></head>\n<body><main>\n{body}\n</main></body></html>\n",
        escape(title)
    )
}

fn value(v: Option<&str>) -> String {
    match v {
        None => "<span class=\"null\">NULL</span>".into(),
        Some(s) => format!("<span class=\"v\">{}</span>", escape(s)),
    }
}

/// A row's key as `id = 7, name = "x"`.
fn json_cell(v: &serde_json::Value) -> String {
    let text = match v {
        serde_json::Value::Object(m) => m.iter().map(|(k, x)| format!("{k} = {x}")).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    };
    format!("<span class=\"v\">{}</span>", escape(&text))
}

fn facts(rows: &[(&str, String)]) -> String {
    let mut out = String::from("<dl class=\"facts\">");
    for (k, v) in rows.iter().filter(|(_, v)| !v.is_empty()) {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), v);
    }
    out.push_str("</dl>");
    out
}

/// Seconds as the app shows them: "0.4 s", "12 s", "3 min 05 s".
fn secs(s: f64) -> String {
    if !s.is_finite() || s < 0.0 {
        return "—".into();
    }
    if s < 10.0 {
        return format!("{s:.1} s");
    }
    let whole = s.round() as u64;
    if whole < 60 {
        format!("{whole} s")
    } else if whole < 3600 {
        format!("{} min {:02} s", whole / 60, whole % 60)
    } else {
        format!("{} h {:02} min", whole / 3600, whole / 60 % 60)
    }
}

fn card(label: &str, n: u64) -> String {
    format!("<div class=\"card\"><b>{}</b><span>{}</span></div>", group(n), escape(label))
}

fn footer() -> String {
    format!("<footer>Made by Ferry {}.</footer>", escape(crate::version()))
}

/// One aggregate on both sides: once when equal, both (the differing one marked) when not.
fn pair(a: Option<String>, b: Option<String>) -> String {
    if a == b {
        return match a {
            Some(s) => format!("<span class=\"v\">{}</span>", escape(&s)),
            None => String::new(),
        };
    }
    let side = |label: &str, v: Option<String>| format!("<div class=\"diff\">{label}: {}</div>", v.map(|s| format!("<span class=\"v\">{}</span>", escape(&s))).unwrap_or_else(|| "—".into()));
    format!("<div class=\"pair\">{}{}</div>", side("source", a), side("target", b))
}

fn aggregate_rows(t: &TableValidation) -> String {
    let mut out = String::from("<table><tr><th>Column</th><th>Type</th><th class=\"n\">NULLs</th><th>Min</th><th>Max</th><th>Sum / length</th><th></th></tr>");
    for c in &t.columns {
        let sum = |a: &Aggregates| a.sum.clone().or(a.length.map(|l| format!("{} long", group(l))));
        let name = if c.column == c.target_column { escape(&c.column) } else { format!("{} → {}", escape(&c.column), escape(&c.target_column)) };
        let _ = write!(
            out,
            "<tr><td><code>{name}</code></td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&c.logical),
            pair(Some(group(c.source.nulls)), Some(group(c.target.nulls))),
            pair(c.source.min.clone(), c.target.min.clone()),
            pair(c.source.max.clone(), c.target.max.clone()),
            pair(sum(&c.source), sum(&c.target)),
            if c.equal { "<span class=\"badge ok\">equal</span>" } else { "<span class=\"badge bad\">differ</span>" }
        );
    }
    out.push_str("</table>");
    out
}

fn status(t: &TableValidation) -> &'static str {
    if t.error.is_some() {
        "<span class=\"badge bad\">not compared</span>"
    } else if !t.is_clean() {
        "<span class=\"badge bad\">mismatch</span>"
    } else if t.expected_total > 0 {
        "<span class=\"badge warn\">matches, rows expected absent</span>"
    } else {
        "<span class=\"badge ok\">matches</span>"
    }
}

/// The validation report as one page: the verdict and summary first, then each table's
/// counts and aggregates side by side, then the mismatches with their keys and both values.
pub fn validation(r: &ValidationReport) -> String {
    let mut b = String::new();
    let bad_tables = r.tables.iter().filter(|t| !t.is_clean()).count();
    let _ = write!(b, "<h1>Validation report</h1><p class=\"sub\">{} → {}</p>", escape(&r.source), escape(&r.target));
    if r.clean {
        let exp = if r.expected > 0 { format!(" {} absent on purpose (refused or reported by the run), as expected.", plural(r.expected, "row is", "rows are")) } else { String::new() };
        let _ = write!(
            b,
            "<div class=\"verdict ok\">Valid: what arrived is what left<small>{} in {} compared value by value; no differences.{}</small></div>",
            plural(r.rows_compared, "row", "rows"),
            plural(r.tables.len() as u64, "table", "tables"),
            escape(&exp)
        );
    } else if r.mismatches == 0 && bad_tables == 0 {
        let _ = write!(
            b,
            "<div class=\"verdict bad\">Not valid: the schema differs from the plan<small>{} between what was planned and what the target holds, listed below; every row matches.</small></div>",
            plural(r.schema.len() as u64, "difference", "differences")
        );
    } else {
        let schema = if r.schema.is_empty() { String::new() } else { format!(" The schema differs from the plan in {}, listed below.", plural(r.schema.len() as u64, "place", "places")) };
        let _ = write!(
            b,
            "<div class=\"verdict bad\">Not valid: {}<small>in {} of {}; each is listed below by its key and column, with both values.{}</small></div>",
            plural(r.mismatches, "mismatch", "mismatches"),
            group(bad_tables as u64),
            plural(r.tables.len() as u64, "table", "tables"),
            escape(&schema)
        );
    }
    b.push_str("<div class=\"cards\">");
    b.push_str(&card("tables validated", r.tables.len() as u64));
    b.push_str(&card("rows compared", r.rows_compared));
    b.push_str(&card("mismatches", r.mismatches));
    b.push_str(&card("expected absent", r.expected));
    b.push_str("</div>");
    b.push_str(&facts(&[
        ("Source", format!("<code>{}</code>", escape(&r.source))),
        ("Source SHA-256", format!("<code>{}</code>", escape(&r.source_sha256))),
        ("Target", format!("<code>{}</code>", escape(&r.target))),
        ("Target server", escape(&r.target_server)),
        ("Plan", r.plan.as_deref().map(escape).unwrap_or_else(|| "the proposal (no plan file)".into())),
        ("Run report", r.run_report.as_deref().map(escape).unwrap_or_default()),
        ("Ferry", escape(&r.ferry_version)),
        ("Started", escape(&r.started_at)),
        ("Total time", secs(r.seconds)),
    ]));
    for n in &r.notes {
        let _ = write!(b, "<p class=\"note\">Note: {}</p>", escape(n));
    }
    if !r.schema.is_empty() {
        let _ = write!(b, "<h2>Schema differs from the plan ({})</h2><table><tr><th>Table</th><th>Object</th><th>Planned</th><th>Found in the target</th><th>What differs</th></tr>", group(r.schema.len() as u64));
        for d in &r.schema {
            let what = match d.status {
                crate::diff::Status::Create => "missing in the target".to_string(),
                crate::diff::Status::Extra => "not in the plan".to_string(),
                _ => d.differences.join("; "),
            };
            let absent = "<span class=\"null\">absent</span>".to_string();
            let _ = write!(
                b,
                "<tr class=\"diff\"><td><code>{}</code></td><td>{} <code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&d.table),
                escape(d.kind.label()),
                escape(&d.name),
                d.planned.as_deref().map(|p| format!("<code>{}</code>", escape(p))).unwrap_or_else(|| absent.clone()),
                d.found.as_deref().map(|p| format!("<code>{}</code>", escape(p))).unwrap_or(absent),
                escape(&what)
            );
        }
        b.push_str("</table>");
    }
    b.push_str("<h2>Tables</h2><table><tr><th>Table</th><th>Compared by</th><th class=\"n\">Source rows</th><th class=\"n\">Target rows</th><th class=\"n\">Matched</th><th class=\"n\">Mismatches</th><th class=\"n\">Expected</th><th></th></tr>");
    for t in &r.tables {
        let by = if t.method == "key" { format!("key ({})", escape(&t.key.join(", "))) } else { "multiset of row hashes".into() };
        let _ = write!(
            b,
            "<tr><td><code>{}</code></td><td>{by}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            escape(&t.table),
            group(t.rows_source),
            group(t.rows_target),
            group(t.rows_matched),
            group(t.mismatches_total),
            group(t.expected_total),
            status(t)
        );
    }
    b.push_str("</table>");
    for t in &r.tables {
        let renamed = if t.target != t.table { format!(" → <code>{}</code>", escape(&t.target)) } else { String::new() };
        let _ = write!(b, "<h2><code>{}</code>{renamed} {}</h2>", escape(&t.table), status(t));
        if let Some(e) = &t.error {
            let _ = write!(b, "<p class=\"note\">Not compared: {}</p>", escape(e));
        }
        for n in &t.notes {
            let _ = write!(b, "<p class=\"note\">{}</p>", escape(n));
        }
        let _ = write!(
            b,
            "<p>{} in the source, {} in the target; {} matched, in {}.</p>",
            plural(t.rows_source, "row", "rows"),
            group(t.rows_target),
            group(t.rows_matched),
            secs(t.seconds)
        );
        if !t.columns.is_empty() {
            b.push_str(&aggregate_rows(t));
        }
        if !t.mismatches.is_empty() {
            let _ = write!(b, "<h3>Mismatches ({})</h3>", group(t.mismatches_total));
            b.push_str("<table><tr><th>Row</th><th>What</th><th>Column</th><th>Source</th><th>Target</th></tr>");
            for m in &t.mismatches {
                let what = match m.kind {
                    MismatchKind::Value => "value differs".to_string(),
                    k if m.count > 1 => format!("{} ({}×)", k.label(), m.count),
                    k => k.label().to_string(),
                };
                let (s, g) = match m.kind {
                    MismatchKind::Value => (value(m.source.as_deref()), value(m.target.as_deref())),
                    MismatchKind::MissingInTarget => ("present".into(), "<span class=\"null\">absent</span>".into()),
                    MismatchKind::ExtraInTarget => ("<span class=\"null\">absent</span>".into(), "present".into()),
                };
                let _ = write!(
                    b,
                    "<tr class=\"diff\"><td>{}</td><td>{}</td><td><code>{}</code></td><td>{s}</td><td>{g}</td></tr>",
                    json_cell(&m.row),
                    escape(&what),
                    escape(m.column.as_deref().unwrap_or(""))
                );
            }
            b.push_str("</table>");
            if t.mismatches_total > t.mismatches.len() as u64 {
                let _ = write!(b, "<p class=\"more\">The first {} are shown; {} in all.</p>", group(t.mismatches.len() as u64), group(t.mismatches_total));
            }
        }
        if !t.expected.is_empty() {
            let _ = write!(b, "<h3>Expected absent ({})</h3><table><tr><th>Row</th><th>Why</th></tr>", group(t.expected_total));
            for e in &t.expected {
                let _ = write!(b, "<tr><td>{}</td><td>{}</td></tr>", json_cell(&e.row), escape(&e.reason));
            }
            b.push_str("</table>");
        }
    }
    b.push_str(&footer());
    page(&format!("Validation report — {}", r.source), &b)
}

/// One table of values, each with its row, column and why (the first `KEPT`, of `total`).
fn value_rows(title: &str, note: &str, rows: &[crate::report::Rejected], total: u64) -> String {
    let total = total.max(rows.len() as u64);
    let mut b = format!("<h3>{} ({})</h3>{note}<table><tr><th>Row</th><th>Column</th><th>Value</th><th>Why</th></tr>", escape(title), group(total));
    for x in rows {
        let _ = write!(
            b,
            "<tr><td>{}</td><td><code>{}</code></td><td><span class=\"v\">{}</span></td><td>{}</td></tr>",
            json_cell(&x.row),
            escape(x.column.as_deref().unwrap_or("")),
            escape(&x.value.to_string()),
            escape(&x.reason)
        );
    }
    b.push_str("</table>");
    if total > rows.len() as u64 {
        let _ = write!(b, "<p class=\"more\">The first {} are shown; the rejects file lists all {}.</p>", group(rows.len() as u64), group(total));
    }
    b
}

/// The phases in the order a run goes through them, each with its time summed over the
/// tables; when they add up to more than the run took (tables go side by side), it says so.
fn phases(r: &Report) -> String {
    let mut out = String::from("<h3>Phases</h3><table><tr><th>Phase</th><th class=\"n\">Time (summed over tables)</th></tr>");
    let known = crate::events::Phase::ALL.iter().map(|p| p.name());
    let order: Vec<&str> = known.clone().filter(|p| r.phases.contains_key(*p)).chain(r.phases.keys().map(String::as_str).filter(|p| !known.clone().any(|k| k == *p))).collect();
    for p in order {
        let _ = write!(out, "<tr><td>{}</td><td class=\"n\">{}</td></tr>", escape(phase_label(p)), secs(r.phases[p]));
    }
    out.push_str("</table>");
    if r.phases_overlap() {
        let _ = write!(
            out,
            "<p class=\"note\" id=\"phases-overlap\">Phases overlap: tables are copied, indexed and checked side by side, so these times add up to {} — more than the total time of {}.</p>",
            secs(r.phases.values().sum()),
            secs(r.seconds)
        );
    }
    out
}

/// A phase as people say it (the app's words).
fn phase_label(p: &str) -> &str {
    match p {
        "source" => "Reading the source",
        "schema" => "Creating tables",
        "data" => "Copying rows",
        "indexes" => "Building indexes",
        "constraints" => "Adding constraints",
        "sequences" => "Setting sequences",
        "statistics" => "Gathering statistics",
        "views" => "Creating views",
        other => other,
    }
}

/// Colours of the nodes in the placement's chart and bars, in the nodes' order.
const NODE_COLOURS: [&str; 6] = ["#2f6fb0", "#d9822b", "#3a9b6b", "#8e5ab8", "#c2474a", "#5f7d8c"];

/// A bar `share` (0 to 1) of its cell wide.
fn bar(share: f64, colour: &str) -> String {
    let pct = (share.clamp(0.0, 1.0) * 100.0 * 10.0).round() / 10.0;
    format!("<div class=\"bar\"><span style=\"width:{pct}%;background:{colour}\"></span></div>")
}

/// Citus: where the cluster put the tables — per node, the shard groups as a chart, the
/// largest tenants, per table, and every shard (folded).
fn placement(p: &crate::report::Placement) -> String {
    use crate::value::human_bytes;
    let colour = |node: &str| p.nodes.iter().position(|n| n.node == node).map(|i| NODE_COLOURS[i % NODE_COLOURS.len()]).unwrap_or("#999");
    let mut b = String::from("<h2 id=\"placement\">Placement on the cluster</h2>");
    let distributed = p.tables.iter().filter(|t| t.kind == "distributed").count() as u64;
    let reference = p.tables.iter().filter(|t| t.kind == "reference").count() as u64;
    let _ = write!(
        b,
        "<p>{} and {} on {}; {}.</p>",
        plural(distributed, "distributed table", "distributed tables"),
        plural(reference, "reference table", "reference tables"),
        plural(p.nodes.len() as u64, "node", "nodes"),
        escape(&p.describe_skew())
    );
    let rows = p.distributed_rows().max(1);
    b.push_str("<h3>Nodes</h3><table><tr><th>Node</th><th class=\"n\">Shards</th><th class=\"n\">Rows</th><th>Share of the rows</th><th class=\"n\">Size</th><th class=\"n\">Reference copies</th></tr>");
    for n in &p.nodes {
        let _ = write!(
            b,
            "<tr><td><span class=\"swatch\" style=\"background:{}\"></span><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            colour(&n.node),
            escape(&n.node),
            group(n.shards),
            group(n.rows),
            bar(n.rows as f64 / rows as f64, colour(&n.node)),
            human_bytes(n.bytes),
            human_bytes(n.reference_bytes)
        );
    }
    b.push_str("</table>");
    if !p.groups.is_empty() {
        // One bar per shard group, as tall as its size, coloured by its node.
        // About 640 pixels wide whatever the shard count, each bar 4 to 48 wide.
        let (h, gap) = (120.0f64, 4u64);
        let w = (640 / p.groups.len() as u64).saturating_sub(gap).clamp(4, 48);
        let max = p.groups.iter().map(|g| g.bytes).max().unwrap_or(0).max(1) as f64;
        let width = p.groups.len() as u64 * (w + gap);
        let _ = write!(
            b,
            "<h3>Shard groups</h3><p class=\"note\">Each bar is one shard group of the co-located tables ({}): the shards with one hash range, on one node. Height: its size; the largest is {}.</p><svg class=\"chart\" role=\"img\" aria-label=\"size of each shard group\" width=\"{width}\" height=\"{}\" viewBox=\"0 0 {width} {}\">",
            escape(&p.tenant_tables.join(", ")),
            human_bytes(max as u64),
            h as u64 + 18,
            h as u64 + 18
        );
        for (i, g) in p.groups.iter().enumerate() {
            let bh = (g.bytes as f64 / max * h).max(1.0);
            let x = i as u64 * (w + gap);
            let _ = write!(
                b,
                "<rect x=\"{x}\" y=\"{:.1}\" width=\"{w}\" height=\"{bh:.1}\" fill=\"{}\"><title>group {}: {} rows, {} on {}</title></rect>",
                h - bh,
                colour(&g.node),
                g.index,
                group(g.rows),
                human_bytes(g.bytes),
                escape(&g.node)
            );
            let every = (p.groups.len() as u64).div_ceil(8).max(1);
            if g.index == 1 || g.index % every == 0 {
                let _ = write!(b, "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#616e7c\">{}</text>", x + w / 2, h as u64 + 13, g.index);
            }
        }
        b.push_str("</svg>");
    }
    if !p.tenants.is_empty() {
        let _ = write!(
            b,
            "<h3>Biggest tenants</h3><p class=\"note\">The {} (of {}) with the most rows in the co-located tables ({} in all); the bars are to the largest.</p><table><tr><th>Tenant</th><th class=\"n\">Rows</th><th class=\"n\">Share</th><th></th><th>Node</th></tr>",
            plural(p.tenants.len() as u64, "tenant", "tenants"),
            group(p.tenants_distinct),
            plural(p.tenant_rows, "row", "rows")
        );
        let top = p.tenants.first().map(|t| t.share).unwrap_or(0.0).max(f64::MIN_POSITIVE);
        for t in &p.tenants {
            let node = t.node.as_deref().unwrap_or("");
            let _ = write!(
                b,
                "<tr><td><span class=\"v\">{}</span></td><td class=\"n\">{}</td><td class=\"n\">{:.1}%</td><td>{}</td><td><code>{}</code></td></tr>",
                escape(&t.tenant),
                group(t.rows),
                t.share * 100.0,
                bar(t.share / top, colour(node)),
                escape(node)
            );
        }
        b.push_str("</table>");
    }
    b.push_str("<h3>Tables</h3><table><tr><th>Table</th><th>Kind</th><th class=\"n\">Shards</th><th class=\"n\">Rows</th><th class=\"n\">Size</th><th class=\"n\">Largest shard</th></tr>");
    for t in &p.tables {
        let _ = write!(
            b,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&t.table),
            escape(&t.kind),
            group(t.shards),
            group(t.rows),
            human_bytes(t.bytes),
            human_bytes(t.largest_shard_bytes)
        );
    }
    b.push_str("</table>");
    let _ = write!(b, "<details><summary>Every shard ({})</summary><table><tr><th>Table</th><th class=\"n\">Shard</th><th>Node</th><th class=\"n\">Rows</th><th class=\"n\">Size</th></tr>", group(p.shards.len() as u64));
    for s in &p.shards {
        let _ = write!(
            b,
            "<tr><td><code>{}</code></td><td class=\"n\">{}</td><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&s.table),
            s.shard_id,
            escape(&s.node),
            group(s.rows),
            human_bytes(s.bytes)
        );
    }
    b.push_str("</table></details>");
    b
}

/// The migration run's report as one page:/// The migration run's report as one page: the outcome first, then each table's counts,
/// what was left behind or renamed, and every rejected and changed value kept.
pub fn run_report(r: &Report) -> String {
    let mut b = String::new();
    let (rejected, changed) = (r.rejected_count(), r.changed_count());
    let _ = write!(b, "<h1>Migration report</h1><p class=\"sub\">{} → {}</p>", escape(&r.source), escape(&r.target));
    let written: u64 = r.tables.values().map(|t| t.rows_written).sum();
    if let Some(e) = &r.error {
        let _ = write!(b, "<div class=\"verdict bad\">Stopped before the end<small>{}</small></div>", escape(e));
    } else if r.is_exact() {
        let _ = write!(b, "<div class=\"verdict ok\">Every row arrived exactly<small>{} in {}; nothing rejected, changed or left behind.</small></div>", plural(written, "row", "rows"), plural(r.tables.len() as u64, "table", "tables"));
    } else {
        let _ = write!(
            b,
            "<div class=\"verdict warn\">Completed, with differences<small>{} rejected, {} changed, {} not carried exactly — each is listed below.</small></div>",
            plural(rejected, "row", "rows"),
            plural(changed, "value", "values"),
            plural(r.warnings.len() as u64, "object", "objects")
        );
    }
    b.push_str("<div class=\"cards\">");
    b.push_str(&card("tables", r.tables.len() as u64));
    b.push_str(&card("rows written", written));
    b.push_str(&card("rows rejected", rejected));
    b.push_str(&card("values changed", changed));
    b.push_str("</div>");
    b.push_str(&facts(&[
        ("Source", format!("<code>{}</code>", escape(&r.source))),
        ("Target", format!("<code>{}</code>", escape(&r.target))),
        ("Target server", escape(&r.target_server)),
        ("Ferry", escape(&r.ferry_version)),
        ("Started", escape(&r.started_at)),
        ("Total time", secs(r.seconds)),
        ("Rejects file", r.rejects_file.as_deref().map(|f| format!("<code>{}</code>", escape(f))).unwrap_or_default()),
    ]));
    b.push_str("<h2>Tables</h2><table><tr><th>Table</th><th>Target</th><th class=\"n\">Read</th><th class=\"n\">Written</th><th class=\"n\">Rejected</th><th class=\"n\">Changed</th><th class=\"n\">Seconds</th></tr>");
    for (name, t) in &r.tables {
        let _ = write!(
            b,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.2}</td></tr>",
            escape(name),
            escape(&t.target),
            group(t.rows_read),
            group(t.rows_written),
            group(t.rejected_total.max(t.rejected.len() as u64)),
            group(t.changed_total.max(t.changed.len() as u64)),
            t.seconds
        );
    }
    b.push_str("</table>");
    if !r.phases.is_empty() {
        b.push_str(&phases(r));
    }
    if let Some(p) = &r.placement {
        b.push_str(&placement(p));
    }
    let warn_table = |title: &str, list: &[crate::events::Warning]| {
        let mut out = format!("<h2>{}</h2><table><tr><th>Table</th><th>Object</th><th>Why</th></tr>", escape(title));
        for w in list {
            let _ = write!(out, "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>", escape(w.table.as_deref().unwrap_or("")), escape(&w.object), escape(&w.reason));
        }
        out.push_str("</table>");
        out
    };
    if !r.warnings.is_empty() {
        b.push_str(&warn_table("Left behind or changed", &r.warnings));
    }
    if !r.notes.is_empty() {
        b.push_str(&warn_table("Adapted, nothing lost", &r.notes));
    }
    if let Some(fp) = &r.mask_key_fingerprint {
        let _ = write!(b, "<h2>Masked copy</h2><p class=\"note\">Masked with the key of fingerprint <code>{}</code>; no masked value is in this report.</p><table><tr><th>Table</th><th>Column</th><th>Mask</th><th class=\"n\">Values masked</th></tr>", escape(fp));
        for (name, t) in &r.tables {
            for m in &t.masked {
                let _ = write!(b, "<tr><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td class=\"n\">{}</td></tr>", escape(name), escape(&m.column), escape(&m.rule), group(m.values));
            }
        }
        b.push_str("</table>");
    }
    if !r.renames.is_empty() {
        b.push_str("<h2>Renamed</h2><table><tr><th>Table</th><th>From</th><th>To</th><th>Why</th></tr>");
        for n in &r.renames {
            let _ = write!(
                b,
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                escape(n.table.as_deref().unwrap_or("")),
                escape(&n.from),
                escape(&n.to),
                escape(&n.reason)
            );
        }
        b.push_str("</table>");
    }
    for (name, t) in r.tables.iter().filter(|(_, t)| !t.rejected.is_empty() || !t.changed.is_empty() || !t.unchecked_keys.is_empty() || !t.widened.is_empty()) {
        let _ = write!(b, "<h2><code>{}</code></h2>", escape(name));
        if !t.widened.is_empty() {
            let note = "<p class=\"note\">Each arrived exactly; the column's best type cannot hold it. Pre-flight offers that type back (<code>narrow_type</code>), which would reject these rows.</p>";
            b.push_str(&value_rows("Values that keep a column wider than its best type", note, &t.widened, t.widened_total));
        }
        for k in &t.unchecked_keys {
            let _ = write!(
                b,
                "<h3>Orphans kept under {} ({})</h3><p class=\"note\">Every row arrived. The key is {} and refuses new rows without a {} row; these rows were in the source without one.</p><table><tr><th>Row</th><th>Foreign key value</th></tr>",
                escape(&k.object),
                group(k.orphans),
                escape(&k.state),
                escape(&k.parent)
            );
            for x in &k.rows {
                let _ = write!(b, "<tr><td>{}</td><td><span class=\"v\">{}</span></td></tr>", json_cell(&x.row), escape(&x.value.to_string()));
            }
            b.push_str("</table>");
            if k.orphans > k.rows.len() as u64 {
                let _ = write!(b, "<p class=\"more\">The first {} are shown; the rejects file lists all {}.</p>", group(k.rows.len() as u64), group(k.orphans));
            }
        }
        if !t.rejected.is_empty() {
            b.push_str(&value_rows("Rejected rows", "", &t.rejected, t.rejected_total));
        }
        if !t.changed.is_empty() {
            let total = t.changed_total.max(t.changed.len() as u64);
            let _ = write!(b, "<h3>Changed values ({})</h3><table><tr><th>Row</th><th>Column</th><th>From</th><th>To</th><th>Why</th></tr>", group(total));
            for x in &t.changed {
                let _ = write!(
                    b,
                    "<tr><td>{}</td><td><code>{}</code></td><td><span class=\"v\">{}</span></td><td><span class=\"v\">{}</span></td><td>{}</td></tr>",
                    json_cell(&x.row),
                    escape(&x.column),
                    escape(&x.from.to_string()),
                    escape(&x.to.to_string()),
                    escape(&x.reason)
                );
            }
            b.push_str("</table>");
            if total > t.changed.len() as u64 {
                let _ = write!(b, "<p class=\"more\">The first {} are shown; the rejects file lists all {}.</p>", group(t.changed.len() as u64), group(total));
            }
        }
    }
    b.push_str(&footer());
    page(&format!("Migration report — {}", r.source), &b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_masked_copy_lists_its_columns_and_the_key_fingerprint() {
        let mut r = Report { completed: true, mask_key_fingerprint: Some("f99a71b5a5fe".into()), ..Default::default() };
        let masked = vec![crate::report::MaskedColumn { column: "email".into(), rule: "email".into(), values: 1500 }];
        r.tables.insert("customers".into(), crate::report::TableReport { target: "customers".into(), masked, ..Default::default() });
        let page = run_report(&r);
        assert!(page.contains("<h2>Masked copy</h2>") && page.contains("f99a71b5a5fe"), "{page}");
        assert!(page.contains("<td><code>email</code></td><td><code>email</code></td><td class=\"n\">1,500</td>"), "{page}");
        assert!(!run_report(&Report { completed: true, ..Default::default() }).contains("Masked copy"), "only for a masked copy");
    }

    /// A run into Citus: the page shows each node with its bar, one bar of the chart per
    /// shard group, the biggest tenants, and every shard folded away; names are text.
    #[test]
    fn a_citus_run_shows_where_the_shards_went() {
        use crate::report::{NodePlacement, Placement, ShardGroup, ShardPlacement, TablePlacement, TenantShare};
        let evil = "<b>x</b>";
        let p = Placement {
            nodes: vec![NodePlacement { node: "w1:9701".into(), shards: 2, rows: 90, bytes: 8192, reference_bytes: 800 }, NodePlacement { node: "w2:9702".into(), shards: 2, rows: 30, bytes: 2048, reference_bytes: 800 }],
            tables: vec![TablePlacement { table: evil.into(), kind: "distributed".into(), shards: 4, rows: 120, bytes: 10240, largest_shard_bytes: 5000 }],
            shards: (0..4).map(|i| ShardPlacement { table: evil.into(), shard_id: 100 + i, kind: "distributed".into(), node: if i % 2 == 0 { "w1:9701" } else { "w2:9702" }.into(), rows: 30, bytes: 2560 }).collect(),
            groups: vec![ShardGroup { index: 1, node: "w1:9701".into(), rows: 90, bytes: 8192 }, ShardGroup { index: 2, node: "w2:9702".into(), rows: 30, bytes: 2048 }],
            skew: 1.6,
            tenants: vec![TenantShare { tenant: evil.into(), rows: 90, share: 0.75, node: Some("w1:9701".into()) }],
            tenant_tables: vec![evil.into()],
            tenants_distinct: 2,
            tenant_rows: 120,
        };
        let r = Report { completed: true, placement: Some(p), ..Default::default() };
        let html = run_report(&r);
        assert!(html.contains("<h2 id=\"placement\">Placement on the cluster</h2>"), "{html}");
        assert!(html.contains("1 distributed table and 0 reference tables on 2 nodes; skew 1.60"), "{html}");
        assert!(html.contains("<code>w1:9701</code></td><td class=\"n\">2</td><td class=\"n\">90</td><td><div class=\"bar\"><span style=\"width:75%;background:#2f6fb0\">"), "{html}");
        assert_eq!(html.matches("<rect ").count(), 2, "one bar per shard group");
        assert!(html.contains("<h3>Biggest tenants</h3>") && html.contains("75.0%"), "{html}");
        assert!(html.contains("<summary>Every shard (4)</summary>"), "{html}");
        assert!(!html.contains(evil) && html.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));
        assert!(!run_report(&Report { completed: true, ..Default::default() }).contains("Placement on the cluster"), "only for a Citus run");
    }

    #[test]
    fn escape_cases() {
        let cases = [
            ("plain", "plain"),
            ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
            ("a & b", "a &amp; b"),
            ("\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;"),
            ("</style><script>", "&lt;/style&gt;&lt;script&gt;"),
            ("&amp;", "&amp;amp;"),
            ("日本 🚀", "日本 🚀"),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(escape(raw), want, "{raw}");
        }
    }

    #[test]
    fn database_names_and_values_are_text() {
        let evil = "<img src=x onerror=alert(1)>";
        let mut r = ValidationReport { source: evil.into(), target: "postgres://u:***@h/db".into(), ..Default::default() };
        r.tables.push(TableValidation {
            table: evil.into(),
            target: evil.into(),
            method: "key".into(),
            key: vec![evil.into()],
            columns: vec![crate::validate::ColumnCheck { column: evil.into(), target_column: evil.into(), logical: "text".into(), equal: false, source: Aggregates { min: Some(evil.into()), ..Default::default() }, target: Aggregates::default() }],
            mismatches: vec![crate::validate::Mismatch { kind: MismatchKind::Value, row: serde_json::json!({ evil: evil }), column: Some(evil.into()), source: Some(evil.into()), target: None, count: 1 }],
            mismatches_total: 1,
            ..Default::default()
        });
        r.schema.push(crate::validate::SchemaDifference { table: evil.into(), kind: crate::diff::ObjectKind::Column, name: evil.into(), status: crate::diff::Status::Different, planned: Some(evil.into()), found: Some(evil.into()), differences: vec![evil.into()] });
        let html = validation(&r);
        assert!(html.contains("Schema differs from the plan (1)"), "schema differences are listed");
        assert!(!html.contains("<img"), "a database name or value became markup");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"), "self-contained, no scripts");
        let mut run = Report { source: evil.into(), ..Default::default() };
        run.tables.insert(evil.into(), crate::report::TableReport { target: evil.into(), ..Default::default() });
        run.warnings.push(crate::events::Warning { table: Some(evil.into()), object: evil.into(), reason: evil.into() });
        let html = run_report(&run);
        assert!(!html.contains("<img") && html.contains("&lt;img"));
        // Before anything the page shows: a policy that runs and loads nothing.
        for html in [html, validation(&r)] {
            let csp = html.find("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline';").expect("a Content-Security-Policy");
            assert!(csp < html.find("<title>").unwrap() && csp < html.find("<body>").unwrap());
        }
    }

    /// The issue's case: "Copying rows 1.2 s" inside a "Total time 1.0 s", unexplained.
    #[test]
    fn phases_that_overlap_say_so() {
        let run = |total: f64, phases: &[(&str, f64)]| Report { seconds: total, phases: phases.iter().map(|(p, s)| (p.to_string(), *s)).collect(), completed: true, ..Default::default() };
        let cases = [
            (run(1.0, &[("source", 0.1), ("data", 1.2), ("indexes", 0.3)]), true, "add up to 1.6 s — more than the total time of 1.0 s"),
            (run(2.0, &[("source", 0.1), ("data", 1.2), ("indexes", 0.3)]), false, ""),
            (run(1.0, &[]), false, ""),
        ];
        for (r, overlap, words) in cases {
            assert_eq!(r.phases_overlap(), overlap, "{:?}", r.phases);
            let html = run_report(&r);
            assert_eq!(html.contains("id=\"phases-overlap\""), overlap, "{html}");
            assert!(html.contains(words), "{words}");
            assert!(html.contains("<dt>Total time</dt>"));
        }
        let html = run_report(&run(1.0, &[("data", 1.2), ("source", 0.1)]));
        assert!(html.find("Reading the source").unwrap() < html.find("Copying rows").unwrap(), "phases in the run's order, in words");
    }

    #[test]
    fn counts_read_as_words() {
        let mut r = Report { seconds: 125.0, completed: true, ..Default::default() };
        r.tables.insert("t".into(), crate::report::TableReport { target: "t".into(), rows_read: 1, rows_written: 1, ..Default::default() });
        let html = run_report(&r);
        assert!(html.contains("1 row in 1 table;"), "{html}");
        assert!(html.contains("2 min 05 s"));
        for t in 0..3 {
            r.tables.insert(format!("u{t}"), crate::report::TableReport { rows_written: 10_000, ..Default::default() });
        }
        let html = run_report(&r);
        assert!(html.contains("30,001 rows in 4 tables;"), "{html}");
        assert!(!html.contains("(s)"), "no \"row(s)\" anywhere");
        let v = ValidationReport { clean: true, rows_compared: 20_000, expected: 1, tables: vec![TableValidation::default()], ..Default::default() };
        let html = validation(&v);
        assert!(html.contains("20,000 rows in 1 table compared") && html.contains("1 row is absent on purpose"), "{html}");
    }
}
