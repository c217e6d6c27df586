// After the CommonJS build: `require('fastify-x-webhooks')` returns the plugin itself, carrying every named export
// (the Fastify plugins' "default + named on one function" pattern), instead of a module object.
const { appendFileSync, writeFileSync } = require('node:fs')
const { join } = require('node:path')

const cjs = join(__dirname, '..', 'dist', 'cjs')
appendFileSync(join(cjs, 'index.js'), 'module.exports = Object.assign(exports.default, exports);\n')
writeFileSync(join(cjs, 'package.json'), '{"type":"commonjs"}\n')
