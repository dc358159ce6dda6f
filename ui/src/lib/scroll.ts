// Where the user is looking: the view scrolls in its own box (`#view`, App.svelte), under
// which Back and Next stay.

/** Brings the view shown back to its top. */
export function viewToTop(): void {
  document.getElementById('view')?.scrollTo({ top: 0 });
}
