import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, request } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, readJsonlFile, runCli, scoreArgs, tempDir } from '../helpers/cli.js';
import { good, providerEnv } from '../helpers/judge-scripts.js';
import { type FakeServer, startFakeProvider } from '../support/fake-provider.js';

const FIXTURE = join(ROOT, 'fixtures', 'responses.jsonl');
const KEY = 'sk-test-CLIKEY-abcdefghijklmnop';
const servers: FakeServer[] = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});

describe('plumb score against fake provider servers, from the CLI', () => {
  it.each([
    ['openai:gpt-4.1-mini', 'openai'],
    ['anthropic:claude-sonnet-4-6', 'anthropic'],
  ] as const)('%s scores the fixtures end to end; a rerun sends zero requests', async (spec, protocol) => {
    const server = await startFakeProvider(protocol, good);
    servers.push(server);
    const env = providerEnv(protocol, server.url, KEY);
    const dir = tempDir();
    const args = [
      'score',
      '--rubric',
      'eii',
      '--input',
      FIXTURE,
      '--judge',
      spec,
      '--cache-dir',
      join(dir, 'cache'),
      '--concurrency',
      '16',
    ];
    const first = await runCli([...args, '--out', join(dir, 'a.jsonl'), '--summary', join(dir, 'a.json')], {
      env,
    });
    // nothing but progress lines (printed every 5 s when a run is slow, as on a loaded machine)
    expect(first.stderr.split('\n').filter((l) => l && !/^score \S+: \d+\/\d+ /.test(l))).toEqual([]);
    expect(first.code).toBe(0);
    expect(server.requests).toHaveLength(120);
    const second = await runCli([...args, '--out', join(dir, 'b.jsonl')], { env });
    expect(second.code).toBe(0);
    expect(server.requests).toHaveLength(120); // all from the cache
    const a = readJsonlFile(readFileSync(join(dir, 'a.jsonl'), 'utf8'));
    const b = readJsonlFile(readFileSync(join(dir, 'b.jsonl'), 'utf8'));
    expect(a).toHaveLength(120);
    expect(b.map((l) => l.scores)).toEqual(a.map((l) => l.scores));
    expect(a[0]!.judge).toMatchObject({ provider: protocol, model: spec.split(':')[1] });
    expect(second.stdout).toMatch(/0 requests/);
    for (const f of ['a.jsonl', 'b.jsonl', 'a.json'])
      expect(readFileSync(join(dir, f), 'utf8')).not.toContain(KEY);
    for (const sub of readdirSync(join(dir, 'cache'))) {
      for (const f of readdirSync(join(dir, 'cache', sub)))
        expect(readFileSync(join(dir, 'cache', sub, f), 'utf8')).not.toContain(KEY);
    }
  });

  it('a missing key is a clear error before any work (exit 2)', async () => {
    const dir = tempDir();
    const r = await runCli([
      'score',
      '--rubric',
      'aai',
      '--input',
      FIXTURE,
      '--judge',
      'openai:gpt-4.1-mini',
      '--out',
      join(dir, 'o.jsonl'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs OPENAI_API_KEY/);
    expect(existsSync(join(dir, 'o.jsonl.partial'))).toBe(false);
    const c = await runCli([
      'score',
      '--rubric',
      'aai',
      '--input',
      FIXTURE,
      '--judge',
      'openai-compatible:qwen',
    ]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/needs --base-url/);
  });

  it('--dry-run estimates requests, tokens and cost and sends nothing', async () => {
    const server = await startFakeProvider('openai', good);
    servers.push(server);
    const r = await runCli(
      [
        'score',
        '--rubric',
        'aai',
        '--input',
        FIXTURE,
        '--judges',
        'openai:gpt-4.1-mini,lexicon',
        '--samples',
        '2',
        '--dry-run',
        '--json',
      ],
      { env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.url } },
    );
    expect(r.code).toBe(0);
    const est = JSON.parse(r.stdout);
    expect(est.items).toBe(120);
    const j = est.judges[0];
    expect(j.requests).toBe(240);
    expect(j.input_tokens).toBeGreaterThan(240 * 300);
    // $0.4/M input and $1.6/M output for gpt-4.1-mini
    expect(j.cost_usd).toBeCloseTo((j.input_tokens * 0.4 + j.output_tokens * 1.6) / 1e6, 10);
    // OpenAI's Batch API bills input and output at half price; the lexicon has no batch API
    expect(j.batch_cost_usd).toBeCloseTo((j.input_tokens * 0.2 + j.output_tokens * 0.8) / 1e6, 10);
    expect(est.judges[1].batch_cost_usd).toBeNull();
    expect(server.requests).toHaveLength(0);
  });

  it('--max-cost stops with a message, exit 1, and keeps the partial output', async () => {
    const server = await startFakeProvider('openai', good);
    servers.push(server);
    const dir = tempDir();
    const out = join(dir, 'o.jsonl');
    const r = await runCli(
      [
        'score',
        '--rubric',
        'aai',
        '--input',
        FIXTURE,
        '--judge',
        'openai:gpt-4.1-mini',
        '--max-cost',
        '0.003',
        '--out',
        out,
        '--no-cache',
      ],
      {
        env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.url },
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--max-cost budget of \$0.003 would have been exceeded/);
    expect(existsSync(out)).toBe(false);
    expect(readJsonlFile(readFileSync(`${out}.partial`, 'utf8')).length).toBeGreaterThan(0);
  });
});

describe('TLS and proxies', () => {
  /** A forward proxy on 127.0.0.1 that tunnels CONNECT requests and records their targets. */
  async function startConnectProxy() {
    const targets: string[] = [];
    const proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      targets.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const { port } = proxy.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      targets,
      close: () => new Promise<void>((r) => proxy.close(() => r())),
    };
  }

  it.each(['openai', 'anthropic'] as const)(
    '%s: every request goes through the proxy the environment names, unless NO_PROXY excludes the host',
    async (protocol) => {
      const server = await startFakeProvider(protocol, good);
      servers.push(server);
      const proxy = await startConnectProxy();
      try {
        const dir = tempDir();
        const input = join(dir, 'in.jsonl');
        writeFileSync(input, readFileSync(FIXTURE, 'utf8').split('\n').slice(0, 3).join('\n'));
        const spec = protocol === 'openai' ? 'openai:gpt-4.1-mini' : 'anthropic:claude-sonnet-4-6';
        const run = (out: string, proxyEnv: Record<string, string>) =>
          runCli(scoreArgs(input, join(dir, out), '--judge', spec, '--no-cache'), {
            env: { ...providerEnv(protocol, server.url, KEY), ...proxyEnv },
          });
        const via = await run('a.jsonl', { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: '' });
        expect(via.code).toBe(0);
        expect(server.requests).toHaveLength(3);
        const host = new URL(server.url).host;
        expect(proxy.targets.length).toBeGreaterThan(0);
        expect(new Set(proxy.targets)).toEqual(new Set([host]));
        const seen = proxy.targets.length;
        const bypass = await run('b.jsonl', { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
        expect(bypass.code).toBe(0);
        expect(server.requests).toHaveLength(6);
        expect(proxy.targets).toHaveLength(seen); // NO_PROXY: straight to the server
      } finally {
        await proxy.close();
      }
    },
  );

  it('TLS: a provider behind https is reached through the same path, trusting NODE_EXTRA_CA_CERTS; an unknown certificate is refused', async () => {
    const server = await startFakeProvider('openai', good);
    servers.push(server);
    const upstream = new URL(server.url);
    const tlsDir = join(ROOT, 'test', 'tls');
    // TLS in front of the fake server, forwarding every request to it
    const front = createHttpsServer(
      { key: readFileSync(join(tlsDir, 'localhost.key')), cert: readFileSync(join(tlsDir, 'localhost.crt')) },
      (req, res) => {
        const fwd = request(
          {
            host: upstream.hostname,
            port: upstream.port,
            path: req.url,
            method: req.method,
            headers: req.headers,
          },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        req.pipe(fwd);
      },
    );
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    try {
      const base = `https://127.0.0.1:${(front.address() as AddressInfo).port}/v1`;
      const dir = tempDir();
      const input = join(dir, 'in.jsonl');
      writeFileSync(input, readFileSync(FIXTURE, 'utf8').split('\n').slice(0, 3).join('\n'));
      const run = (out: string, extra: Record<string, string>) =>
        runCli(
          scoreArgs(
            input,
            join(dir, out),
            '--judge',
            'openai:gpt-4.1-mini',
            '--no-cache',
            '--max-retries',
            '0',
          ),
          // NODE_EXTRA_CA_CERTS is read when a process starts: each run a process of its own
          { env: { ...providerEnv('openai', base, KEY), ...extra }, spawn: true },
        );
      const trusted = await run('a.jsonl', { NODE_EXTRA_CA_CERTS: join(tlsDir, 'localhost.crt') });
      expect(trusted.code, trusted.stderr).toBe(0);
      expect(server.requests).toHaveLength(3);
      expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
      const untrusted = await run('b.jsonl', {});
      expect(untrusted.code).not.toBe(0);
      expect(server.requests).toHaveLength(3); // nothing got through
      expect(untrusted.stderr + readFileSync(join(dir, 'b.jsonl.partial'), 'utf8')).toMatch(
        /certificate|self.signed/i,
      );
    } finally {
      await new Promise<void>((r) => front.close(() => r()));
    }
  });
});
