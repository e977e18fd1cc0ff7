// npm run fuzz [-- --profile NAME | --profiles a,b | --all-guarding | --warned] [--expect-violation]
//              [--platform NAME] [--seed N] [--runs N] [--ops N] [--budget SECONDS]
// Model-based fuzzing with fast-check; see src/fuzz/cli.ts and README "Fuzzing".

import { main } from '../src/fuzz/cli';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`fuzz: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
