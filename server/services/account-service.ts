import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import type pg from 'pg';
import { recordTables, type Role } from '../../layers/index.js';
import { config } from '../config.js';
import { countNoun } from '../counted-noun.js';
import {
  countLoginFailures,
  deleteLoginFailures,
  deleteSession,
  deleteUserSessions,
  insertApiToken,
  insertLoginFailure,
  insertSession,
  insertUser,
  revokeApiToken as revokeApiTokenRow,
  selectApiTokens,
  selectLiveApiToken,
  selectSessionUser,
  selectUserWithHash,
  selectUsers,
  touchApiToken,
  updateUser as updateUserRow,
} from '../db/queries/accounts.js';
import { badRequest, HttpProblem, notFound } from '../http/problem.js';
import { canEditLayer, type Principal } from './access.js';
import { findLayer, listLayers, listThemes } from './layer-registry.js';

type Queryable = Pick<pg.Pool, 'query'>;

/** Shortest accepted password, in characters. */
export const minPasswordLength = 10;

/** Prefix of API token secrets, so a leaked one is recognisable in logs and scanners. */
const tokenPrefix = 'simpul_';

/** Every role name the declared themes allow, `admin` first. */
export function knownRoles(): Role[] {
  const themeRoles = listThemes().flatMap((t): Role[] => [`${t.id}:editor`, `${t.id}:viewer`]);
  return ['admin', ...themeRoles];
}

/** The roles as typed; an unknown one is a 400 listing the valid names. */
export function parseRoles(names: readonly unknown[]): Role[] {
  const known = knownRoles();
  const unknown = names.filter((n) => !known.includes(n as Role));
  if (unknown.length > 0) {
    const detail = `Unknown role ${unknown.join(', ')}; roles are: ${known.join(', ')}.`;
    throw badRequest('unknown-role', detail);
  }
  return [...new Set(names as Role[])];
}

function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length < minPasswordLength) {
    const detail = `A password needs at least ${minPasswordLength} characters.`;
    throw badRequest('weak-password', detail);
  }
  return password;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === '23505';
}

/** Creates a user with an argon2id hash of the password; a taken name is a 409. */
export async function createUser(
  db: Queryable,
  user: { name: string; password: string; roles: readonly unknown[] },
) {
  const roles = parseRoles(user.roles);
  const passwordHash = await argon2.hash(checkPassword(user.password));
  try {
    return await insertUser(db, { name: user.name, passwordHash, roles });
  } catch (error) {
    if (!isUniqueViolation(error) && (error as { code?: string }).code !== '23514') throw error;
    const detail = isUniqueViolation(error)
      ? `A user named ${user.name} exists already.`
      : 'A user name is 2 to 63 lower-case letters, digits, dots, dashes or underscores.';
    throw new HttpProblem(
      isUniqueViolation(error) ? 409 : 400,
      'bad-user-name',
      'User not created',
      detail,
    );
  }
}

/** Changes a user's password, roles or enabled state; every session of the user ends. */
export async function updateUser(
  db: Queryable,
  name: string,
  changes: { password?: unknown; roles?: readonly unknown[]; disabled?: boolean },
) {
  const passwordHash =
    changes.password === undefined ? undefined : await argon2.hash(checkPassword(changes.password));
  const roles = changes.roles && parseRoles(changes.roles);

  const user = await updateUserRow(db, name, { passwordHash, roles, disabled: changes.disabled });
  if (!user) throw notFound('unknown-user', `No user named ${name}.`);
  await deleteUserSessions(db, user.id);
  return user;
}

/** Every user with roles and state, without hashes. */
export async function listUsers(db: Queryable) {
  return selectUsers(db);
}

// Verified against when the name is unknown, so both answers take the time of one argon2 check.
const decoyHash = argon2.hash(randomSecret());

function tooManyLogins(): HttpProblem {
  const minutes = config.loginWindowMinutes;
  const detail = `Too many failed logins; try again in ${countNoun(minutes, 'minute')}.`;
  const problem = new HttpProblem(429, 'too-many-logins', 'Too many failed logins', detail);
  problem.headers['Retry-After'] = String(minutes * 60);
  return problem;
}

