import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { METRIC_NAMES, METRICS } from '@authmail/contracts'

const dashboard = JSON.parse(
  readFileSync(new URL('../docker/grafana/dashboards/authmail.json', import.meta.url), 'utf8'),
)

interface Panel {
  title?: string
  type: string
  targets?: { expr?: string }[]
  panels?: Panel[]
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset'])
const SERIES_SUFFIX = /_(bucket|sum|count)$/

/**
 * The metric names a PromQL expression reads: identifiers that are not
 * functions (followed by `(`), keywords, label names in `{…}` or `by (…)`,
 * strings or durations. Histogram series (`_bucket`…) count as their metric.
 */
function metricsIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\boffset\s+\S+/g, '')
    .replace(/\b\d[\w.]*/g, '')
  const names = [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?!\s*\(|[a-zA-Z0-9_:])/g)]
    .map((match) => match[0])
    .filter((name) => !KEYWORDS.has(name) && !/^(and|or|unless|inf|nan)$/i.test(name))
  return [...new Set(names)]
}

function exprs(panels: Panel[]): { panel: string; expr: string }[] {
  return panels.flatMap((panel) => [
    ...(panel.targets ?? []).flatMap((t) => (t.expr ? [{ panel: panel.title ?? '?', expr: t.expr }] : [])),
    ...exprs(panel.panels ?? []),
  ])
}

test('the metric extractor finds metrics and nothing else in PromQL', () => {
  assert.deepEqual(
    metricsIn(
      'histogram_quantile(0.95, sum by (le, route) (rate(authmail_http_request_duration_seconds_bucket{status=~"5.."}[$__rate_interval])))',
    ),
    ['authmail_http_request_duration_seconds_bucket'],
  )
  assert.deepEqual(metricsIn('max(authmail_outbox_pending) / on() group_left sum(made_up_total offset 5m)'), [
    'authmail_outbox_pending',
    'made_up_total',
  ])
})

test('every query of the Grafana dashboard names only metrics the apps export', () => {
  const known = new Set<string>(METRIC_NAMES)
  const queries = exprs(dashboard.panels)
  assert.ok(queries.length >= 10, `only ${queries.length} queries`)
  const used = new Set<string>()
  for (const { panel, expr } of queries) {
    const names = metricsIn(expr)
    assert.ok(names.length > 0, `"${panel}" reads no metric: ${expr}`)
    for (const name of names) {
      const metric = known.has(name) ? name : name.replace(SERIES_SUFFIX, '')
      assert.ok(known.has(metric), `"${panel}" reads ${name}, which no app exports: ${expr}`)
      used.add(metric)
    }
  }
  // The pictures issue 12 asks for: request rate and latency, outbox lag, mails sent/failed, queue and DLQ depth, SMTP latency.
  for (const name of [
    'authmail_http_request_duration_seconds',
    'authmail_outbox_oldest_seconds',
    'authmail_mails_sent_total',
    'authmail_mail_failures_total',
    'authmail_queue_messages',
    'authmail_smtp_send_duration_seconds',
  ]) {
    assert.ok(used.has(name), `no panel shows ${name}`)
  }
})

test('every panel of the dashboard reads the provisioned Prometheus data source', () => {
  const datasource = readFileSync(
    new URL('../docker/grafana/provisioning/datasources/prometheus.yml', import.meta.url),
    'utf8',
  )
  const uid = datasource.match(/^\s*uid:\s*(\S+)/m)?.[1]
  assert.ok(uid)
  const panels = (dashboard.panels as Panel[]).filter((panel) => panel.type !== 'row')
  for (const panel of panels as (Panel & { datasource?: { uid?: string } })[]) {
    assert.equal(panel.datasource?.uid, uid, `panel "${panel.title}"`)
  }
})

test('docs/operations.md documents every metric, saying which process serves it', () => {
  const docs = readFileSync(new URL('../docs/operations.md', import.meta.url), 'utf8')
  for (const [name, spec] of Object.entries(METRICS)) {
    const row = docs.split('\n').find((line) => line.startsWith(`| \`${name}\``))
    assert.ok(row, `${name} is not in the metrics table`)
    assert.match(row, new RegExp(`\\|\\s*${spec.process}\\s*\\|\\s*${spec.type}\\s*\\|`), name)
  }
})
