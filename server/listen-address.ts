/**
 * Whether HOST:PORT can be listened on, and a failure to listen in one line for the operator.
 * A module of its own, so that the primary of SIMPUL_PROCESSES checks without loading the app.
 */
import net from 'node:net';
import { config } from './config.js';

/** Thrown when the HTTP port cannot be taken; its message is the one line start-up prints. */
export class ListenError extends Error {}

/** The address a server on `host` and `port` answers at; an IPv6 host goes in brackets. */
export function listeningUrl(host: string, port: number): string {
  return `http://${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
}

/** A failure to listen as the one line start-up prints. */
export function describeListenFailure(error: NodeJS.ErrnoException): string {
  const { host, port } = config;
  if (error.code === 'EADDRINUSE') {
    return `port ${port} on ${host} is in use by another process; stop it or set PORT`;
  }
  if (error.code === 'EACCES') {
    return `port ${port} needs privileges this process lacks; set PORT to 1024 or above`;
  }
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    return `HOST ${host} is not an address of this machine; set HOST (default 127.0.0.1)`;
  }
  return `cannot listen on ${host}:${port}: ${error.message}`;
}

/**
 * Checks, before the database is opened (a first start creates and seeds it for 30 s to two
 * minutes), that HOST:PORT can be listened on: a port in use or an address not on this
 * machine is a ListenError then, not after that wait. The probe lets the port go at once; the
 * server takes it when it is ready.
 */
export async function checkListenAddress(): Promise<void> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(new ListenError(describeListenFailure(error)));
    });
    probe.listen(config.port, config.host, () => resolve());
  });
  await new Promise((resolve) => probe.close(resolve));
}
