//! `--roles` and `--tenant-isolation` on `ferry plan` and `ferry migrate`: the request read
//! from the command line, the DDL shown, and the login users' passwords handed over once
//! (standard output, or a file only its owner may read), never anywhere else.

use ferry_core::access::{AccessRequest, Login};
use ferry_core::dialect::TargetUrl;
use ferry_core::FerryError;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug, Default, Clone)]
pub struct AccessArgs {
    /// Make an owner, an application and a read-only role once the rows are in, named
    /// PREFIX_owner, PREFIX_app and PREFIX_read (PREFIX: the database's name unless given as
    /// --roles=PREFIX): the owner owns the tables, the application role may read and write
    /// their rows and nothing else, the read-only role may read.
    #[arg(long, value_name = "PREFIX", num_args = 0..=1, require_equals = true, default_missing_value = "")]
    pub roles: Option<String>,
    /// With --roles: a login user for each role (PREFIX_app_login, …), its password generated
    /// and shown once.
    #[arg(long, requires = "roles")]
    pub roles_login: bool,
    /// With --roles-login: write the passwords to this file (readable by its owner only)
    /// rather than to standard output.
    #[arg(long, value_name = "FILE", requires = "roles_login")]
    pub roles_passwords: Option<PathBuf>,
    /// With --roles: roles or users of these names that exist already are granted to as they
    /// are (a rollback leaves them); without it they stop the run before anything is written.
    #[arg(long, requires = "roles")]
    pub roles_reuse: bool,
    /// PostgreSQL: row-level security by this tenant column (tenant_id) on every table that
    /// has it, on the tenants table, and through foreign keys on tables that reach it only
    /// that way. MySQL/MariaDB have none: refused, said why.
    #[arg(long, value_name = "COLUMN")]
    pub tenant_isolation: Option<String>,
    /// The setting the policies compare with (default app.tenant_id).
    #[arg(long, value_name = "NAME", requires = "tenant_isolation")]
    pub tenant_setting: Option<String>,
}

impl AccessArgs {
    /// What the flags ask for; None when neither --roles nor --tenant-isolation is given.
    pub fn request(&self, url: &TargetUrl) -> Result<Option<AccessRequest>, FerryError> {
        if self.roles.is_none() && self.tenant_isolation.is_none() {
            return Ok(None);
        }
        if self.tenant_isolation.is_some() {
            url.dialect.access_sql().row_security().map_err(|why| FerryError::Other(format!("--tenant-isolation: {why}")))?;
        }
        let roles = self.roles.as_ref().map(|p| if p.trim().is_empty() { url.database.clone() } else { p.trim().to_string() });
        Ok(Some(AccessRequest { roles, login: self.roles_login, tenant_column: self.tenant_isolation.clone(), setting: self.tenant_setting.clone(), reuse: self.roles_reuse }))
    }

    /// Before a run: the passwords' file can be written where it is named.
    pub fn check_passwords_file(&self) -> Result<(), FerryError> {
        let Some(path) = &self.roles_passwords else { return Ok(()) };
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !dir.is_dir() {
            return Err(FerryError::Io(format!("--roles-passwords {}: folder {} does not exist", path.display(), dir.display())));
        }
        Ok(())
    }
}

/// Hands the login users' passwords over: to the file (mode 0600) when one is named, else to
/// standard output. A file that cannot be written does not lose them: they go to standard
/// output instead, with the reason.
pub fn hand_over(logins: &[Login], file: Option<&Path>) {
    if logins.is_empty() {
        return;
    }
    let lines: Vec<String> = logins.iter().map(|l| format!("{}\t{}\t{}", l.user, l.role, l.password.reveal())).collect();
    if let Some(path) = file {
        match write_private(path, &format!("# user\trole\tpassword (made by ferry migrate --roles-login; Ferry keeps no copy)\n{}\n", lines.join("\n"))) {
            Ok(()) => {
                println!("\nlogin users made: {} — their passwords are in {} (readable by you only; Ferry keeps no copy)", logins.iter().map(|l| l.user.as_str()).collect::<Vec<_>>().join(", "), path.display());
                return;
            }
            Err(e) => eprintln!("ferry: cannot write {}: {e}; the passwords follow on standard output instead", path.display()),
        }
    }
    println!("\nlogin users made — their passwords are shown this once and kept nowhere by Ferry:");
    for l in logins {
        println!("  {} (role {}): {}", l.user, l.role, l.password.reveal());
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    // Readable by its owner only from the moment it exists (mode 0600), whatever was there.
    let mut f = ferry_core::private::create(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

/// `ferry plan --roles / --tenant-isolation`: the `[access]` of the plan, and its DDL as
/// lines to show.
pub fn plan_access(plan: &mut ferry_core::plan::Plan, schema: &ferry_core::schema::Schema, args: &AccessArgs, url: &TargetUrl) -> Result<Vec<String>, FerryError> {
    if args.roles_passwords.is_some() || args.roles_reuse {
        return Err(FerryError::Other("--roles-passwords and --roles-reuse are for ferry migrate (the plan holds no passwords and makes nothing)".into()));
    }
    let Some(req) = args.request(url)? else { return Ok(vec![]) };
    let mut out = vec![];
    if req.tenant_column.is_none() && url.dialect.access_sql().row_security().is_ok() {
        if let Some((column, table, n)) = ferry_core::access::tenant_column(schema) {
            out.push(format!("{column} references {table} from {n} of {} tables: --tenant-isolation {column} would keep each tenant to its own rows (row-level security)", schema.tables.len()));
        }
    }
    let a = ferry_core::access::propose(plan, schema, plan.dialect, &req).map_err(FerryError::Other)?;
    let views: Vec<String> = schema.views.iter().map(|v| v.name.clone()).collect();
    let ddl = ferry_core::access::preview(&a, plan, plan.dialect, &url.database, "public", &views)?;
    if let Some(iso) = &a.isolation {
        out.push(format!("tenant isolation by {} (setting {}):", iso.column, iso.setting));
        for t in &iso.tables {
            out.push(format!("  {:<24} {:?}: {}", t.table, t.by, t.why));
        }
        for o in &iso.open {
            out.push(format!("  NOT ISOLATED {o}"));
        }
    }
    out.push("access DDL, run once the rows are in (passwords are generated by the run, never in the plan):".into());
    out.extend(ddl.into_iter().map(|s| format!("  {s};")));
    plan.access = Some(a);
    Ok(out)
}
