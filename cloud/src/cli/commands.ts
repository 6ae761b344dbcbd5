import { auditList } from './audit-list.js';
import type { Command } from './command.js';
import { dataKeyRetire } from './data-key-retire.js';
import { dataKeyRotate } from './data-key-rotate.js';
import { depotCreate } from './depot-create.js';
import { depotGrant } from './depot-grant.js';
import { depotList } from './depot-list.js';
import { depotRekey } from './depot-rekey.js';
import { depotRevoke } from './depot-revoke.js';
import { migrate } from './migrate.js';
import { organisationCreate } from './organisation-create.js';
import { organisationList } from './organisation-list.js';
import { organisationRoleCommand } from './organisation-role.js';
import { retentionRun } from './retention-run.js';
import { serve } from './serve.js';
import { userDisable, userEnable } from './user-access.js';
import { userCreate } from './user-create.js';
import { userResetSecondFactor } from './user-reset-2fa.js';
import { userResetPassword } from './user-reset-password.js';
import { verifyExportCommand } from './verify-export.js';

/** Every `keydepot-cloud` command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  serve,
  migrate,
  organisationCreate,
  organisationList,
  organisationRoleCommand,
  depotCreate,
  depotRekey,
  depotRevoke,
  depotList,
  depotGrant,
  userCreate,
  userResetPassword,
  userResetSecondFactor,
  userDisable,
  userEnable,
  auditList,
  verifyExportCommand,
  dataKeyRotate,
  dataKeyRetire,
  retentionRun,
];
