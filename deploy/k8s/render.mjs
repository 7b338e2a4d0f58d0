// A small kustomize for machines without kubectl: it covers exactly the features these manifests use (resources,
// components, configMapGenerator with kustomize's hash suffix, strategic-merge and JSON 6902 patches, namespace,
// nameSuffix, labels, images, replicas). A test renders every target both ways where kubectl exists and compares.
// Files are read as YAML 1.1, as Kubernetes reads them (0440 is octal, `no` a boolean).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const generated = Symbol('generated');

export function renderWithoutKubectl(dir) {
  const docs = build(dir);
  nameGenerated(docs);
  return docs;
}

function build(dir) {
  const k = kustomization(dir);
  const docs = [];
  for (const resource of k.resources ?? []) docs.push(...load(path.join(dir, resource)));
  generate(dir, k, docs);
  // Components act on what the including kustomization has gathered so far, before its own transformations.
  for (const component of k.components ?? []) {
    const from = path.join(dir, component);
    const c = kustomization(from);
    for (const resource of c.resources ?? []) docs.push(...load(path.join(from, resource)));
    generate(from, c, docs);
    patch(from, c, docs);
  }
  patch(dir, k, docs);
  transform(k, docs);
  return docs;
}

function kustomization(dir) {
  return YAML.parse(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'), { version: '1.1' });
}

function load(file) {
  return statSync(file).isDirectory() ? build(file) : parseAll(readFileSync(file, 'utf8'));
}

function parseAll(text) {
  return YAML.parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS()).filter(Boolean);
}

function generate(dir, k, docs) {
  for (const generator of k.configMapGenerator ?? []) {
    const data = {};
    for (const literal of generator.literals ?? []) {
      const at = literal.indexOf('=');
      data[literal.slice(0, at)] = literal.slice(at + 1);
    }
    for (const env of generator.envs ?? []) {
      for (const line of readFileSync(path.join(dir, env), 'utf8').split('\n')) {
        const text = line.trim();
        if (!text || text.startsWith('#')) continue;
        const at = text.indexOf('=');
        data[text.slice(0, at)] = text.slice(at + 1);
      }
    }
    for (const file of generator.files ?? []) {
      const [key, source] = file.includes('=') ? file.split('=') : [path.basename(file), file];
      data[key] = readFileSync(path.join(dir, source), 'utf8');
    }
    const existing = docs.find((d) => d[generated] === generator.name);
    if (generator.behavior === 'merge' || generator.behavior === 'replace') {
      if (!existing) throw new Error(`configMapGenerator ${generator.name}: nothing to ${generator.behavior}`);
      existing.data = generator.behavior === 'merge' ? { ...existing.data, ...data } : data;
      continue;
    }
    if (existing) throw new Error(`configMapGenerator ${generator.name} is generated twice`);
    const hashed = !(generator.options?.disableNameSuffixHash ?? k.generatorOptions?.disableNameSuffixHash);
    const map = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data };
    Object.defineProperty(map, generated, { value: generator.name, writable: true, configurable: true });
    if (!hashed) Object.defineProperty(map, 'unhashed', { value: true, enumerable: false });
    docs.push(map);
  }
}

function patch(dir, k, docs) {
  for (const entry of k.patches ?? []) {
    const text = entry.path ? readFileSync(path.join(dir, entry.path), 'utf8') : entry.patch;
    const change = YAML.parse(text, { version: '1.1' });
    const targets = entry.target
      ? docs.filter((d) => matches(d, entry.target))
      : docs.filter((d) => d.kind === change.kind && d.metadata.name === change.metadata.name);
    if (targets.length === 0) throw new Error(`${entry.path ?? 'inline patch'}: nothing to patch`);
    for (const target of targets) {
      if (Array.isArray(change)) jsonPatch(target, change);
      else if (change.$patch === 'delete') docs.splice(docs.indexOf(target), 1);
      else merge(target, strip(change, entry.target));
    }
  }
}

function matches(doc, target) {
  return (!target.kind || doc.kind === target.kind) && (!target.name || doc.metadata.name === target.name);
}

// A strategic-merge patch with a target keeps the target's identity.
function strip(change, target) {
  if (!target) return change;
  const { apiVersion, kind, metadata, ...rest } = change;
  const { name, ...otherMetadata } = metadata ?? {};
  return Object.keys(otherMetadata).length ? { ...rest, metadata: otherMetadata } : rest;
}

// Strategic merge as kustomize does it for these manifests: maps merge, lists of named items merge by name (an item
// with `$patch: delete` removes its namesake), other lists are replaced.
function merge(target, patch) {
  for (const [key, value] of Object.entries(patch)) {
    const current = target[key];
    if (Array.isArray(value) && Array.isArray(current) && value.every((v) => v?.name)) {
      for (const item of value) {
        const index = current.findIndex((c) => c.name === item.name);
        if (item.$patch === 'delete') {
          if (index >= 0) current.splice(index, 1);
        } else if (index >= 0) merge(current[index], item);
        else current.push(item);
      }
    } else if (value === null) {
      delete target[key];
    } else if (value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object') {
      merge(current, value);
    } else {
      target[key] = value;
    }
  }
}

