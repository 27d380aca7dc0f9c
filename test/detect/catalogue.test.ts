import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PROXY_HEADERS } from '../../src/detect/catalogue.ts';
import { CATALOGUE, matchIdentityCookie, matchIdentityHeader } from '../../src/detect/index.ts';

/**
 * The names each section of docs/headers.md lists: the first cell of every table row, lower-cased (a row may
 * name one header or cookie, in backticks).
 */
function namesInSection(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n## ${heading}`);
  assert.ok(start !== -1, `docs/headers.md has a section "${heading}"`);
  const end = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, end === -1 ? undefined : end);
  const names: string[] = [];
  for (const line of section.split('\n')) {
    const cell = /^\|\s*`([^`]+)`\s*\|/.exec(line);
    if (cell) names.push(cell[1]!.toLowerCase());
  }
  return names;
}

const HEADERS_MD = readFileSync(new URL('../../docs/headers.md', import.meta.url), 'utf8');
const DOC_IDENTITY_NAMES = [
  ...namesInSection(HEADERS_MD, 'Identity and tracking headers seen in the wild'),
  ...namesInSection(HEADERS_MD, 'Names seen only in detection lists'),
];
const DOC_PROXY_NAMES = namesInSection(HEADERS_MD, 'Ordinary proxy headers');

describe('detect/catalogue', () => {
  it('holds exactly the identity names of docs/headers.md, each with what it carries and a source', () => {
    assert.ok(
      DOC_IDENTITY_NAMES.length >= 40,
      `read ${DOC_IDENTITY_NAMES.length} names from docs/headers.md`,
    );
    assert.deepEqual(CATALOGUE.map((e) => e.name).sort(), [...DOC_IDENTITY_NAMES].sort());
    for (const e of CATALOGUE) assert.ok(e.source.length > 3 && e.carries.length > 0, e.name);
  });

  it('lists the ordinary proxy headers of docs/headers.md apart, with sources, and none is an identity header', () => {
    assert.deepEqual(PROXY_HEADERS.map((e) => e.name).sort(), [...DOC_PROXY_NAMES].sort());
    for (const e of PROXY_HEADERS) {
      assert.ok(e.source.length > 3, e.name);
      if (!e.name.endsWith('*')) assert.equal(matchIdentityHeader(e.name), undefined, e.name);
    }
  });

  it('matches catalogue names case-insensitively, and wildcard entries by prefix', () => {
    for (const n of DOC_IDENTITY_NAMES.filter(
      (x) => !x.includes('*') && x !== 'user-identity-forward-msisdn',
    )) {
      assert.ok(matchIdentityHeader(n.toUpperCase()), n);
    }
    assert.equal(matchIdentityHeader('X-OPWV-DDM-SUBSCRIBER')?.by, 'catalogue');
  });

  it('matches name patterns on tokens split on - and _, not substrings', () => {
    for (const n of [
      'x-acr',
      'acr',
      'x_vf_acr',
      'x-foo-msisdn',
      'x-calling-line',
      'x-callinglineid',
      'x-uidh2',
      'x-my-clid',
    ]) {
      assert.ok(matchIdentityHeader(n), n);
    }
    for (const n of [
      'x-macro',
      'accept',
      'x-imsisomething',
      'x-clidx',
      'x-line-calling',
      'x-request-id',
      'via',
    ]) {
      assert.equal(matchIdentityHeader(n), undefined, n);
    }
  });

  it('matches catalogue identity cookie names exactly (patterns are for header names)', () => {
    assert.equal(matchIdentityCookie('User-Identity-Forward-msisdn')?.by, 'catalogue');
    assert.equal(matchIdentityCookie('msisdn'), undefined);
    assert.equal(matchIdentityCookie('_ga'), undefined);
  });
});
