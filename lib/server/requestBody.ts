// Reading a request body at the HTTP edge so that no answer ever breaks the client's keep-alive connection. Bytes of
// a body left unread when the answer goes out are either parsed as the next request or, when the socket closes with
// them still queued, turn the close into a TCP reset that also kills the requests the client has already queued on
// that connection. So a body is always read to its end before an answer: kept up to one limit, read and thrown away
// up to a second, larger one; only past that (or when the client says in advance it will send more) does the edge
// give up on the connection, and then it says so with `Connection: close`.
import type { IncomingMessage } from 'node:http';

/** How long a connection closed with its body unread keeps reading (and dropping) what the client still sends. */
export const lingerMillis = 2000;

export type BodyRead =
  | { readonly kind: 'complete'; readonly body: Buffer }
  /** `consumed`: the whole body was read (and discarded), so the connection can serve the next request. */
  | { readonly kind: 'tooLarge'; readonly consumed: boolean }
  /** The client went away (or its stream failed) before the body's end: there is no one left to answer. */
  | { readonly kind: 'gone' };

/** The size the client announced, when it announced one. */
function declaredLength(request: IncomingMessage): number | undefined {
  const header = request.headers['content-length'];
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
}

/**
 * Reads the rest of the body, keeping at most `keepBytes` and reading at most `discardBytes` in all. Never buffers
 * more than `keepBytes`: past it, chunks are counted and dropped.
 */
function consume(request: IncomingMessage, keepBytes: number, discardBytes: number): Promise<BodyRead> {
  if (request.readableEnded) return Promise.resolve({ kind: 'complete', body: Buffer.alloc(0) });
  const declared = declaredLength(request);
  // Reading gigabytes only to throw them away would be its own denial of service: say no without reading.
  if (declared !== undefined && declared > discardBytes) return Promise.resolve({ kind: 'tooLarge', consumed: false });
  // Paused here before, past the discard limit: a new listener would wait for data that never flows.
  if (request.readableFlowing === false) return Promise.resolve({ kind: 'tooLarge', consumed: false });
  return new Promise((resolve) => {
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: 'ended' | 'overDiscard' | 'gone') => {
      if (settled) return;
      settled = true;
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onGone);
      request.off('close', onGone);
      if (outcome === 'gone') resolve({ kind: 'gone' });
      else if (outcome === 'ended' && size <= keepBytes) resolve({ kind: 'complete', body: Buffer.concat(chunks, size) });
      else resolve({ kind: 'tooLarge', consumed: outcome === 'ended' });
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= keepBytes) {
        chunks.push(chunk);
      } else if (size > discardBytes) {
        request.pause();
        settle('overDiscard');
      } else {
        chunks = [];
      }
    };
    const onEnd = () => settle('ended');
    // The client went away (or the stream failed): nothing more will arrive, and the connection is gone anyway.
    const onGone = () => settle('gone');
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onGone);
    request.once('close', onGone);
  });
}

/** The body, when it is at most `limitBytes`; otherwise `tooLarge`, having discarded up to `discardBytes`. */
export function readBoundedBody(request: IncomingMessage, limitBytes: number, discardBytes: number): Promise<BodyRead> {
  return consume(request, limitBytes, Math.max(limitBytes, discardBytes));
}

/**
 * Reads and throws away what is left of the body, up to `discardBytes`; true when the body is now fully read (the
 * connection may serve another request), false when the caller must answer with `Connection: close`.
 */
export async function discardBody(request: IncomingMessage, discardBytes: number): Promise<boolean> {
  // A body the parser has finished and nobody buffered: Node ends the stream by itself when the answer goes out.
  if (request.complete && request.readableLength === 0) return true;
  const result = await consume(request, 0, discardBytes);
  return result.kind === 'complete' || (result.kind === 'tooLarge' && result.consumed);
}

/**
 * For an answer that closes the connection while the client may still be sending its body. Closing a socket with
 * unread bytes in it makes the kernel send a reset, which can destroy the answer before the client reads it, and the
 * reset lands on the client's pool. So, like Go's server and Apache ("lingering close"), once the answer is written
 * the server half-closes, reads and drops whatever still arrives until the client closes its side, for at most
 * `lingerMillis`, and only then closes.
 */
export function lingerOnClose(request: IncomingMessage): void {
  const socket = request.socket;
  // Node's HTTP server calls destroySoon() once an answer marked `Connection: close` is written; its own version
  // destroys the socket as soon as the answer is flushed, unread bytes or not.
  socket.destroySoon = () => {
    socket.end();
    request.resume();
    const timer = setTimeout(() => socket.destroy(), lingerMillis).unref();
    socket.once('end', () => socket.destroy());
    socket.once('close', () => clearTimeout(timer));
  };
}
