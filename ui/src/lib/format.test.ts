import { describe, expect, it } from 'vitest';
import { bytes, dialectName, duration, jsonText, n, plural, pluralOf, sentence } from './format';

describe('format', () => {
  it.each([
    [0, '0'],
    [98311, '98,311'],
    [1234567.6, '1,234,568'],
    [-1234, '-1,234'],
  ])('n(%s) = %s', (x, want) => expect(n(x)).toBe(want));

  it.each([
    [0, '0 bytes'],
    [1023, '1,023 bytes'],
    [1536, '1.5 KiB'],
    [10 * 1024, '10 KiB'],
    [1.5 * 1024 * 1024, '1.5 MiB'],
    [3 * 1024 ** 3, '3.0 GiB'],
    [2 * 1024 ** 5, '2048 TiB'], // no thousands separator above KiB
  ])('bytes(%s) = %s', (b, want) => expect(bytes(b)).toBe(want));

  it.each([
    [0, '0.0 s'],
    [0.4, '0.4 s'],
    [12, '12 s'],
    [185, '3 min 05 s'],
    [3720, '1 h 02 min'],
    [-1, '—'],
    [Infinity, '—'],
    [NaN, '—'],
  ])('duration(%s) = %s', (s, want) => expect(duration(s)).toBe(want));

  // Found by these tests: the seconds were rounded after the minutes were taken, so 119.6 s
  // read "1 min 60 s" (and 59.6 s read "60 s").
  it('duration(119.6) carries the rounded seconds into the minutes', () => expect(duration(119.6)).toBe('2 min 00 s'));
  it('duration(59.6) reads as a minute', () => expect(duration(59.6)).toBe('1 min 00 s'));

  it.each([
    [1, 'row', 'rows', '1 row'],
    [0, 'row', 'rows', '0 rows'],
    [2, 'row', 'rows', '2 rows'],
    [12000, 'value', 'values', '12,000 values'],
  ])('plural(%s, %s, %s) = %s', (x, one, many, want) => expect(plural(x, one, many)).toBe(want));

  // The cases: "1 views · 1 triggers", "1 connections", "16 table(s)".
  it.each([
    [1, 'view', '1 view'],
    [1, 'trigger', '1 trigger'],
    [2, 'trigger', '2 triggers'],
    [1, 'connection', '1 connection'],
    [16, 'table', '16 tables'],
    [0, 'table', '0 tables'],
    [20000, 'row', '20,000 rows'],
    [14, 'index', '14 indexes'],
    [2, 'entry', '2 entries'],
    [2, 'day', '2 days'],
    [3, 'match', '3 matches'],
  ])('plural(%s, %s) = %s', (x, one, want) => expect(plural(x, one)).toBe(want));

  it.each([
    ['row', 'rows'],
    ['index', 'indexes'],
    ['entry', 'entries'],
    ['key', 'keys'],
    ['class', 'classes'],
  ])('pluralOf(%s) = %s', (one, want) => expect(pluralOf(one)).toBe(want));

  it.each([
    ['postgres', 'PostgreSQL'],
    ['mysql', 'MySQL'],
    ['mariadb', 'MariaDB'],
    [null, ''],
  ])('dialectName(%s) = %s', (d, want) => expect(dialectName(d)).toBe(want));

  it.each([
    [null, 'NULL'],
    [undefined, 'NULL'],
    ['text <b>as is</b>', 'text <b>as is</b>'],
    [42, '42'],
    [1.5, '1.5'],
    [true, 'true'],
    [{ id: 7 }, '{"id":7}'],
    [{ order_id: 1, line: 2 }, '{"order_id":1,"line":2}'],
    [[1, 'a'], '[1,"a"]'],
  ])('jsonText(%j) = %s', (v, want) => expect(jsonText(v)).toBe(want));
});

// Found in the app: "Could not connect — the MySQL/MariaDB server … Check the user name and password".
describe('sentence', () => {
  it.each([
    ['the server refused the login. Check the user name and password', 'The server refused the login. Check the user name and password.'],
    ['nothing is listening on 127.0.0.1:1', 'Nothing is listening on 127.0.0.1:1.'],
    ['pg_dump failed: exit 1', 'pg_dump failed: exit 1.'],
    ['/tmp/x.sqlite is not a SQLite file', '/tmp/x.sqlite is not a SQLite file.'],
    ['Already a sentence.', 'Already a sentence.'],
    ['ends with a quote "shop"', 'Ends with a quote "shop"'],
    ['', ''],
  ])('%s', (message, want) => expect(sentence(message)).toBe(want));
});
