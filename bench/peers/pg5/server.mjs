// PostGraphile 5 (library mode: the Amber preset, grafserv on node:http) as a benchmark peer.
// Run by bench/peers/servers.py with the Node 22 of the cache; see ../cluster.cjs for the
// configuration. Production-like: no GraphiQL, no watch mode (the schema is introspected
// once per worker, before it listens), no explain, no websockets, read-only (no mutations).
import { createRequire } from "node:module";
import http from "node:http";

const require = createRequire(import.meta.url);
const { run, peerRequire, makePool, requestSettings, smartTags } = require("../cluster.cjs");

run(async (cfg) => {
  const peer = peerRequire(cfg);
  const { postgraphile } = peer("postgraphile");
  const { PostGraphileAmberPreset } = peer("postgraphile/presets/amber");
  const { makePgService } = peer("postgraphile/adaptors/pg");
  const { grafserv } = peer("postgraphile/grafserv/node");
  const { makeJSONPgSmartTagsPlugin } = peer("postgraphile/utils");

  const settings = requestSettings(cfg);
  const preset = {
    extends: [PostGraphileAmberPreset],
    plugins: [makeJSONPgSmartTagsPlugin(smartTags())],
    pgServices: [
      makePgService({
        pool: makePool(cfg),
        schemas: ["public", "bench_peer"],
        // A static object: the same scope for every request (one caller per scenario).
        pgSettings: settings ?? undefined,
        pubsub: false,
      }),
    ],
    schema: { defaultBehavior: "-insert -update -delete" },
    grafserv: {
      graphqlPath: "/graphql",
      graphiql: false,
      watch: false,
      websockets: false,
      maxRequestLength: 100_000,
    },
    grafast: { explain: false },
  };
  const pgl = postgraphile(preset);
  await pgl.getSchema(); // introspect and build now, not on the first timed request
  const serv = pgl.createServ(grafserv);
  const server = http.createServer();
  server.keepAliveTimeout = 65_000;
  await serv.addTo(server, false);
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(cfg.port, "127.0.0.1", resolve);
  });
});
