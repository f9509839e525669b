import type { NextFunction, Request, Response, Router } from 'express';
import { HttpProblem } from './problem.js';

// What the router's layer stack looks like from here: router 2 (Express 5) keeps these
// undocumented but stable, and its own automatic OPTIONS answer reads them the same way.
interface StackLayer {
  match(path: string): { path: string } | false;
  route?: { _methods(): string[] };
  handle: { stack?: StackLayer[] };
}

const methodOrder = ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'];

function collectMethods(stack: readonly StackLayer[], path: string, found: Set<string>) {
  for (const layer of stack) {
    const match = layer.match(path);
    if (!match) continue;
    if (layer.route) {
      for (const method of layer.route._methods()) found.add(method);
    } else if (layer.handle.stack) {
      collectMethods(layer.handle.stack, path.slice(match.path.length) || '/', found);
    }
  }
}

/**
 * The methods the routes of `router`, and of the routers mounted in it, take at `path`, with
 * OPTIONS (which the router answers for any routed path); empty when no route matches it.
 * Middleware such as static files is not a route and is not counted.
 */
export function methodsAt(router: Router, path: string): string[] {
  const found = new Set<string>();
  collectMethods(router.stack as unknown as StackLayer[], path, found);
  if (found.size === 0) return [];

  found.add('OPTIONS');
  const rank = (method: string) => methodOrder.indexOf(method) >>> 0;
  return [...found].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/**
 * Answers OPTIONS on every routed path with 204 and the `Allow` a 405 there sends, where each
 * router would otherwise answer it alone with the methods of its own routes, as 200 text and
 * without OPTIONS. A path whose route answers OPTIONS itself (the feature writes, whose
 * methods depend on the caller) is left to that route.
 */
export function answerOptions(router: Router) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'OPTIONS') return next();
    const routed = new Set<string>();
    collectMethods(router.stack as unknown as StackLayer[], req.path, routed);
    if (routed.size === 0 || routed.has('OPTIONS')) return next();

    res.set('Allow', methodsAt(router, req.path).join(', ')).status(204).end();
  };
}

/** 405 with the `Allow` header a client needs to retry with a method the path takes. */
export function methodNotAllowed(method: string, path: string, allowed: readonly string[]) {
  const list = allowed.join(', ');
  const detail = `${path} does not take ${method}; it takes ${list}.`;
  const problem = new HttpProblem(405, 'method-not-allowed', 'Method not allowed', detail);
  problem.headers.Allow = list;
  return problem;
}
