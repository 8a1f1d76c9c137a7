/**
 * `pnpm test [file or folder …] [--node-test-flag …]`: every apps/* and
 * packages/* test on node:test through tsx. Files under a `test/faults/` folder
 * (killed brokers, stalled SMTP servers) and the bench's test run afterwards, one
 * at a time, so they do not disturb the rest; everything else runs two files at a time.
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
 * AUTHMAIL_PGLITE_TEMPLATE, instead of each file building its own.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
// A file (or test) that runs longer than this, or never exits, fails instead of holding CI.
const FILE_TIMEOUT_MS = 4 * 60 * 1000

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
  const { TEMPLATE_ENV, writePgliteTemplate } = await import('../apps/api/test/pglite-template.ts')
  const path = join(scratch, 'pglite-template.tar')
  await writePgliteTemplate(path)
  process.env[TEMPLATE_ENV] = path
}

const runs: Counts[] = []
const regular = all.filter((file) => !isSerial(file))
const serial = all.filter(isSerial)
if (regular.length) runs.push(await withRerunReport(await runTests(regular, 2)))
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

/**
 * Runs node's test runner with the spec reporter on the terminal and a TAP copy
 * in a temp file, whose closing `# pass` / `# fail` lines give the counts.
 */
async function runTests(files: string[], concurrency: number): Promise<Counts> {
  const dir = mkdtempSync(join(tmpdir(), 'authmail-test-'))
  const tap = join(dir, 'report.tap')
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
        `--test-concurrency=${concurrency}`,
        `--test-timeout=${FILE_TIMEOUT_MS}`,
      ],
      ...['--test-reporter=spec', '--test-reporter-destination=stdout'],
      ...['--test-reporter=tap', `--test-reporter-destination=${tap}`],
      ...nodeFlags,
      ...files,
    ],
    { cwd: root, stdio: 'inherit' },
  )
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  // No report means the runner itself could not start; its error is already on the terminal.
  const report = existsSync(tap) ? readFileSync(tap, 'utf8') : ''
  rmSync(dir, { recursive: true, force: true })
  const count = (name: string) => Number(report.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0)
  // A cancelled test (timed out, or its file crashed) is a failure too.
  const failed = count('fail') + count('cancelled')
  return {
    passed: count('pass'),
    failed,
    skipped: count('skipped') + count('todo'),
    ok: code === 0 && failed === 0,
    failedFiles: failedFilesIn(report),
  }
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
