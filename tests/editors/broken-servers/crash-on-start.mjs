#!/usr/bin/env node
// A "server" that fails at once, as a wrong binary or a broken install would: the editors' bad-input
// tests point their client at it. Each start is one line in $BROKEN_SERVER_STARTS (when set), so a
// test can tell one start from a restart loop.
import fs from 'node:fs';
if (process.env.BROKEN_SERVER_STARTS) fs.appendFileSync(process.env.BROKEN_SERVER_STARTS, 'crash-on-start\n');
process.stderr.write('crash-on-start: failing on purpose\n');
process.exit(1);
