/** How the demo prints: colours (off for NO_COLOR and pipes), numbered steps, one line per datagram. */
import { toHex } from '../../shared/src/index.js';

const useColor = process.stdout.isTTY === true && !process.env.NO_COLOR;
const paint = (code: string) => (text: string) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
export const bold = paint('1');
export const dim = paint('2');
export const red = paint('31');
export const green = paint('32');
export const yellow = paint('33');
const magenta = paint('35');
const cyan = paint('36');

const ROLE_COLOR = { relay: magenta, depot: cyan, attacker: red } as const;
export type Role = keyof typeof ROLE_COLOR;
const role = (name: Role, width = 0) => ROLE_COLOR[name](name.padEnd(width));

export function say(text = ''): void {
  process.stdout.write(`${text}\n`);
}

let stepNumber = 0;
export function step(title: string): void {
  stepNumber++;
  say();
  say(bold(`${stepNumber}. ${title}`));
}

export function note(who: Role, text: string): void {
  say(`   ${role(who, 8)}  ${text}`);
}

function hexPrefix(bytes: Uint8Array, count = 12): string {
  const shown = Array.from(bytes.subarray(0, count), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > count ? `${shown} …` : shown;
}

export function shortKey(key: Uint8Array): string {
  const hex = toHex(key);
  return `${hex.slice(0, 16)}…${hex.slice(-8)}`;
}

export function idHex(id: number): string {
  return `0x${id.toString(16).padStart(8, '0')}`;
}

export function time(ms: number): string {
  return ms === 0 ? 'unbounded' : new Date(ms).toISOString().replace('.000Z', 'Z');
}

export function datagramLine(from: Role, to: Role, datagram: Uint8Array, label: string): void {
  const size = `${datagram.length} B`.padStart(6);
  say(`   ${role(from, 8)} → ${role(to, 5)}  ${bold(size)}  ${dim(hexPrefix(datagram))}  ${label}`);
}
