#!/usr/bin/env node
// The `whisper-tasks` command (package.json "bin"): `npx whisper-tasks transcribe [options] FILE`.
// Unlike `npm run`, it prints nothing of its own, so `> out.srt` gets the transcript only.
// The sources are TypeScript: tsx's loader is registered first, then the command's module runs.
import { register } from 'tsx/esm/api';

const COMMANDS = {
  transcribe: '../src/cli/transcribe.ts',
  serve: '../src/main.ts',
};
const HELP = `usage: whisper-tasks COMMAND [options]

commands:
  transcribe [options] FILE   transcribe one file here (see: whisper-tasks transcribe --help)
  serve                       run the HTTP server (configured by environment variables, see README)
`;

const [command, ...rest] = process.argv.slice(2);
if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
  process.stdout.write(HELP);
  process.exit(command === undefined ? 2 : 0);
}
if (!Object.hasOwn(COMMANDS, command)) {
  process.stderr.write(`whisper-tasks: unknown command '${command}' (one of ${Object.keys(COMMANDS).join(', ')}; see --help)\n`);
  process.exit(2);
}
register();
// The command modules read their options from process.argv after the script name.
process.argv = [process.argv[0], command, ...rest];
await import(new URL(COMMANDS[command], import.meta.url).href);
