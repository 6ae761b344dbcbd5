import { describe, expect, it } from 'vitest';
import { CookieReplyBudget } from './cookie-reply-budget.js';

describe('CookieReplyBudget', () => {
  it('answers one address and port once a second, however much it sends', () => {
    const budget = new CookieReplyBudget();
    const answered = Array.from({ length: 2_000 }, (_, i) => budget.take('203.0.113.7:4000', i / 2));
    expect(answered.filter(Boolean)).toHaveLength(1);
    expect(budget.take('203.0.113.7:4000', 1_000)).toBe(true);
  });

  it('keeps the ports of one address apart: a flood from one port leaves the depot its reply', () => {
    const budget = new CookieReplyBudget();
    for (let i = 0; i < 1_000; i++) budget.take('203.0.113.7:4000', 10);
    expect(budget.take('203.0.113.7:51820', 10)).toBe(true);
  });

  it('caps the replies of the whole relay, as for a flood from many spoofed ports', () => {
    const budget = new CookieReplyBudget({ perSecond: 100 });
    let answered = 0;
    for (let port = 1; port <= 1_000; port++) if (budget.take(`198.51.100.1:${port}`, 0)) answered++;
    expect(answered).toBe(100);
    expect(budget.take('198.51.100.2:1', 500)).toBe(true);
  });

  it('forgets the least recently answered endpoint when full', () => {
    const budget = new CookieReplyBudget({ maxEndpoints: 2 });
    expect(budget.take('a:1', 0)).toBe(true);
    expect(budget.take('b:1', 0)).toBe(true);
    expect(budget.take('c:1', 0)).toBe(true);
    // 'a:1' was forgotten: answered again within its second.
    expect(budget.take('a:1', 1)).toBe(true);
    expect(budget.take('c:1', 1)).toBe(false);
  });
});
