// Downloads a trace with progress. Errors say what failed in a sentence for the page.

export async function fetchTrace(url: string, onProgress: (done: number, total: number) => void): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`could not fetch ${url}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status} ${res.statusText}`.trim());
  const total = Number(res.headers.get('content-length') ?? 0);
  if (res.body === null) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  let buf = new Uint8Array(total > 0 ? total : 1 << 20);
  let len = 0;
  let lastReport = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (len + value.length > buf.length) {
      const next = new Uint8Array(Math.max(buf.length * 2, len + value.length));
      next.set(buf.subarray(0, len));
      buf = next;
    }
    buf.set(value, len);
    len += value.length;
    if (len - lastReport > 4 << 20) {
      lastReport = len;
      onProgress(len, total);
    }
  }
  onProgress(len, total || len);
  return len === buf.length ? buf : buf.slice(0, len);
}
