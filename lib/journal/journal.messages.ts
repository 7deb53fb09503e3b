/**
 * Every text the journal layer logs, in one place. Each says what happened to the entries:
 * none is lost, the ones the journal socket cannot take go to stderr with their priority.
 */
export const journalMessages = {
  socketUnusable: (path: string, errno: string) =>
    `journal socket ${path} unusable (${errno}): entries go to stderr with their priority but ` +
    'without their fields until it takes them again',
  entryTooBig: (bytes: number) =>
    `a journal entry of ${bytes} bytes is more than one datagram to the journal socket can ` +
    'carry (EMSGSIZE): written to stderr with its priority, without its fields',
  congested: (queuedBytes: number) =>
    `the journal socket is congested (EAGAIN) with ${queuedBytes} bytes of entries waiting: ` +
    'further entries go to stderr with their priority, without their fields',
  stalled: (entries: number, ms: number) =>
    `the journal socket took nothing for ${ms} ms: ${entries} waiting entries written to ` +
    'stderr with their priority, without their fields',
} as const;
