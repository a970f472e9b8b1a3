process.env.LOG_LEVEL = 'warn';
const { startEmbeddedPostgres } = await import('../src/db/embedded.ts');
const { migrate } = await import('../src/db/migrate.ts');
const { freePort } = await import('../src/net.ts');
const seed = await import('./lib/seed.ts');
const postgres = (await import('postgres')).default;
const N = Number(process.env.N ?? 100000);
const MODE = process.env.MODE ?? '';
const server = await startEmbeddedPostgres({ dataDir: '/tmp/bdbg/pg100k', port: await freePort(), ephemeral: true });
await migrate(server.url);
const notices: string[] = [];
const sql = postgres(server.url, { max: 1, onnotice: (n) => notices.push(n.message) });
const data = seed.describeDataset('42');
await seed.seedOrg(sql, data);
await seed.seedAnswers(sql, data, 1, N);
const p = await seed.createProfile(sql, data, 'x');
await seed.assign(sql, data, p, 1, N, false);
if (MODE) await sql.unsafe(`set plan_cache_mode = ${MODE}`);
const times: number[] = [];
for (let k = 0; k < N / 1000; k++) {
  if (k === N / 1000 - 1) {
    await sql`load 'auto_explain'`;
    await sql`set auto_explain.log_min_duration = 0`;
    await sql`set auto_explain.log_analyze = on`;
    await sql`set auto_explain.log_nested_statements = on`;
    await sql`set auto_explain.log_level = notice`;
  }
  const t = performance.now();
  await sql`select scoring.compute(${p}::uuid, array(select bench.object_id(k) from generate_series(${k*1000+1}::int, ${k*1000+1000}::int) k))`;
  times.push(Math.round(performance.now() - t));
}
console.log('MODE', MODE || 'auto', 'chunk ms:', times.join(' '));
const big = notices.filter((n) => n.includes('with batch'));
console.log(big.join('\n\n'));
await sql.end(); await server.stop();
