import type { SimCommand } from '../scenario/command.js';
import { bindArgs, CallError, COMMANDS, findCommand, usage } from '../scenario/commands.js';
import type { ParamValue } from '../scenario/params.js';

/** What one typed line asks for. Pure: parsing runs nothing. */
export type ParsedLine =
  | { readonly kind: 'empty' }
  | { readonly kind: 'help'; readonly topic?: string }
  | { readonly kind: 'quit' }
  | { readonly kind: 'call'; readonly command: SimCommand; readonly args: Map<string, ParamValue> }
  | { readonly kind: 'error'; readonly message: string };

/** Splits at blanks; "double" or 'single' quotes keep blanks inside a word (`schedule="sat 10:00-12:00"`). */
export function tokenize(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  for (const c of line) {
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Parses a prompt line into a call of the command table: bare words fill the
 * parameters left to right, `name=value` any of them, and a bare word that
 * names a flag parameter sets it (`open-door 3 force`).
 */
export function parseLine(line: string): ParsedLine {
  const [name, ...words] = tokenize(line.trim());
  if (name === undefined || name.startsWith('#')) return { kind: 'empty' };
  if (name === 'help' || name === '?') return { kind: 'help', topic: words[0] };
  if (name === 'quit' || name === 'exit') return { kind: 'quit' };
  const command = findCommand(name);
  if (!command) return { kind: 'error', message: `unknown command '${name}'; 'help' lists them` };
  const raw = new Map<string, unknown>();
  const positional: string[] = [];
  for (const word of words) {
    const named = /^([a-z-]+)=(.*)$/s.exec(word);
    const flag = command.params.find((p) => p.kind === 'flag' && p.name === word);
    if (named) raw.set(named[1] as string, named[2]);
    else if (flag) raw.set(flag.name, true);
    else positional.push(word);
  }
  const open = command.params.filter((p) => !raw.has(p.name) && p.kind !== 'flag');
  if (positional.length > open.length) {
    return { kind: 'error', message: `too many words for ${usage(command)}` };
  }
  for (const [index, word] of positional.entries()) raw.set((open[index] as { name: string }).name, word);
  try {
    return { kind: 'call', command, args: bindArgs(command, raw) };
  } catch (error) {
    if (error instanceof CallError) return { kind: 'error', message: `${error.message}; usage: ${usage(command)}` };
    throw error;
  }
}

/** The `help` text: every command with its usage, or one command's parameters. */
export function helpText(topic?: string): string[] {
  if (topic !== undefined) {
    const command = findCommand(topic);
    if (!command) return [`unknown command '${topic}'`];
    return [
      `${usage(command)}: ${command.summary}`,
      ...command.params.map((p) => {
        const values = typeof p.kind === 'string' ? '' : p.kind.oneOf.join(' | ');
        const doc = [p.doc, values].filter((part) => part !== '').join(': ');
        return `  ${p.name.padEnd(12)} ${p.optional ? '(optional) ' : ''}${doc}`;
      }),
    ];
  }
  const width = Math.max(...COMMANDS.map((c) => usage(c).length));
  return [
    ...COMMANDS.map((c) => `  ${usage(c).padEnd(width)}  ${c.summary}`),
    `  ${'help [command]'.padEnd(width)}  this list, or one command's parameters`,
    `  ${'quit'.padEnd(width)}  stop every depot and the cloud, and leave`,
    'Words fill the parameters in order; name=value sets any of them; quote texts with blanks.',
  ];
}
