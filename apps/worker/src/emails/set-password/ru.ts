import { commonRu } from '../common.ts'
import { formatDate, formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { SetPasswordData } from '../types.ts'

export const ru = (d: SetPasswordData): RenderedMail =>
  renderParts({
    locale: 'ru',
    ...commonRu(d.app),
    subject: `Задайте пароль в ${d.app.name}`,
    preview: 'Задайте пароль, чтобы начать пользоваться новым аккаунтом.',
    heading: 'Завершите создание аккаунта',
    paragraphs: [
      `Для адреса ${d.email} создан аккаунт в ${d.app.name}. Чтобы начать им пользоваться, задайте пароль.`,
    ],
    action: { label: 'Задать пароль', url: d.url, intro: 'Чтобы задать пароль, откройте ссылку:' },
    notes: [
      `Ссылка действует ${formatDuration(d.ttlSeconds, 'ru')} — до ${formatDate(d.expiresAt, 'ru')}.`,
      `Пока пароль не задан, аккаунт не подтверждён и будет удалён через ${formatDuration(d.accountTtlSeconds, 'ru')}.`,
      'Если вы не создавали аккаунт, просто не отвечайте на это письмо.',
    ],
    reason: `Вы получили это письмо, потому что для адреса ${d.email} создан аккаунт в ${d.app.name}.`,
  })
