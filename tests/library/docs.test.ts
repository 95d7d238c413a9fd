import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const INDEX = fileURLToPath(new URL('../../../src/index.ts', import.meta.url));

/** Each export of the package's entry point with the names of the JSDoc tags on its declaration. */
function publicDocs(): Array<{ name: string; doc: string; tags: string[] }> {
  const program = ts.createProgram([INDEX], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(INDEX);
  assert.ok(source, 'src/index.ts is in the program');
  const module = checker.getSymbolAtLocation(source);
  assert.ok(module, 'src/index.ts is a module');
  return checker.getExportsOfModule(module).map((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const doc = ts.displayPartsToString(symbol.getDocumentationComment(checker));
    const tags = symbol.getJsDocTags(checker).map((t) => t.name);
    return { name: exported.name, doc, tags };
  });
}

describe('the public API', () => {
  test('every export has TSDoc with an @example', () => {
    const docs = publicDocs();
    assert.ok(docs.length > 40, `exports: ${docs.length}`);
    const missing = docs.filter((d) => d.doc.trim() === '' || !d.tags.includes('example')).map((d) => d.name);
    assert.deepEqual(missing, [], `exports without TSDoc or @example: ${missing.join(', ')}`);
  });
});
