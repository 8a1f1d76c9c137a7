import { type RenderedMail, renderParts } from '../layout.ts'
import type { NoAccountData } from '../types.ts'

export const ru = (d: NoAccountData): RenderedMail =>
  renderParts({
    locale: 'ru',
    subject: 'Запрос на сброс пароля',
    heading: 'Для этого адреса нет аккаунта',
    paragraphs: [
      `Кто-то запросил сброс пароля для ${d.email}, но аккаунта с этим адресом нет.`,
      'Если это были вы, возможно, вы регистрировались с другим адресом.',
    ],
    notes: ['Если это были не вы, просто проигнорируйте это письмо.'],
  })
