import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ByteChunkReader } from "../../src/core/byte_chunk_reader.ts";
import { ConnectionError, TimeoutError } from "../../src/core/errors.ts";
import { watchIdle } from "../../src/core/idle_body.ts";

/** A byte stream (like Deno's and Node's `fetch` bodies) of `count` chunks of `size` bytes. */
function byteSource(count: number, size: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      if (sent === count) {
        controller.close();
        controller.byobRequest?.respond(0);
        return;
      }
      const value = (sent++ % 250) + 1;
      const request = controller.byobRequest;
      if (request?.view) {
        const view = new Uint8Array(request.view.buffer, request.view.byteOffset, size);
        view.fill(value);
        request.respond(size);
      } else {
        controller.enqueue(new Uint8Array(size).fill(value));
      }
    },
  });
}

/** A default stream (like Bun's `fetch` bodies), with empty chunks between the others. */
function defaultSource(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) {
        controller.enqueue(new Uint8Array(0));
        controller.enqueue(chunk);
      }
      controller.close();
    },
  });
}

async function readAll(
  body: ReadableStream<Uint8Array>,
): Promise<{ bytes: number[]; reads: number }> {
  const reader = new ByteChunkReader(body);
  const bytes: number[] = [];
  let reads = 0;
  for (let chunk = await reader.read(); chunk !== null; chunk = await reader.read()) {
    bytes.push(...chunk);
    reads++;
  }
  return { bytes, reads };
}

describe("watchIdle and ByteChunkReader", () => {
  it("pass a byte stream's bytes through, in order, into the reader's buffer", async () => {
    const watched = watchIdle(new Response(byteSource(5, 1000)), 5_000, "GET x");
    const { bytes } = await readAll(watched.body!);
    assert.equal(bytes.length, 5000);
    assert.deepEqual([bytes[0], bytes[999], bytes[1000], bytes[4999]], [1, 1, 2, 5]);
  });

  it("reuse one buffer: a chunk is taken back by the next read", async () => {
    const reader = new ByteChunkReader(
      watchIdle(new Response(byteSource(3, 10)), 5_000, "x").body!,
    );
    const first = await reader.read();
    assert.ok(first !== null);
    assert.deepEqual([...first], new Array(10).fill(1));
    const second = await reader.read();
    assert.ok(second !== null);
    assert.equal(first.byteLength, 0, "the first chunk's memory went back to the stream");
    assert.equal(second.buffer.byteLength, 1 << 18);
  });

  it("pass a default stream's chunks through, skipping empty ones, and end (no hanging read)", async () => {
    const chunks = [new Uint8Array(70_000).fill(7), new Uint8Array([1, 2, 3])];
    const watched = watchIdle(new Response(defaultSource(chunks)), 5_000, "x");
    const { bytes } = await readAll(watched.body!);
    assert.equal(bytes.length, 70_003);
    assert.deepEqual(bytes.slice(-4), [7, 1, 2, 3]);
    // The same through the Response's own readers.
    const text = await watchIdle(
      new Response(defaultSource([new TextEncoder().encode("a,b\n")])),
      5_000,
      "x",
    )
      .text();
    assert.equal(text, "a,b\n");
  });

  it("read a plain default stream without a watch", async () => {
    const { bytes } = await readAll(defaultSource([new Uint8Array([4, 5])]));
    assert.deepEqual(bytes, [4, 5]);
  });

  it("fail with a TimeoutError when no byte arrives in time", async () => {
    const stalled = new ReadableStream<Uint8Array>({
      type: "bytes",
      pull: () => new Promise(() => {}),
    });
    const watched = watchIdle(new Response(stalled), 50, "http://storage/stalled.csv");
    await assert.rejects(readAll(watched.body!), (error: unknown) => {
      assert.ok(error instanceof TimeoutError);
      assert.match(error.message, /stalled\.csv/);
      return true;
    });
  });

  it("fail with a ConnectionError when the download breaks", async () => {
    let sent = false;
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) controller.error(new TypeError("connection reset"));
        else controller.enqueue(new Uint8Array([1]));
        sent = true;
      },
    });
    const watched = watchIdle(new Response(broken), 5_000, "http://storage/cut.csv");
    await assert.rejects(readAll(watched.body!), (error: unknown) => {
      assert.ok(error instanceof ConnectionError);
      assert.equal(
        error.message,
        "Download interrupted: GET http://storage/cut.csv (connection reset)",
      );
      assert.ok(error.cause instanceof TypeError);
      return true;
    });
  });

  it("cancel the source when the reader cancels", async () => {
    let cancelled: unknown;
    const source = new ReadableStream<Uint8Array>({
      type: "bytes",
      pull(controller) {
        controller.enqueue(new Uint8Array([1, 2]));
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const reader = new ByteChunkReader(watchIdle(new Response(source), 5_000, "x").body!);
    assert.ok((await reader.read()) !== null);
    await reader.cancel("enough");
    assert.equal(cancelled, "enough");
  });
});
