/**
 * A piece of SQL with its values kept apart, so one statement can be built
 * from pieces that live in their tables' repositories (a data-modifying CTE
 * that writes several tables at once) without anyone counting `$n` by hand.
 * Values are always sent as parameters, never spliced into the text.
 */
export class Sql {
  constructor(
    readonly strings: readonly string[],
    readonly values: readonly unknown[],
  ) {}

  /** The text with `$1…$n` placeholders and the values in their order, for `query(text, values)`. */
  render(): { text: string; values: unknown[] } {
    const text = this.strings.reduce((all, part, i) => `${all}$${i}${part}`)
    return { text, values: [...this.values] }
  }
}

/** `sql\`… ${value} …\``: a value becomes a parameter; an {@link Sql} piece is inlined with its own. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  const parts = [strings[0] ?? '']
  const params: unknown[] = []
  values.forEach((value, i) => {
    const next = strings[i + 1] ?? ''
    if (value instanceof Sql) {
      parts[parts.length - 1] += value.strings[0] ?? ''
      value.values.forEach((inner, j) => {
        params.push(inner)
        parts.push(value.strings[j + 1] ?? '')
      })
      parts[parts.length - 1] += next
    } else {
      params.push(value)
      parts.push(next)
    }
  })
  return new Sql(parts, params)
}
