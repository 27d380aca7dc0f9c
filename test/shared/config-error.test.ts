import assert from 'node:assert/strict';
import { z } from 'zod';
import {
  closest,
  configErrorLine,
  formatPath,
  kindOf,
  knownKeysAt,
  unknownKey,
  zodErrorLine,
} from '../../src/shared/config-error.ts';

const schema = z.strictObject({
  name: z.string().min(1),
  port: z.number().int().min(1).max(65535).optional(),
  role: z.enum(['third-party', 'partner']).optional(),
  label: z.string().min(1, 'must name something').optional(),
  pattern: z.string().regex(/^x/).optional(),
  items: z
    .array(z.strictObject({ id: z.string(), pair: z.tuple([z.string(), z.string()]).optional() }))
    .default([]),
  nested: z
    .union([z.string(), z.strictObject({ a: z.string().optional(), b: z.string().optional() })])
    .optional(),
});

function lineOf(value: unknown): string {
  const r = schema.safeParse(value, { reportInput: true });
  assert.equal(r.success, false, 'expected the value to be refused');
  return r.success ? '' : zodErrorLine('w', r.error, schema);
}

describe('shared/config-error', () => {
  it('writes <where>: <field path>: <what is wrong> on one line', () => {
    assert.equal(
      configErrorLine('farm f.json', ['handsets', 0, 'id'], 'x\ny'),
      'farm f.json: handsets[0].id: x y',
    );
    assert.equal(formatPath([]), '(top level)');
    assert.equal(formatPath(['a', 2, 'b']), 'a[2].b');
  });

  it('names an unknown key with the known ones, and a likely intended one', () => {
    assert.equal(
      unknownKey('twinn', ['probe', 'twin']),
      'unknown key "twinn" (known: probe, twin; did you mean "twin"?)',
    );
    assert.equal(unknownKey('zzz', ['probe', 'twin']), 'unknown key "zzz" (known: probe, twin)');
    assert.equal(closest('allowInjeced', ['allowInjected', 'attest']), 'allowInjected');
    assert.equal(closest('xyz', ['allowInjected']), undefined);
  });

  it('says what a value is', () => {
    assert.equal(kindOf(undefined), 'nothing');
    assert.equal(kindOf(null), 'null');
    assert.equal(kindOf([]), 'an array');
    assert.equal(kindOf({}), 'an object');
    assert.equal(kindOf('x'), 'a string');
    assert.equal(kindOf(1), 'a number');
    assert.equal(kindOf(1.5), 'a fractional number');
    assert.equal(kindOf(true), 'a boolean');
  });

  it('reads the known keys from the schema, through optional, default, array, tuple and union', () => {
    assert.deepEqual(knownKeysAt(schema, []), [
      'name',
      'port',
      'role',
      'label',
      'pattern',
      'items',
      'nested',
    ]);
    assert.deepEqual(knownKeysAt(schema, ['items', 3]), ['id', 'pair']);
    assert.deepEqual(knownKeysAt(schema, ['nested']), ['a', 'b']);
    assert.deepEqual(knownKeysAt(schema, ['name']), []);
  });

  it('reports an unknown key before the issues it causes, its path ending with the key', () => {
    assert.equal(
      lineOf({ nmae: 'x' }),
      'w: nmae: unknown key "nmae" (known: name, port, role, label, pattern, items, nested; did you mean "name"?)',
    );
    assert.equal(
      lineOf({ name: 'x', items: [{ id: 'a', idd: 1 }] }),
      'w: items[0].idd: unknown key "idd" (known: id, pair; did you mean "id"?)',
    );
    assert.equal(
      lineOf({ name: 'x', items: [{ id: 'a', p: 1, q: 2 }] }),
      'w: items[0]: unknown keys "p", "q" (known: id, pair)',
    );
  });

  it('names the expected and the received type, never "is required"', () => {
    assert.equal(lineOf({}), 'w: name: expected a string, got nothing');
    assert.equal(lineOf({ name: 7 }), 'w: name: expected a string, got a number');
    assert.equal(lineOf({ name: 'x', port: 1.5 }), 'w: port: expected an integer, got a fractional number');
    assert.equal(lineOf({ name: 'x', items: {} }), 'w: items: expected an array, got an object');
    assert.equal(lineOf('x'), 'w: (top level): expected an object, got a string');
    assert.equal(lineOf({ name: 'x', nested: 5 }), 'w: nested: expected a string or an object, got a number');
  });

  it('words the other standard issues, and keeps a message the schema gives', () => {
    assert.equal(lineOf({ name: '' }), 'w: name: must not be empty');
    assert.equal(lineOf({ name: 'x', port: 0 }), 'w: port: must be at least 1');
    assert.equal(lineOf({ name: 'x', port: 70000 }), 'w: port: must be at most 65535');
    assert.equal(
      lineOf({ name: 'x', role: 'partner-host' }),
      'w: role: expected one of "third-party", "partner", got "partner-host"',
    );
    assert.equal(lineOf({ name: 'x', pattern: 'y' }), 'w: pattern: has the wrong format');
    assert.equal(
      lineOf({ name: 'x', items: [{ id: 'a', pair: ['k'] }] }),
      'w: items[0].pair: must have at least 2 items',
    );
    assert.equal(lineOf({ name: 'x', label: '' }), 'w: label: must name something');
  });
});
