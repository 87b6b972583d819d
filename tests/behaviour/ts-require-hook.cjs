'use strict';
// Lets node run the TypeScript tests that piscina ships (its own runner preloads tsx, which is not
// installed here): `node --require <this> --test test/x.test.ts`. Worker threads inherit the flag,
// so the .ts fixtures they load compile the same way. Types are erased, never checked.
const fs = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  resolveJsonModule: true,
  sourceMap: false,
};

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { fileName: filename, compilerOptions });
  module._compile(outputText, filename);
};
