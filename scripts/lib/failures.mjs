// Names every failed test of a run with the first lines of its message, for the last lines of a long log.
// Usage: node scripts/lib/failures.mjs <test-results dir>   (reads *.trx and js-client.tap; prints nothing when all passed)
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const unescape = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&#xD;/g, '').replace(/&#xA;/g, '\n').replace(/&amp;/g, '&');
const lines = [];
for (const file of existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.trx')) : []) {
  const trx = readFileSync(join(dir, file), 'utf8');
  for (const [, attributes, body] of trx.matchAll(/<UnitTestResult ([^>]*outcome="Failed"[^>]*)>([\s\S]*?)<\/UnitTestResult>/g)) {
    const name = unescape(/testName="([^"]*)"/.exec(attributes)?.[1] ?? '?');
    const message = unescape(/<Message>([\s\S]*?)<\/Message>/.exec(body)?.[1] ?? '').split('\n').filter((l) => l.trim()).slice(0, 4);
    lines.push(`  ${name}`, ...message.map((l) => `      ${l.slice(0, 400)}`));
  }
}
const tap = join(dir, 'js-client.tap');
if (existsSync(tap)) {
  for (const [, name] of readFileSync(tap, 'utf8').matchAll(/^not ok \d+ - (.*)$/gm)) lines.push(`  clients/js: ${name}`);
}
if (lines.length > 0) console.log(['Failed:', ...lines].join('\n'));
