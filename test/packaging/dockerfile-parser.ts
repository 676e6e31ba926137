// A small Dockerfile reader for the packaging tests: enough of the syntax to check what the
// Dockerfile copies, runs and sets, since Docker itself cannot run on these machines.

/** One instruction, with continuation lines joined. */
export interface Instruction {
  keyword: string;
  /** The text after the keyword, build arguments expanded. */
  args: string;
  line: number;
}

/** One build stage. */
export interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

/** A COPY, split into its flags, sources and destination. */
export interface CopySpec {
  from: string | null;
  sources: string[];
  dest: string;
}

/** Parses the text into stages; ARGs declared before the first FROM expand ${NAME} and $NAME everywhere. */
export function parseDockerfile(text: string): Stage[] {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) {
      const next = lines[++i]!.trim();
      line = `${line.slice(0, -1).trimEnd()} ${next.startsWith('#') ? '' : next}`;
    }
    const [keyword = '', ...rest] = line.split(/\s+/);
    const upper = keyword.toUpperCase();
    const stageArgs = new Map(globalArgs);
    const current = stages.at(-1);
    for (const ins of current?.instructions ?? []) {
      if (ins.keyword !== 'ARG') continue;
      const [name, value] = ins.args.split('=');
      stageArgs.set(name!, unquote(value ?? globalArgs.get(name!) ?? ''));
    }
    const args = expand(rest.join(' '), upper === 'FROM' || !current ? globalArgs : stageArgs);
    if (upper === 'ARG' && !current) {
      const [name, value = ''] = args.split('=');
      globalArgs.set(name!, unquote(value));
    } else if (upper === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!match) throw new Error(`line ${start}: cannot read FROM ${args}`);
      stages.push({ base: match[1]!, name: match[2] ?? String(stages.length), instructions: [] });
    } else if (current) {
      current.instructions.push({ keyword: upper, args, line: start });
    }
  }
  return stages;
}

/** Splits the arguments of a COPY (shell form, or JSON exec form). */
export function parseCopy(args: string): CopySpec {
  const words = args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
  let from: string | null = null;
  const paths: string[] = [];
  for (const word of words) {
    if (word.startsWith('--from=')) from = word.slice('--from='.length);
    else if (!word.startsWith('--')) paths.push(word);
  }
  if (paths.length < 2) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
}

/** The ENV pairs a stage sets (both `ENV A=1 B=2` and `ENV A 1`). */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const ins of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    if (!ins.args.includes('=')) {
      const [name, ...value] = ins.args.split(/\s+/);
      env[name!] = value.join(' ');
      continue;
    }
    for (const match of ins.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[match[1]!] = unquote(match[2]!);
  }
  return env;
}

/** The argument vector of an exec-form instruction (CMD ["a", "b"]; HEALTHCHECK [options] CMD [...]). */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || !parsed.every((x) => typeof x === 'string')) throw new Error(`not an exec form: ${args}`);
  return parsed;
}

/** The single instruction of a kind in a stage (the last one wins, as in Docker). */
export function last(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).at(-1);
}

function expand(text: string, vars: Map<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => vars.get((a ?? b)!) ?? whole);
}

function unquote(value: string): string {
  return /^".*"$/.test(value) ? value.slice(1, -1) : value;
}
