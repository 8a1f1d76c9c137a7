import type { Templates, UnverifiedReminderData } from '../types.ts'
import { en } from './en.ts'
import { ru } from './ru.ts'

export const unverifiedReminder: Templates<UnverifiedReminderData> = { en, ru }
