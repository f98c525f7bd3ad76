import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import { LineStdioTransport } from "../../src/mcp/line_stdio_transport.ts";

const ping = (id: number): JSONRPCMessage => ({ jsonrpc: "2.0", id, method: "ping" });
/** A notification: nothing to answer, so the transport closes as soon as input ends. */
const note = (n: number): JSONRPCMessage => ({
  jsonrpc: "2.0",
  method: "notifications/progress",
  params: { progressToken: n, progress: n },
});

async function* chunks(parts: (string | Uint8Array)[]): AsyncGenerator<string | Uint8Array> {
  for (const part of parts) {
    await Promise.resolve();
    yield part;
  }
}

describe("LineStdioTransport", () => {
  it("reads messages split across chunks and bytes, and closes when input ends", async () => {
    const line = JSON.stringify(note(1)) + "\n" + JSON.stringify(note(2)) + "\r\n";
    const bytes = new TextEncoder().encode(JSON.stringify(note(3)) + "\n");
    const transport = new LineStdioTransport({
      input: chunks([
        line.slice(0, 10),
        line.slice(10, 50),
        line.slice(50),
        bytes.slice(0, 5),
        bytes.slice(5),
      ]),
      output: { write: () => {} },
    });
    const received: JSONRPCMessage[] = [];
    let closed = 0;
    transport.onmessage = (message) => void received.push(message);
    transport.onclose = () => void closed++;
    await transport.start();
    await transport.closed;
    assert.deepEqual(received, [note(1), note(2), note(3)]);
    assert.equal(closed, 1);
    await transport.close();
    assert.equal(closed, 1, "close() after the end does not report twice");
  });

  it("reports a malformed line and keeps reading", async () => {
    const errors: Error[] = [];
    const received: JSONRPCMessage[] = [];
    const transport = new LineStdioTransport({
      input: chunks(["not json\n", '{"jsonrpc":"2.0"}\n', JSON.stringify(note(7)) + "\n"]),
      output: { write: () => {} },
    });
    transport.onerror = (error) => void errors.push(error);
    transport.onmessage = (message) => void received.push(message);
    await transport.start();
    await transport.closed;
    assert.equal(errors.length, 2);
    assert.deepEqual(received, [note(7)]);
  });

  it("writes one line per message, in order, even when writes are slow", async () => {
    const out: string[] = [];
    const transport = new LineStdioTransport({
      input: chunks([]),
      output: {
        write: async (text) => {
          await new Promise((resolve) => setTimeout(resolve, text.includes('"id":1') ? 20 : 0));
          out.push(text);
        },
      },
    });
    await Promise.all([transport.send(ping(1)), transport.send(ping(2))]);
    assert.deepEqual(out, [JSON.stringify(ping(1)) + "\n", JSON.stringify(ping(2)) + "\n"]);
  });
});

describe("LineStdioTransport at the end of input", () => {
  it("answers the requests already read before closing", async () => {
    const transport = new LineStdioTransport({
      input: chunks([JSON.stringify(ping(1)) + "\n"]),
      output: { write: () => {} },
    });
    let closed = false;
    transport.onclose = () => void (closed = true);
    transport.onmessage = (message) => {
      setTimeout(() => {
        assert.equal(closed, false, "closed before the answer");
        void transport.send({ jsonrpc: "2.0", id: (message as { id: number }).id, result: {} });
      }, 20);
    };
    await transport.start();
    await transport.closed;
    assert.equal(closed, true);
  });
});
