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
        'The request line and headers together must stay under 16 KB; ' +
        'send long filters in a shorter form.',
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

// A refused peer gets this long to read the answer and hang up; one that leaves the
// connection half open (slowloris) would otherwise hold it, and its file descriptor, forever.
const closeGraceMs = 1000;

/** Connections whose refusal waits for the answers of the requests pipelined before it. */
const refused = new WeakSet<Duplex>();

/** The answer still under way on this socket, if any (Node keeps it as `_httpMessage`). */
export function answerInFlight(socket: Duplex): http.ServerResponse | undefined {
  const response = (socket as { _httpMessage?: http.ServerResponse | null })._httpMessage;
  return response && !response.writableFinished ? response : undefined;
}

function sendProblem(socket: Duplex, error: NodeJS.ErrnoException) {
  if (!socket.writable) {
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
  setTimeout(() => socket.destroy(), closeGraceMs).unref();
}

/** Sends the problem once every request pipelined before the refused one has its answer. */
function answerAfterEarlierRequests(socket: Duplex, error: NodeJS.ErrnoException) {
  const inFlight = answerInFlight(socket);
  // An incomplete request is the refused one itself (its body broke off or came too slowly):
  // its route may wait for that body forever, so it is answered now, or cut if already started.
  if (inFlight && !inFlight.req.complete && inFlight.headersSent) socket.destroy();
  else if (inFlight?.req.complete) {
    inFlight.once('close', () => answerAfterEarlierRequests(socket, error));
  } else sendProblem(socket, error);
}

/**
 * Answers requests that Node's HTTP parser refuses before any route sees them (headers over
 * 16 KB, malformed request lines, timeouts) with problem details like every other error,
 * instead of Node's bare status line, and closes the connection. A malformed request pipelined
 * after a good one is answered after that one's answer, so each answer meets its request.
 */
export function answerClientErrors(server: http.Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A peer that hung up, or a connection already answered, has no one to answer.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    // The parser repeats its error for every later chunk: the first one is answered.
    if (refused.has(socket)) return;
    refused.add(socket);
    answerAfterEarlierRequests(socket, error);
  });
}
