// CommonJS entry of the Allure formatter (cucumber.js `format`). Cucumber loads formatters
// with import(), which cannot load TypeScript on Node 20; this file can. ts-node is already
// registered when cucumber has loaded the steps (requireModule); register it if not.
if (!require.extensions['.ts']) require('ts-node/register/transpile-only');
module.exports = require('./allure_reporter.ts').default;
