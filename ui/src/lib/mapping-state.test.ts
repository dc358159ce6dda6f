// What Schema & mapping remembers belongs to one proposal: another starts it afresh.
import { describe, expect, it } from 'vitest';
import { MappingState, mappingKey } from './mapping-state.svelte';

function used(ms: MappingState): void {
  ms.selected = 'orders';
  ms.query = 'ord';
  ms.onlyAttention = true;
  ms.accepted = { 'orders.paid': true };
  ms.planPath = '/p.toml';
  ms.lastBulk = { text: 'Took 1 suggestion', undo: { columns: [] }, verb: 'take', source: '/a.sqlite' };
}

const kept = (ms: MappingState) => [ms.selected, ms.query, ms.onlyAttention, ms.planPath, ms.lastBulk !== null];

describe('MappingState.follow', () => {
  it.each([
    ['the same proposal', mappingKey(1, 'postgres'), false],
    ['the file opened again', mappingKey(2, 'postgres'), true],
    ['another kind of server', mappingKey(1, 'mysql'), true],
    ['the file closed', mappingKey(2, null), true],
  ])('%s', (_what, next, resets) => {
    const ms = new MappingState();
    ms.follow(mappingKey(1, 'postgres'));
    used(ms);
    expect(ms.follow(next)).toBe(resets);
    expect(kept(ms)).toEqual(resets ? [null, '', false, '', false] : ['orders', 'ord', true, '/p.toml', true]);
  });
});
