// Which view is shown. One instance (`nav`), reactive (Svelte 5 runes), so a button in
// any view can lead to another.

export type View = 'connections' | 'mapping' | 'production' | 'preflight' | 'diff' | 'run' | 'report' | 'validation' | 'cutover' | 'monitor' | 'backups' | 'checklist' | 'audit';

export class Nav {
  view: View = $state('connections');
}

export const nav = new Nav();
