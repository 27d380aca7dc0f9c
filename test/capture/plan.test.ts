import assert from 'node:assert/strict';
import { getCountries, isValidPhoneNumber } from 'libphonenumber-js/max';
import { escapeHtml, jsonForScript } from '../../src/capture/pages/html.ts';
import { navPage, navSchedule } from '../../src/capture/pages/nav-page.ts';
import {
  buildPlan,
  CANARY_HEADER,
  newCanary,
  PROBE_IDS,
  probePlacement,
} from '../../src/capture/plan/probe-plan.ts';
import { isRunToken, newRunToken } from '../../src/capture/plan/run-token.ts';

const endpoint = {
  probeHost: 'probe.localhost',
  probeHostV6: '::1',
  partnerHost: 'partner.localhost',
  ports: { main: 8081, alt: 8082, https: 8443 },
};

describe('probe plan', () => {
  const token = newRunToken();
  const plan = buildPlan(token, endpoint);

  it('covers every kind the design asks for, HTTP and HTTPS', () => {
    const http = plan.filter((p) => !p.tls);
    assert.deepEqual(
      new Set(http.map((p) => p.kind)),
      new Set(['navigation', 'image', 'fetch', 'same-connection', 'new-connection', 'canary']),
    );
    assert.ok(
      http.some((p) => p.listener === 'alt'),
      'an alternate-port probe',
    );
    assert.ok(
      http.some((p) => p.role === 'partner' && p.kind === 'navigation'),
      'a partner navigation',
    );
    assert.equal(plan[0]!.probe, 'nav');
    assert.equal(plan[0]!.url, `http://probe.localhost:8081/p/${token}/nav`);
  });

  it('names an HTTPS twin for every plain-HTTP probe', () => {
    for (const p of plan.filter((q) => !q.tls)) {
      const twin = plan.find((q) => q.probe === p.twin);
      assert.ok(twin, `${p.probe} has a twin`);
      assert.equal(twin.tls, true);
      assert.equal(twin.listener, 'https');
      assert.equal(twin.kind, p.kind);
      assert.equal(twin.role, p.role);
      assert.equal(twin.family, p.family);
      assert.ok(
        twin.url.startsWith(
          p.role === 'partner'
            ? 'https://partner.localhost:8443/'
            : p.family === 6
              ? 'https://[::1]:8443/'
              : 'https://probe.localhost:8443/',
        ),
      );
    }
    for (const p of plan.filter((q) => q.tls)) assert.equal(p.twin, undefined);
  });

  it('puts the token in every URL and uses unique ids', () => {
    assert.equal(new Set(plan.map((p) => p.probe)).size, plan.length);
    assert.deepEqual(
      plan.map((p) => p.probe),
      [...PROBE_IDS],
    );
    for (const p of plan) {
      assert.ok(p.url.endsWith(`/p/${token}/${p.probe}`));
      assert.equal(p.family, p.probe.includes('-v6') ? 6 : 4, p.probe);
      assert.deepEqual(probePlacement(p.probe), {
        listener: p.listener,
        tls: p.tls,
        kind: p.kind,
        role: p.role,
      });
    }
  });

  it('probes the IPv6 path apart: a navigation, an image and a fetch on the IPv6-only host, with twins', () => {
    const v6 = plan.filter((p) => p.family === 6);
    assert.deepEqual(
      v6.map((p) => [p.probe, p.kind, p.role, p.url]),
      [
        ['nav-v6', 'navigation', 'third-party', `http://[::1]:8081/p/${token}/nav-v6`],
        ['img-v6', 'image', 'third-party', `http://[::1]:8081/p/${token}/img-v6`],
        ['fetch-v6', 'fetch', 'third-party', `http://[::1]:8081/p/${token}/fetch-v6`],
        ['nav-v6-tls', 'navigation', 'third-party', `https://[::1]:8443/p/${token}/nav-v6-tls`],
        ['img-v6-tls', 'image', 'third-party', `https://[::1]:8443/p/${token}/img-v6-tls`],
        ['fetch-v6-tls', 'fetch', 'third-party', `https://[::1]:8443/p/${token}/fetch-v6-tls`],
      ],
    );
    for (const p of plan.filter((q) => q.family === 4)) assert.doesNotMatch(p.url, /\[/, p.probe);
    // A deployed IPv6 host is a name with only an AAAA record.
    const named = buildPlan(token, { ...endpoint, probeHostV6: 'v6.probe.example' });
    assert.equal(
      named.find((p) => p.probe === 'img-v6')!.url,
      `http://v6.probe.example:8081/p/${token}/img-v6`,
    );
  });

  it('leaves the IPv6 probes out without an IPv6 host, or when the run asks (a bearer with ipv6 off)', () => {
    const { probeHostV6: _, ...v4only } = endpoint;
    for (const p of [buildPlan(token, v4only), buildPlan(token, endpoint, { ipv6: false })]) {
      assert.equal(p.length, 16);
      assert.ok(p.every((q) => q.family === 4));
    }
  });

  it('leaves default ports out of URLs', () => {
    const prod = buildPlan(token, { ...endpoint, ports: { main: 80, alt: 8080, https: 443 } });
    assert.equal(prod[0]!.url, `http://probe.localhost/p/${token}/nav`);
    assert.ok(prod.find((p) => p.probe === 'alt')!.url.startsWith('http://probe.localhost:8080/'));
    assert.ok(prod.find((p) => p.probe === 'nav-tls')!.url.startsWith('https://probe.localhost/'));
  });

  it('makes tokens of at least 128 random bits, base64url', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newRunToken));
    assert.equal(tokens.size, 1000);
    for (const t of tokens) {
      assert.ok(isRunToken(t));
      assert.ok(Buffer.from(t, 'base64url').length * 8 >= 128);
    }
    assert.equal(isRunToken('../../etc/passwd'), false);
  });

  it('makes canaries that no numbering plan can assign', () => {
    const countries = getCountries();
    const values = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const canary = newCanary();
      assert.equal(canary.header, CANARY_HEADER);
      assert.match(canary.value, /^28900\d{8}$/);
      values.add(canary.value);
      assert.equal(isValidPhoneNumber(`+${canary.value}`), false, `+${canary.value}`);
      for (const country of countries) {
        assert.equal(isValidPhoneNumber(canary.value, country), false, `${canary.value} in ${country}`);
      }
    }
    assert.ok(values.size > 35, 'each run gets its own canary');
  });
});

