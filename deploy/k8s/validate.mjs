// Validates the Kubernetes manifests offline: renders each kustomization (with `kubectl kustomize` when kubectl is
// installed, else with the small renderer below, which covers the kustomize features these manifests use) and
// checks every object against the Kubernetes API schemas of the npm package kubernetes-models.
//   node validate.mjs                       validate base and every overlay
//   node validate.mjs --render <dir>        print the rendered objects of <dir> as JSON (for the invariant tests)
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
const targets = ['base', 'overlays/production', 'overlays/redis-cluster', 'overlays/production-monitoring'];

export function render(dir) {
  try {
    const output = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return YAML.parseAllDocuments(output).map((d) => d.toJS()).filter(Boolean);
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    return renderWithoutKubectl(dir);
  }
}

function renderWithoutKubectl(dir) {
  const k = YAML.parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'));
  const docs = [];
  for (const resource of k.resources ?? []) {
    const file = path.join(dir, resource);
    if (statSync(file).isDirectory()) docs.push(...renderWithoutKubectl(file));
    else docs.push(...YAML.parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS()).filter(Boolean));
  }
  // A component's resources join the including kustomization's (its patches are not needed here).
  for (const component of k.components ?? []) docs.push(...renderWithoutKubectl(path.join(dir, component)));
  if (k.namespace) for (const d of docs) if (d.kind !== 'Namespace') d.metadata.namespace = k.namespace;
  for (const label of k.labels ?? []) for (const d of docs) d.metadata.labels = { ...(d.metadata.labels ?? {}), ...label.pairs };
  for (const image of k.images ?? []) {
    for (const container of docs.flatMap(containersOf)) {
      const [name, tag] = container.image.split(':');
      if (name === image.name) container.image = `${image.newName ?? name}:${image.newTag ?? tag}`;
    }
  }
  for (const replicas of k.replicas ?? []) {
    for (const d of docs) if (d.metadata.name === replicas.name && d.spec?.replicas !== undefined) d.spec.replicas = replicas.count;
  }
  for (const patch of k.patches ?? []) {
    const change = YAML.parse(readFileSync(path.join(dir, patch.path), 'utf8'));
    const target = docs.find((d) => d.kind === change.kind && d.metadata.name === change.metadata.name);
    if (!target) throw new Error(`${patch.path}: no ${change.kind} ${change.metadata.name} to patch`);
    if (change.$patch === 'delete') docs.splice(docs.indexOf(target), 1);
    else merge(target, change);
  }
  return docs;
}

// Strategic merge as kustomize does it for these manifests: maps merge, lists of named items merge by name.
function merge(target, patch) {
  for (const [key, value] of Object.entries(patch)) {
    const current = target[key];
    if (Array.isArray(value) && Array.isArray(current) && value.every((v) => v?.name)) {
      for (const item of value) {
        const existing = current.find((c) => c.name === item.name);
        if (existing) merge(existing, item);
        else current.push(item);
      }
    } else if (value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object') {
      merge(current, value);
    } else {
      target[key] = value;
    }
  }
}

function containersOf(doc) {
  const pod = doc.spec?.template?.spec ?? doc.spec?.jobTemplate?.spec?.template?.spec;
  return [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])];
}

async function validate(doc) {
  const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/') : ['', doc.apiVersion];
  // The Prometheus Operator's custom resources have their own models package.
  const models = group === 'monitoring.coreos.com' ? '@kubernetes-models/prometheus-operator' : 'kubernetes-models';
  const module = await import(`${models}/${group ? `${group}/` : ''}${version}/${doc.kind}`);
  new module[doc.kind](doc).validate();
}

async function main() {
  const renderIndex = process.argv.indexOf('--render');
  if (renderIndex >= 0) {
    process.stdout.write(JSON.stringify(render(path.join(here, process.argv[renderIndex + 1]))));
    return;
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

await main();
