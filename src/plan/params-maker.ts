/**
 * Fast creation of many params objects that share one key list (the cross product makes 180,000 of
 * them for 5,000 symbols x 36 years). A per-plan function returning an object literal with those
 * keys gives V8 exact-size plain objects: about half the CPU and GC work of cloning a template
 * object (bench/plan.ts). The keys are embedded as JSON string literals, so any key text is safe;
 * where code generation is disallowed (or for the key `__proto__`, which a literal would treat as
 * the prototype) it falls back to copying, with the same result.
 */

/** Makes `{ [fixedKeys[i]]: fixed[i]..., [lastKey]: last }` as a plain object. */
export type ParamsMaker = (fixed: readonly unknown[], last: unknown) => Record<string, unknown>;

function fallback(fixedKeys: readonly string[], lastKey: string): ParamsMaker {
  return (fixed, last) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < fixedKeys.length; i++)
      Object.defineProperty(out, fixedKeys[i], {
        value: fixed[i],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    Object.defineProperty(out, lastKey, { value: last, enumerable: true, writable: true, configurable: true });
    return out;
  };
}

// Makers are cached by key list so that repeated plans reuse one function that V8 has already optimized.
const cache = new Map<string, ParamsMaker>();
const CACHE_LIMIT = 64;

/** `fixedKeys` must not contain `lastKey` or repeat a key (the caller de-duplicates). */
export function paramsMaker(fixedKeys: readonly string[], lastKey: string): ParamsMaker {
  const id = JSON.stringify([fixedKeys, lastKey]);
  let maker = cache.get(id);
  if (!maker) {
    maker = createMaker(fixedKeys, lastKey);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(id, maker);
  }
  return maker;
}

function createMaker(fixedKeys: readonly string[], lastKey: string): ParamsMaker {
  if (fixedKeys.includes('__proto__') || lastKey === '__proto__') return fallback(fixedKeys, lastKey);
  const fields = fixedKeys.map((k, i) => `${JSON.stringify(k)}: fixed[${i}]`);
  fields.push(`${JSON.stringify(lastKey)}: last`);
  try {
    return new Function('fixed', 'last', `return { ${fields.join(', ')} };`) as ParamsMaker;
  } catch {
    return fallback(fixedKeys, lastKey);
  }
}
