// What a user gets: `npm pack` makes a tarball with the ESM entry, the declarations and the README; a project can
// install it and import it in Node, and compile against its types; and `npm publish` refuses to run from here.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(packageDir, '../..');
let work;
let packed;

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'vapora-js-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: packageDir, timeout: 120_000 });
  [packed] = JSON.parse(stdout);
});

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function sourceFiles(directory) {
  return fs.readdirSync(path.join(packageDir, directory), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(path.join(directory, entry.name)) : [path.join(directory, entry.name)]);
}

test('npm pack makes a tarball with the ESM entry, its modules, the declarations and the README, and nothing else', () => {
  const files = packed.files.map((f) => f.path).sort();
  const expected = ['README.md', 'index.d.ts', 'package.json', ...sourceFiles('src')];
  // The repository has no LICENSE today; when it gets one, the package must carry it too.
  for (const license of ['LICENSE', 'LICENSE.md', 'LICENSE.txt']) if (fs.existsSync(path.join(repoRoot, license))) expected.push(license);
  assert.deepEqual(files, expected.sort());
  assert.equal(packed.name, '@vapora/client');
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  assert.equal(manifest.type, 'module');
  assert.deepEqual(manifest.exports['.'], { types: './index.d.ts', default: './src/index.js' });
  assert.deepEqual(manifest.dependencies ?? {}, {}, 'no runtime dependencies');
});

test('a project can install the tarball, import the package in Node and compile against its declarations', { timeout: 180_000 }, async () => {
  const consumer = path.join(work, 'consumer');
  fs.mkdirSync(consumer);
  fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', path.join(work, packed.filename)], { cwd: consumer, timeout: 120_000 });

  const script = `
    import * as client from '@vapora/client';
    let refused = '';
    try { client.watch('not a valid id!', { baseUrl: 'http://127.0.0.1:1', onUpdate() {} }); } catch (e) { refused = e.constructor.name + ': ' + e.message; }
    console.log(JSON.stringify({ exports: Object.keys(client).sort(), refused, delay: client.backoffDelay(1, { random: () => 0 }) }));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer, timeout: 30_000 });
  const result = JSON.parse(stdout);
  assert.deepEqual(result.exports, ['CloseCodes', 'VaporaError', 'backoffDelay', 'isGiveUpCode', 'watch', 'watchMany']);
  assert.match(result.refused, /^TypeError: A workflow id is 1-64 characters/);
  assert.equal(result.delay, 250);

  // Every value the declarations promise exists at run time, and every export is declared.
  const declarations = fs.readFileSync(path.join(consumer, 'node_modules/@vapora/client/index.d.ts'), 'utf8');
  const declared = [...declarations.matchAll(/^export (?:declare )?(?:function|const|class) (\w+)/gm)].map((m) => m[1]).sort();
  assert.deepEqual(declared, result.exports);

  fs.copyFileSync(path.join(packageDir, 'test/types/consumer.ts'), path.join(consumer, 'consumer.ts'));
  fs.writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022'], types: [], skipLibCheck: false },
    files: ['consumer.ts'],
  }));
  const tsc = path.join(packageDir, 'node_modules/typescript/bin/tsc');
  try {
    await run(process.execPath, [tsc, '-p', consumer], { cwd: consumer, timeout: 120_000 });
  } catch (error) {
    assert.fail(`tsc found errors in the declarations or the consumer:\n${error.stdout}${error.stderr}`);
  }
});

test('npm publish refuses to run from this repository', { timeout: 120_000 }, async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  assert.equal(manifest.private, true, 'private: npm refuses to publish it (EPRIVATE)');
  // prepublishOnly fails first, also in a dry run, so this is checked without a registry.
  await assert.rejects(run('npm', ['publish', '--dry-run'], { cwd: packageDir, timeout: 120_000 }),
    (error) => /not published from this repository/.test(error.stderr));
});
