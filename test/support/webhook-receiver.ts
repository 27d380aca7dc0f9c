/**
 * A local webhook receiver for notification tests: records every POST (path and parsed JSON body) and answers
 * with the statuses it is told, in order (then 200).
 */
import http from 'node:http';
import type net from 'node:net';

export interface ReceivedPost {
  path: string;
  contentType: string | undefined;
  body: unknown;
  at: number;
}

export interface WebhookReceiver {
  url: string;
  posts: ReceivedPost[];
  /** Resolves once `n` posts have arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(statuses: number[] = []): Promise<WebhookReceiver> {
  const posts: ReceivedPost[] = [];
  const answers = [...statuses];
  const waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (d) => {
      text += d;
    });
    req.on('end', () => {
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text
      }
      posts.push({ path: req.url ?? '', contentType: req.headers['content-type'], body, at: Date.now() });
      res.writeHead(answers.shift() ?? 200).end('ok');
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    async waitFor(n, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (posts.length < n) {
        if (Date.now() > deadline) throw new Error(`${posts.length} of ${n} webhook posts arrived`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
