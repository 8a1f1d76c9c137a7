import { commonRu } from '../common.ts'
import { formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { PasswordChangedData } from '../types.ts'

export const ru = (d: PasswordChangedData): RenderedMail =>
  renderParts({
    locale: 'ru',
    ...commonRu(d.app),
    subject: `Пароль в ${d.app.name} изменён`,
    preview: 'Если это были вы, ничего делать не нужно.',
    heading: 'Пароль изменён',
    paragraphs: [
      `Пароль аккаунта ${d.email} в ${d.app.name} только что задан или изменён. Ранее отправленные ссылки и сеансы на других устройствах больше не действуют.`,
      'Если это были вы, ничего делать не нужно. Если нет — сбросьте пароль прямо сейчас.',
    ],
    action: {
      label: 'Сбросить пароль',
      url: d.recoverUrl,
      intro: 'Чтобы сбросить пароль, откройте страницу:',
    },
    notes: [
      `На этой странице можно запросить новую ссылку для сброса — она действует ${formatDuration(d.resetTtlSeconds, 'ru')}.`,
    ],
    reason: `Вы получили это письмо, потому что пароль аккаунта ${d.email} в ${d.app.name} был изменён.`,
  })
