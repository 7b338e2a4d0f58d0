// Validates the Kubernetes manifests offline: renders each kustomization (with `kubectl kustomize` when kubectl is
// installed, else with the small renderer in render.mjs, which covers the kustomize features these manifests use) and
// checks every object against the Kubernetes API schemas of the npm package kubernetes-models.
//   node validate.mjs                       validate base and every overlay
//   node validate.mjs --render <dir>        print the rendered objects of <dir> as JSON (for the invariant tests)
//   node validate.mjs --render-without-kubectl <dir>   the same with render.mjs only (the tests compare both)
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { renderWithoutKubectl } from './render.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const targets = [
  'base',
  'overlays/production',
  'overlays/redis-cluster',
  'overlays/redis-sentinel',
  'overlays/production-monitoring',
  'overlays/production-otlp',
];

export function render(dir) {
  try {
    const output = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return YAML.parseAllDocuments(output).map((d) => d.toJS()).filter(Boolean);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    return renderWithoutKubectl(dir);
  }
}

async function validate(doc) {
  const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/') : ['', doc.apiVersion];
  // The Prometheus Operator's custom resources have their own models package.
  const models = group === 'monitoring.coreos.com' ? '@kubernetes-models/prometheus-operator' : 'kubernetes-models';
  const module = await import(`${models}/${group ? `${group}/` : ''}${version}/${doc.kind}`);
  new module[doc.kind](doc).validate();
}

async function main() {
  for (const [flag, renderer] of [['--render', render], ['--render-without-kubectl', renderWithoutKubectl]]) {
    const index = process.argv.indexOf(flag);
    if (index >= 0) {
      process.stdout.write(JSON.stringify(renderer(path.join(here, process.argv[index + 1]))));
      return;
    }
  }

  let failures = 0;
  for (const target of targets) {
    const docs = render(path.join(here, target));
    for (const doc of docs) {
      try {
        await validate(doc);
      } catch (error) {
        failures++;
        console.error(`${target}: ${doc.kind}/${doc.metadata?.name}: ${error.message}`);
      }
    }
    console.log(`${target}: ${docs.length} objects checked`);
  }
  if (failures > 0) {
    console.error(`${failures} invalid objects`);
    process.exit(1);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
