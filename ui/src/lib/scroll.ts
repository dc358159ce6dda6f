// Where the user is looking: the view scrolls in its own box (`#view`, App.svelte), under
// which Back and Next stay.

/** Brings the view shown back to its top. */
export function viewToTop(): void {
  document.getElementById('view')?.scrollTo({ top: 0 });
}

/** A Svelte action: the element, as it appears (a confirmation), is scrolled into sight —
 * the least scroll that shows it, so what the user was reading stays where it can. With
 * `answer` false it stays put: shown again as a view opens, it is not news (the view opens
 * at its top). */
export function inSight(el: HTMLElement, answer: boolean = true): void {
  // After the frame that lays it out.
  if (answer) requestAnimationFrame(() => el.scrollIntoView({ block: 'nearest' }));
}
