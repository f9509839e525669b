import type pg from 'pg';

type Queryable = Pick<pg.Pool, 'query'>;

/** A stored user, without the password hash. */
export interface UserRow {
  id: number;
  name: string;
  roles: string[];
  disabled: boolean;
  createdAt: string;
}

/** A stored API token, without its hash. */
export interface ApiTokenRow {
  id: number;
  name: string;
  roles: string[];
  /** Null: every layer the roles allow. */
  layerIds: string[] | null;
  canWrite: boolean;
  /** Writes without If-Match are applied as last-write-wins (a desktop GIS client). */
  withoutIfMatch: boolean;
  createdBy: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const userColumns = 'id, name, roles, disabled, created_at AS "createdAt"';
const tokenColumns = `id, name, roles, layer_ids AS "layerIds", can_write AS "canWrite",
  without_if_match AS "withoutIfMatch", created_by AS "createdBy", created_at AS "createdAt",
  last_used_at AS "lastUsedAt",
  revoked_at AS "revokedAt"`;

/** Inserts a user; a taken name raises the unique violation (23505). */
export async function insertUser(
  db: Queryable,
  user: { name: string; passwordHash: string; roles: readonly string[] },
) {
  const sql = `INSERT INTO simpul_user (name, password_hash, roles) VALUES ($1, $2, $3)
    RETURNING ${userColumns}`;
  const result = await db.query<UserRow>(sql, [user.name, user.passwordHash, user.roles]);
  return result.rows[0]!;
}

/** A user and its password hash by name, or undefined. */
export async function selectUserWithHash(db: Queryable, name: string) {
  const sql = `SELECT ${userColumns}, password_hash AS "passwordHash"
    FROM simpul_user WHERE name = $1`;
  const result = await db.query<UserRow & { passwordHash: string }>(sql, [name]);
  return result.rows[0];
}

/** Every user in name order. */
export async function selectUsers(db: Queryable) {
  const result = await db.query<UserRow>(`SELECT ${userColumns} FROM simpul_user ORDER BY name`);
  return result.rows;
}

/** Changes the given fields of a user; returns the user, or undefined for an unknown name. */
export async function updateUser(
  db: Queryable,
  name: string,
  changes: { passwordHash?: string; roles?: readonly string[]; disabled?: boolean },
) {
  const sql = `UPDATE simpul_user SET
      password_hash = coalesce($2, password_hash),
      roles = coalesce($3, roles),
      disabled = coalesce($4, disabled),
      updated_at = now()
    WHERE name = $1 RETURNING ${userColumns}`;
  const values = [name, changes.passwordHash ?? null, changes.roles ?? null, changes.disabled];
  const result = await db.query<UserRow>(
    sql,
    values.map((v) => v ?? null),
  );
  return result.rows[0];
}

/** Ends every session of a user (after a password change, a role change or disabling). */
export async function deleteUserSessions(db: Queryable, userId: number) {
  await db.query('DELETE FROM simpul_session WHERE user_id = $1', [userId]);
}

/** Stores a session under the hash of its cookie value. */
export async function insertSession(
  db: Queryable,
  session: {
    tokenHash: string;
    userId: number;
    csrfToken: string;
    client: string;
    ttlHours: number;
  },
) {
  const sql = `INSERT INTO simpul_session (token_hash, user_id, csrf_token, client, expires_at)
    VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5))`;
  const { tokenHash, userId, csrfToken, client, ttlHours } = session;
  await db.query(sql, [tokenHash, userId, csrfToken, client, ttlHours]);
}

/** The live session of a cookie hash with its enabled user, or undefined. */
export async function selectSessionUser(db: Queryable, tokenHash: string) {
  const sql = `SELECT u.id AS "userId", u.name, u.roles, s.csrf_token AS "csrfToken",
      s.expires_at AS "expiresAt"
    FROM simpul_session s JOIN simpul_user u ON u.id = s.user_id
    WHERE s.token_hash = $1 AND s.expires_at > now() AND NOT u.disabled`;
  const result = await db.query<{
    userId: number;
    name: string;
    roles: string[];
    csrfToken: string;
    expiresAt: string;
  }>(sql, [tokenHash]);
  return result.rows[0];
}

/** Ends one session, and drops expired ones while at it. */
export async function deleteSession(db: Queryable, tokenHash: string) {
  await db.query('DELETE FROM simpul_session WHERE token_hash = $1 OR expires_at < now()', [
    tokenHash,
  ]);
}

/** Records a failed login of a name from an address. */
export async function insertLoginFailure(db: Queryable, userName: string, address: string) {
  await db.query('INSERT INTO simpul_login_failure (user_name, address) VALUES ($1, $2)', [
    userName,
    address,
  ]);
}

/** Failed logins in the last `windowMinutes` for the name and for the address. */
export async function countLoginFailures(
  db: Queryable,
  userName: string,
  address: string,
  windowMinutes: number,
) {
  const sql = `SELECT
      count(*) FILTER (WHERE user_name = $1)::int AS "byName",
      count(*) FILTER (WHERE address = $2)::int AS "byAddress"
    FROM simpul_login_failure
    WHERE failed_at > now() - make_interval(mins => $3) AND (user_name = $1 OR address = $2)`;
  const result = await db.query<{ byName: number; byAddress: number }>(sql, [
    userName,
    address,
    windowMinutes,
  ]);
  return result.rows[0]!;
}

/** Forgets the failures of a name after it logged in, and failures older than a day. */
export async function deleteLoginFailures(db: Queryable, userName: string) {
  await db.query(
    `DELETE FROM simpul_login_failure
     WHERE user_name = $1 OR failed_at < now() - interval '1 day'`,
    [userName],
  );
}

/** Stores a new API token under the hash of its secret. */
export async function insertApiToken(
  db: Queryable,
  token: {
    name: string;
    tokenHash: string;
    roles: readonly string[];
    layerIds: readonly string[] | null;
    canWrite: boolean;
    withoutIfMatch: boolean;
    createdBy: string;
  },
) {
  const sql = `INSERT INTO simpul_api_token
      (name, token_hash, roles, layer_ids, can_write, without_if_match, created_by)
    VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${tokenColumns}`;
  const { name, tokenHash, roles, layerIds, canWrite, withoutIfMatch, createdBy } = token;
  const values = [name, tokenHash, roles, layerIds, canWrite, withoutIfMatch, createdBy];
  const result = await db.query<ApiTokenRow>(sql, values);
  return result.rows[0]!;
}

/** The unrevoked token with this hash, or undefined when unknown or revoked. */
export async function selectLiveApiToken(db: Queryable, tokenHash: string) {
  const sql = `SELECT ${tokenColumns} FROM simpul_api_token
    WHERE token_hash = $1 AND revoked_at IS NULL`;
  return (await db.query<ApiTokenRow>(sql, [tokenHash])).rows[0];
}

/** Notes that a token was used; at most once a minute, so reads do not each write a row. */
export async function touchApiToken(db: Queryable, tokenId: number) {
  await db.query(
    `UPDATE simpul_api_token SET last_used_at = now()
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [tokenId],
  );
}

/** Every token, newest first, revoked ones included. */
export async function selectApiTokens(db: Queryable) {
  const sql = `SELECT ${tokenColumns} FROM simpul_api_token ORDER BY id DESC`;
  return (await db.query<ApiTokenRow>(sql)).rows;
}

/** Revokes a token; returns it, or undefined when unknown. Revoking twice keeps the first time. */
export async function revokeApiToken(db: Queryable, tokenId: number) {
  const sql = `UPDATE simpul_api_token SET revoked_at = coalesce(revoked_at, now())
    WHERE id = $1 RETURNING ${tokenColumns}`;
  return (await db.query<ApiTokenRow>(sql, [tokenId])).rows[0];
}
