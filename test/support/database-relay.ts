import net from 'node:net';

/**
 * A TCP relay to the database whose open connections can be frozen: bytes stop flowing both
 * ways, as on a half-open connection, while new connections still pass. With `delayMs`, what
 * the database sends arrives that much later (a distant or busy process). With `freezesWhen`,
 * asked before each chunk the database sends is passed on, the relay freezes itself, that
 * chunk held, once it holds: the client stops at a point the test chose (`frozen`), whatever
 * the machine's load. `cut` ends every connection and refuses new ones, as a database that
 * went down; `restore` lets them pass again.
 */
export async function startFreezableRelay(
  databaseUrl: string,
  delayMs = 0,
  freezesWhen?: () => boolean,
) {
  const target = new URL(databaseUrl);
  const open: net.Socket[] = [];
  let markFrozen!: () => void;
  const frozen = new Promise<void>((resolve) => (markFrozen = resolve));
  let down = false;
  const relay = net.createServer((client) => {
    if (down) return client.destroy();
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    client.pipe(upstream);
    const pass = (bytes: Buffer) => {
      if (freezesWhen?.()) freeze();
      else client.write(bytes);
    };
    if (delayMs === 0 && !freezesWhen) upstream.pipe(client);
    else if (delayMs === 0) upstream.on('data', pass);
    else upstream.on('data', (bytes: Buffer) => setTimeout(() => pass(bytes), delayMs));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    open.push(client, upstream);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));

  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String((relay.address() as net.AddressInfo).port);
  function freeze() {
    for (const socket of open.splice(0)) {
      socket.unpipe();
      socket.pause();
    }
    markFrozen();
  }
  const cut = () => {
    down = true;
    for (const socket of open.splice(0)) socket.destroy();
  };
  const restore = () => {
    down = false;
  };
  const close = () => {
    for (const socket of open) socket.destroy();
    relay.close();
  };
  return { url: url.toString(), freeze, frozen, cut, restore, close };
}
