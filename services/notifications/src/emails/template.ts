import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A deliberately small template language, enough for emails and safe by default:
 *   {{path.to.value}}          the value, HTML-escaped in HTML templates
 *   {{{value}}}                the value unescaped (only for HTML this code built itself)
 *   {{#each list}}…{{/each}}   repeats the block with each item as the scope (`this` is the item)
 *   {{#if value}}…{{else}}…{{/if}}
 * Unknown paths render as an empty string, so a missing field never leaks `undefined` to a customer.
 */
export type TemplateMode = 'html' | 'text';
type Scope = { value: unknown; parent?: Scope };

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);

const lookup = (scope: Scope, path: string): unknown => {
  if (path === 'this') return scope.value;
  const [head = '', ...rest] = path.split('.');
  // A name not found in the current item falls back to the enclosing scopes, as in Handlebars.
  for (let current: Scope | undefined = scope; current; current = current.parent) {
    const base = current.value;
    if (base !== null && typeof base === 'object' && head in base) {
      return rest.reduce<unknown>(
        (value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined),
        (base as Record<string, unknown>)[head],
      );
    }
  }
  return undefined;
};

const isTruthy = (value: unknown) => (Array.isArray(value) ? value.length > 0 : Boolean(value));
const asText = (value: unknown) => (value === undefined || value === null ? '' : String(value));

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'value'; path: string; raw: boolean }
  | { kind: 'each'; path: string; body: Node[] }
  | { kind: 'if'; path: string; then: Node[]; otherwise: Node[] };

const tokenPattern = /\{\{\{\s*([\w.]+)\s*\}\}\}|\{\{\s*([#/]?)(?:(each|if|else)(?=\s|\}\}))?\s*([\w.]*)\s*\}\}/g;

function parse(source: string): Node[] {
  const root: Node[] = [];
  // Each open block keeps the list its children go to; `else` switches an `if` to its other branch.
  const stack: { node: Extract<Node, { kind: 'each' | 'if' }>; target: Node[] }[] = [];
  const target = () => stack.at(-1)?.target ?? root;
  let last = 0;
  for (const match of source.matchAll(tokenPattern)) {
    if (match.index > last) target().push({ kind: 'text', text: source.slice(last, match.index) });
    last = match.index + match[0].length;
    const [, rawPath, sigil, keyword, path = ''] = match;
    if (rawPath) {
      target().push({ kind: 'value', path: rawPath, raw: true });
    } else if (sigil === '#' && (keyword === 'each' || keyword === 'if')) {
      const node: Extract<Node, { kind: 'each' | 'if' }> =
        keyword === 'each' ? { kind: 'each', path, body: [] } : { kind: 'if', path, then: [], otherwise: [] };
      target().push(node);
      stack.push({ node, target: node.kind === 'each' ? node.body : node.then });
    } else if (!sigil && keyword === 'else') {
      const open = stack.at(-1);
      if (open?.node.kind !== 'if') throw new Error('template: {{else}} outside {{#if}}');
      open.target = open.node.otherwise;
    } else if (sigil === '/') {
      const open = stack.pop();
      if (open?.node.kind !== keyword) throw new Error(`template: unexpected {{/${keyword ?? ''}}}`);
    } else if (!sigil && !keyword && path) {
      target().push({ kind: 'value', path, raw: false });
    } else {
      throw new Error(`template: cannot read ${match[0]}`);
    }
  }
  if (stack.length > 0) throw new Error(`template: {{#${stack.at(-1)?.node.kind ?? ''}}} is never closed`);
  if (last < source.length) target().push({ kind: 'text', text: source.slice(last) });
  return root;
}

function render(nodes: Node[], scope: Scope, mode: TemplateMode): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'value') {
      const text = asText(lookup(scope, node.path));
      out += node.raw || mode === 'text' ? text : escapeHtml(text);
    } else if (node.kind === 'each') {
      const list = lookup(scope, node.path);
      if (Array.isArray(list)) for (const item of list) out += render(node.body, { value: item, parent: scope }, mode);
    } else {
      out += render(isTruthy(lookup(scope, node.path)) ? node.then : node.otherwise, scope, mode);
    }
  }
  return out;
}

export type Template = (data: unknown) => string;

export function compileTemplate(source: string, mode: TemplateMode): Template {
  const nodes = parse(source);
  return (data) => render(nodes, { value: data }, mode);
}

export const templatesDir = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..', 'templates');

/** Reads and compiles `templates/<name>.<ext>` once per process. */
const cache = new Map<string, Template>();
export function loadTemplate(file: string): Template {
  let template = cache.get(file);
  if (!template) {
    const mode: TemplateMode = file.endsWith('.html') ? 'html' : 'text';
    template = compileTemplate(readFileSync(join(templatesDir, file), 'utf8'), mode);
    cache.set(file, template);
  }
  return template;
}
