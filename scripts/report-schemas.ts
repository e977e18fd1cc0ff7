// npm run report:schemas: write the JSON Schema files of the JSON reports
// (src/report/traceability.schema.json, src/report/matrix.schema.json) from src/report/report_schemas.ts.
import * as fs from 'fs';
import * as path from 'path';
import { jsonSchemaText, SCHEMA_FILES } from '../src/report/report_schemas';

const ROOT = path.resolve(__dirname, '..');
for (const { file, schema } of SCHEMA_FILES) {
  fs.writeFileSync(path.join(ROOT, file), jsonSchemaText(schema));
  console.log(`report:schemas: wrote ${file}`);
}
