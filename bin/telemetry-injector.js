#!/usr/bin/env node
// The `telemetry-injector` command. Everything lives in the compiled CLI (built by `npm ci` or
// `npm run build`); this file only hands it the arguments and sets the exit code.
import { run } from '../dist/server/src/cli/main.js';

process.exitCode = await run(process.argv.slice(2));
