/**
 * The otid of content block `index` of a message: the message's UUID with its low 7 bits set to
 * the block index, so every delta of a block shares it and it changes with the block.
 */
export function blockOtid(messageId: string, index: number): string {
  const uuid = messageId.slice(messageId.indexOf("-") + 1);
  const last = parseInt(uuid.slice(-2), 16);
  const byte = ((last & 0x80) | (index & 0x7f)).toString(16).padStart(2, "0");
  return `${uuid.slice(0, -2)}${byte}`;
}
