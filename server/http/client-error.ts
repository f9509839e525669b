import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { log } from '../log.js';

/** What a request Node's parser refused is answered with (it never reaches the app). */
function describe(error: NodeJS.ErrnoException) {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return {
      status: 431,
      title: 'Request Header Fields Too Large',
      type: 'headers-too-large',
      detail:
        'The request line and headers together must stay under 16 KB; send long filters in a shorter form.',
    };
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return {
      status: 408,
      title: 'Request Timeout',
      type: 'request-timeout',
      detail: 'The request did not arrive in time; send it again.',
    };
  }
  return {
    status: 400,
    title: 'Bad Request',
    type: 'malformed-request',
    detail: 'The request is not well-formed HTTP/1.1.',
  };
}

/**
 * Answers requests that Node's HTTP parser refuses before any route sees them (headers over
 * 16 KB, malformed request lines, timeouts) with problem details like every other error,
 * instead of Node's bare status line, and closes the connection.
 */
export function answerClientErrors(server: http.Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A peer that hung up, or a connection already answered, has no one to answer.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const { status, title, type, detail } = describe(error);
    const body = JSON.stringify({ type: `/problems/${type}`, title, status, detail });
    log.info({ status, code: error.code }, 'request refused by the HTTP parser');
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
