import { Hono } from 'hono';

export interface AppOptions {
  /** Prometheus exposition text (the relay's metrics). */
  readonly metricsText: () => Promise<string>;
}

/** The HTTP side for now: a placeholder portal page and /metrics. Built without a socket (`app.request()` in tests). */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  app.get('/', (c) =>
    c.html(
      <html lang="de">
        <head>
          <meta charset="utf-8" />
          <title>keydepot</title>
        </head>
        <body>
          <h1>keydepot</h1>
          <p lang="de">Das Portal folgt in Kürze. Das Relais nimmt Schlüsseldepots bereits an.</p>
          <p lang="en">The portal comes later. The relay is already taking key depots.</p>
        </body>
      </html>,
    ),
  );
  app.get('/metrics', async (c) => {
    c.header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    return c.body(await options.metricsText());
  });
  return app;
}
