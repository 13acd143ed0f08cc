import { z } from 'zod';

/** Bodies of the control frames; DATA frames carry raw bytes and no schema. */
export const RequestBody = z.strictObject({
  method: z.string().min(1).max(64),
  params: z.unknown(),
});
export const ResponseBody = z.strictObject({ result: z.unknown() });
export const ErrorBody = z.strictObject({
  code: z.string().min(1).max(64),
  message: z.string().max(4096),
});
export const CreditBody = z.strictObject({ bytes: z.int().min(1).max(0x7fffffff) });
export const EventBody = z.strictObject({
  name: z.string().min(1).max(64),
  data: z.unknown(),
});

export type RequestBody = z.output<typeof RequestBody>;
export type ErrorBody = z.output<typeof ErrorBody>;
export type EventBody = z.output<typeof EventBody>;

/** Sub-channels of one call. */
export const Channel = { IN: 0, OUT: 1, ERR: 2 } as const;
