/**
 * `sluice apis [NAME] [--json]`: the Tushare API catalogue (row cap, date parameters, code rule,
 * natural key, points, integer columns, what is unconfirmed), all APIs or one.
 */
import type { Command } from 'commander';
import { usageError } from '../../core/errors.js';
import { type TushareApi, tushareApi, tushareApis } from '../../sources/tushare-catalogue.js';
import { printText } from '../../core/log.js';
import { action, printJson } from '../util.js';

interface ApisFlags {
  json?: boolean;
}

const unsure = (a: TushareApi, fact: TushareApi['unconfirmed'][number]): string =>
  a.unconfirmed.includes(fact) ? ' (unconfirmed)' : '';

function cap(a: TushareApi): string {
  return a.rowCap === undefined ? 'unknown (detected)' : `${a.rowCap}${unsure(a, 'rowCap')}`;
}

function dates(a: TushareApi): string {
  const range = a.dateParams ? `${a.dateParams.start}/${a.dateParams.end} = ${a.dateMeaning}` : 'no range';
  return a.dateFilters.length > 0 ? `${range}; also ${a.dateFilters.join(', ')}` : range;
}

function points(a: TushareApi): string {
  const n =
    a.points === undefined ? (a.pointsNote ?? 'unknown') : `${a.points}${a.pointsNote ? ` (${a.pointsNote})` : ''}`;
  return `${n}${unsure(a, 'points')}`;
}

/** One API, described in full. */
export function describeApi(a: TushareApi): string[] {
  return [
    `${a.name}: ${a.title}${a.reference ? ' (reference data)' : ''}`,
    `  row cap        ${cap(a)}`,
    `  dates          ${dates(a)}`,
    `  code           ${a.code ? `${a.code.param} ${a.code.rule}` : 'none'}${unsure(a, 'code')}`,
    `  key            ${a.key.join(', ')}${unsure(a, 'key')}`,
    `  points         ${points(a)}`,
    `  integers       ${a.integers.length > 0 ? a.integers.join(', ') : 'none (numbers are REAL)'}${unsure(a, 'integers')}`,
    `  row date       ${a.rowDate ?? 'none'}`,
    ...(a.notes ? [`  notes          ${a.notes}`] : []),
  ];
}

/** The catalogue as a table, one line per API. */
export function listApis(apis: readonly TushareApi[]): string[] {
  const rows = apis.map((a) => [
    a.name,
    cap(a),
    a.dateParams ? a.dateMeaning : 'none',
    a.code ? `${a.code.param === 'ts_code' ? '' : `${a.code.param} `}${a.code.rule}` : '-',
    a.key.join(','),
    points(a),
  ]);
  const head = ['api', 'row cap', 'dates', 'code', 'key', 'points'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [
    line(head),
    ...rows.map(line),
    '',
    '`sluice apis NAME` for one API. A row cap that is unconfirmed or unknown is checked at run time; a documented one is trusted.',
  ];
}

export function apisCommand(name: string | undefined, flags: ApisFlags, out = printJson, print = printText): number {
  if (name !== undefined) {
    const a = tushareApi(name);
    if (!a) throw usageError(`NAME: ${JSON.stringify(name)} is not in the catalogue (sluice apis lists it)`);
    if (flags.json) out(a);
    else describeApi(a).forEach(print);
    return 0;
  }
  if (flags.json) out(tushareApis());
  else listApis(tushareApis()).forEach(print);
  return 0;
}

export function register(program: Command): void {
  program
    .command('apis')
    .description('List the Tushare API catalogue (row caps, date parameters, keys, points), or one API.')
    .argument('[name]', 'one API, e.g. fina_indicator')
    .option('--json', 'print the catalogue (or the API) as JSON on stdout')
    .action(action(async (name: string | undefined, flags: ApisFlags) => apisCommand(name, flags)));
}
