/**
 * `{name}` templates for URLs and JSON bodies. A placeholder with no value is an error (a request
 * with a hole in it is never sent).
 */
import { ErrorCodes } from '../core/errors.js';
import { sourceError } from './http-common.js';

const PLACEHOLDER = /\{([A-Za-z0-9_.-]+)\}/g;
const WHOLE = /^\{([A-Za-z0-9_.-]+)\}$/;

/** Names used as `{name}` in a template string. */
export function placeholders(template: string): Set<string> {
  const names = new Set<string>();
  for (const m of template.matchAll(PLACEHOLDER)) names.add(m[1]);
  return names;
}

function valueOf(name: string, params: Readonly<Record<string, unknown>>): unknown {
  const v = params[name];
  if (v === undefined || v === null) {
    throw sourceError(ErrorCodes.BAD_PARAM, `source template: no value for {${name}}`);
  }
  return v;
}

/** Fill a URL template; values are URL-encoded. */
export function fillUrl(template: string, params: Readonly<Record<string, unknown>>): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => encodeURIComponent(String(valueOf(name, params))));
}

/**
 * Fill a JSON template: strings that are exactly `{name}` take the value (with its type), other
 * strings get text substitution; arrays and objects are filled recursively.
 */
export function fillTemplate(template: unknown, params: Readonly<Record<string, unknown>>): unknown {
  if (typeof template === 'string') {
    const whole = WHOLE.exec(template);
    if (whole) return valueOf(whole[1], params);
    return template.replace(PLACEHOLDER, (_m, name: string) => String(valueOf(name, params)));
  }
  if (Array.isArray(template)) return template.map((t) => fillTemplate(t, params));
  if (template !== null && typeof template === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(template)) out[k] = fillTemplate(v, params);
    return out;
  }
  return template;
}
