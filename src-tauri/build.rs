//! Reads tauri.conf.json and capabilities/ (both at the workspace root, beside Cargo.toml),
//! checks the icons and generates the permission schemas. `generate_context!()` in lib.rs
//! then embeds ui/dist, so `npm run build` in ui/ must have run first (scripts/setup.sh does).
fn main() {
    tauri_build::build();
}
