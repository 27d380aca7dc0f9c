import type net from 'node:net';

/**
 * Start `server` listening on `host`:`port` (0 = any free port). Resolves with the bound port; rejects with the
 * listen error itself (EADDRINUSE, EACCES, …) for the caller to word. Once listening, later server errors go
 * to `onError` instead of crashing the process.
 */
export function listen(
  server: net.Server,
  port: number,
  host: string,
  onError: (err: NodeJS.ErrnoException) => void,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const onListenError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onListenError);
      server.on('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onListenError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}