/** A logged-in session: the cookie secret (stored hashed), its CSRF token and the user. */
export interface NewSession {
  secret: string;
  csrfToken: string;
  user: { name: string; roles: Role[] };
}

/**
 * Checks a name and password and opens a session. Failed attempts are counted per name and
 * per address over `LOGIN_WINDOW_MINUTES`; past the limit every attempt is a 429, even with
 * the right password, until the window passes. A wrong name or password is the same 401.
 */
export async function logIn(
  db: Queryable,
  attempt: { name: unknown; password: unknown; address: string; client: string },
): Promise<NewSession> {
  const name = typeof attempt.name === 'string' ? attempt.name.trim().toLowerCase() : '';
  const password = typeof attempt.password === 'string' ? attempt.password : '';
  const failures = await countLoginFailures(db, name, attempt.address, config.loginWindowMinutes);
  const limit = config.loginMaxFailures;
  if (failures.byName >= limit || failures.byAddress >= limit * 4) throw tooManyLogins();

  const user = name ? await selectUserWithHash(db, name) : undefined;
  const verified = await argon2.verify(user?.passwordHash ?? (await decoyHash), password);
  if (!user || !verified || user.disabled) {
    await insertLoginFailure(db, name, attempt.address);
    throw new HttpProblem(401, 'login-failed', 'Login failed', 'Wrong user name or password.');
  }
  await deleteLoginFailures(db, name);

  const secret = randomSecret();
  const csrfToken = randomSecret();
  const session = { tokenHash: sha256(secret), userId: user.id, csrfToken, client: attempt.client };
  await insertSession(db, { ...session, ttlHours: config.sessionTtlHours });
  return { secret, csrfToken, user: { name: user.name, roles: user.roles as Role[] } };
}

/** Ends the session of a cookie secret (a no-op for an unknown one). */
export async function logOut(db: Queryable, secret: string) {
  await deleteSession(db, sha256(secret));
}

/** The user of a live session cookie and the session's CSRF token, or undefined. */
export async function findSession(db: Queryable, secret: string) {
  const row = await selectSessionUser(db, sha256(secret));
  if (!row) return undefined;
  const principal: Principal = { kind: 'user', name: row.name, roles: row.roles as Role[] };
  return { principal, csrfToken: row.csrfToken, expiresAt: row.expiresAt };
}

/**
 * The principal of a bearer token. Unknown and revoked tokens are a 401 on every request:
 * tokens are looked up each time, so a revocation takes effect on the next request.
 */
export async function principalFromToken(db: Queryable, secret: string): Promise<Principal> {
  const token = secret.startsWith(tokenPrefix)
    ? await selectLiveApiToken(db, sha256(secret))
    : undefined;
  if (!token) {
    const problem = new HttpProblem(
      401,
      'bad-token',
      'Unauthorized',
      'The API token is unknown or revoked.',
    );
    problem.headers['WWW-Authenticate'] = 'Bearer error="invalid_token"';
    throw problem;
  }
  await touchApiToken(db, token.id);
  return {
    kind: 'token',
    name: token.name,
    tokenId: token.id,
    roles: token.roles as Role[],
    scope: {
      layerIds: token.layerIds ?? 'all',
      write: token.canWrite,
      withoutIfMatch: token.withoutIfMatch,
    },
  };
}

// A scope names record tables (surveys, the activity matrix) too: access checks them like
// layers, so a token that could name layers only could never read a restricted record table
// or run an analysis that reads one (public ones it reads whatever its scope).
function isScopable(id: unknown): boolean {
  return typeof id === 'string' && (!!findLayer(id) || recordTables.some((t) => t.id === id));
}

function parseLayerIds(layerIds: unknown): string[] | null {
  if (layerIds === undefined || layerIds === null || layerIds === 'all') return null;
  if (!Array.isArray(layerIds) || !layerIds.every(isScopable)) {
    const detail = 'layerIds must be "all" or a list of declared layer and record table ids.';
    throw badRequest('unknown-layer', detail);
  }
  return layerIds as string[];
}

