#!/usr/bin/env node
// The dsim command. Runs the TypeScript sources directly through tsx's loader (no build step), so
// `npx dsim ...` works in a checkout. See sim/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../sim/cli/main.ts');
const code = await main(process.argv.slice(2));
// Let stdout drain instead of process.exit(); a command that keeps serving (viz) never returns.
process.exitCode = code;
