import type { GpuAdapterLike } from '../workers/backend.js';

// What the machine offers, read by the tests themselves rather than through backend.ts, so the backend tests check
// backend.ts's rule against an independent reading.

/** The WebGPU adapter as this realm sees it, or null without one. */
export async function readAdapter(): Promise<GpuAdapterLike | null> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(options?: object): Promise<GpuAdapterLike | null> } }).gpu;
  return (await gpu?.requestAdapter({ powerPreference: 'high-performance' })) ?? null;
}

/** The WebGL2 renderer on an OffscreenCanvas (unmasked where the browser allows), or null without WebGL2. */
export function readRenderer(): string | null {
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  if (!gl) return null;
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return renderer;
}
