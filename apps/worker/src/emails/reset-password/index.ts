import type { ResetPasswordData, Templates } from '../types.ts'
import { en } from './en.ts'
import { ru } from './ru.ts'

export const resetPassword: Templates<ResetPasswordData> = { en, ru }
