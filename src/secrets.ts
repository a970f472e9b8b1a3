import { randomBytes } from 'node:crypto';
import type { Sql } from 'postgres';

export interface RuntimeSecrets {
  jwtSecret: string;
  authenticatorPassword: string;
}

/**
 * Secrets shared by every process of one installation, kept in the database
 * so that gateways started on other machines agree with each other: the
 * PostgREST JWT secret and the password of the `authenticator` login role.
 * Generated on first use; the role's password is (re)applied every time.
 */
export async function ensureRuntimeSecrets(sql: Sql): Promise<RuntimeSecrets> {
  const fresh = () => randomBytes(32).toString('base64url');
  await sql`
    insert into iam.runtime_secrets (name, value)
    values ('jwt_secret', ${fresh()}), ('authenticator_password', ${fresh()})
    on conflict (name) do nothing`;
  const rows = await sql<{ name: string; value: string }[]>`
    select name, value from iam.runtime_secrets`;
  const byName = new Map(rows.map((r) => [r.name, r.value]));
  const secrets = {
    jwtSecret: byName.get('jwt_secret')!,
    authenticatorPassword: byName.get('authenticator_password')!,
  };
  // base64url has no quote characters, so the literal cannot be broken out of.
  await sql.unsafe(
    `alter role authenticator with login password '${secrets.authenticatorPassword}'`,
  );
  return secrets;
}
