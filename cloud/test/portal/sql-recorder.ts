import type { Kysely, KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs } from 'kysely';
import type { Schema } from '../../src/store/schema.js';
import type { PortalHarness } from './portal-harness.js';

/**
 * The SQL text (placeholders, not values) of every statement the portal runs,
 * in order: a Kysely plugin on the portal's own store handle. Two requests
 * that ran the same statements took the same path through the code and the
 * database, so their timing tells nothing apart either (no timed tests needed).
 */
export class SqlRecorder {
  private statements: string[] = [];

  /** Puts the recorder in front of the harness's portal store; the portal reads its deps per request. */
  static attach(h: PortalHarness): SqlRecorder {
    const recorder = new SqlRecorder();
    const plain: Kysely<Schema> = h.deps.store.db;
    const plugin: KyselyPlugin = {
      transformQuery(args: PluginTransformQueryArgs) {
        recorder.statements.push(plain.getExecutor().compileQuery(args.node, args.queryId).sql);
        return args.node;
      },
      transformResult: async (args: PluginTransformResultArgs) => args.result,
    };
    Object.assign(h.deps, { store: { ...h.deps.store, db: plain.withPlugin(plugin) } });
    return recorder;
  }

  /** Runs `request` and returns what it answered with the statements it ran. */
  async during<T>(request: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
    this.statements = [];
    const result = await request();
    return { result, statements: this.statements };
  }
}
