import { randomBytes } from 'node:crypto';

/** One error answer in PayPal's documented shape (`name`, `message`, `details[].issue`, `debug_id`). */
export interface ErrorAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const debugId = () => randomBytes(7).toString('hex');

/** 422 UNPROCESSABLE_ENTITY with one issue, as Orders v2 and Payments v2 document it. */
export function unprocessable(issue: string, description: string): ErrorAnswer {
  return {
    status: 422,
    body: {
      name: 'UNPROCESSABLE_ENTITY',
      message: 'The requested action could not be performed, semantically incorrect, or failed business validation.',
      details: [{ issue, description }],
      debug_id: debugId(),
      links: [{ href: `https://developer.paypal.com/docs/api/orders/v2/#error-${issue}`, rel: 'information_link' }],
    },
  };
}

export function invalidRequest(field: string, issue: string, description: string): ErrorAnswer {
  return {
    status: 400,
    body: {
      name: 'INVALID_REQUEST',
      message: 'Request is not well-formed, syntactically incorrect, or violates schema.',
      details: [{ field, location: 'body', issue, description }],
      debug_id: debugId(),
    },
  };
}

export function notFound(issue = 'INVALID_RESOURCE_ID'): ErrorAnswer {
  return {
    status: 404,
    body: {
      name: 'RESOURCE_NOT_FOUND',
      message: 'The specified resource does not exist.',
      details: [
        { issue, description: 'Specified resource ID does not exist. Please check the resource ID and try again.' },
      ],
      debug_id: debugId(),
    },
  };
}

export function serverError(): ErrorAnswer {
  return {
    status: 500,
    body: { name: 'INTERNAL_SERVER_ERROR', message: 'An internal server error occurred.', debug_id: debugId() },
  };
}

/** The OAuth2 answer to a wrong client id or secret. */
export const INVALID_CLIENT: ErrorAnswer = {
  status: 401,
  body: { error: 'invalid_client', error_description: 'Client Authentication failed' },
};

/** An API call without a valid bearer token. */
export const AUTHENTICATION_FAILURE: ErrorAnswer = {
  status: 401,
  body: {
    name: 'AUTHENTICATION_FAILURE',
    message: 'Authentication failed due to invalid authentication credentials or a missing Authorization header.',
    links: [{ href: 'https://developer.paypal.com/docs/api/overview/#error', rel: 'information_link' }],
  },
};

/** Failures the stand-in can be told to produce on the next matching call. */
export type StandInFailure =
  /** 422 INSTRUMENT_DECLINED on capture (the payer's funding was refused), with a PAYMENT.CAPTURE.DENIED webhook. */
  | 'declined'
  /** 422 COMPLIANCE_VIOLATION. */
  | 'compliance'
  /** 500 INTERNAL_SERVER_ERROR, nothing done. */
  | 'server-error'
  /** The call is carried out, but the answer is held back until the client has given up. */
  | 'timeout'
  /** 422 DUPLICATE_INVOICE_ID: PayPal already has an order with this invoice number. */
  | 'duplicate-invoice';

/** The answer for a failure that refuses the call outright (timeout is handled by the server). */
export function failureAnswer(failure: Exclude<StandInFailure, 'timeout'>): ErrorAnswer {
  switch (failure) {
    case 'declined':
      return unprocessable(
        'INSTRUMENT_DECLINED',
        "The instrument presented  was either declined by the processor or bank, or it can't be used for this payment.",
      );
    case 'compliance':
      return unprocessable('COMPLIANCE_VIOLATION', 'Transaction is declined due to compliance violation.');
    case 'duplicate-invoice':
      return unprocessable(
        'DUPLICATE_INVOICE_ID',
        'Duplicate Invoice ID detected. To avoid a potential duplicate transaction your account setting requires that Invoice Id be unique for each transaction.',
      );
    case 'server-error':
      return serverError();
  }
}
