import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import koffi from 'koffi';
import type { TypeObject } from 'koffi';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ContextParams, FullParams, TokenData, VadContextParams, VadParams, WhisperAhead, WhisperAheads,
} from '../../src/engine/native/bindings-structs.ts';
import { CACHE_DIR, ROOT, requireFile } from '../helpers/paths.ts';

const INCLUDE = path.join(ROOT, 'native/build/cpu/include');
const TYPES: Record<string, TypeObject> = {
  context_params: ContextParams,
  aheads: WhisperAheads,
  ahead: WhisperAhead,
  token_data: TokenData,
  vad_params: VadParams,
  vad_context_params: VadContextParams,
  full_params: FullParams,
};

/** The C compiler's view: "struct.member" → offset, "struct.sizeof" → size. */
function compileAndRun(): Map<string, number> {
  requireFile(path.join(INCLUDE, 'whisper.h'), 'run `npm run setup` to build whisper.cpp');
  mkdirSync(CACHE_DIR, { recursive: true });
  const exe = path.join(CACHE_DIR, 'layout');
  execFileSync('cc', ['-std=gnu11', '-I', INCLUDE, path.join(ROOT, 'test/engine/layout.c'), '-o', exe]);
  const lines = execFileSync(exe, { encoding: 'utf8' }).trim().split('\n');
  return new Map(lines.map((line) => {
    const [key, value] = line.split(' ');
    return [key!, Number(value)];
  }));
}

/** koffi's offset of a possibly nested member path such as beam_search.patience. */
function koffiOffset(type: TypeObject, members: string[]): number {
  let offset = 0;
  let current = type;
  for (const name of members) {
    const member = current.members?.[name];
    if (!member) throw new Error(`koffi type has no member ${name}`);
    offset += member.offset;
    current = member.type;
  }
  return offset;
}

describe('whisper.h struct layout', () => {
  let c: Map<string, number>;
  beforeAll(() => {
    c = compileAndRun();
  });

  it('matches sizeof for every bound struct', () => {
    for (const [name, type] of Object.entries(TYPES)) {
      expect({ name, size: koffi.sizeof(type) }).toEqual({ name, size: c.get(`${name}.sizeof`) });
    }
  });

  it('matches the offset of every member the C program prints', () => {
    const keys = [...c.keys()].filter((k) => !k.endsWith('.sizeof'));
    expect(keys.length).toBeGreaterThan(80);
    for (const key of keys) {
      const [struct, ...members] = key.split('.');
      const type = TYPES[struct!];
      expect(type, `no koffi type for ${struct}`).toBeDefined();
      expect({ key, offset: koffiOffset(type!, members) }).toEqual({ key, offset: c.get(key) });
    }
  });

  it('declares no member that the C program does not check', () => {
    for (const [name, type] of Object.entries(TYPES)) {
      const checked = [...c.keys()].filter((k) => k.startsWith(`${name}.`) && k.split('.').length === 2)
        .map((k) => k.split('.')[1]).filter((m) => m !== 'sizeof');
      expect(Object.keys(type.members ?? {}).sort()).toEqual(checked.sort());
    }
  });

  it('agrees with koffi.offsetof for the key fields of the brief', () => {
    for (const field of ['strategy', 'n_threads', 'language', 'detect_language', 'token_timestamps',
      'progress_callback', 'abort_callback', 'new_segment_callback', 'vad', 'vad_model_path', 'vad_params',
      'greedy', 'beam_search']) {
      expect(koffi.offsetof(FullParams, field)).toBe(c.get(`full_params.${field}`));
    }
    expect(koffi.offsetof(TokenData, 't_dtw')).toBe(c.get('token_data.t_dtw'));
    expect(koffi.offsetof(ContextParams, 'dtw_aheads')).toBe(c.get('context_params.dtw_aheads'));
  });
});
