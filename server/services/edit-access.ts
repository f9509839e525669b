import type { LayerDefinition } from '../../layers/index.js';
import { HttpProblem } from '../http/problem.js';
import { canEditLayer, canReadLayer, type Principal } from './access.js';
import { unknownLayer } from './layer-registry.js';

/** A layer or a record table, as far as access goes. */
type Guarded = Pick<LayerDefinition, 'id' | 'access'>;

/** 401 asking for a login or a token (`WWW-Authenticate: Bearer`). */
export function unauthenticated(detail: string): HttpProblem {
  const problem = new HttpProblem(401, 'login-required', 'Login required', detail);
  problem.headers['WWW-Authenticate'] = 'Bearer';
  return problem;
}

/** A layer the caller may not read is a 404 as if it did not exist, so it is not disclosed. */
export function requireReadable(principal: Principal | undefined, layer: Guarded) {
  if (!canReadLayer(principal, layer)) {
    throw unknownLayer(layer.id);
  }
}

/**
 * The caller may write the layer: a visitor gets 401 (log in or send a token), a caller who
 * may read but not edit gets 403 naming the roles that may, and an unreadable layer is a 404.
 */
export function requireEditable(principal: Principal | undefined, layer: Guarded) {
  requireReadable(principal, layer);
  if (!principal) {
    throw unauthenticated(`Editing ${layer.id} needs a login or an API token.`);
  }
  if (!canEditLayer(principal, layer)) {
    const roles = layer.access.edit.join(', ');
    const scoped = principal.scope ? ' with a token scoped to it for writing' : '';
    const needed = `one of: ${roles}${scoped}`;
    const detail = `${principal.name} may not edit ${layer.id}; it needs ${needed}.`;
    throw new HttpProblem(403, 'edit-forbidden', 'Forbidden', detail);
  }
}

/** An administrator logged in as a user (tokens never manage accounts). */
export function requireAdmin(principal: Principal | undefined) {
  if (!principal) throw unauthenticated('Managing accounts needs an administrator login.');
  if (principal.kind !== 'user' && principal.roles.includes('admin')) {
    const detail =
      'API tokens may not manage accounts, not even an administrator token; ' +
      'log in as an administrator.';
    throw new HttpProblem(403, 'admin-login-only', 'Forbidden', detail);
  }
  if (principal.kind !== 'user' || !principal.roles.includes('admin')) {
    throw new HttpProblem(403, 'admin-only', 'Forbidden', 'Only an administrator may do this.');
  }
}

/** A logged-in user or a token, for endpoints that are never anonymous (history). */
export function requirePrincipal(principal: Principal | undefined): asserts principal {
  if (!principal) throw unauthenticated('This needs a login or an API token.');
}

/** The methods the caller may use on a layer's items (`collection`) or one item. */
export function allowedMethods(
  principal: Principal | undefined,
  layer: LayerDefinition,
  target: 'collection' | 'item',
): string[] {
  const methods = ['GET', 'HEAD', 'OPTIONS'];
  if (!canEditLayer(principal, layer)) return methods;
  return target === 'collection' ? [...methods, 'POST'] : [...methods, 'PUT', 'PATCH', 'DELETE'];
}
