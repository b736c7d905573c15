/** Parses text as JSON, tolerating a ```json fence some servers wrap around it. */
export function parseJsonText(text: string): { value?: unknown; error?: string } {
  const unfenced = text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, '$1');
  try {
    return { value: JSON.parse(unfenced) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}
