import { z } from 'zod'
import { passwordProblem } from './passwords.ts'

/** A new password: 8–128 characters and not one of the most common (see passwords/SOURCE.md). */
export const PasswordSchema = z.string({ error: 'Enter a password' }).superRefine((password, ctx) => {
  const problem = passwordProblem(password)
  if (problem) ctx.addIssue({ code: 'custom', message: problem })
})
