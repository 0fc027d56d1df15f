/**
 * Makes the README executable. Every ```graphql and ```sh block of README.md is an example; the
 * ```json blocks after a graphql block (up to the next example) are what it prints.
 *
 * Rules (also in docs/readme-examples.md):
 * - A graphql block may hold several operations, one after another; they run in order. Each json
 *   block after it must match the result of one of them: a response (`{"data": …}`), an error
 *   (`{"message": …, "extensions": …}`), or any object inside `data` (e.g. the package a mutation
 *   returned). An operation that fails without a json block showing its error fails the test.
 * - `Variables: \`{…}\`` right after a graphql block gives its variables.
 * - graphql blocks run with the token of the latest `TOKEN=$(npm run -s token -- …)` line above
 *   them; before any, with the PLANNER token that `npm start` prints (national scope).
 * - In a json block, a string containing "…" matches anything, and an array element containing
 *   "…" ends the comparison of that array (the rest is elided).
 * - An HTML comment right before a block controls it:
 *   `<!-- readme-test: skip (reason) -->` does not run it (installs, long-running servers, docker);
 *   `<!-- readme-test: volatile age endCursor -->` does not compare the values of those keys
 *   (they change with the day of the query or with the data set).
 * - sh blocks run in bash from a scratch directory inside the repository, with
 *   http://localhost:4000 replaced by the server under test; they must exit 0.
 *
 * Two modes: `exact` (values compared; against the default demo data, `npm run readme:check`) and
 * `shape` (keys, types, enum values, error codes and arguments compared; used by `npm test`, whose
 * database is a smaller demo so counts and ids differ).
 */
export type Mode = 'exact' | 'shape';

export interface Example {
  kind: 'graphql' | 'sh';
  /** 1-based line of the opening fence in README.md. */
  line: number;
  code: string;
  /** graphql only: the operations in the block, in order. */
  operations: string[];
  variables?: Record<string, unknown>;
  expected: { line: number; value: unknown }[];
  skip?: string;
  volatile: Set<string>;
  /** `npm run token` arguments in force for this example (null: the `npm start` planner token). */
  tokenArgs: string[] | null;
}

const FENCE = /^```(\w*)\s*$/;
const DIRECTIVE = /^<!--\s*readme-test:\s*(.*?)\s*-->\s*$/;
const TOKEN_LINE = /TOKEN=\$\(npm run -s token --((?:\s+(?:"[^"]*"|[^\s")]+))*)\s*\)/;

/** Splits a block of several operations at lines that start a new top-level operation. */
export function splitOperations(code: string): string[] {
  const operations: string[] = [];
  let current: string[] = [];
  let depth = 0;
  for (const line of code.split('\n')) {
    const withoutComment = line.replace(/#.*$/, '');
    if (depth === 0 && current.some((l) => l.trim()) && /^(query|mutation|\{)/.test(line)) {
      operations.push(current.join('\n'));
      current = [];
    }
    current.push(line);
    for (const ch of withoutComment) {
      if (ch === '{' || ch === '(') depth += 1;
      if (ch === '}' || ch === ')') depth -= 1;
    }
  }
  if (current.some((l) => l.trim())) operations.push(current.join('\n'));
  return operations;
}

/** Splits shell words, keeping double-quoted strings together (enough for the README's lines). */
export function shellWords(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

export function extractExamples(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const examples: Example[] = [];
  let tokenArgs: string[] | null = null;
  let pendingDirective: string | null = null;
  let last: Example | null = null;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    const directive = DIRECTIVE.exec(line.trim());
    if (directive) {
      pendingDirective = directive[1] ?? '';
      continue;
    }
    const fence = FENCE.exec(line.trim());
    if (!fence) {
      const variables = /^Variables:\s*`(.*)`\s*$/.exec(line.trim());
      if (variables && last?.kind === 'graphql') last.variables = JSON.parse(variables[1] ?? '{}') as Record<string, unknown>;
      if (line.trim()) pendingDirective = null;
      // A new section ends the outputs of the example before it.
      if (/^#{1,6} /.test(line)) last = null;
      continue;
    }
    const language = fence[1] ?? '';
    const start = i;
    const body: string[] = [];
    for (i += 1; i < lines.length && !/^\s*```\s*$/.test(lines[i] ?? ''); i += 1) body.push(lines[i] ?? '');
    // Indented fences (inside list items) keep their indentation; strip it.
    const indent = /^(\s*)/.exec(line)?.[1]?.length ?? 0;
    const code = body.map((l) => l.slice(Math.min(indent, /^(\s*)/.exec(l)?.[1]?.length ?? 0))).join('\n');
    const directives = (pendingDirective ?? '').split(';').map((d) => d.trim()).filter(Boolean);
    pendingDirective = null;
    const skip = directives.find((d) => d.startsWith('skip'));
    const volatile = new Set(directives.filter((d) => d.startsWith('volatile')).flatMap((d) => d.split(/\s+/).slice(1)));
    if (language === 'graphql' || language === 'sh') {
      const token = language === 'sh' ? TOKEN_LINE.exec(code) : null;
      const example: Example = {
        kind: language,
        line: start + 1,
        code,
        operations: language === 'graphql' ? splitOperations(code) : [],
        expected: [],
        ...(skip ? { skip: skip.replace(/^skip\s*/, '') || 'marked skip' } : {}),
        volatile,
        tokenArgs,
      };
      if (token) tokenArgs = shellWords(token[1] ?? '');
      examples.push(example);
      last = example;
    } else if (language === 'json' && last?.kind === 'graphql') {
      for (const d of volatile) last.volatile.add(d);
      last.expected.push({ line: start + 1, value: JSON.parse(code) });
    } else if (language !== 'json') {
      last = null;
    }
  }
  return examples;
}

