/**
 * The simulator never writes a full identifier: host names built from any form of the subscriber's number or
 * IMSI are masked in every log line and every error answer.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { subscriberMask } from '../../src/simulate/masking.ts';
import { resolveOptions } from '../../src/simulate/options.ts';
import { startProxy } from '../../src/simulate/proxy.ts';
import { connectTunnel, rawExchange, responseComplete, startEcho, startSilentOrigin } from './helpers.ts';

const MSISDN = '447700900123';
const IMSI = '234101234567890';
/** Every plain form, as a host-name label can carry it. */
const FORMS = ['447700900123', '00447700900123', '07700900123', '7700900123', IMSI];
/** The digits of every full identifier, to find them with separators collapsed too. */
const CORES = ['7700900123', IMSI];

/** A line shows an identifier if any form is in it, or the digits of one once separators are dropped. */
function leaks(line: string): string | undefined {
  for (const f of FORMS) if (line.includes(f)) return f;
  const collapsed = line.replace(/(?<=\d)[ .\-()]+(?=\d)/g, '');
  for (const c of CORES) if (collapsed.includes(c)) return `${c} (with separators)`;
  return undefined;
}

describe('simulate/masking', () => {
  it('lists every plain form of the subscriber identifiers, from the verdict engine', () => {
    const { secrets } = subscriberMask({ bearer: 'o2', msisdn: MSISDN, imsi: IMSI });
    for (const f of [...FORMS, '+447700900123', '07700 900123', '+44 7700 900123']) {
      assert.ok(secrets.includes(f), f);
    }
  });

  it('masks every form in free text, and separator forms too', () => {
    const mask = subscriberMask({ bearer: 'o2', msisdn: MSISDN, imsi: IMSI });
    for (const f of [...FORMS, '+447700900123', '07700-900123', '07700.900.123']) {
      const shown = mask.text(`${f}.localhost:8080`);
      assert.equal(leaks(shown), undefined, shown);
      assert.match(shown, /\*{3,}/);
    }
    assert.equal(mask.text('probe.localhost:8080'), 'probe.localhost:8080');
    assert.equal(mask.text('127.0.0.1:41234'), '127.0.0.1:41234');
    const line = mask.line('{"time":1764627890123,"host":"07700900123.localhost:80"}');
    assert.equal(line, '{"time":1764627890123,"host":"0770*****23.localhost:80"}');
  });

  it('writes no full identifier in any log line or error answer, whatever host carries it', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const echo = await startEcho();
    const silent = await startSilentOrigin();
    const closed = await startEcho();
    await closed.close();
    const sim = await startProxy(
      resolveOptions({
        bearer: 'o2',
        msisdn: '07700900123',
        imsi: IMSI,
        logLevel: 'debug',
        upstreamTimeoutMs: 300,
        partnerHost: '447700900123.partner.localhost',
      }),
      sink,
    );
    const answers: string[] = [];
    try {
      for (const form of [...FORMS, '07700-900123']) {
        const host = `${form}.localhost`;
        for (const port of [echo.port, closed.port, silent.port]) {
          answers.push(
            await rawExchange(
              sim.port,
              `GET http://${host}:${port}/ HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`,
            ),
          );
          answers.push(await rawExchange(sim.port, `GET / HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`));
          const tunnel = await connectTunnel(sim.port, `${host}:${port}`);
          answers.push(tunnel.head);
          tunnel.socket.destroy();
          answers.push(
            await rawExchange(
              sim.port,
              `GET http://${host}:${port}/ws HTTP/1.1\r\nHost: ${host}:${port}\r\n` +
                'Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
              (t) => responseComplete(t) || t.startsWith('HTTP/1.1 101'),
            ),
          );
        }
      }
    } finally {
      await sim.close();
      await echo.close();
      await silent.close();
    }
    const hostLines = lines.filter((l) => l.includes('.localhost'));
    assert.ok(hostLines.length > 50, `the logs name hosts (${hostLines.length} lines)`);
    assert.ok(answers.some((a) => /cannot reach upstream/.test(a)));
    assert.ok(answers.some((a) => /timed out/.test(a)));
    // The simulator's own answers (the origin's 200s echo the request, which is the origin's business).
    const own = answers.filter((a) => !/^HTTP\/1\.1 (200|101) /.test(a));
    assert.ok(own.length > 20, `${own.length} answers of the simulator's own`);
    for (const line of [...lines, ...own.flatMap((a) => a.split('\n'))]) {
      assert.equal(leaks(line), undefined, `full identifier in: ${line.slice(0, 200)}`);
    }
  });
});