describe('navigation page', () => {
  const token = newRunToken();
  const plan = buildPlan(token, endpoint);

  it('schedules every planned probe exactly once', () => {
    const s = navSchedule(plan);
    const all = [s.self, ...s.images, ...s.fetches, ...s.frames, ...s.chains.flat(), ...s.reported];
    assert.deepEqual([...all].sort(), plan.map((p) => p.probe).sort());
    assert.deepEqual(s.chains, [
      ['fetch', 'same-conn', 'new-conn'],
      ['fetch-tls', 'same-conn-tls', 'new-conn-tls'],
    ]);
    assert.deepEqual(s.frames.sort(), ['nav-tls', 'nav-v6', 'nav-v6-tls', 'partner', 'partner-tls']);
    assert.deepEqual(s.images.sort(), ['img', 'img-tls', 'img-v6', 'img-v6-tls']);
    assert.deepEqual(s.reported.sort(), ['canary', 'canary-tls']);
  });

  it('references every planned URL and starts incomplete', () => {
    const html = navPage(token, plan);
    for (const p of plan) assert.ok(html.includes(p.url), p.probe);
    assert.match(
      html,
      /<body data-complete="false" data-probes-done="0" data-probes-failed="0" data-probes-total="22">/,
    );
  });

  it('escapes for HTML and for script blocks', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const json = jsonForScript({ v: '</script><script>alert(1)</script>\u2028' });
    assert.ok(!json.includes('<') && !json.includes('>'));
    assert.deepEqual(JSON.parse(json), { v: '</script><script>alert(1)</script>\u2028' });
  });
});
