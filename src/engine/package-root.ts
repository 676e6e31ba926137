import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The nearest folder at or above `from` holding a package.json: the repository root from src/, from
 * dist/ (the compiled build) and from the worker bundle in node_modules/.cache/, whatever their depths.
 */
export function packageRoot(from: string): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from);
  }
}
