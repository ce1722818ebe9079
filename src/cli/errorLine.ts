/** One line for stderr: the error's message, newlines flattened. */
export function errorLine(command: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `invokeai-rx ${command}: ${message.replace(/\s*\n\s*/g, ' ')}\n`;
}
