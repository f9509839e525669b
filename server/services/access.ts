import type { LayerDefinition, Role } from '../../layers/index.js';

/**
 * Who is asking: a logged-in user, an API token, or nobody (`undefined` everywhere means an
 * anonymous visitor). Tokens carry scopes that narrow what their roles add to a visitor's
 * rights: a scope never takes away what the public may read.
 */
export interface Principal {
  kind: 'user' | 'token';
  /** User name, or the token's name. */
  name: string;
  /** For tokens: the token's id, since two tokens may share a name; undefined for users. */
  tokenId?: number;
  roles: readonly Role[];
  /**
   * For tokens: the layers its roles reach, whether it may write, and whether its replaces,
   * patches and deletes may leave out If-Match (last-write-wins, for desktop GIS clients that
   * never send it); undefined for users. Public layers stay readable outside the list.
   */
  scope?: { layerIds: readonly string[] | 'all'; write: boolean; withoutIfMatch?: boolean };
}

function hasAnyRole(principal: Principal, roles: readonly Role[]): boolean {
  return principal.roles.includes('admin') || principal.roles.some((r) => roles.includes(r));
}

/** What access rules read of a layer or a record table: its id and its access declaration. */
type Guarded = Pick<LayerDefinition, 'id' | 'access'>;

function scopeAllows(principal: Principal, layer: Guarded, write: boolean): boolean {
  const scope = principal.scope;
  if (!scope) return true;
  const layerInScope = scope.layerIds === 'all' || scope.layerIds.includes(layer.id);
  return layerInScope && (!write || scope.write);
}

/**
 * May this caller read the layer? Public layers are readable by anyone, a token scoped to
 * other layers included (a visitor could read them without it); others by role, within scope.
 */
export function canReadLayer(principal: Principal | undefined, layer: Guarded): boolean {
  if (layer.access.read === 'public') return true;
  if (!principal || !scopeAllows(principal, layer, false)) return false;

  const editors = layer.access.edit;
  return hasAnyRole(principal, [...layer.access.read, ...editors]);
}

/**
 * May this caller read the layer's edit history? It names the editors, so visitors may not,
 * and it is therefore among what a token's roles add to a visitor's rights: a token reads it
 * only within its scope, even for a public layer.
 */
export function canReadHistory(principal: Principal | undefined, layer: Guarded): boolean {
  if (!principal || !canReadLayer(principal, layer)) return false;
  return scopeAllows(principal, layer, false);
}

/** May this caller create, change or delete features of the layer? */
export function canEditLayer(principal: Principal | undefined, layer: Guarded): boolean {
  if (!principal || !scopeAllows(principal, layer, true)) return false;
  return hasAnyRole(principal, layer.access.edit);
}
