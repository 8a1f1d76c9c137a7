import { existsSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { LOCALES, type Locale, type MailJob } from '@authmail/contracts'
import ejs from 'ejs'
import { formatDate, formatDuration } from './format.ts'
import { SAMPLES } from './samples.ts'
import type { MailData } from './types.ts'

export type MailKind = MailJob['type']

/** One rendered mail: what every template renders and the mailer sends. */
export interface RenderedMail {
  subject: string
  html: string
  text: string
}

export const MAIL_KINDS = Object.keys(SAMPLES) as MailKind[]

const BUILT_IN = import.meta.dirname
const PARTS = ['subject.txt', 'html.ejs', 'text.ejs'] as const
type Part = (typeof PARTS)[number]

/** A template that does not compile or render: the start stops with this one message. */
export class TemplateError extends Error {
  override name = 'TemplateError'
}

/** `verify_email` lives in `verify-email/`: file names are kebab-case. */
const folder = (kind: MailKind) => kind.replaceAll('_', '-')

/** Plain text parts are not HTML: nothing to escape. */
const asText = (value: unknown) => String(value)

/** What a template sees: the data, with dates and durations already in words of its language. */
function locals(data: MailData, locale: Locale): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data, code: 'code' in data ? data.code : null }
  if ('ttlSeconds' in data) out.ttl = formatDuration(data.ttlSeconds, locale)
  if ('expiresAt' in data) out.expires = formatDate(data.expiresAt, locale)
  if ('accountTtlSeconds' in data) out.accountTtl = formatDuration(data.accountTtlSeconds, locale)
  if ('deleteAt' in data) out.deleteAt = formatDate(data.deleteAt, locale)
  if ('resetTtlSeconds' in data) out.resetTtl = formatDuration(data.resetTtlSeconds, locale)
  return out
}

type Compiled = Record<Part, { file: string; render: (locals: Record<string, unknown>) => string }>

/**
 * Every template compiled once, at start: the built-in ones, each replaced by
 * the same path under `overrideDir` when that file exists. Each is rendered
 * once with sample data here, so a broken template or one naming a variable
 * the data lacks stops the start, naming its file, instead of failing a mail.
 */
export function loadTemplates(overrideDir?: string) {
  const table = new Map<string, Compiled>()
  for (const kind of MAIL_KINDS) {
    for (const locale of LOCALES) {
      const compiled = {} as Compiled
      for (const part of PARTS) {
        const path = join(folder(kind), locale, part)
        const override = overrideDir ? join(overrideDir, path) : undefined
        const file = override && existsSync(override) ? override : join(BUILT_IN, path)
        compiled[part] = { file, render: compile(file, part) }
      }
      for (const sample of SAMPLES[kind]) check(compiled, sample, locale)
      table.set(`${kind}/${locale}`, compiled)
    }
  }

  return {
    /** Pure and fast: the compiled functions of one kind and language applied to `data`. */
    render(kind: MailKind, locale: Locale, data: MailData): RenderedMail {
      const compiled = table.get(`${kind}/${locale}`) ?? table.get(`${kind}/en`)
      if (!compiled) throw new TemplateError(`no template for ${kind}`)
      const values = locals(data, locale)
      return {
        // A subject is one line, whatever the file's line breaks.
        subject: compiled['subject.txt'].render(values).replace(/\s+/g, ' ').trim(),
        html: compiled['html.ejs'].render(values),
        text: compiled['text.ejs'].render(values),
      }
    },
  }
}

export type Templates = ReturnType<typeof loadTemplates>

function compile(file: string, part: Part) {
  try {
    const source = readFileSync(file, 'utf8')
    return ejs.compile(source, {
      filename: file,
      ...(part === 'html.ejs' ? {} : { escape: asText }),
    }) as (locals: Record<string, unknown>) => string
  } catch (error) {
    throw new TemplateError(`mail template ${shown(file)} does not compile: ${firstLine(error)}`)
  }
}

function check(compiled: Compiled, sample: MailData, locale: Locale) {
  const values = locals(sample, locale)
  for (const part of PARTS) {
    const { file, render } = compiled[part]
    try {
      render(values)
    } catch (error) {
      throw new TemplateError(`mail template ${shown(file)} does not render: ${firstLine(error)}`)
    }
  }
}

const shown = (file: string) => (file.startsWith(BUILT_IN) ? `built-in ${relative(BUILT_IN, file)}` : file)

/** ejs puts the template excerpt before the cause; the cause is on the last line. */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  const lines = message.trim().split('\n')
  return lines[lines.length - 1] ?? message
}

let builtIn: Templates | undefined
/** The built-in templates alone, compiled on first use. */
export function builtInTemplates(): Templates {
  builtIn ??= loadTemplates()
  return builtIn
}
