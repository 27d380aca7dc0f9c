import assert from 'node:assert/strict';
import { CATALOGUE, matchIdentityCookie, matchIdentityHeader } from '../../src/detect/index.ts';

/** Every identity/tracking name in docs/HEADERS.md (the table and the detection-list paragraph). */
const HEADERS_MD_NAMES = [
  'x-up-calling-line-id',
  'x-up-subno',
  'msisdn',
  'x-msisdn',
  'x-up-3gpp-imeisv',
  'x-up-nai',
  'x-up-vodacomgw-subid',
  'x-nokia-msisdn',
  'x-nokia-alias',
  'x-nokia-imsi',
  'x-nokia-ipaddress',
  'x-imsi',
  'x-wap-3gpp-imsi',
  'x-wap-3gpp-sgsn-mcc-mnc',
  'x-wap-3gpp-sgsn-address',
  'x-wap-3gpp-rat-type',
  'x-wap-client-ip',
  'x-uidh',
  'x-acr',
  'x-vf-acr',
  'x-amobee-1',
  'x-h3g-msisdn',
  'x-network-info',
  'clientid',
  'x-up-subscriber-cos',
  'x-opwv-ddm-*',
  'o2gw-id',
  'x-wap-msisdn',
  'x-wap-network-client-msisdn',
  'x-wsb-identity',
  'x-wte-msisdn',
  'x-drutt-portal-user-msisdn',
  'x-jphone-uid',
  'x-att-deviceid',
  'x-hts-clid',
  'x-nx-clid',
  'x-fh-msisdn',
  'x-orange-id',
  'x-mdn',
  'x-h3g-party-user-id',
  'x-up-3gpp-sgsn-mcc-mnc',
  'user-identity-forward-msisdn',
];

describe('detect/catalogue', () => {
  it('holds every name in HEADERS.md, each with a source', () => {
    const names = new Set(CATALOGUE.map((e) => e.name));
    for (const n of HEADERS_MD_NAMES) assert.ok(names.has(n), n);
    for (const e of CATALOGUE) assert.ok(e.source.length > 3 && e.carries.length > 0, e.name);
  });

  it('matches catalogue names case-insensitively, and wildcard entries by prefix', () => {
    for (const n of HEADERS_MD_NAMES.filter(
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
