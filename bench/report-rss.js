'use strict';
// Loaded with --require into every measured process: writes its peak resident memory (KiB) where the
// benchmark asked, so memory is measured the same way for the floor and for synthesis.
const { appendFileSync } = require('node:fs');
const target = process.env.BENCH_RSS_FILE;
if (target) process.on('exit', () => appendFileSync(target, `${process.resourceUsage().maxRSS}\n`));
