#!/usr/bin/env node
// attune-eval: measures what each personalization level buys on your own logs, through the
// same engine your users run.  See tools/eval/README.md, or run attune-eval --help.
import { main } from '../tools/eval/cli.mjs';

process.exitCode = await main(process.argv.slice(2));