function jsonPatch(doc, operations) {
  for (const op of operations) {
    const keys = op.path.split('/').slice(1).map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = keys.pop();
    let parent = doc;
    for (const key of keys) {
      if (parent[key] === undefined) throw new Error(`JSON patch: ${op.path} does not exist`);
      parent = parent[key];
    }
    if (op.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else if (op.op === 'add' && Array.isArray(parent)) {
      parent.splice(last === '-' ? parent.length : Number(last), 0, op.value);
    } else if (op.op === 'add' || op.op === 'replace') {
      parent[last] = op.value;
    } else {
      throw new Error(`JSON patch: op ${op.op} is not supported here`);
    }
  }
}

function transform(k, docs) {
  if (k.namespace) for (const d of docs) if (d.kind !== 'Namespace') d.metadata.namespace = k.namespace;
  if (k.nameSuffix) {
    for (const d of docs) {
      if (d.kind === 'Namespace') continue;
      d.metadata.name += k.nameSuffix;
      if (d[generated]) d[generated] += k.nameSuffix;
    }
  }
  for (const label of k.labels ?? []) {
    for (const d of docs) {
      d.metadata.labels = { ...(d.metadata.labels ?? {}), ...label.pairs };
      const pod = d.spec?.template;
      if (pod && (label.includeSelectors || label.includeTemplates)) pod.metadata.labels = { ...(pod.metadata?.labels ?? {}), ...label.pairs };
      if (label.includeSelectors) addToSelectors(d, label.pairs);
    }
  }
  for (const image of k.images ?? []) {
    for (const container of docs.flatMap(containersOf)) {
      const [name, tag] = container.image.split(':');
      if (name === image.name) container.image = `${image.newName ?? name}:${image.newTag ?? tag}`;
    }
  }
  for (const replicas of k.replicas ?? []) {
    for (const d of docs) if (d.metadata.name === replicas.name && d.spec?.replicas !== undefined) d.spec.replicas = replicas.count;
  }
}

// Selectors kustomize's labels transformer extends (only those that exist: it creates none but the workload's own).
function addToSelectors(doc, pairs) {
  if (doc.kind === 'Service') doc.spec.selector = { ...(doc.spec.selector ?? {}), ...pairs };
  if (doc.spec?.template) doc.spec.selector = { ...doc.spec.selector, matchLabels: { ...(doc.spec.selector?.matchLabels ?? {}), ...pairs } };
  for (const claim of doc.spec?.volumeClaimTemplates ?? []) claim.metadata.labels = { ...(claim.metadata.labels ?? {}), ...pairs };
  const pod = doc.spec?.template?.spec;
  const terms = [
    ...(pod?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(pod?.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) => p.podAffinityTerm),
    ...(pod?.topologySpreadConstraints ?? []),
  ];
  for (const term of terms) if (term.labelSelector?.matchLabels) Object.assign(term.labelSelector.matchLabels, pairs);
}

function containersOf(doc) {
  const pod = doc.spec?.template?.spec ?? doc.spec?.jobTemplate?.spec?.template?.spec;
  return [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])];
}

// Generated ConfigMaps get kustomize's content hash as a name suffix, and every reference follows the new name.
function nameGenerated(docs) {
  const names = new Map();
  for (const d of docs.filter((doc) => doc[generated])) {
    const name = d.unhashed ? d.metadata.name : `${d.metadata.name}-${contentHash(d.data)}`;
    names.set(d.metadata.name, name);
    d.metadata.name = name;
  }
  const rename = (ref) => {
    if (ref?.name && names.has(ref.name)) ref.name = names.get(ref.name);
  };
  for (const doc of docs) {
    const pod = doc.spec?.template?.spec ?? doc.spec?.jobTemplate?.spec?.template?.spec;
    for (const container of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
      for (const source of container.envFrom ?? []) rename(source.configMapRef);
      for (const env of container.env ?? []) rename(env.valueFrom?.configMapKeyRef);
    }
    for (const volume of pod?.volumes ?? []) {
      rename(volume.configMap);
      for (const source of volume.projected?.sources ?? []) rename(source.configMap);
    }
  }
}

// kustomize's ConfigMap hash: SHA-256 of Go's JSON of {data, kind, name: ""} (keys sorted, <>& escaped), its first
// ten hex digits with 0, 1, 3, a, e swapped for letters that cannot spell words.
function contentHash(data) {
  const sorted = Object.fromEntries(Object.keys(data ?? {}).sort().map((key) => [key, data[key]]));
  const json = JSON.stringify({ data: sorted, kind: 'ConfigMap', name: '' })
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  const swap = { 0: 'g', 1: 'h', 3: 'k', a: 'm', e: 't' };
  return createHash('sha256').update(json).digest('hex').slice(0, 10).replace(/[013ae]/g, (c) => swap[c]);
}
