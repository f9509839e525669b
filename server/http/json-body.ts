import { isUtf8 } from 'node:buffer';
import express from 'express';
import { badRequest } from './problem.js';

/**
 * Refuses a JSON body that is not UTF-8 (RFC 8259 section 8.1), as express.json's `verify`:
 * the parser reads each stray byte as U+FFFD, so a name a legacy system sent in Windows-1252
 * (é as the one byte 0xE9) was stored with its letters replaced, and the sender told 201.
 */
export function refuseNonUtf8Body(body: Buffer, charset: string | undefined) {
  if ((charset ?? 'utf-8').toLowerCase() !== 'utf-8' || isUtf8(body)) return;
  throw badRequest(
    'body-not-utf8',
    'The body is not UTF-8, which JSON must be (RFC 8259): it holds bytes such as the 0xE9 ' +
      'that Windows-1252 or Latin-1 writes for é. Send the text encoded as UTF-8.',
  );
}

/**
 * express.json refusing a body that is not UTF-8 (refuseNonUtf8Body), for every route that
 * reads JSON; `verify` runs first when given.
 */
export function utf8Json(options: Parameters<typeof express.json>[0] = {}) {
  const { verify, ...rest } = options;
  return express.json({
    ...rest,
    verify: (req, res, body, charset) => {
      verify?.(req, res, body, charset);
      refuseNonUtf8Body(body, charset);
    },
  });
}
