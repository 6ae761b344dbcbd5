import type { Generated } from 'kysely';

// Row types for Kysely, one per table of migrations/001-core.ts. Times are
// UTC milliseconds; flags are 0/1 integers (the same on SQLite and MariaDB).

export interface OrganisationsTable {
  id: Generated<number>;
  name: string;
  created_at_ms: number;
  /** 'optional' or 'required' (migration 010). */
  second_factor_policy: Generated<string>;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  display_name: string;
  password_hash: string | null;
  is_operator: Generated<number>;
  language: Generated<string>;
  created_at_ms: number;
  disabled_at_ms: number | null;
}

export interface OrganisationMembersTable {
  organisation_id: number;
  user_id: number;
  created_at_ms: number;
}

export type DepotRole = 'owner' | 'manager' | 'viewer';

export interface DepotsTable {
  id: Generated<number>;
  organisation_id: number;
  name: string;
  address: Generated<string>;
  public_key: Uint8Array;
  offline_key_id: Generated<number>;
  compartment_count: number;
  time_zone: Generated<string>;
  language: Generated<string>;
  firmware_version: string | null;
  last_seen_ms: number | null;
  online: Generated<number>;
  handshake_stamp: Uint8Array | null;
  last_applied_command_id: Generated<number>;
  last_command_id: Generated<number>;
  revoked_at_ms: number | null;
  /** Set by `depot rekey` (migration 003); relays forget the old key's sessions. */
  key_changed_at_ms: number | null;
  /** When its newest stored event arrived (migration 008), kept by `insertEvents` and the relay's batch. */
  last_event_ms: number | null;
  created_at_ms: number;
}

export interface DepotGrantsTable {
  depot_id: number;
  user_id: number;
  role: DepotRole;
  created_at_ms: number;
}

export interface CompartmentsTable {
  depot_id: number;
  number: number;
  label: Generated<string>;
  door_open: Generated<number>;
  has_key_sensor: Generated<number>;
  key_present: Generated<number>;
  locked: Generated<number>;
  updated_at_ms: number | null;
}

export interface DepotSessionsTable {
  session_id: number;
  depot_id: number;
  /** Both transport keys (send ‖ receive, hex) sealed with the data key (store/relay/sessions.ts). */
  keys_sealed: Uint8Array;
  remote_id: number;
  created_at_ms: number;
  confirmed_at_ms: number | null;
  send_counter_reserved: Generated<number>;
  receive_counter_highest: Generated<number>;
  endpoint: string | null;
}

export interface EventsTable {
  id: Generated<number>;
  depot_id: number;
  journal_epoch: Uint8Array;
  sequence: number;
  kind: number;
  compartment: number;
  subject: Generated<string>;
  depot_time_ms: number;
  received_at_ms: number;
}

export type CommandState = 'queued' | 'sent' | 'applied' | 'failed' | 'expired' | 'rejected';

export interface CommandsTable {
  depot_id: number;
  id: number;
  kind: number;
  /** The body as JSON without its secrets (store/relay/command-secrets.ts). */
  payload: string;
  /** The body's secret fields (a PIN_ADD's digits) sealed with the data key; null when it has none. */
  secret_sealed: Uint8Array | null;
  not_after_ms: Generated<number>;
  state: CommandState;
  created_at_ms: number;
  sent_at_ms: number | null;
  finished_at_ms: number | null;
  result_detail: string | null;
  created_by_user_id: number | null;
}

export type PinState = 'queued' | 'on-depot' | 'used' | 'expired' | 'revoked';

export interface PinsTable {
  id: Generated<number>;
  depot_id: number;
  compartment: number;
  kind: string;
  label: Generated<string>;
  digits_sealed: Uint8Array | null;
  valid_from_ms: Generated<number>;
  valid_until_ms: Generated<number>;
  schedule: string | null;
  offline_start_hour: number | null;
  offline_duration_code: number | null;
  offline_variant: number | null;
  state: PinState;
  created_by_user_id: number | null;
  created_at_ms: number;
  used_at_ms: number | null;
  revoked_at_ms: number | null;
  /** The PIN_ADD and PIN_REVOKE commands of the PIN (migration 006). */
  command_id: number | null;
  revoke_command_id: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at_ms: number;
  actor: 'user' | 'relay' | 'cli';
  actor_user_id: number | null;
  action: string;
  organisation_id: number | null;
  depot_id: number | null;
  subject: Generated<string>;
  before_json: string | null;
  after_json: string | null;
  address: string | null;
}

export interface PortalSessionsTable {
  token_hash: Uint8Array;
  user_id: number;
  csrf_token: string;
  created_at_ms: number;
  last_seen_ms: number;
  expires_at_ms: number;
  ended_at_ms: number | null;
  address: string | null;
  /** 'done', 'verify' or 'enrol' (migration 010). */
  second_factor: Generated<string>;
}

export interface LoginThrottleTable {
  throttle_key: string;
  failures: number;
  last_failure_ms: number;
  blocked_until_ms: number;
}

export interface PasswordTokensTable {
  token_hash: Uint8Array;
  user_id: number;
  created_by_user_id: number | null;
  created_at_ms: number;
  expires_at_ms: number;
  used_at_ms: number | null;
}

export interface TotpFactorsTable {
  user_id: number;
  secret_sealed: Uint8Array;
  confirmed_at_ms: number | null;
  last_step: Generated<number>;
  created_at_ms: number;
}

export interface RecoveryCodesTable {
  id: Generated<number>;
  user_id: number;
  code_hash: Uint8Array;
  created_at_ms: number;
  used_at_ms: number | null;
}

