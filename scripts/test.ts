/**
 * `pnpm test [file or folder …] [--node-test-flag …]`: every apps/* and
 * packages/* test on node:test through tsx. Files under a `test/faults/` folder
 * (killed brokers, stalled SMTP servers) and the bench's test run afterwards, one
 * at a time, so they do not disturb the rest; everything else runs two files at a time
 * (TEST_FILES_AT_ONCE=3 to try another number).
 *
 * Any failed test fails the run. A file with a failed test is then run once
 * more, alone, only to say whether it "also failed alone" (a real fault) or
 * "passed alone" (a flaky test or one disturbed by its neighbour): the run
 * fails either way, and the counts are those of the first run.
 *
 * Without DATABASE_URL the database tests run on PGlite only; CI (.ci/run) sets
 * it so they also run against PostgreSQL.
 *
 * When api tests are among the files, the migrated PGlite data directory they
 * clone is built here once (seconds) and handed to every test process through
 * AUTHMAIL_PGLITE_TEMPLATE, instead of each file building its own; the api
 * processes that end-to-end tests start copy the same database as a directory
 * (AUTHMAIL_PGLITE_DATA_DIR_TEMPLATE) instead of each running initdb on disk.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
// A file (or test) that runs longer than this, or never exits, fails instead of holding CI.
const FILE_TIMEOUT_MS = 4 * 60 * 1000
/** How many regular files run at once; TEST_FILES_AT_ONCE overrides it to compare. */
const FILES_AT_ONCE = Number(process.env.TEST_FILES_AT_ONCE) || 2
/** The last run's wall time per file, kept between runs only to order the next one. */
const timesPath = join(root, 'node_modules', '.cache', 'authmail-test-times.json')

interface Counts {
  passed: number
  failed: number
  skipped: number
  ok: boolean
  /** Files with a failed or cancelled test. */
  failedFiles: string[]
}

const args = process.argv.slice(2)
const nodeFlags = args.filter((arg) => arg.startsWith('-'))
const filters = args
  .filter((arg) => !arg.startsWith('-'))
  .map((arg) => relative(root, arg).split(sep).join('/'))

const all = findTestFiles().filter((file) => !filters.length || filters.some((f) => file.startsWith(f)))
if (!all.length) {
  console.error(filters.length ? `No test file matches ${filters.join(' ')}` : 'No test files found')
  process.exit(1)
}
/**
 * Files that load the whole machine (killed brokers, stalled SMTP servers, the bench's
 * load generators) run afterwards, one at a time, so they neither disturb nor are disturbed.
 */
const isSerial = (file: string) => file.includes('/test/faults/') || file.startsWith('packages/bench/')

console.log(
  process.env.DATABASE_URL
    ? 'DATABASE_URL is set: database tests run on PGlite and on PostgreSQL'
    : 'DATABASE_URL is unset: database tests run on PGlite only (CI sets it to add PostgreSQL)',
)

const scratch = mkdtempSync(join(tmpdir(), 'authmail-run-'))
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }))
if (all.some((file) => file.startsWith('apps/api/'))) {
  const template = await import('../apps/api/test/pglite-template.ts')
  const path = join(scratch, 'pglite-template.tar')
  await template.writePgliteTemplate(path)
  process.env[template.TEMPLATE_ENV] = path
  const dataDir = join(scratch, 'pglite-data')
  await template.writePgliteDataDir(path, dataDir)
  process.env[template.DATA_DIR_TEMPLATE_ENV] = dataDir
}

const runs: Counts[] = []
const regular = all.filter((file) => !isSerial(file))
const serial = all.filter(isSerial)
if (regular.length) runs.push(await withRerunReport(await runTests(regular, FILES_AT_ONCE)))
if (serial.length) {
  console.log(`\nFault tests (test/faults/) and the bench's test, one file at a time`)
  runs.push(await withRerunReport(await runTests(serial, 1)))
}

const sum = (key: 'passed' | 'failed' | 'skipped') => runs.reduce((total, run) => total + run[key], 0)
const skipped = sum('skipped') ? `, ${sum('skipped')} skipped` : ''
console.log(`\n${sum('passed')} passed, ${sum('failed')} failed${skipped}`)
process.exit(runs.every((run) => run.ok) ? 0 : 1)

/** `apps/*\/test/**\/*.test.ts`, `packages/*\/test/**\/*.test.ts` and `test/**\/*.test.ts`, relative to the root, sorted. */
function findTestFiles(): string[] {
  const files: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(path)
      else if (entry.isFile() && entry.name.endsWith('.test.ts')) files.push(path)
    }
  }
  for (const group of ['apps', 'packages']) {
    for (const pkg of readdirSync(join(root, group))) {
      if (existsSync(join(root, group, pkg, 'test'))) walk(`${group}/${pkg}/test`)
    }
  }
  // Tests of the repository as a whole: the start script, compose file, dashboard.
  if (existsSync(join(root, 'test'))) walk('test')
  return files.sort()
}

/** One finished test file: its counts, TAP report and wall time. */
interface FileRun {
  file: string
  code: number | null
  report: string
  seconds: number
}

/**
 * Runs the files, `concurrency` at a time, each in its own `node --test`: the
 * spec output of a file is printed in one piece once it ends (two files never
 * interleave), followed by its wall time; a TAP copy gives the counts. The
 * files known to run longest start first (see `order`), so a long file does
 * not start last and hold the run alone.
 */