/** Claims for `npm run token -- <args>` (the same mapping as src/auth/token-cli.ts). */
export function claimsFor(args: string[] | null): Record<string, unknown> {
  if (args === null) return { sub: 'demo-planner@kemensos.go.id', role: 'PLANNER', org: 'Kemensos (demo)', regions: '*' };
  const value = (name: string) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const role = (value('role') ?? 'planner').toUpperCase();
  const list = (v: string | undefined) => v?.split(',').map((s) => s.trim()).filter(Boolean);
  return {
    sub: value('sub') ?? `readme-${role.toLowerCase()}@example`,
    role,
    org: value('org') ?? 'README',
    ...(role === 'PLANNER' ? { regions: list(value('regions')) ?? '*' } : {}),
    ...(value('villages') ? { villages: list(value('villages')) } : {}),
    ...(value('funder') ? { funder: value('funder') } : {}),
  };
}

const ELIDED = (v: unknown) => typeof v === 'string' && v.includes('…');
const ENUM = /^[A-Z][A-Z0-9_]+$/;

/** Differences between what the README prints and what came back; empty = matches. */
export function compare(expected: unknown, actual: unknown, mode: Mode, volatile: Set<string>, path = ''): string[] {
  if (ELIDED(expected)) return [];
  const key = path.split('.').pop()?.replace(/\[\d+\]$/, '') ?? '';
  if (volatile.has(key)) return [];
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${JSON.stringify(actual)}`];
    const problems: string[] = [];
    for (let i = 0; i < expected.length; i += 1) {
      if (ELIDED(expected[i])) return problems;
      if (i >= actual.length) {
        if (mode === 'exact' || (i === 0 && actual.length === 0)) problems.push(`${path}: expected ${expected.length} elements, got ${actual.length}`);
        return problems;
      }
      problems.push(...compare(expected[i], actual[i], mode, volatile, `${path}[${i}]`));
    }
    if (mode === 'exact' && actual.length !== expected.length) problems.push(`${path}: expected ${expected.length} elements, got ${actual.length}`);
    return problems;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    return Object.entries(expected).flatMap(([k, v]) =>
      k in actual ? compare(v, (actual as Record<string, unknown>)[k], mode, volatile, path ? `${path}.${k}` : k) : [`${path ? `${path}.` : ''}${k}: missing`],
    );
  }
  if (mode === 'exact' || (typeof expected === 'string' && ENUM.test(expected) && key !== 'message')) {
    return Object.is(expected, actual) ? [] : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
  }
  // Shape: same JSON type; a count may be withheld (null) only where the README shows null too.
  if (expected === null) return [];
  return typeof expected === typeof actual ? [] : [`${path}: expected a ${typeof expected}, got ${JSON.stringify(actual)}`];
}

export interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

function objectsIn(value: unknown): Record<string, unknown>[] {
  if (value === null || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.flatMap(objectsIn);
  return [value as Record<string, unknown>, ...Object.values(value).flatMap(objectsIn)];
}

/**
 * Whether a printed output matches one of the responses: an error when it has "message", the
 * whole response when it has "data", else any object inside a response's data.
 */
export function matchExpected(expected: unknown, responses: GraphQLResponse[], mode: Mode, volatile: Set<string>): { matched: number | null; problems: string[] } {
  const candidates: { response: number; actual: unknown }[] = [];
  const shown = expected as Record<string, unknown>;
  responses.forEach((response, index) => {
    if (typeof shown === 'object' && shown !== null && 'message' in shown) {
      for (const error of response.errors ?? []) candidates.push({ response: index, actual: error });
    } else if (typeof shown === 'object' && shown !== null && 'data' in shown) {
      candidates.push({ response: index, actual: response });
    } else {
      for (const object of objectsIn(response.data)) candidates.push({ response: index, actual: object });
    }
  });
  let best: string[] | null = null;
  for (const candidate of candidates) {
    const problems = compare(expected, candidate.actual, mode, volatile);
    if (problems.length === 0) return { matched: candidate.response, problems: [] };
    if (!best || problems.length < best.length) best = problems;
  }
  return { matched: null, problems: best ?? ['no response had a matching part'] };
}

export interface RunContext {
  /** http://host:port of the server under test. */
  origin: string;
  mode: Mode;
  /** A bearer token for these claims, signed as the server expects. */
  token(claims: Record<string, unknown>): Promise<string>;
  /** Directory the sh examples run in (inside the repository, so `npm run` finds package.json). */
  scratchDir: string;
}

/** Runs one example; returns its problems (empty = as the README says). */
export async function runExample(example: Example, context: RunContext): Promise<string[]> {
  if (example.kind === 'sh') {
    const { execFile } = await import('node:child_process');
    const script = example.code.replaceAll('http://localhost:4000', context.origin);
    return new Promise((resolve) => {
      execFile('bash', ['-euo', 'pipefail', '-c', script], { cwd: context.scratchDir, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) => {
        resolve(error ? [`exited with ${error.code ?? error.signal}: ${stderr.slice(0, 2000)}`] : []);
      });
    });
  }
  const token = await context.token(claimsFor(example.tokenArgs));
  const responses: GraphQLResponse[] = [];
  for (const query of example.operations) {
    const response = await fetch(`${context.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables: example.variables ?? {} }),
    });
    responses.push((await response.json()) as GraphQLResponse);
  }
  const problems: string[] = [];
  const explained = new Set<number>();
  for (const expected of example.expected) {
    const { matched, problems: mismatch } = matchExpected(expected.value, responses, context.mode, example.volatile);
    if (matched === null) problems.push(`output at README line ${expected.line} does not match: ${mismatch.slice(0, 8).join('; ')}`);
    else explained.add(matched);
  }
  responses.forEach((response, index) => {
    const shownAsError = example.expected.some((e) => typeof e.value === 'object' && e.value !== null && 'message' in e.value);
    if (response.errors?.length && !(shownAsError && explained.has(index))) {
      problems.push(`operation ${index + 1} failed: ${response.errors.map((e) => `${String(e.extensions?.code)}: ${e.message}`).join('; ')}`);
    }
  });
  return problems;
}
