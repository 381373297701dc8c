#!/usr/bin/env node
// Shim: load the compiled CLI, set the exit code, nothing else.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv);
