// PostGraphile 4 (its node:http middleware) as a benchmark peer. Run by
// bench/peers/servers.py; see ../cluster.cjs for the configuration. Production-like: no
// GraphiQL, no watch, no query log, no explain, no default mutations; the schema is
// introspected once per worker, before it listens.
"use strict";

const http = require("node:http");
const { run, peerRequire, makePool, requestSettings, smartTags } = require("../cluster.cjs");

run(async (cfg) => {
  const peer = peerRequire(cfg);
  const { postgraphile } = peer("postgraphile");
  const { makeJSONPgSmartTagsPlugin } = peer("graphile-utils");
  const settings = requestSettings(cfg);
  const middleware = postgraphile(makePool(cfg), ["public", "bench_peer"], {
    graphqlRoute: "/graphql",
    graphiql: false,
    watchPg: false,
    disableQueryLog: true,
    allowExplain: false,
    enableQueryBatching: false,
    disableDefaultMutations: true,
    setofFunctionsContainNulls: false,
    retryOnInitFail: false,
    showErrorStack: false,
    bodySizeLimit: "100kb",
    appendPlugins: [makeJSONPgSmartTagsPlugin(smartTags())],
    // A static object: the same scope for every request (one caller per scenario).
    ...(settings ? { pgSettings: settings } : {}),
  });
  await middleware.getGraphQLSchema(); // introspect and build now, not on the first request
  const server = http.createServer(middleware);
  server.keepAliveTimeout = 65_000;
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(cfg.port, "127.0.0.1", resolve);
  });
});
