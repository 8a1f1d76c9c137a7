import { formatDate, formatDuration } from '../format.ts'
import { type RenderedMail, renderParts } from '../layout.ts'
import type { ResetPasswordData } from '../types.ts'

export const ru = (d: ResetPasswordData): RenderedMail =>
  renderParts({
    locale: 'ru',
    subject: 'Сброс пароля',
    heading: 'Сброс пароля',
    paragraphs: [
      `Кто-то запросил сброс пароля для аккаунта ${d.email}. Если это были вы, задайте новый пароль.`,
    ],
    action: { label: 'Задать новый пароль', url: d.url },
    fallbackLabel: 'Если кнопка не работает, откройте ссылку:',
    notes: [
      `Ссылка действует ${formatDuration(d.ttlSeconds, 'ru')} — до ${formatDate(d.expiresAt, 'ru')}.`,
      'Если вы этого не запрашивали, проигнорируйте письмо: пароль останется прежним.',
    ],
  })
