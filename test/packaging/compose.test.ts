// The Docker Compose examples checked by reading them: every variable they set is one the server knows,
// and the cluster file's api and worker nodes get a valid configuration on one PostgreSQL database and
// one shared media volume. A line reader, not a YAML parser: it knows the two-space layout these files use.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { ROOT } from '../helpers/paths.ts';

const read = (name: string) => readFileSync(path.join(ROOT, 'docs', name), 'utf8');
const configSource = readFileSync(path.join(ROOT, 'src/config.ts'), 'utf8');

/** The lines of each top-level key (`x-node`, `services`, …) or service (`services.api`), by indentation. */
function blocks(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let top = '';
  let service = '';
  for (const line of text.split('\n')) {
    if (/^\s*(#|$)/.test(line)) continue;
    const topKey = /^([\w-]+):/.exec(line)?.[1];
    const serviceKey = /^ {2}([\w-]+):/.exec(line)?.[1];
    if (topKey) [top, service] = [topKey, ''];
    else if (top === 'services' && serviceKey) service = serviceKey;
    const key = service ? `services.${service}` : top;
    out.set(key, [...(out.get(key) ?? []), line]);
  }
  return out;
}

/** The entries of the `environment:` maps among these lines, quotes and `${VAR:-default}` resolved to the default. */
function envOf(lines: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  let envIndent = -1; // the indentation of the `environment:` line whose entries are being read; -1: none
  for (const line of lines) {
    const indent = /^ */.exec(line)![0].length;
    if (indent <= envIndent) envIndent = -1;
    if (/^\s*environment:/.test(line)) envIndent = indent;
    const match = envIndent >= 0 ? /^\s+([A-Z][A-Z0-9_]*):\s*(.*?)\s*(#.*)?$/.exec(line) : null;
    if (match) env[match[1]!] = match[2]!.replace(/^"(.*)"$/, '$1').replace(/\$\{\w+:-([^}]*)\}/g, '$1');
  }
  return env;
}

describe('docs/compose.yaml and docs/compose.cluster.yaml', () => {
  it.each(['compose.yaml', 'compose.cluster.yaml'])('%s sets only variables the server reads', (file) => {
    const names = Object.keys(envOf(read(file).split('\n'))).filter((name) => !name.startsWith('POSTGRES_'));
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(configSource, `${file} sets ${name}`).toMatch(new RegExp(`^\\s+${name}:`, 'm'));
  });

  const cluster = blocks(read('compose.cluster.yaml'));
  const service = (name: string) => cluster.get(`services.${name}`) ?? expect.unreachable(`no service ${name}`);
  const nodeEnv = (name: string) => ({ ...envOf(cluster.get('x-node') ?? []), ...envOf(service(name)) });

  it('gives the api and worker nodes valid configurations on the postgres service, with their roles', () => {
    for (const [name, role] of [['api', 'api'], ['worker', 'worker']] as const) {
      const env = nodeEnv(name);
      const config = loadConfig({ ...env, DATA_DIR: '/data' });
      expect(config.ROLE).toBe(role);
      expect(new URL(config.DATABASE_URL).hostname).toBe('postgres');
      expect(config.MEDIA_DIR).toBe('/data/media');
      expect(config.LEASE_TIMEOUT_MS).toBe(30_000);
    }
    expect(service('api').join('\n')).toMatch(/ports:\n\s+- "127\.0\.0\.1:\d+-\d+:8000"/); // a range, so that --scale api=2 gets two host ports
    expect(service('worker').join('\n')).not.toMatch(/ports:/);
  });

  it('mounts one shared volume at /data on every node and waits for a healthy postgres', () => {
    const anchor = (cluster.get('x-node') ?? []).join('\n');
    expect(anchor).toMatch(/volumes:\n\s+- whisper-data:\/data\b/);
    expect(anchor).toMatch(/postgres:\n\s+condition: service_healthy/);
    for (const name of ['api', 'worker']) expect(service(name)[1]).toMatch(/<<: \*node/);
    const postgres = service('postgres').join('\n');
    expect(postgres).toMatch(/image: postgres:\d+/);
    expect(postgres).toMatch(/healthcheck:\n\s+test: .*pg_isready/);
    expect(postgres).toMatch(/- postgres-data:\/var\/lib\/postgresql\/data/);
    expect((cluster.get('volumes') ?? []).join('\n')).toMatch(/postgres-data:[\s\S]*whisper-data:/);
  });
});
