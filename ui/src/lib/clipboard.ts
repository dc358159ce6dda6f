// Copying a text for the user: the system clipboard, or — where that is refused (no secure
// context, no permission) — the hidden field beside the button selected and the copy command
// run. 'select': neither worked, the text is selected for Ctrl+C (the view says so).
export type Copied = 'yes' | 'select';

export async function copyText(text: string, field: { select(): void } | null | undefined): Promise<Copied> {
  try {
    await navigator.clipboard.writeText(text);
    return 'yes';
  } catch {
    field?.select();
    return document.execCommand('copy') ? 'yes' : 'select';
  }
}
