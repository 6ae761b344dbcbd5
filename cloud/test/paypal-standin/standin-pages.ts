import type { StandInOrder } from './standin-orders.js';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The stand-in's approval page: the order's amount and invoice, an approve and a cancel button. */
export function approvalPage(order: StandInOrder | null): string {
  if (!order) return '<!doctype html><title>PayPal stand-in</title><p>No such order.</p>';
  const form = (action: string, label: string) =>
    `<form method="post" action="/checkoutnow"><input type="hidden" name="token" value="${escapeHtml(order.id)}">` +
    `<button name="action" value="${action}" type="submit">${label}</button></form>`;
  return [
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>PayPal stand-in: approve payment</title>',
    '<h1>PayPal stand-in</h1>',
    `<p>Invoice <span id="invoice">${escapeHtml(order.invoiceId ?? '')}</span>: `,
    `<span id="amount">${escapeHtml(order.amount.value)} ${escapeHtml(order.amount.currency_code)}</span></p>`,
    form('approve', 'Pay now'),
    form('cancel', 'Cancel and return'),
    '</html>',
  ].join('\n');
}
