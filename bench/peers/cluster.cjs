// What both peer servers share: their configuration, the pg pool, and the Node cluster.
//
// The configuration comes from the environment variable PARTYPLAN_PEER (JSON, written by
// bench/peers/servers.py; the password travels there rather than on the command line):
//   install    the peer's install directory in the cache (its node_modules are resolved from
//              there, never from the repository)
//   port, workers, pool   HTTP port; worker processes; pg connections per worker
//   connection {host, port, user, password, database}; host is a socket directory or a host
//   settings   the row-level-security settings, e.g. {"app.scope": "{1}", "app.user_id": "1"}
//   settingsMode  "transaction": per request, set_config(..., true) inside a transaction (what
//              our service does); "session": once per connection, as startup options
//   readyFile  created by the primary once every worker listens
"use strict";

const cluster = require("node:cluster");
const fs = require("node:fs");
const path = require("node:path");
const { createRequire } = require("node:module");

function config() {
  const parsed = JSON.parse(process.env.PARTYPLAN_PEER);
  for (const key of ["install", "port", "workers", "pool", "connection", "settings"]) {
    if (parsed[key] == null) throw new Error(`PARTYPLAN_PEER lacks ${key}`);
  }
  return parsed;
}

// require() rooted at the peer's install directory in the cache.
function peerRequire(cfg) {
  return createRequire(path.join(cfg.install, "package.json"));
}

function quoteOption(value) {
  // libpq startup options: backslash escapes spaces and backslashes.
  return String(value).replace(/([\\ ])/g, "\\$1");
}

// One pool per worker. In "session" mode the settings go into the startup packet, so every
// query runs under them with no extra round trip; they still scope row-level security.
function makePool(cfg) {
  const pg = peerRequire(cfg)("pg");
  const options =
    cfg.settingsMode === "session"
      ? Object.entries(cfg.settings)
          .map(([k, v]) => `-c ${k}=${quoteOption(v)}`)
          .join(" ")
      : undefined;
  const pool = new pg.Pool({ ...cfg.connection, max: cfg.pool, options });
  pool.on("error", (e) => console.error("idle pg client error:", e.message));
  return pool;
}

// Smart tags kept beside the servers (tags.json) rather than as comments on the project's
// tables: they rename a relation both PostGraphiles would otherwise name twice.
function smartTags() {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "tags.json"), "utf8"));
}

// The per-request settings, or null in "session" mode (already on the connection).
function requestSettings(cfg) {
  return cfg.settingsMode === "session" ? null : cfg.settings;
}

// Fork the workers and supervise them; `work(cfg)` runs in each worker and must resolve once
// its server listens. A worker that dies takes the whole server down: a benchmark must never
// go on quietly with fewer workers than it reports.
function run(work) {
  const cfg = config();
  if (cluster.isPrimary) {
    let listening = 0;
    let stopping = false;
    const stop = () => {
      stopping = true;
      for (const w of Object.values(cluster.workers)) w.process.kill("SIGTERM");
      setTimeout(() => process.exit(), 2000).unref(); // exitCode says why
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    cluster.on("message", (_worker, message) => {
      if (message === "listening" && ++listening === cfg.workers && cfg.readyFile) {
        fs.writeFileSync(cfg.readyFile, String(process.pid));
        console.log(`ready: ${cfg.workers} workers on 127.0.0.1:${cfg.port}/graphql`);
      }
    });
    cluster.on("exit", (worker, code, signal) => {
      if (stopping) {
        if (Object.keys(cluster.workers).length === 0) process.exit();
        return;
      }
      console.error(`worker ${worker.process.pid} died (${signal || code}); stopping`);
      stop();
      process.exitCode = 1;
    });
    for (let i = 0; i < cfg.workers; i++) cluster.fork();
  } else {
    work(cfg).then(
      () => process.send("listening"),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  }
}

module.exports = { run, peerRequire, makePool, requestSettings, smartTags };
