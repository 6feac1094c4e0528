#!/usr/bin/env node
// `npx genesys-admin …` in this repository (the root package.json names this file as its
// bin). Runs the built CLI, building it first when the build is missing or older than the
// sources it comes from. Container images run dist/apps/genesys-admin/main.js with node.
'use strict';

const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const main = join(root, 'dist', 'apps', 'genesys-admin', 'main.js');

function newestChange(folder) {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    const time = entry.isDirectory() ? newestChange(path) : statSync(path).mtimeMs;
    newest = Math.max(newest, time);
  }
  return newest;
}

function sourcesChangedSince(time) {
  const libs = join(root, 'libs');
  const folders = [join(root, 'apps', 'genesys-admin', 'src')];
  for (const lib of readdirSync(libs)) folders.push(join(libs, lib, 'src'));
  return folders.some((folder) => existsSync(folder) && newestChange(folder) > time);
}

if (!existsSync(main) || sourcesChangedSince(statSync(main).mtimeMs)) {
  process.stderr.write('genesys-admin: building it first (nx build genesys-admin)\n');
  const build = spawnSync(
    join(root, 'node_modules', '.bin', 'nx'),
    ['build', 'genesys-admin', '--outputStyle=static'],
    {
      cwd: root,
      // Build output goes to stderr: stdout is the command's own (JSON with --json).
      stdio: ['ignore', process.stderr, process.stderr],
      env: { ...process.env, NX_DAEMON: process.env.NX_DAEMON ?? 'false' },
    },
  );
  if (build.status !== 0) {
    process.stderr.write('genesys-admin: the build failed (see above)\n');
    process.exit(build.status ?? 1);
  }
}

require(main);
