// The front end's one door to Rust. Every call to a `#[tauri::command]` goes through a
// function here, so views never name a command string and tests can replace the IPC
// (`@tauri-apps/api/mocks`' `mockIPC`) in one place.
import { invoke } from '@tauri-apps/api/core';

/** The engine's version (`ferry_core::version()`), e.g. "0.1.0". */
export function engineVersion(): Promise<string> {
  return invoke<string>('engine_version');
}
