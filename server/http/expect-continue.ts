import type http from 'node:http';

/**
 * Sends `100 Continue` to a client that asked for it (`Expect: 100-continue`) when the app
 * starts to read the body, not before any route has run as Node does by default. A request
 * refused unread (an upload over IMPORT_MAX_MB) is then answered before its client sends a
 * byte of the body, and Node closes the connection after that answer.
 */
export function continueWhenBodyRead(server: http.Server): void {
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const read = req._read;
    req._read = function readAfterContinue(size: number) {
      req._read = read;
      // Node reads (to discard) the rest of a request answered early: no 100 after the answer
      if (!res.headersSent) res.writeContinue();
      read.call(this, size);
    };
    server.emit('request', req, res);
  });
}
