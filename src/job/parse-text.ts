/**
 * The text of a job file as data: a `.json` file is JSON (a trailing comma is an error naming the
 * line and column, not a YAML document that happens to run), `.yaml`/`.yml` and anything else YAML.
 */
import { parse as parseYaml } from 'yaml';
import { ErrorCodes, SluiceError } from '../core/errors.js';

/** Line and column (1-based) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

function parseJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const at = /at position (\d+)/.exec(message);
    const what = message.replace(/ in JSON at position \d+.*$/, '').replace(/ at position \d+.*$/, '');
    const where = at
      ? (({ line, column }) => ` at line ${line}, column ${column}`)(lineColumn(text, Number(at[1])))
      : '';
    throw new SluiceError(ErrorCodes.BAD_JOB, `${origin}: not valid JSON${where}: ${what}`);
  }
}

/** Parse a job file's text by its name: JSON for `.json`, else YAML (which also reads JSON). */
export function parseJobFileText(text: string, origin: string): unknown {
  if (/\.json$/i.test(origin)) return parseJson(text, origin);
  try {
    return parseYaml(text);
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    throw new SluiceError(ErrorCodes.BAD_JOB, `${origin}: not valid YAML: ${first}`);
  }
}