/**
 * Whether a token's writes may leave out If-Match; only a token that writes may ask (a 400
 * says so), since the opt-out means nothing to one that cannot.
 */
function parseWithoutIfMatch(request: { write?: unknown; withoutIfMatch?: unknown }): boolean {
  const asked = request.withoutIfMatch;
  if (asked !== undefined && typeof asked !== 'boolean') {
    throw badRequest('bad-without-if-match', 'withoutIfMatch is true or false.');
  }
  if (!asked) return false;
  if (request.write === true) return true;
  const detail =
    'withoutIfMatch lets a token replace, patch and delete without If-Match, so only a token ' +
    'that writes can have it; send "write": true with it, or leave it out.';
  throw badRequest('without-if-match-read-only', detail);
}

/**
 * Refuses `"write": true` for a token whose roles edit none of the layers and record tables
 * its scope reaches: it was accepted, and the token then failed every write with a 403. The
 * 400 names the roles that do edit them.
 */
function checkWriteHasEditRole(roles: readonly Role[], layerIds: readonly string[] | null) {
  const scope = { layerIds: layerIds ?? ('all' as const), write: true };
  const principal: Principal = { kind: 'token', name: 'new token', roles, scope };
  const reached = [...listLayers(), ...recordTables].filter(
    (table) => layerIds === null || layerIds.includes(table.id),
  );
  if (reached.some((table) => canEditLayer(principal, table))) return;

  const editors = [...new Set(['admin', ...reached.flatMap((table) => table.access.edit)])];
  const scoped = layerIds === null ? 'any layer' : `its layers (${layerIds.join(', ')})`;
  const detail =
    `"write": true asks for a token that writes, but its roles (${roles.join(', ')}) ` +
    `may not edit ${scoped}; roles that may: ${editors.join(', ')}. ` +
    'Give it one of those roles, or leave "write" out for a token that reads.';
  throw badRequest('write-without-edit-role', detail);
}

/**
 * Creates an API token for a system: its roles, the layers it may touch (all by default),
 * whether it may write (a 400 when its roles edit none of those layers), and whether its
 * writes may leave out If-Match (last-write-wins, for desktop GIS clients such as QGIS). The
 * secret is returned once and stored only as a SHA-256 hash (it is 256 random bits, so a slow
 * hash adds nothing).
 */
export async function createApiToken(
  db: Queryable,
  request: {
    name: unknown;
    roles: unknown;
    layerIds?: unknown;
    write?: unknown;
    withoutIfMatch?: unknown;
  },
  createdBy: string,
) {
  if (typeof request.name !== 'string' || !request.name.trim()) {
    throw badRequest('bad-token-name', 'A token needs a name saying which system uses it.');
  }
  const roles = parseRoles(Array.isArray(request.roles) ? request.roles : []);
  if (roles.length === 0)
    throw badRequest(
      'unknown-role',
      `A token needs at least one role: ${knownRoles().join(', ')}.`,
    );

  const layerIds = parseLayerIds(request.layerIds);
  if (request.write === true) checkWriteHasEditRole(roles, layerIds);

  const secret = tokenPrefix + randomSecret();
  const token = await insertApiToken(db, {
    name: request.name.trim(),
    tokenHash: sha256(secret),
    roles,
    layerIds,
    canWrite: request.write === true,
    withoutIfMatch: parseWithoutIfMatch(request),
    createdBy,
  });
  return { ...token, secret };
}

/** Every API token, revoked ones included, without secrets. */
export async function listApiTokens(db: Queryable) {
  return selectApiTokens(db);
}

/** Revokes a token at once; an unknown id is a 404. */
export async function revokeApiToken(db: Queryable, tokenId: number) {
  const token = await revokeApiTokenRow(db, tokenId);
  if (!token) throw notFound('unknown-token', `No API token with id ${tokenId}.`);
  return token;
}
