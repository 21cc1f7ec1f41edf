#!/usr/bin/env node
import { processIo } from '../dist/io.js';
import { failure, main } from '../dist/main.js';

// An error that escapes a command (a stray rejection, an error event) is reported like one
// thrown by it: one line and its exit status, never Node's stack trace and status 1.
for (const event of ['uncaughtException', 'unhandledRejection']) {
  process.on(event, (e) => {
    process.exitCode = failure(process.argv[2], e, processIo);
    process.exit();
  });
}

process.exitCode = await main(process.argv.slice(2));
