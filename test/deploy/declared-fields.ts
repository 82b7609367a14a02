// The Kubernetes schemas kubernetes-models validates with allow unknown fields
// (as the API server's, which drops them), so a misspelt `redinessProbe` would
// pass validation and be silently ignored. This walks a manifest against the
// field names its model's type declarations list, nested types included.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MODELS = fileURLToPath(new URL('../../node_modules/', import.meta.url));

interface Declared {
  /** Field name -> the .d.ts file of its type, when that type is another object of the API. */
  fields: Map<string, string | undefined>;
}

const cache = new Map<string, Declared>();

function declared(file: string): Declared {
  const hit = cache.get(file);
  if (hit) return hit;
  const text = readFileSync(file, 'utf8');
  const imports = new Map<string, string>();
  for (const [, name, from] of text.matchAll(/import \{ (\w+) \} from "([^"]+)";/g)) {
    const path = from.startsWith('.') ? join(dirname(file), from) : join(MODELS, from);
    imports.set(name, path.replace(/\.js$/, '') + '.d.ts');
  }
  const body = /export interface \w+(?: extends [\w, ]+)? \{([\s\S]*?)\n\}/.exec(text)?.[1] ?? '';
  const fields = new Map<string, string | undefined>();
  for (const [, field, type] of body.matchAll(/^ {4}"([^"]+)"\??: ([^;\n]+)/gm)) {
    const reference = /\b(I\w+)\b/.exec(type)?.[1];
    fields.set(field, reference ? imports.get(reference) : undefined);
  }
  const result = { fields };
  cache.set(file, result);
  return result;
}

/** The model's own declaration file, e.g. `apps/v1/Deployment`. */
export function modelFile(model: string): string {
  return join(MODELS, 'kubernetes-models', `${model}.d.ts`);
}

/** Paths (a.b[0].c) of every field in `value` that its type does not declare. */
export function undeclaredFields(value: unknown, file: string, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => undeclaredFields(item, file, `${path}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  const { fields } = declared(file);
  if (fields.size === 0) return []; // a scalar alias (IntOrString, Quantity) or a free-form map
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
    const here = path ? `${path}.${key}` : key;
    if (!fields.has(key)) return [here];
    const childFile = fields.get(key);
    return childFile ? undeclaredFields(child, childFile, here) : [];
  });
}
