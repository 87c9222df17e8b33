// The official openai SDK (pinned in package.json) against `recipe serve`. Run by OpenAiNodeClientTest with
// R1J_BASE_URL (a server on a checkpoint with a chat template), R1J_BARE_URL (one without), R1J_MODEL, R1J_CONTEXT.
// Prints "ok - NAME" per check and "all passed"; exits 1 on the first failure.
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const model = process.env.R1J_MODEL;
const context = Number(process.env.R1J_CONTEXT);
let calls = 0;
const countingFetch = (url, init) => {
  calls++;
  return fetch(url, init);
};
const client = new OpenAI({ baseURL: process.env.R1J_BASE_URL, apiKey: 'unused', fetch: countingFetch });
const bare = new OpenAI({ baseURL: process.env.R1J_BARE_URL, apiKey: 'unused', fetch: countingFetch });

async function check(name, body) {
  try {
    await body();
    console.log(`ok - ${name}`);
  } catch (e) {
    console.log(`not ok - ${name}: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  }
}

await check('models.retrieve and models.list', async () => {
  const m = await client.models.retrieve(model);
  assert.equal(m.id, model);
  assert.equal(m.object, 'model');
  const list = await client.models.list();
  assert.deepEqual(list.data.map((x) => x.id), [model]);
  await assert.rejects(client.models.retrieve('no-such-model'), (e) => e instanceof OpenAI.NotFoundError);
});

let greedyText;
await check('completions with top logprobs', async () => {
  const r = await client.completions.create({ model, prompt: 'abc', max_tokens: 8, temperature: 0, logprobs: 3 });
  assert.equal(r.object, 'text_completion');
  const c = r.choices[0];
  greedyText = c.text;
  assert.equal(typeof c.text, 'string');
  assert.ok(['length', 'stop'].includes(c.finish_reason));
  assert.equal(c.logprobs.tokens.length, c.logprobs.token_logprobs.length);
  assert.equal(c.logprobs.top_logprobs.length, c.logprobs.tokens.length);
  for (let k = 0; k < c.logprobs.tokens.length; k++) {
    const top = Object.entries(c.logprobs.top_logprobs[k]);
    assert.equal(top.length, 3, JSON.stringify(c.logprobs.top_logprobs[k]));
    // greedy: the chosen token is the most likely one, with the same log-prob
    const best = top.reduce((a, b) => (b[1] > a[1] ? b : a));
    assert.equal(best[0], c.logprobs.tokens[k]);
    assert.ok(Math.abs(best[1] - c.logprobs.token_logprobs[k]) < 1e-6);
  }
  assert.equal(r.usage.completion_tokens, c.logprobs.tokens.length);
});

await check('completions streaming', async () => {
  const stream = await client.completions.create({ model, prompt: 'abc', max_tokens: 8, temperature: 0, stream: true });
  let text = '';
  let finish = null;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0].text;
    if (chunk.choices[0].finish_reason) finish = chunk.choices[0].finish_reason;
  }
  assert.equal(text, greedyText);
  assert.ok(finish, 'a finish_reason arrives');
  assert.ok(chunks >= 2, `streamed in ${chunks} chunks`);
});

await check('completions with a token-id prompt', async () => {
  const r = await client.completions.create({ model, prompt: [1, 5, 6, 7], max_tokens: 4, temperature: 0 });
  assert.equal(r.usage.prompt_tokens, 4);
  const batch = await client.completions.create({ model, prompt: [[1, 5], [1, 6, 7]], max_tokens: 3, temperature: 0 });
  assert.equal(batch.choices.length, 2);
});

let chatText;
await check('chat with content parts and top_logprobs', async () => {
  const r = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hello ' }, { type: 'text', text: 'there' }] }],
    max_tokens: 8,
    temperature: 0,
    logprobs: true,
    top_logprobs: 2,
  });
  const c = r.choices[0];
  assert.equal(c.message.role, 'assistant');
  chatText = c.message.content;
  assert.equal(typeof chatText, 'string');
  assert.ok(c.logprobs.content.length > 0);
  for (const t of c.logprobs.content) {
    assert.equal(t.top_logprobs.length, 2);
    assert.equal(t.top_logprobs[0].token, t.token, 'greedy takes the top alternative');
    assert.ok(t.top_logprobs[0].logprob >= t.top_logprobs[1].logprob);
  }
});

await check('chat streaming', async () => {
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'hello there' }],
    max_tokens: 8,
    temperature: 0,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let role = null;
  let finish = null;
  let usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    if (chunk.choices.length === 0) continue;
    const d = chunk.choices[0].delta;
    if (d.role) role = d.role;
    if (d.content) text += d.content;
    if (chunk.choices[0].finish_reason) finish = chunk.choices[0].finish_reason;
  }
  assert.equal(role, 'assistant');
  assert.equal(text, chatText);
  assert.ok(finish);
  assert.ok(usage && usage.completion_tokens > 0);
});

await check('chat without a chat template is a 400 the SDK does not retry', async () => {
  const before = calls;
  await assert.rejects(
    bare.chat.completions.create({ model: 'bare', messages: [{ role: 'user', content: 'hi' }] }),
    (e) => {
      assert.ok(e instanceof OpenAI.BadRequestError, String(e));
      assert.equal(e.status, 400);
      assert.equal(e.code, 'chat_template_missing');
      assert.match(e.message, /no chat template/);
      return true;
    },
  );
  assert.equal(calls - before, 1, 'exactly one HTTP call: no retries');
});

await check('prompt + max_tokens over the context length is a 400 naming the limit', async () => {
  const before = calls;
  await assert.rejects(client.completions.create({ model, prompt: 'abc', max_tokens: 1000000000 }), (e) => {
    assert.ok(e instanceof OpenAI.BadRequestError, String(e));
    assert.equal(e.code, 'context_length_exceeded');
    assert.ok(e.message.includes(`maximum context length is ${context} tokens`), e.message);
    return true;
  });
  await assert.rejects(client.completions.create({ model, prompt: 'a'.repeat(100000) }), (e) => {
    assert.ok(e instanceof OpenAI.BadRequestError, String(e));
    assert.equal(e.code, 'context_length_exceeded');
    return true;
  });
  assert.equal(calls - before, 2, 'no retries');
});

console.log('all passed');
