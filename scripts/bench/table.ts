/** One row per figure: what was measured, beside its floor, the ratio and the target. */
export interface Row {
  figure: string
  what: string
  value: number
  unit: string
  floor: { value: number; what: string } | null
  /** value / floor, when the target is a ratio. */
  ratio: number | null
  target: { op: '>=' | '<='; value: number; of: 'value' | 'ratio' } | null
  pass: boolean | null
}

type Target = Row['target']

export function row(
  figure: string,
  what: string,
  value: number,
  unit: string,
  floor: Row['floor'],
  target: Target,
): Row {
  const ratio = floor && floor.value > 0 ? value / floor.value : null
  const measured = target?.of === 'ratio' ? ratio : value
  const pass =
    !target || measured === null || Number.isNaN(measured)
      ? null
      : target.op === '>='
        ? measured >= target.value
        : measured <= target.value
  return { figure, what, value, unit, floor, ratio, target, pass }
}

const number = (value: number, unit: string) => {
  if (Number.isNaN(value)) return '—'
  const digits = unit === 'ms' && value < 100 ? (value < 10 ? 2 : 1) : 0
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${unit}`
}

function targetText(row: Row): string {
  const { target } = row
  if (!target) return '—'
  const op = target.op === '>=' ? '≥' : '≤'
  return target.of === 'ratio'
    ? `${op} ${target.value.toFixed(2)}×`
    : `${op} ${number(target.value, row.unit)}`
}

export function formatTable(rows: Row[]): string {
  const cells = rows.map((r) => [
    r.figure,
    r.what,
    number(r.value, r.unit),
    r.floor ? `${number(r.floor.value, r.unit)} ${r.floor.what}` : '—',
    r.ratio === null ? '—' : r.ratio.toFixed(2),
    targetText(r),
    r.pass === null ? '—' : r.pass ? 'pass' : 'FAIL',
  ])
  const header = ['', 'figure', 'measured', 'floor (same run)', 'ratio', 'target', 'result']
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)))
  const line = (c: string[]) =>
    `| ${c.map((text, i) => (i >= 2 && i !== 3 ? text.padStart(widths[i] ?? 0) : text.padEnd(widths[i] ?? 0))).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n')
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return sorted[Math.max(0, index)] as number
}
