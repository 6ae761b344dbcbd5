import type { Command } from './command.js';
import { depotCreate } from './depot-create.js';
import { depotGrant } from './depot-grant.js';
import { depotList } from './depot-list.js';
import { depotRekey } from './depot-rekey.js';
import { depotRevoke } from './depot-revoke.js';
import { migrate } from './migrate.js';
import { organisationCreate } from './organisation-create.js';
import { organisationList } from './organisation-list.js';
import { userCreate } from './user-create.js';

/** Every `keydepot-cloud` command, in the order `--help` lists them. */
export const COMMANDS: readonly Command[] = [
  // serve: HTTP + UDP relay, added with the relay (cloud/src/cli/serve.ts).
  migrate,
  organisationCreate,
  organisationList,
  depotCreate,
  depotRekey,
  depotRevoke,
  depotList,
  depotGrant,
  userCreate,
];
