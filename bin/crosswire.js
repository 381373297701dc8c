#!/usr/bin/env node
// Shim: load the compiled CLI; it exits with the command's code.
import { runAndExit } from '../dist/cli/main.js';

await runAndExit(process.argv);
