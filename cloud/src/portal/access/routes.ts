import { type Handler, Hono } from 'hono';
import type { PortalEnv } from '../portal-env.js';
import { type Access, guard } from './access.js';

/** One route as registered: what the authorization matrix test iterates. */
export interface RouteSpec {
  readonly method: 'GET' | 'POST';
  /** Full path with Hono parameters, e.g. `/depots/:depotId/pins`. */
  readonly path: string;
  readonly access: Access;
}

/**
 * One area of the portal (a sub-app mounted at `prefix`). Routes can only be
 * added with an access rule, which becomes the route's first middleware, so no
 * route can be registered without a guard.
 */
export class PortalArea {
  readonly app = new Hono<PortalEnv>();
  readonly specs: RouteSpec[] = [];

  constructor(readonly prefix: string) {}

  get(path: string, access: Access, handler: Handler<PortalEnv>): this {
    this.specs.push({ method: 'GET', path: joinPath(this.prefix, path), access });
    this.app.get(path, guard(access), handler);
    return this;
  }

  post(path: string, access: Access, handler: Handler<PortalEnv>): this {
    this.specs.push({ method: 'POST', path: joinPath(this.prefix, path), access });
    this.app.post(path, guard(access), handler);
    return this;
  }
}

function joinPath(prefix: string, path: string): string {
  const joined = `${prefix.replace(/\/$/, '')}${path === '/' ? '' : path}`;
  return joined === '' ? '/' : joined;
}
