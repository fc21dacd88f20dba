// `npm test`: builds, compiles the tests and runs every test tier, then prints a summary table.
//
//   build        npm run build                               (dist/, needed by integration and e2e)
//   compile      npx tsc -p tsconfig.test.json               (out/, needed by unit, compat, integration)
//   unit         npx mocha --config test/.mocharc.unit.json
//   compat       npx mocha --config test/.mocharc.compat.json      (when test/compat has tests)
//   integration  node test/harness/runIntegration.mjs        (mocha inside VS Code's extension host)
//   e2e          node --test test/e2e/**/*.e2e.mjs            (the UI in Chromium, with screenshots)
//
// Usage: node test/runAll.mjs [--only unit,compat]      or TRACKSIDE_TEST_TIERS=unit,compat
// A tier whose build step failed, or that needs code-server when it is not installed, fails (it is not
// skipped silently). Exit code 0 only when every selected tier passed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { missingPrerequisite, projectRoot, setupCommand } from './harness/codeServer.mjs';

const tierNames = ['unit', 'compat', 'integration', 'e2e'];
const tierTimeoutMs = Number(process.env.TRACKSIDE_TIER_TIMEOUT_MS ?? 15 * 60 * 1000);

const useColor = !process.env.NO_COLOR && (process.stdout.isTTY || Boolean(process.env.FORCE_COLOR));
const paint = (code) => (text) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
const red = paint('31;1');
const green = paint('32');
const yellow = paint('33');
const bold = paint('1');

/** Test sources under `folder` whose names end with `suffix` (relative to the project root). */
function findFiles(folder, suffix) {
  const root = path.join(projectRoot, folder);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith(suffix))
    .sort()
    .map((file) => path.join(folder, file));
}

/** Runs a command in the project root with inherited output; resolves with its exit code. */
function runCommand(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: projectRoot, stdio: 'inherit' });
    const timer = setTimeout(() => {
      console.error(red(`[test] ${command} ${args.join(' ')} still running after ${tierTimeoutMs} ms: stopping it`));
      child.kill('SIGTERM');
    }, tierTimeoutMs);
    child.on('error', (error) => {
      console.error(red(`[test] could not start ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

function selectedTiers() {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const list = values.only ?? process.env.TRACKSIDE_TEST_TIERS;
  if (!list) return tierNames;
  const chosen = list.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = chosen.filter((name) => !tierNames.includes(name));
  if (unknown.length > 0) {
    console.error(red(`[test] unknown tier ${unknown.join(', ')}; tiers are ${tierNames.join(', ')}`));
    process.exit(2);
  }
  return tierNames.filter((name) => chosen.includes(name));
}

/**
 * Each step: `needs` lists the steps that must have passed; `prepare` returns a reason to fail without
 * running, 'no tests' to report an empty tier, or undefined to run `command`.
 */
function plan(tiers) {
  const wants = (name) => tiers.includes(name);
  const needsCodeServer = () => {
    const missing = missingPrerequisite();
    return missing ? `${missing.split(';')[0]}: run ${setupCommand}` : undefined;
  };
  const steps = [
    { name: 'build', command: ['npm', ['run', 'build']] },
    ...(['unit', 'compat', 'integration'].some(wants)
      ? [{ name: 'compile', command: ['npx', ['tsc', '-p', 'tsconfig.test.json']] }]
      : []),
  ];
  if (wants('unit')) {
    steps.push({
      name: 'unit',
      needs: ['compile'],
      prepare: () => (findFiles('test/unit', '.test.ts').length === 0 ? 'no tests' : undefined),
      command: ['npx', ['mocha', '--config', 'test/.mocharc.unit.json']],
    });
  }
  if (wants('compat')) {
    steps.push({
      name: 'compat',
      needs: ['compile'],
      prepare: () => (findFiles('test/compat', '.test.ts').length === 0 ? 'no tests' : undefined),
      command: ['npx', ['mocha', '--config', 'test/.mocharc.compat.json']],
    });
  }
  if (wants('integration')) {
    steps.push({
      name: 'integration',
      needs: ['build', 'compile'],
      prepare: needsCodeServer,
      command: [process.execPath, ['test/harness/runIntegration.mjs']],
    });
  }
  if (wants('e2e')) {
    const files = findFiles('test/e2e', '.e2e.mjs');
    steps.push({
      name: 'e2e',
      needs: ['build'],
      prepare: () => (files.length === 0 ? 'no tests' : needsCodeServer()),
      command: [process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files]],
    });
  }
  return steps;
}

async function main() {
  const tiers = selectedTiers();
  const steps = plan(tiers);
  const results = [];
  const passed = new Set();
  const started = Date.now();
  for (const step of steps) {
    const blockedBy = (step.needs ?? []).find((name) => !passed.has(name));
    if (blockedBy) {
      results.push({ name: step.name, status: 'FAIL', ms: 0, note: `not run: ${blockedBy} failed` });
      continue;
    }
    const reason = step.prepare?.();
    if (reason === 'no tests') {
      results.push({ name: step.name, status: 'EMPTY', ms: 0, note: 'no tests yet' });
      passed.add(step.name);
      continue;
    }
    if (reason) {
      console.error(red(`[test] ${step.name}: ${reason}`));
      results.push({ name: step.name, status: 'FAIL', ms: 0, note: reason });
      continue;
    }
    const [command, args] = step.command;
    console.log(bold(`\n[test] ── ${step.name}: ${path.basename(command)} ${args.join(' ')}`));
    const stepStarted = Date.now();
    const code = await runCommand(command, args);
    const ms = Date.now() - stepStarted;
    if (code === 0) passed.add(step.name);
    results.push({ name: step.name, status: code === 0 ? 'PASS' : 'FAIL', ms, note: code === 0 ? '' : `exit code ${code}` });
  }
  printSummary(results, Date.now() - started);
  return results.some((result) => result.status === 'FAIL') ? 1 : 0;
}

function printSummary(results, totalMs) {
  const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
  const colorOf = { PASS: green, FAIL: red, EMPTY: yellow };
  const nameWidth = Math.max(...results.map((result) => result.name.length), 'total'.length);
  console.log(bold('\n[test] summary'));
  for (const result of results) {
    const status = colorOf[result.status](result.status.padEnd(5));
    console.log(`  ${result.name.padEnd(nameWidth)}  ${status}  ${seconds(result.ms).padStart(8)}  ${result.note}`);
  }
  const failed = results.filter((result) => result.status === 'FAIL').length;
  const verdict = failed === 0 ? green('PASS ') : red('FAIL ');
  console.log(`  ${'total'.padEnd(nameWidth)}  ${verdict}  ${seconds(totalMs).padStart(8)}  ${failed === 0 ? '' : `${failed} failed`}`);
}

process.exit(await main());
