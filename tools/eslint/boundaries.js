// An ESLint rule that keeps each deployable to itself: relative imports are
// resolved and must stay inside the importing file's area. Shared code is
// reached only through the #contracts/<area> and #common/<area> aliases.
import { dirname, relative, resolve, sep } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');

/** `apps/<name>`, `libs/<name>`, or a top-level folder (`bench`, `scripts`, `test`). */
function areaOf(file) {
  const parts = relative(root, file).split(sep);
  return parts[0] === 'apps' || parts[0] === 'libs' ? `${parts[0]}/${parts[1]}` : parts[0];
}

/**
 * Crossings allowed on purpose: the benchmark's one-process baseline reuses
 * the user service's persistence and the gateway's access token guard so the
 * comparison stays fair, and the benchmark and tests start the system through
 * the launcher's code.
 */
const ALLOWED = {
  bench: [/^apps\/user\/src\/(users|database)\//, /^apps\/gateway\/src\/auth\/access-token\.(guard|verifier)\.js$/, /^scripts\//],
  test: [/^scripts\//, /^apps\//, /^libs\//],
};

export default {
  meta: {
    type: 'problem',
    schema: [],
    messages: { crossing: '{{from}} may not import {{to}} by path; use #contracts/<area> or #common/<area>.' },
  },
  create(context) {
    const from = areaOf(context.filename);
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = resolve(dirname(context.filename), source);
      const to = areaOf(target);
      if (to === from) return;
      const path = relative(root, target).split(sep).join('/');
      if ((ALLOWED[from] ?? []).some((pattern) => pattern.test(path))) return;
      context.report({ node: node.source, messageId: 'crossing', data: { from, to } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};
