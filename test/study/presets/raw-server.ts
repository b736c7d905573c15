import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback OpenAI-style server that keeps every request body as the bytes that arrived (the
 * fake provider of test/support parses them), for checking plumb's requests byte for byte
 * against the R code's recorded bodies. Each request is answered with the next reply the script
 * gives (a chat completion with that content, or `null` content).
 */
export interface RawRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export async function startRawServer(reply: (body: Record<string, unknown>, n: number) => string | null) {
  const requests: RawRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    requests.push({ path: req.url ?? '', headers: req.headers, body });
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const content = reply(parsed, requests.length);
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: `chatcmpl-raw-${requests.length}`,
        object: 'chat.completion',
        created: 1_700_000_000,
        model: parsed.model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content, refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
