import { randomBytes } from 'node:crypto';
import type { Sql } from 'postgres';
import { hashKey } from './gateway/auth.js';

export interface ApiKeySummary {
  id: string;
  orgId: string;
  name: string | null;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const KEY_COLUMNS = `id, org_id as "orgId", name, prefix, created_at as "createdAt",
  last_used_at as "lastUsedAt", revoked_at as "revokedAt"`;

export async function createOrg(sql: Sql, name: string): Promise<{ id: string; name: string }> {
  const [org] = await sql<{ id: string; name: string }[]>`
    insert into iam.orgs (name) values (${name}) returning id, name`;
  return org!;
}

/**
 * Issues a key: `sk_live_` and 43 characters from 32 CSPRNG bytes. Only its
 * SHA-256 and a display prefix are stored; the key itself is returned once.
 */
export async function createApiKey(
  sql: Sql,
  orgId: string,
  name: string | null = null,
): Promise<ApiKeySummary & { key: string }> {
  const key = `sk_live_${randomBytes(32).toString('base64url')}`;
  const prefix = key.slice(0, 12);
  const [row] = await sql.unsafe<ApiKeySummary[]>(
    `insert into iam.api_keys (org_id, name, key_hash, prefix)
     values ($1, $2, $3, $4) returning ${KEY_COLUMNS}`,
    [orgId, name, hashKey(key), prefix],
  );
  return { ...row!, key };
}

export async function listApiKeys(sql: Sql, orgId: string): Promise<ApiKeySummary[]> {
  return sql.unsafe<ApiKeySummary[]>(
    `select ${KEY_COLUMNS} from iam.api_keys where org_id = $1 order by created_at, id`,
    [orgId],
  );
}

/** Revokes a key; gateways drop it from their caches on the NOTIFY. */
export async function revokeApiKey(sql: Sql, keyId: string): Promise<ApiKeySummary | null> {
  const [row] = await sql.unsafe<ApiKeySummary[]>(
    `update iam.api_keys set revoked_at = coalesce(revoked_at, now())
     where id = $1 returning ${KEY_COLUMNS}`,
    [keyId],
  );
  return row ?? null;
}

/** A Postgres role name the analyst command accepts: plain, unquoted, lower-case. */
const ROLE_NAME = /^[a-z_][a-z0-9_]{2,62}$/;

/**
 * Creates a database login for an analyst, pinned to one org: a member of
 * scoring_analyst that reads the analytics views of `orgId` only. The
 * password is generated and returned once.
 */
export async function createAnalystLogin(
  sql: Sql,
  orgId: string,
  roleName: string,
): Promise<{ role: string; orgId: string; password: string }> {
  if (!ROLE_NAME.test(roleName)) {
    throw new Error('analyst name: 3-63 characters of a-z, 0-9 and _, not starting with a digit');
  }
  const password = randomBytes(24).toString('base64url');
  await sql.begin(async (tx) => {
    await tx`insert into iam.analyst_logins (role_name, org_id) values (${roleName}, ${orgId})`;
    // Names and passwords cannot be bound parameters in DDL; both are checked
    // to hold only characters that need no quoting.
    await tx.unsafe(`create role ${roleName} login password '${password}' in role scoring_analyst`);
  });
  return { role: roleName, orgId, password };
}
