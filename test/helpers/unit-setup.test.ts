// The unit guard (unit-setup.ts) on threads: processes and addons are refused, better-sqlite3's addon is let through.
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

describe('unit guard', () => {
  it('refuses child processes and any native addon but better-sqlite3, naming the fix', () => {
    expect(() => spawn('true')).toThrow(/child_process\.spawn\(\) in a unit test.*NATIVE/);
    const module = { exports: {} };
    for (const file of ['/x/koffi.node', '/x/build/Release/sherpa-onnx.node', '/x/better_sqlite3.node.evil', '/x/test_extension.node']) {
      expect(() => process.dlopen(module, file), file).toThrow(/Loading a native addon in a unit test/);
    }
  });

  it('lets better-sqlite3 load and answer', () => {
    const db = new Database(':memory:');
    expect(db.prepare('select 1 + 1 as two').get()).toEqual({ two: 2 });
    db.close();
  });
});
