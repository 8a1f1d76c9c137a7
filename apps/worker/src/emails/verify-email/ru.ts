import { commonRu } from '../common.ts'
import { formatDate, formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { VerifyEmailData } from '../types.ts'

export const ru = (d: VerifyEmailData): RenderedMail =>
  renderParts({
    locale: 'ru',
    ...commonRu(d.app),
    subject: `Подтвердите адрес почты в ${d.app.name}`,
    preview: `Ваш код: ${d.code}. Подтвердите адрес, чтобы завершить регистрацию.`,
    heading: 'Подтвердите адрес электронной почты',
    paragraphs: [
      `Спасибо за регистрацию в ${d.app.name}. Подтвердите, пожалуйста, что ${d.email} — ваш адрес.`,
    ],
    action: { label: 'Подтвердить адрес', url: d.url, intro: 'Чтобы подтвердить адрес, откройте ссылку:' },
    code: { label: 'Или введите этот код там, где регистрировались:', value: d.code },
    notes: [
      `Ссылка и код действуют ${formatDuration(d.ttlSeconds, 'ru')} — до ${formatDate(d.expiresAt, 'ru')}.`,
      `Неподтверждённые аккаунты удаляются через ${formatDuration(d.accountTtlSeconds, 'ru')}.`,
      'Если вы не регистрировались, просто не отвечайте на это письмо.',
    ],
    reason: `Вы получили это письмо, потому что адрес ${d.email} указали при регистрации в ${d.app.name}.`,
  })