export interface PasskeysTable {
  id: Generated<number>;
  user_id: number;
  credential_id: Uint8Array;
  public_key: Uint8Array;
  sign_count: Generated<number>;
  transports: Generated<string>;
  name: string;
  created_at_ms: number;
  last_used_ms: number | null;
  removed_at_ms: number | null;
}

export interface WebauthnChallengesTable {
  challenge: string;
  purpose: string;
  user_id: number | null;
  expires_at_ms: number;
}

export type ExportJobState = 'queued' | 'running' | 'done' | 'failed';

/** A background export (migration 011). */
export interface ExportJobsTable {
  id: Generated<number>;
  depot_id: number;
  user_id: number;
  kind: string;
  format: string;
  params: string;
  state: ExportJobState;
  rows_written: Generated<number>;
  attempts: Generated<number>;
  file_name: string | null;
  sha256: string | null;
  bytes: number | null;
  error: string | null;
  created_at_ms: number;
  started_at_ms: number | null;
  heartbeat_ms: number | null;
  finished_at_ms: number | null;
}

/** Roles on an organisation's customers and invoices (migration 012): depot roles give none. */
export type OrganisationRole = 'manager' | 'viewer';

export interface OrganisationRolesTable {
  organisation_id: number;
  user_id: number;
  role: OrganisationRole;
  created_at_ms: number;
}

export interface OrganisationSettingsTable {
  organisation_id: number;
  invoice_prefix: string;
  invoice_year: number;
  customer_retention_months: number | null;
  updated_at_ms: number;
}

export interface OrganisationSequencesTable {
  organisation_id: number;
  name: string;
  last_value: number;
}

export interface CustomersTable {
  id: Generated<number>;
  organisation_id: number;
  number: number;
  language: string;
  name_sealed: Uint8Array | null;
  company_sealed: Uint8Array | null;
  email_sealed: Uint8Array | null;
  phone_sealed: Uint8Array | null;
  address_sealed: Uint8Array | null;
  plate_sealed: Uint8Array | null;
  note_sealed: Uint8Array | null;
  pseudonym: string | null;
  erased_at_ms: number | null;
  created_at_ms: number;
  created_by_user_id: number | null;
  updated_at_ms: number;
  last_activity_ms: number;
}

export interface CustomerIndexTable {
  organisation_id: number;
  token: Uint8Array;
  customer_id: number;
}

export interface InvoicesTable {
  id: Generated<number>;
  organisation_id: number;
  kind: 'invoice' | 'cancellation';
  number: string | null;
  customer_id: number;
  state: string;
  invoice_date: string;
  due_date: string;
  depot_id: number | null;
  compartment: number | null;
  pickup_from_ms: number | null;
  pickup_until_ms: number | null;
  net_cents: number;
  vat_cents: number;
  gross_cents: number;
  cancels_invoice_id: number | null;
  cancelled_by_invoice_id: number | null;
  paid_at_ms: number | null;
  payment_method: string | null;
  paid_by_user_id: number | null;
  pin_id: number | null;
  refunded_at_ms: number | null;
  recipient_sealed: Uint8Array | null;
  retention_until_ms: number | null;
  restricted_at_ms: number | null;
  recipient_erased_at_ms: number | null;
  created_at_ms: number;
  created_by_user_id: number | null;
  issued_at_ms: number | null;
  updated_at_ms: number;
}

export interface InvoiceLinesTable {
  invoice_id: number;
  position: number;
  text: string;
  quantity_milli: number;
  unit_cents: number;
  vat_rate: number;
  net_cents: number;
}

/** An organisation's PayPal credentials (migration 013); the secret only sealed. */
export interface PaymentSettingsTable {
  organisation_id: number;
  client_id: string;
  secret_sealed: Uint8Array;
  secret_hint: string;
  environment: 'sandbox' | 'live';
  webhook_id: string;
  checked_at_ms: number | null;
  check_result: string | null;
  updated_at_ms: number;
  updated_by_user_id: number | null;
}

export type MailState = 'queued' | 'sent' | 'failed';

/** Mails waiting to be sent, sent, or given up on (migration 013); the message only sealed. */
export interface MailOutboxTable {
  id: Generated<number>;
  organisation_id: number | null;
  purpose: string;
  message_sealed: Uint8Array | null;
  state: MailState;
  attempts: number;
  next_attempt_at_ms: number;
  last_error: string | null;
  created_at_ms: number;
  sent_at_ms: number | null;
}

/** PayPal webhook events already handled, by PayPal's event id (migration 013). */
export interface PaypalWebhookEventsTable {
  organisation_id: number;
  event_id: string;
  event_type: string;
  resource_id: string;
  received_at_ms: number;
}

export interface Schema {
  organisations: OrganisationsTable;
  users: UsersTable;
  organisation_members: OrganisationMembersTable;
  depots: DepotsTable;
  depot_grants: DepotGrantsTable;
  compartments: CompartmentsTable;
  depot_sessions: DepotSessionsTable;
  events: EventsTable;
  commands: CommandsTable;
  pins: PinsTable;
  audit_log: AuditLogTable;
  portal_sessions: PortalSessionsTable;
  login_throttle: LoginThrottleTable;
  password_tokens: PasswordTokensTable;
  totp_factors: TotpFactorsTable;
  recovery_codes: RecoveryCodesTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
  export_jobs: ExportJobsTable;
  organisation_roles: OrganisationRolesTable;
  organisation_settings: OrganisationSettingsTable;
  organisation_sequences: OrganisationSequencesTable;
  customers: CustomersTable;
  customer_index: CustomerIndexTable;
  invoices: InvoicesTable;
  invoice_lines: InvoiceLinesTable;
  payment_settings: PaymentSettingsTable;
  mail_outbox: MailOutboxTable;
  paypal_webhook_events: PaypalWebhookEventsTable;
}
