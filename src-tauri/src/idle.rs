//! An idle window costs nothing.
//!
//! Measured under Xvfb (software GL: llvmpipe) with /proc/<pid>/stat over 5-6 s, on the
//! 500-table Schema & mapping with nothing happening: with a text field focused the app and
//! its WebKit processes used 13.8 % (the table filter) and 15.0 % (a type field) of a core,
//! nearly all of it in the web process's llvmpipe threads repainting for the blinking caret
//! (GTK's `gtk-cursor-blink`, which WebKitGTK follows); with nothing or a button focused,
//! 0.0 %. No CSS animation runs there (the one spinner shows only while busy) and no timer
//! (Monitor's refresh lives in Monitor). With the blink off: 0.0 % and 2.4 %. A steady caret
//! is still a caret; so the shell turns the blink off at start.

/// Turns off the caret blink for the app's GTK settings (Linux; elsewhere nothing to do).
/// Does nothing when GTK is not initialised (the mock runtime in tests).
pub fn quiet() {
    #[cfg(target_os = "linux")]
    {
        use gtk::prelude::GtkSettingsExt;
        if gtk::is_initialized_main_thread() {
            if let Some(s) = gtk::Settings::default() {
                s.set_gtk_cursor_blink(false);
            }
        }
    }
}
