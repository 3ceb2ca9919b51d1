/** `50mb`, `512kb` (as WEBHOOK_BODY_LIMIT and WEBHOOK_INFLIGHT_BYTES are written) in bytes. */
export function parseByteSize(value: string): number {
  const match = /^(\d+)(kb|mb)$/i.exec(value.trim());
  if (!match) throw new Error(`not a size like 50mb or 512kb: ${value}`);
  return Number(match[1]) * (match[2].toLowerCase() === 'mb' ? 1024 * 1024 : 1024);
}
