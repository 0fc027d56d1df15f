/** Prints a results file as the Markdown tables of bench/README.md: npx tsx bench/markdown.ts bench/results/<file>.json */
import { readFileSync } from 'node:fs';
import { type BenchReport, formatMarkdown } from './report.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: npx tsx bench/markdown.ts bench/results/<date>-<households>.json');
  process.exit(2);
}
console.log(formatMarkdown(JSON.parse(readFileSync(file, 'utf8')) as BenchReport));
