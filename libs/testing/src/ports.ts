import { createServer } from 'node:net';

/**
 * Asks the kernel for `count` free TCP ports on 127.0.0.1. The harness binds containers to fixed host ports
 * (instead of Docker's ephemeral ones) so a member keeps its endpoint across stop/start. Not guaranteed: a
 * port can be taken by another process between this call and the container start.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('unexpected server address');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}
