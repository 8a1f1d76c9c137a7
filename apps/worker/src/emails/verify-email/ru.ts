import { formatDate, formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { VerifyEmailData } from '../types.ts'

export const ru = (d: VerifyEmailData): RenderedMail =>
  renderParts({
    locale: 'ru',
    subject: 'Подтвердите адрес электронной почты',
    heading: 'Подтвердите адрес электронной почты',
    paragraphs: [`Пожалуйста, подтвердите, что ${d.email} — ваш адрес.`],
    action: { label: 'Подтвердить адрес', url: d.url },
    fallbackLabel: 'Если кнопка не работает, откройте ссылку:',
    code: { label: 'Или введите этот код там, где регистрировались:', value: d.code },
    notes: [
      `Ссылка и код действуют ${formatDuration(d.ttlSeconds, 'ru')} — до ${formatDate(d.expiresAt, 'ru')}.`,
      `Неподтверждённые аккаунты удаляются через ${formatDuration(d.accountTtlSeconds, 'ru')}.`,
      'Если вы не регистрировались, просто проигнорируйте это письмо.',
    ],
  })
