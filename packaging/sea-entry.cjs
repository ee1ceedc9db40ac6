'use strict';
// The single executable's entry (CommonJS, as Node's single-executable support requires). It
// answers --version at once, then runs the program, CommonJS carried as an asset. The UI is a second
// asset, an ES module (Ink needs ESM: yoga-layout uses top-level await) loaded from a data: URL only
// when a terminal needs it, since Node's ES module loader costs memory.
const sea = require('node:sea');
const vm = require('node:vm');

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${AI_WAY_VERSION}\n`);
} else {
  const load = (key) => import(`data:text/javascript;base64,${Buffer.from(sea.getAsset(key)).toString('base64')}`);
  // Raw: an asset is checked against its reader's cap before any of it is copied.
  globalThis.__aiWaySea = { getAsset: (key) => sea.getRawAsset(key), loadUi: () => load('ui.mjs') };
  const code = sea.getAsset('cli.cjs', 'utf8');
  const main = vm.runInThisContext(`(function (require, module, exports) {${code}\n})`, {
    filename: 'ai-way-cli.cjs',
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const mod = { exports: {} };
  main(require, mod, mod.exports);
}
