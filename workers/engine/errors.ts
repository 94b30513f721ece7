/**
 * Work given up because the model was reset, closed or the caller cancelled. A DOMException named 'AbortError', as
 * the platform's own aborts are: its name crosses the worker boundary and the page rebuilds it by name.
 */
export function abortError(message: string): DOMException {
  return new DOMException(message, 'AbortError');
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
