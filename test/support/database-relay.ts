import net from 'node:net';

/**
 * A TCP relay to the database whose open connections can be frozen: bytes stop flowing both
 * ways, as on a half-open connection, while new connections still pass. With `delayMs`, what
 * the database sends arrives that much later (a distant or busy process).
 */
export async function startFreezableRelay(databaseUrl: string, delayMs = 0) {
  const target = new URL(databaseUrl);
  const open: net.Socket[] = [];
  const relay = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    client.pipe(upstream);
    if (delayMs === 0) upstream.pipe(client);
    else upstream.on('data', (bytes) => setTimeout(() => client.write(bytes), delayMs));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    open.push(client, upstream);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));

  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((relay.address() as net.AddressInfo).port);
  const freeze = () => {
    for (const socket of open.splice(0)) {
      socket.unpipe();
      socket.pause();
    }
  };
  const close = () => {
    for (const socket of open) socket.destroy();
    relay.close();
  };
  return { url: url.toString(), freeze, close };
}
