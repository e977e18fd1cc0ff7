#!/usr/bin/env node
// memconform command-line entry: loads the TypeScript sources without a build step.
require('ts-node').register({ transpileOnly: true, compilerOptions: { module: 'commonjs' } });
require('../src/cli/main.ts').main(process.argv).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`memconform: ${err && err.message ? err.message : err}`);
    process.exit(2);
  },
);
