#!/usr/bin/env node
import { main } from './main.js';

// `plumb … | head` closes stdout early: that is the reader's choice, not an error
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
  throw err;
});

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`plumb: ${err}\n`);
    process.exitCode = 70;
  },
);
