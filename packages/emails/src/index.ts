/**
 * The mails' templates and their rendering, without SMTP: the worker sends
 * what they render, the api's admin preview shows it.
 */
export { formatDate, formatDuration } from './format.ts'
export { SAMPLES } from './samples.ts'
export {
  builtInTemplates,
  loadTemplates,
  MAIL_KINDS,
  type MailKind,
  type RenderedMail,
  TemplateError,
  type Templates,
} from './templates.ts'
export type * from './types.ts'