async function runTests(files: string[], concurrency: number): Promise<Counts> {
  const queue = order(files)
  const done: FileRun[] = []
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const run = await runFile(file)
      done.push(run)
      console.log(`${run.code === 0 ? '✔' : '✖'} ${file} (${run.seconds.toFixed(1)} s)\n`)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker))
  recordTimes(done)
  printSlowest(done)
  const count = (name: string) =>
    done.reduce(
      (total, run) => total + Number(run.report.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0),
      0,
    )
  // A cancelled test (timed out, or its file crashed) is a failure too.
  const failed = count('fail') + count('cancelled')
  // A file whose process failed without a TAP failure (a crash before any test) still fails the run.
  const crashed = done
    .filter((run) => run.code !== 0 && !/^\s*not ok /m.test(run.report))
    .map((run) => run.file)
  return {
    passed: count('pass'),
    failed: failed + crashed.length,
    skipped: count('skipped') + count('todo'),
    ok: done.every((run) => run.code === 0) && failed === 0,
    failedFiles: [...new Set([...done.flatMap((run) => failedFilesIn(run.report)), ...crashed])].sort(),
  }
}

/** Runs one file in node's test runner, with the spec reporter to a buffer and a TAP copy in a temp file. */
async function runFile(file: string): Promise<FileRun> {
  const dir = mkdtempSync(join(tmpdir(), 'authmail-test-'))
  const tap = join(dir, 'report.tap')
  const started = performance.now()
  const child = spawn(
    process.execPath,
    [
      ...[
        // Workspace packages resolve to their TypeScript sources, not a dist/ that may not be built.
        '--conditions=@authmail/source',
        '--import',
        'tsx',
        '--import',
        './scripts/test-exit-guard.ts',
        '--test',
        `--test-timeout=${FILE_TIMEOUT_MS}`,
      ],
      ...['--test-reporter=spec', '--test-reporter-destination=stdout'],
      ...['--test-reporter=tap', `--test-reporter-destination=${tap}`],
      ...nodeFlags,
      file,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? '1' : '0' },
    },
  )
  const output: Buffer[] = []
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk))
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk))
  // The runner's own timeout covers a test; this covers a file that never exits.
  const killer = setTimeout(() => {
    output.push(Buffer.from(`\n${file} still running after ${FILE_TIMEOUT_MS / 1000} s: killed\n`))
    child.kill('SIGKILL')
  }, FILE_TIMEOUT_MS + 30_000)
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  clearTimeout(killer)
  const seconds = (performance.now() - started) / 1000
  // Each file's closing counts (ℹ tests 3 …) would repeat ninety times; the run's own come at the end.
  process.stdout.write(
    Buffer.concat(output)
      .toString()
      .replace(/^\S* ?ℹ (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) .*\n/gm, ''),
  )
  // No report means the runner itself could not start; its error is in the output above.
  const report = existsSync(tap) ? readFileSync(tap, 'utf8') : ''
  rmSync(dir, { recursive: true, force: true })
  return { file, code, report, seconds }
}

function readTimes(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(timesPath, 'utf8')) as Record<string, number>
  } catch {
    return {}
  }
}

function recordTimes(done: FileRun[]): void {
  const times = readTimes()
  for (const run of done) if (run.code === 0) times[run.file] = Math.round(run.seconds * 10) / 10
  mkdirSync(dirname(timesPath), { recursive: true })
  writeFileSync(timesPath, `${JSON.stringify(times, null, 2)}\n`)
}

/**
 * Longest first, by the last recorded times; a file never timed yet counts as
 * long when it starts processes or a browser (its name says e2e or browser).
 */
function order(files: string[]): string[] {
  const times = readTimes()
  const guess = (file: string) => times[file] ?? (/e2e|browser/.test(file) ? 60 : 10)
  return [...files].sort((a, b) => guess(b) - guess(a))
}

function printSlowest(done: FileRun[]): void {
  const slowest = [...done].sort((a, b) => b.seconds - a.seconds).slice(0, 10)
  if (done.length < 2) return
  console.log('Slowest files:')
  for (const run of slowest) console.log(`  ${run.seconds.toFixed(1).padStart(6)} s  ${run.file}`)
}

/** The test files named in the `location:` of every `not ok` block of a TAP report. */
function failedFilesIn(report: string): string[] {
  const files = new Set<string>()
  let inFailure = false
  for (const line of report.split('\n')) {
    if (/^\s*not ok /.test(line)) inFailure = true
    else if (/^\s*ok /.test(line)) inFailure = false
    const location = inFailure ? /^\s*location: '(.+?\.test\.ts):\d+:\d+'/.exec(line) : null
    if (location?.[1]) files.add(relative(root, location[1]).split(sep).join('/'))
  }
  return [...files].sort()
}

/**
 * Runs the files that failed once more, alone, and says how each fared. The
 * result is the first run's: a test that passes only on a second try is a
 * fault to fix, so the run fails either way.
 */
async function withRerunReport(first: Counts): Promise<Counts> {
  if (first.ok || first.failedFiles.length === 0) return first
  console.log(`\nRunning the failed files once more, one at a time, to tell: ${first.failedFiles.join(', ')}`)
  const rerun = await runTests(first.failedFiles, 1)
  for (const file of first.failedFiles) {
    // A rerun that failed without naming a file (a crash) counts against every file in it.
    const failedAgain = rerun.failedFiles.includes(file) || (!rerun.ok && rerun.failedFiles.length === 0)
    const alone = failedAgain ? 'also failed alone' : 'passed alone'
    console.log(`FAILED: ${file} (${alone})`)
  }
  return first
}
