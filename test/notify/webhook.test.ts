import assert from 'node:assert/strict';
import { buildPayload } from '../../src/notify/payload.ts';
import { notifyAll, parseWebhookUrl, postNotification, redactUrl } from '../../src/notify/webhook.ts';
import { UserError } from '../../src/shared/errors.ts';
import { leaking, summary } from '../support/notifiable-summary.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

const payload = buildPayload('red', { summary: summary([leaking('p1', 'x-up-calling-line-id')]) });
const fast = { backoffMs: 50, timeoutMs: 2000 };

describe('notify: webhook', () => {
  let receiver: WebhookReceiver | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it('POSTs the payload as JSON', async () => {
    receiver = await startWebhookReceiver();
    const d = await postNotification(new URL(`${receiver.url}/services/T000/B000/secret`), payload, fast);
    assert.deepEqual(d, { target: `${receiver.url}/…`, ok: true, tries: 1 });
    assert.equal(receiver.posts.length, 1);
    assert.equal(receiver.posts[0]!.path, '/services/T000/B000/secret');
    assert.equal(receiver.posts[0]!.contentType, 'application/json');
    assert.deepEqual(receiver.posts[0]!.body, payload);
  });

  it('retries with a growing backoff: 500 twice then 200 is delivered on the third try', async () => {
    receiver = await startWebhookReceiver([500, 500]);
    const d = await postNotification(new URL(`${receiver.url}/hook`), payload, {
      backoffMs: 100,
      timeoutMs: 2000,
    });
    assert.equal(d.ok, true);
    assert.equal(d.tries, 3);
    const [a, b, c] = receiver.posts.map((p) => p.at);
    assert.ok(b! - a! >= 90 && c! - b! >= 190, `backoff grows: ${b! - a!} ms, then ${c! - b!} ms`);
  });

  it('gives up after 3 tries (bounded), logs one line without the secret, and never throws', async () => {
    receiver = await startWebhookReceiver([500, 503, 502, 500]);
    const lines: string[] = [];
    const url = new URL(`${receiver.url}/services/T0KEN/s3cr3t?code=abc`);
    const [d] = await notifyAll([url], payload, fast, (l) => lines.push(l));
    assert.equal(d!.ok, false);
    assert.equal(receiver.posts.length, 3);
    assert.deepEqual(lines, [
      `headerguard: notification (red) to ${receiver.url}/… failed after 3 tries: HTTP 502`,
    ]);
  });

  it('a refused connection is tried 3 times and logged without the URL path', async () => {
    receiver = await startWebhookReceiver();
    const url = new URL(`${receiver.url}/T0KEN`);
    await receiver.close();
    receiver = undefined;
    const lines: string[] = [];
    const [d] = await notifyAll([url], payload, fast, (l) => lines.push(l));
    assert.equal(d!.tries, 3);
    assert.equal(lines.length, 1);
    assert.ok(!lines[0]!.includes('T0KEN'), lines[0]);
    assert.match(lines[0]!, /failed after 3 tries: .*ECONNREFUSED/);
  });

  it('a 4xx other than 408/429 is not retried (it would not get better)', async () => {
    receiver = await startWebhookReceiver([404]);
    const d = await postNotification(new URL(`${receiver.url}/gone`), payload, fast);
    assert.deepEqual(
      { ok: d.ok, tries: d.tries, error: d.error },
      { ok: false, tries: 1, error: 'HTTP 404' },
    );
  });

  it('URLs are shown as scheme://host[:port]/… only; a bad --notify is a one-line usage error naming no secret', () => {
    assert.equal(
      redactUrl('https://user:pw@hooks.slack.com/services/T0/B0/XYZ?x=1'),
      'https://hooks.slack.com/…',
    );
    assert.equal(redactUrl('http://127.0.0.1:8080/a'), 'http://127.0.0.1:8080/…');
    assert.throws(
      () => parseWebhookUrl('hooks.slack.com/T0KEN'),
      (e: unknown) => e instanceof UserError && !e.message.includes('T0KEN'),
    );
    assert.throws(
      () => parseWebhookUrl('ftp://h/T0KEN'),
      (e: unknown) =>
        e instanceof UserError &&
        e.message === '--notify: ftp://h/…: only http and https webhooks are supported',
    );
  });
});
