use super::parsed::*;
use super::lex::*;
use super::{parse_create_index, parse_create_table, parse_create_view, view_select};
use super::parser::*;
use crate::schema::{Check, Generated, IndexPart};


fn col(name: &str, ty: &str) -> ParsedColumn {
    ParsedColumn {
        name: name.into(),
        declared_type: ty.into(),
        ..ParsedColumn::default()
    }
}

fn coll(name: &str, ty: &str, c: &str) -> ParsedColumn {
    ParsedColumn {
        collation: Some(c.into()),
        ..col(name, ty)
    }
}

fn gen(name: &str, ty: &str, expr: &str, stored: bool) -> ParsedColumn {
    ParsedColumn {
        generated: Some(Generated {
            expr: expr.into(),
            stored,
        }),
        ..col(name, ty)
    }
}

fn check(name: Option<&str>, expr: &str) -> Check {
    Check {
        name: name.map(Into::into),
        expr: expr.into(),
    }
}

fn table(name: &str, columns: Vec<ParsedColumn>) -> ParsedTable {
    ParsedTable {
        name: name.into(),
        columns,
        ..ParsedTable::default()
    }
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// (SQL, expected parse). Every statement here is also run through SQLite itself in
/// `table_cases_agree_with_sqlite`, unless it is listed in `NOT_FOR_SQLITE`.
fn table_cases() -> Vec<(&'static str, ParsedTable)> {
    vec![
        ("CREATE TABLE t(a, b)", table("t", vec![col("a", ""), col("b", "")])),
        (
            "create table t (id integer primary key, name text not null)",
            table("t", vec![col("id", "integer"), col("name", "text")]),
        ),
        // Odd types.
        (
            r#"CREATE TABLE double(x "double precision", y real, s short integer, u smallint unsigned not null)"#,
            table(
                "double",
                vec![
                    col("x", "double precision"),
                    col("y", "real"),
                    col("s", "short integer"),
                    col("u", "smallint unsigned"),
                ],
            ),
        ),
        (
            "CREATE TABLE t548(foo numeric(20, 6), bar numeric(12,4), d DOUBLE(10,2) NOT NULL, i INT(11) DEFAULT 0, v varchar(255), n NUMERIC( 10 , -2 ))",
            table(
                "t548",
                vec![
                    col("foo", "numeric(20, 6)"),
                    col("bar", "numeric(12,4)"),
                    col("d", "DOUBLE(10,2)"),
                    col("i", "INT(11)"),
                    col("v", "varchar(255)"),
                    col("n", "NUMERIC( 10 , -2 )"),
                ],
            ),
        ),
        (
            "CREATE TABLE typenames(id integer primary key autoincrement, is_public integer default '\"0\"', name text nocase)",
            ParsedTable {
                autoincrement: true,
                ..table(
                    "typenames",
                    vec![col("id", "integer"), col("is_public", "integer"), col("name", "text nocase")],
                )
            },
        ),
        (
            "CREATE TABLE autoinc(id integer auto_increment primary key, ticket text)",
            table("autoinc", vec![col("id", "integer auto_increment"), col("ticket", "text")]),
        ),
        (
            "CREATE TABLE q(a 'text', b [my type], c `big int`, d \"x\"\"y\", e [my type] [x])",
            table(
                "q",
                vec![
                    col("a", "text"),
                    col("b", "my type"),
                    col("c", "big int"),
                    col("d", "x\"y"),
                    // As SQLite records it: the first quoted word only.
                    col("e", "my type"),
                ],
            ),
        ),
        // Quoted and keyword names.
        (
            r#"CREATE TABLE "references"(id integer, "references" text, "order" int, key int, "a b" int, [c d] int, `e``f` int, 'g' int, "h""i" int)"#,
            table(
                "references",
                vec![
                    col("id", "integer"),
                    col("references", "text"),
                    col("order", "int"),
                    col("key", "int"),
                    col("a b", "int"),
                    col("c d", "int"),
                    col("e`f", "int"),
                    col("g", "int"),
                    col("h\"i", "int"),
                ],
            ),
        ),
        ("CREATE TABLE user(id integer primary key autoincrement, name text)", ParsedTable {
            autoincrement: true,
            ..table("user", vec![col("id", "integer"), col("name", "text")])
        }),
        (
            "CREATE TABLE IF NOT EXISTS main.\"My Table\" (x int)",
            table("My Table", vec![col("x", "int")]),
        ),
        ("CREATE TEMP TABLE [tmp](x)", table("tmp", vec![col("x", "")])),
        ("CREATE TABLE key(action, replace text, if int)", table("key", vec![col("action", ""), col("replace", "text"), col("if", "int")])),
        // Reserved words as bare column names: SQLite refuses them, the parser still copes.
        (
            "CREATE TABLE bare_kw(order int, group text, user int)",
            table("bare_kw", vec![col("order", "int"), col("group", "text"), col("user", "int")]),
        ),
        // Comments anywhere.
        (
            "CREATE TABLE /* c1 */ t -- c2\n( -- the id\n id /* c3 */ INTEGER /* c4 */ PRIMARY KEY, -- more\n v varchar /* inside */ (10) -- last\n) /* end */",
            table("t", vec![col("id", "INTEGER"), col("v", "varchar /* inside */ (10)")]),
        ),
        // DEFAULTs followed by other constraints, and values that look like keywords.
        (
            "CREATE TABLE d(a int DEFAULT 0 NOT NULL, b text DEFAULT 'x, (y)' COLLATE NOCASE, c int DEFAULT -1 CHECK (c < 0), d text DEFAULT (lower('A,B')) UNIQUE, e DEFAULT CURRENT_TIMESTAMP, f default NULL, g text default \"\" collate rtrim, h default x'00ff', i real default +1.5e-3 not null)",
            ParsedTable {
                checks: vec![check(None, "c < 0")],
                ..table(
                    "d",
                    vec![
                        col("a", "int"),
                        coll("b", "text", "NOCASE"),
                        col("c", "int"),
                        col("d", "text"),
                        col("e", ""),
                        col("f", ""),
                        coll("g", "text", "rtrim"),
                        col("h", ""),
                        col("i", "real"),
                    ],
                )
            },
        ),
        (
            "CREATE TABLE datetime_default(i integer, foo datetime default(DATETIME('now', 'localtime')), t TIMESTAMP DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')))",
            table(
                "datetime_default",
                vec![col("i", "integer"), col("foo", "datetime"), col("t", "TIMESTAMP")],
            ),
        ),
        // CHECKs: nested parentheses, strings with commas and parentheses, names.
        (
            "CREATE TABLE c(a int CHECK (a > 0 AND (a < 10 OR a = 100)), b text CONSTRAINT b_ok CHECK( b IN ('x,y', ')', '(''') ), c int, CHECK (c <> a), CONSTRAINT c_pos CHECK(c >= 0), constraint \"weird name\" check (length(b) > 0 -- trailing\n))",
            ParsedTable {
                checks: vec![
                    check(None, "a > 0 AND (a < 10 OR a = 100)"),
                    check(Some("b_ok"), "b IN ('x,y', ')', '(''')"),
                    check(None, "c <> a"),
                    check(Some("c_pos"), "c >= 0"),
                    check(Some("weird name"), "length(b) > 0"),
                ],
                ..table("c", vec![col("a", "int"), col("b", "text"), col("c", "int")])
            },
        ),
        // Named constraints, table-level and column-level, with and without commas.
        (
            "CREATE TABLE n(id int CONSTRAINT pk_n PRIMARY KEY, e text CONSTRAINT uq_e UNIQUE, p int CONSTRAINT fk_p REFERENCES parent(id) ON DELETE SET DEFAULT CHECK (p > 0), q int, r int, CONSTRAINT uq_qr UNIQUE (q, \"r\" COLLATE nocase DESC), UNIQUE(r) CONSTRAINT fk_qr FOREIGN KEY (q, r) REFERENCES other (a, b) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED, FOREIGN KEY (r) REFERENCES x(y) CHECK (q <> r))",
            ParsedTable {
                checks: vec![check(None, "p > 0"), check(None, "q <> r")],
                pk_name: Some("pk_n".into()),
                unique_names: vec![
                    (names(&["e"]), "uq_e".into()),
                    (names(&["q", "r"]), "uq_qr".into()),
                ],
                fk_names: vec![
                    (names(&["p"]), "fk_p".into()),
                    (names(&["q", "r"]), "fk_qr".into()),
                ],
                ..table(
                    "n",
                    vec![col("id", "int"), col("e", "text"), col("p", "int"), col("q", "int"), col("r", "int")],
                )
            },
        ),
        (
            "CREATE TABLE [Album]\n(\n    [AlbumId] INTEGER  NOT NULL,\n    [Title] NVARCHAR(160)  NOT NULL,\n    [ArtistId] INTEGER  NOT NULL,\n    CONSTRAINT [PK_Album] PRIMARY KEY  ([AlbumId]),\n    FOREIGN KEY ([ArtistId]) REFERENCES [Artist] ([ArtistId]) \n\t\tON DELETE NO ACTION ON UPDATE NO ACTION\n)",
            ParsedTable {
                pk_name: Some("PK_Album".into()),
                ..table(
                    "Album",
                    vec![col("AlbumId", "INTEGER"), col("Title", "NVARCHAR(160)"), col("ArtistId", "INTEGER")],
                )
            },
        ),
        (
            "CREATE TABLE pk2(a int, b int, CONSTRAINT pk2_pk PRIMARY KEY (a, b) ON CONFLICT REPLACE)",
            ParsedTable {
                pk_name: Some("pk2_pk".into()),
                ..table("pk2", vec![col("a", "int"), col("b", "int")])
            },
        ),
        (
            "CREATE TABLE pk3(id INTEGER NOT NULL, PRIMARY KEY (id AUTOINCREMENT))",
            ParsedTable { autoincrement: true, ..table("pk3", vec![col("id", "INTEGER")]) },
        ),
        (
            "CREATE TABLE pk4(id INTEGER PRIMARY KEY ASC ON CONFLICT FAIL AUTOINCREMENT)",
            ParsedTable { autoincrement: true, ..table("pk4", vec![col("id", "INTEGER")]) },
        ),
        // Generated columns.
        (
            "CREATE TABLE g(a int, b int GENERATED ALWAYS AS (a * 2) STORED, c text generated always as (printf('%d,(%d)', a, b)) virtual, d AS (a + 1), e int as(upper('x')) stored NOT NULL, f generated always as (1))",
            table(
                "g",
                vec![
                    col("a", "int"),
                    gen("b", "int", "a * 2", true),
                    gen("c", "text", "printf('%d,(%d)', a, b)", false),
                    gen("d", "", "a + 1", false),
                    gen("e", "int", "upper('x')", true),
                    gen("f", "", "1", false),
                ],
            ),
        ),
        (
            "CREATE TABLE g2(x, a int generated as (1), b int COLLATE nocase GENERATED ALWAYS AS (x || 'y'))",
            table(
                "g2",
                vec![
                    col("x", ""),
                    gen("a", "int generated", "1", false),
                    ParsedColumn {
                        collation: Some("nocase".into()),
                        ..gen("b", "int", "x || 'y'", false)
                    },
                ],
            ),
        ),
        // Table options.
        (
            "CREATE TABLE w(k text primary key, v) WITHOUT ROWID",
            ParsedTable { without_rowid: true, ..table("w", vec![col("k", "text"), col("v", "")]) },
        ),
        (
            "CREATE TABLE s(k integer primary key, v text) strict",
            ParsedTable { strict: true, ..table("s", vec![col("k", "integer"), col("v", "text")]) },
        ),
        (
            "CREATE TABLE ws(k text primary key, v any) STRICT, WITHOUT ROWID",
            ParsedTable {
                strict: true,
                without_rowid: true,
                ..table("ws", vec![col("k", "text"), col("v", "any")])
            },
        ),
        (
            "CREATE TABLE ws2(k text primary key) WITHOUT ROWID, STRICT;",
            ParsedTable { strict: true, without_rowid: true, ..table("ws2", vec![col("k", "text")]) },
        ),
        // Column-level REFERENCES with refargs that contain DEFAULT and NULL.
        (
            "CREATE TABLE f(a int REFERENCES p(id) ON DELETE SET NULL ON UPDATE SET DEFAULT NOT DEFERRABLE, b int REFERENCES \"p q\" MATCH FULL COLLATE binary)",
            table("f", vec![col("a", "int"), coll("b", "int", "binary")]),
        ),
        // Unicode names and types.
        ("CREATE TABLE ünï(名前 テキスト, \"é\" int)", table("ünï", vec![col("名前", "テキスト"), col("é", "int")])),
    ]
}

/// Cases SQLite itself refuses (or that need a parent schema), so only the parser sees them.
const NOT_FOR_SQLITE: &[&str] = &["CREATE TEMP TABLE", "CREATE TABLE bare_kw"];

#[test]
fn parse_table_cases() {
    for (sql, want) in table_cases() {
        let got = parse_create_table(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(got, want, "\n{sql}");
    }
}

#[test]
fn parse_table_errors() {
    for sql in [
        "CREATE VIRTUAL TABLE v USING fts5(a, b)",
        "CREATE TABLE t AS SELECT 1",
        "CREATE TABLE t(a int",
        "CREATE TABLE t(a 'oops)",
        "CREATE TABLE t()",
        "CREATE TABLE t(a,)",
        "CREATE TABLE t(a, PRIMARY KEY(a),)",
        "CREATE TABLE t(a CHECK ())",
        "CREATE TABLE t(a) WITH ROWID",
        "CREATE INDEX i ON t(a)",
        "",
    ] {
        assert!(parse_create_table(sql).is_err(), "{sql} should fail");
    }
}

/// Runs each table case through SQLite and compares with what its PRAGMA says.
#[test]
fn parse_table_cases_agree_with_sqlite() {
    let mut ran = 0;
    for (sql, want) in table_cases() {
        if NOT_FOR_SQLITE.iter().any(|p| sql.starts_with(p)) {
            continue;
        }
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(sql)
            .unwrap_or_else(|e| panic!("SQLite refuses {sql}: {e}"));
        let name: String = db
            .query_row(
                "SELECT name FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(name, want.name, "{sql}");
        compare_with_pragma(&db, &name, &want);
        ran += 1;
    }
    assert!(ran > 20);
}

/// More odd but valid statements, checked only against what SQLite itself records.
#[test]
fn parse_odd_tables_agree_with_sqlite() {
    for sql in [
        "CREATE TABLE t(a int CONSTRAINT c)",
        "CREATE TABLE t(a timestamp with time zone, b character varying(255), c unsigned big int, d long varchar, e double precision not null)",
        "CREATE TABLE t(a numeric(10,\n 2), b varchar ( 20 ) , c decimal(+10, -2))",
        "CREATE TABLE t(a, b, PRIMARY KEY(a) ON CONFLICT IGNORE UNIQUE(b) CHECK(a<>b))",
        "CREATE TABLE t(a INT DEFAULT(1)NOT NULL,b TEXT DEFAULT'x'COLLATE\"nocase\")",
        "CREATE TABLE t(a INT/**/PRIMARY/**/KEY,b/**/)",
        "CREATE TABLE t(a text default 'it''s, (ok)' check(a <> ')'), b)",
        "CREATE TABLE \"x.y\"(a)",
        "CREATE TABLE t(x, a AS (1) stored, b)",
        "CREATE TABLE t(a int, b int as (a) VIRTUAL NOT NULL UNIQUE)",
        "CREATE TABLE t(a xxxxxxxxxx always, b generated int)",
        "CREATE TABLE t(rowid int, oid text, _rowid_ blob)",
        "CREATE TABLE t(a integer primary key asc, b text unique on conflict replace, c references p on delete cascade deferrable initially deferred)",
        "CREATE TABLE t(\"a\" [text], b '', c \"\", d ```q`` r`)",
        "CREATE TABLE t(a int -- c, d\n, b -- (\n)",
        "CREATE TABLE t(a int NOT NULL ON CONFLICT ABORT DEFAULT -5 CHECK(a<0) COLLATE BINARY REFERENCES p(x) MATCH SIMPLE)",
        "CREATE TABLE t(a DEFAULT TRUE, b DEFAULT CURRENT_DATE, c DEFAULT 0x10, d DEFAULT .5)",
        "CREATE TABLE t(a, b, FOREIGN KEY(a, b) REFERENCES p ON DELETE SET DEFAULT, CONSTRAINT k UNIQUE(a COLLATE nocase, b DESC))",
        "CREATE TABLE t(a text PRIMARY KEY, b) WITHOUT ROWID",
        "CREATE TABLE t(a INTEGER PRIMARY KEY, b INT, c REAL, d TEXT, e BLOB, f ANY) STRICT",
    ] {
        let parsed = parse_create_table(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(sql).unwrap_or_else(|e| panic!("SQLite refuses {sql}: {e}"));
        compare_with_pragma(&db, &parsed.name, &parsed);
    }
    // A few of the above in detail.
    let t = parse_create_table("CREATE TABLE t(a int CONSTRAINT c)").unwrap();
    assert_eq!(
        (t.pk_name, t.unique_names.len(), t.checks.len()),
        (None, 0, 0)
    );
    let t = parse_create_table(
        "CREATE TABLE t(a, b, FOREIGN KEY(a, b) REFERENCES p ON DELETE SET DEFAULT, CONSTRAINT k UNIQUE(a COLLATE nocase, b DESC))",
    )
    .unwrap();
    assert_eq!(t.unique_names, vec![(names(&["a", "b"]), "k".to_string())]);
    let t = parse_create_table(
        "CREATE TABLE t(a INT DEFAULT(1)NOT NULL,b TEXT DEFAULT'x'COLLATE\"nocase\")",
    )
    .unwrap();
    assert_eq!(t.columns[1].collation.as_deref(), Some("nocase"));
}

#[derive(Debug)]
struct XInfo {
    name: String,
    ty: String,
    hidden: i64,
}

fn table_xinfo(db: &rusqlite::Connection, table: &str) -> Vec<XInfo> {
    let mut st = db
        .prepare("SELECT name, type, hidden FROM pragma_table_xinfo(?1) ORDER BY cid")
        .unwrap();
    st.query_map([table], |r| {
        Ok(XInfo {
            name: r.get(0)?,
            ty: r.get(1)?,
            hidden: r.get(2)?,
        })
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// Column names, declared types and generated kinds of `parsed` against `PRAGMA table_xinfo`.
fn compare_with_pragma(db: &rusqlite::Connection, table: &str, parsed: &ParsedTable) {
    let info = table_xinfo(db, table);
    let got: Vec<&str> = parsed.columns.iter().map(|c| c.name.as_str()).collect();
    let want: Vec<&str> = info.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(got, want, "column names of {table}");
    for (c, x) in parsed.columns.iter().zip(&info) {
        // SQLite upper-cases the standard type names (INT, INTEGER, REAL, TEXT, BLOB, ANY).
        assert!(
            c.declared_type.eq_ignore_ascii_case(&x.ty),
            "type of {table}.{}: parsed `{}`, SQLite `{}`",
            c.name,
            c.declared_type,
            x.ty
        );
        let kind = match &c.generated {
            None => 0,
            Some(g) if g.stored => 3,
            Some(_) => 2,
        };
        // hidden: 0 normal, 1 hidden (virtual tables), 2 virtual generated, 3 stored generated.
        if x.hidden != 1 {
            assert_eq!(kind, x.hidden, "generated kind of {table}.{}", c.name);
        }
    }
}

fn cpart(name: &str, desc: bool, collation: Option<&str>) -> IndexPart {
    IndexPart::Column {
        name: name.into(),
        desc,
        collation: collation.map(Into::into),
    }
}

fn epart(expr: &str, desc: bool) -> IndexPart {
    IndexPart::Expr {
        expr: expr.into(),
        desc,
    }
}

fn index_cases() -> Vec<(&'static str, ParsedIndex)> {
    let idx = |parts: Vec<IndexPart>, w: Option<&str>| ParsedIndex {
        parts,
        where_clause: w.map(Into::into),
    };
    vec![
        ("CREATE INDEX i ON t(a)", idx(vec![cpart("a", false, None)], None)),
        (
            "CREATE UNIQUE INDEX IF NOT EXISTS main.i ON t (lower(email), a DESC, b COLLATE NOCASE, c COLLATE \"rtrim\" ASC)",
            idx(
                vec![
                    epart("lower(email)", false),
                    cpart("a", true, None),
                    cpart("b", false, Some("NOCASE")),
                    cpart("c", false, Some("rtrim")),
                ],
                None,
            ),
        ),
        (
            "CREATE INDEX active ON t(a) WHERE status = 'x' AND deleted_at IS NULL",
            idx(vec![cpart("a", false, None)], Some("status = 'x' AND deleted_at IS NULL")),
        ),
        (
            "CREATE INDEX [IFK_AlbumArtistId] ON [Album] ([ArtistId])",
            idx(vec![cpart("ArtistId", false, None)], None),
        ),
        (
            "create index \"i x\" on \"t t\"(\"a b\", `c`, [d e] desc, 'f', (g), a + b DESC, substr(c, 1, 2) COLLATE nocase, json_extract(d, '$.a,b'))",
            idx(
                vec![
                    cpart("a b", false, None),
                    cpart("c", false, None),
                    cpart("d e", true, None),
                    cpart("f", false, None),
                    cpart("g", false, None),
                    epart("a + b", true),
                    epart("substr(c, 1, 2) COLLATE nocase", false),
                    epart("json_extract(d, '$.a,b')", false),
                ],
                None,
            ),
        ),
        (
            "CREATE INDEX /* c */ i ON t ( a /* x */ ) -- y\n WHERE /* z */ a > 0 -- trailing\n",
            idx(vec![cpart("a", false, None)], Some("a > 0")),
        ),
        ("CREATE INDEX i ON t(a) WHERE b IN ('(', ',');", idx(vec![cpart("a", false, None)], Some("b IN ('(', ',')"))),
    ]
}

#[test]
fn parse_index_cases() {
    for (sql, want) in index_cases() {
        let got = parse_create_index(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(got, want, "\n{sql}");
    }
    for sql in [
        "CREATE INDEX i ON t()",
        "CREATE INDEX i ON t(a) WHERE",
        "CREATE INDEX i ON t(a) garbage",
        "CREATE INDEX i ON t(a",
        "CREATE TABLE t(a)",
    ] {
        assert!(parse_create_index(sql).is_err(), "{sql} should fail");
    }
}

/// Index cases against SQLite's `index_xinfo`, on a table that has the columns they use.
#[test]
fn parse_index_cases_agree_with_sqlite() {
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch(
        "CREATE TABLE t(a, b, c, d, email, status, deleted_at, f, g);
         CREATE TABLE [Album]([ArtistId]);
         CREATE TABLE \"t t\"(\"a b\", c, [d e], f, g, a, b, d);",
    )
    .unwrap();
    for (k, (sql, _)) in index_cases().into_iter().enumerate() {
        // Give each index a fresh name so all fit in one database.
        let p = parse_create_index(sql).unwrap();
        let renamed = rename_index(sql, k);
        db.execute_batch(&renamed)
            .unwrap_or_else(|e| panic!("SQLite refuses {renamed}: {e}"));
        let name = format!("ix{k}");
        compare_index_with_pragma(&db, &name, &p);
    }
}

fn rename_index(sql: &str, k: usize) -> String {
    let p = Parser::new(sql).unwrap();
    let mut i = 1;
    while !p.is_kw(i, "INDEX") {
        i += 1;
    }
    i = p.skip_if_not_exists(i + 1);
    let (_, next) = p.qualified_name(i).unwrap();
    format!(
        "{}ix{k}{}",
        &sql[..p.toks[i].start],
        &sql[p.toks[next - 1].end..]
    )
}

fn compare_index_with_pragma(db: &rusqlite::Connection, index: &str, parsed: &ParsedIndex) {
    let mut st = db
        .prepare("SELECT cid, name, desc, coll FROM pragma_index_xinfo(?1) WHERE key = 1 ORDER BY seqno")
        .unwrap();
    let rows: Vec<(i64, Option<String>, bool, Option<String>)> = st
        .query_map([index], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), parsed.parts.len(), "terms of {index}");
    for (part, (cid, name, desc, coll)) in parsed.parts.iter().zip(rows) {
        match part {
            IndexPart::Column {
                name: n,
                desc: d,
                collation,
            } => {
                assert!(cid >= 0, "{index}: {n} should be an expression");
                assert_eq!(Some(n.as_str()), name.as_deref(), "{index}");
                assert_eq!(*d, desc, "{index}.{n} desc");
                if let Some(c) = collation {
                    assert!(
                        coll.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(c)),
                        "{index}.{n} collation"
                    );
                }
            }
            IndexPart::Expr { expr, desc: d } => {
                assert_eq!(cid, -2, "{index}: `{expr}` should be a column");
                assert_eq!(*d, desc, "{index}: `{expr}` desc");
            }
        }
    }
    let partial: bool = db
        .query_row(
            "SELECT partial FROM pragma_index_list((SELECT tbl_name FROM sqlite_master WHERE name = ?1)) WHERE name = ?1",
            [index],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(partial, parsed.where_clause.is_some(), "{index} partial");
}

#[test]
fn parse_view_select() {
    for (sql, want) in [
        ("CREATE VIEW v AS SELECT 1", "SELECT 1"),
        (
            "CREATE TEMP VIEW IF NOT EXISTS main.\"v v\" (a, b) AS\n  SELECT x AS a, y AS b FROM t -- c\n;",
            "SELECT x AS a, y AS b FROM t",
        ),
        ("create view [as] as /* c */ with r as (select 1) select * from r", "with r as (select 1) select * from r"),
    ] {
        assert_eq!(view_select(sql).unwrap(), want, "{sql}");
    }
    assert!(view_select("CREATE VIEW v").is_err());
    assert!(view_select("CREATE VIEW v AS").is_err());
    assert!(view_select("CREATE TABLE v(a)").is_err());
    // The names a view gives its columns, unquoted.
    for (sql, want) in [
        ("CREATE VIEW v AS SELECT 1", vec![]),
        ("CREATE VIEW v(a) AS SELECT 1", vec!["a"]),
        ("CREATE TEMP VIEW IF NOT EXISTS main.\"v v\" ( \"a b\", [c], `d`, 'e' ) AS SELECT 1, 2, 3, 4", vec!["a b", "c", "d", "e"]),
    ] {
        let (cols, select) = parse_create_view(sql).unwrap();
        assert_eq!(cols, want, "{sql}");
        assert!(select.starts_with("SELECT 1"), "{sql}: {select}");
    }
    assert!(parse_create_view("CREATE VIEW v(a COLLATE NOCASE) AS SELECT 1").is_err());
    assert!(parse_create_view("CREATE VIEW v(a,) AS SELECT 1").is_err());
}

#[test]
fn parse_tokenizer_details() {
    let p = Parser::new("x'0a' 1.5e-3 0x1F .5 ?1 :n a.b 'it''s' -- c\n /* d */ [a]").unwrap();
    let kinds: Vec<Kind> = p.toks.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        vec![
            Kind::Blob,
            Kind::Number,
            Kind::Number,
            Kind::Number,
            Kind::Variable,
            Kind::Variable,
            Kind::Word,
            Kind::Punct(b'.'),
            Kind::Word,
            Kind::Str,
            Kind::Quoted,
        ]
    );
    assert_eq!(p.text(1), "1.5e-3");
    assert_eq!(dequote("'it''s'"), "it's");
    assert_eq!(dequote("[a\"b]"), "a\"b");
    assert_eq!(dequote("plain"), "plain");
    // An unterminated comment runs to the end, as in SQLite.
    assert_eq!(Parser::new("a /* b").unwrap().toks.len(), 1);
}

/// Every table and index of every database in the shared conformance corpus parses, and
/// agrees with SQLite's PRAGMAs. The files are opened read-only.
#[test]
fn parse_corpus() {
    let root = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ));
    if !root.is_dir() {
        println!("skipped: no corpus at {}", root.display());
        return;
    }
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if is_sqlite_file(&path) {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(
        !files.is_empty(),
        "no SQLite files under {}",
        root.display()
    );
    let (mut tables, mut indexes) = (0, 0);
    for path in &files {
        let db = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut st = db
            .prepare("SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL")
            .unwrap();
        let rows: Vec<(String, String, String)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (kind, name, sql) in rows {
            let at = format!("{}: {kind} {name}", path.display());
            if kind == "table" {
                if sql
                    .get(..14)
                    .is_some_and(|s| s.eq_ignore_ascii_case("CREATE VIRTUAL"))
                {
                    continue;
                }
                let t = parse_create_table(&sql).unwrap_or_else(|e| panic!("{at}: {e}\n{sql}"));
                assert_eq!(t.name, name, "{at}");
                compare_with_pragma(&db, &name, &t);
                tables += 1;
            } else {
                let i = parse_create_index(&sql).unwrap_or_else(|e| panic!("{at}: {e}\n{sql}"));
                compare_index_with_pragma(&db, &name, &i);
                indexes += 1;
            }
        }
    }
    println!(
        "corpus: {} files, {tables} tables, {indexes} indexes parsed",
        files.len()
    );
    assert!(tables > 0);
}

/// A file whose first 16 bytes are SQLite's header.
fn is_sqlite_file(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"SQLite format 3\0"
}
