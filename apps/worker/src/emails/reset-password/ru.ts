import { commonRu } from '../common.ts'
import { formatDate, formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { ResetPasswordData } from '../types.ts'

export const ru = (d: ResetPasswordData): RenderedMail =>
  renderParts({
    locale: 'ru',
    ...commonRu(d.app),
    subject: `Сброс пароля в ${d.app.name}`,
    preview: 'Задайте новый пароль по ссылке из письма.',
    heading: 'Сброс пароля',
    paragraphs: [
      `Кто-то запросил сброс пароля аккаунта ${d.email} в ${d.app.name}. Если это были вы, задайте новый пароль.`,
    ],
    action: {
      label: 'Задать новый пароль',
      url: d.url,
      intro: 'Чтобы задать новый пароль, откройте ссылку:',
    },
    notes: [
      `Ссылка действует ${formatDuration(d.ttlSeconds, 'ru')} — до ${formatDate(d.expiresAt, 'ru')}.`,
      'Если вы ничего не запрашивали, просто не отвечайте на это письмо: пароль останется прежним.',
    ],
    reason: `Вы получили это письмо, потому что для адреса ${d.email} запросили сброс пароля в ${d.app.name}.`,
  })
