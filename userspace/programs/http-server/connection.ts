// http-server's connections: each one a task of the event loop (userspace/rt/event-loop.ts)
// with one operation under way at a time: receive a request, look the file's size up, answer
// with the header and the file read in pieces through BootFiles, then the next request (in the
// order they were pipelined) or the close: a lingering one (the server's side shut down first,
// what still comes read and dropped). A header block larger than the receive buffer is answered
// 431 and the connection closed.

import { KernelError, kernelErrorName } from "../../../abi/errors";
import { BootFilesMethod, TcpSocketMethod } from "../../../abi/methods";
import { Opcode } from "../../../abi/ring";
import { bootFilesNameAndOffset } from "../../rt/boot-files";
import { EventLoop, Task } from "../../rt/event-loop";
import { ByteWriter, equalsExactly, headerEnd } from "../../rt/http";
import { userAddress } from "../../rt/ring";
import { Acceptor, peerText, taskRelease, tcpReceive, tcpSend } from "../../rt/tcp-server";
import { Method, Request, requestParse, STATUS_SERVED } from "./request";
import { statusCount, Statistics } from "./statistics";

export const REQUEST_BUFFER_SIZE: usize = 8192;
export const SEND_BUFFER_SIZE: usize = 16384;
/** A keep-alive connection idle this long (ns) is closed. */
const IDLE_LIMIT: u64 = 60_000_000_000;
/** A summary line every this many requests. */
const SUMMARY_EVERY: u64 = 100;
/** After the last answer the server shuts its side down and reads what still comes (RFC 9112
 * §9.6: closing with unread bytes would reset the connection, and the reset may destroy the
 * answer before the client reads it), for at most LINGER_LIMIT ns or LINGER_BYTES. */
const LINGER_LIMIT: u64 = 2_000_000_000;
const LINGER_BYTES: u64 = 1 << 20;
/** Failed connections reported one by one. */
const REPORTED_FAILURES: u64 = 20;

enum Step { Receiving, Sizing, Reading, Sending, ShuttingDown, Lingering, Closing }

/** What the connections share: the BootFiles handle, INDEX_NAME's bytes, the counts, and the
 * pool a connection goes back to when it ends. */
export class Shared {
  readonly idle: Connection[] = [];
  acceptor: Acceptor | null = null;
  readonly statistics: Statistics = new Statistics();

  constructor(readonly files: u64, readonly indexBytes: ArrayBuffer) {}

  get index(): usize { return changetype<usize>(this.indexBytes); }

  /** `connection` is closed: back to the pool, and the acceptor may take another. */
  ended(loop: EventLoop, connection: Connection): void {
    loop.remove(connection);
    this.idle.push(connection);
    this.statistics.open--;
    this.acceptor!.resume(loop);
  }
}

export class Connection extends Task {
  socket: u64 = 0;
  peer: u64 = 0;
  step: Step = Step.Closing;
  /** Received bytes [start, filled) of the request buffer are not handled yet. */
  start: usize = 0;
  filled: usize = 0;
  idle: u64 = 0;
  waited: u64 = 0;
  /** Bytes read and dropped after the shutdown. */
  lingered: u64 = 0;
  readonly request: Request = new Request();
  /** The request being answered ends at `requestEnd`; after it, close when not keepAlive. */
  requestEnd: usize = 0;
  /** The file being sent: its size and how much of it is sent; the send buffer's bytes. */
  size: u64 = 0;
  offset: u64 = 0;
  pending: usize = 0;
  sent: usize = 0;
  private readonly writer: ByteWriter = new ByteWriter(0, 0);

  constructor(readonly shared: Shared, readonly requestBuffer: usize, readonly sendBuffer: usize) { super(); }

  begin(loop: EventLoop, socket: u64, peer: u64): void {
    this.socket = socket;
    this.peer = peer;
    this.start = 0;
    this.filled = 0;
    this.idle = 0;
    this.next(loop);
  }

  /** Answers the next complete request received, or receives more. */
  next(loop: EventLoop): void {
    const buffer = this.requestBuffer;
    while (this.start < this.filled && (load<u8>(buffer + this.start) == 0x0d || load<u8>(buffer + this.start) == 0x0a)) this.start++;
    const end = headerEnd(buffer, this.start, this.filled);
    if (end >= 0) {
      this.answer(loop, <usize>end);
      return;
    }
    if (this.start == 0 && this.filled == REQUEST_BUFFER_SIZE) {   // no end in a full buffer
      this.request.keepAlive = false;
      this.request.method = Method.Other;
      this.requestEnd = this.filled;
      this.error(loop, 431, "Request Header Fields Too Large");
      return;
    }
    if (this.start > 0) {
      memory.copy(buffer, buffer + this.start, this.filled - this.start);
      this.filled -= this.start;
      this.start = 0;
    }
    this.step = Step.Receiving;
    this.waited = loop.waitTimeout();
    tcpReceive(loop, this, this.socket, buffer + this.filled, REQUEST_BUFFER_SIZE - this.filled);
  }

  private answer(loop: EventLoop, end: usize): void {
    const request = this.request;
    requestParse(this.requestBuffer, this.start, end, request, this.shared.index);
    this.requestEnd = end;
    if (request.status != STATUS_SERVED) request.keepAlive = false;   // what follows may not be a request
    if (request.status == 400) { this.error(loop, 400, "Bad Request"); return; }
    if (request.status == 405) { this.error(loop, 405, "Method Not Allowed"); return; }
    if (request.status == 505) { this.error(loop, 505, "HTTP Version Not Supported"); return; }
    this.step = Step.Sizing;
    loop.submit(this, Opcode.Call, this.shared.files, BootFilesMethod.Size, userAddress(request.nameAddress), <u64>request.nameLength);
  }

  /** The status line and the headers every answer has, into the send buffer. */
  private head(status: u32, reason: string, length: u64, type: string): ByteWriter {
    const writer = this.writer.reset(this.sendBuffer, SEND_BUFFER_SIZE);
    writer.text("HTTP/1.1 ").decimal(status).text(" ").text(reason).text("\r\nServer: capsid\r\nContent-Type: ").text(type)
      .text("\r\nContent-Length: ").decimal(length).text("\r\n");
    if (!this.request.keepAlive) writer.text("Connection: close\r\n");
    else if (this.request.minor == 0) writer.text("Connection: keep-alive\r\n");
    return writer;
  }

  /** An error answer with a short text body. */
  private error(loop: EventLoop, status: u32, reason: string): void {
    statusCount(this.shared.statistics, status);
    const writer = this.head(status, reason, <u64>(reason.length + 5), "text/plain; charset=utf-8");
    if (status == 405) writer.text("Allow: GET, HEAD\r\n");
    writer.text("\r\n");
    if (this.request.method != Method.Head) writer.decimal(status).text(" ").text(reason).text("\n");
    this.size = 0;
    this.offset = 0;
    this.startSend(loop, writer.length);
  }

  private startSend(loop: EventLoop, length: usize): void {
    this.pending = length;
    this.sent = 0;
    this.step = Step.Sending;
    tcpSend(loop, this, this.socket, this.sendBuffer, length);
  }

  /** Reads the file's next piece into the send buffer after `already` bytes of header. */
  private readPiece(loop: EventLoop, already: usize): void {
    this.pending = already;
    this.step = Step.Reading;
    const request = this.request;
    loop.submit(this, Opcode.Call, this.shared.files, BootFilesMethod.Read, userAddress(request.nameAddress),
      bootFilesNameAndOffset(<u32>request.nameLength, this.offset), userAddress(this.sendBuffer + already), <u64>(SEND_BUFFER_SIZE - already));
  }

  /** Counts a failed connection; the first REPORTED_FAILURES are reported. */
  private failed(loop: EventLoop, what: string, result: i64): void {
    const statistics = this.shared.statistics;
    statistics.failures++;
    if (statistics.failures <= REPORTED_FAILURES) {
      loop.print("http-server: " + what + " on a connection from " + peerText(this.peer) + " failed: " + kernelErrorName(<KernelError>(-result)));
    }
  }

  private close(loop: EventLoop): void {
    this.step = Step.Closing;
    taskRelease(loop, this, this.socket);
  }

  /** The answer is out: the next request, or the close. */
  private answered(loop: EventLoop): void {
    this.start = this.requestEnd;
    const statistics = this.shared.statistics;
    statistics.requests++;
    if (statistics.requests % SUMMARY_EVERY == 0) loop.print(statistics.summary());
    if (!this.request.keepAlive) this.shutDown(loop);
    else this.next(loop);
  }

  /** The lingering close: no more sending, then read until the client's end (see LINGER_LIMIT). */
  private shutDown(loop: EventLoop): void {
    this.step = Step.ShuttingDown;
    this.idle = 0;
    this.lingered = 0;
    loop.submit(this, Opcode.Call, this.socket, TcpSocketMethod.Shutdown);
  }

  private linger(loop: EventLoop): void {
    this.step = Step.Lingering;
    this.waited = loop.waitTimeout();
    tcpReceive(loop, this, this.socket, this.requestBuffer, REQUEST_BUFFER_SIZE);
  }

  complete(loop: EventLoop, result: i64, value: u64): void {
    switch (this.step) {
      case Step.Closing: {
        this.shared.ended(loop, this);
        return;
      }
      case Step.ShuttingDown: {
        if (result < 0) this.close(loop);
        else this.linger(loop);
        return;
      }
      case Step.Lingering: {
        if (result == -(<i64>KernelError.TimedOut)) this.idle += this.waited;
        else if (result > 0) this.lingered += <u64>result;
        if (result > 0 || (result == -(<i64>KernelError.TimedOut) && this.idle < LINGER_LIMIT)) {
          if (this.lingered < LINGER_BYTES) { this.linger(loop); return; }
        }
        this.close(loop);   // the client's end, a failure, or enough waiting
        return;
      }
      case Step.Receiving: {
        if (result == -(<i64>KernelError.TimedOut)) {
          this.idle += this.waited;
          if (this.idle >= IDLE_LIMIT && this.filled == 0) this.close(loop);
          else this.next(loop);
          return;
        }
        if (result <= 0) {   // the end of the stream, or a failed connection
          if (result < 0) this.failed(loop, "receive", result);
          this.close(loop);
          return;
        }
        this.idle = 0;
        this.filled += <usize>result;
        this.next(loop);
        return;
      }
      case Step.Sizing: {
        if (result < 0) {   // NotFound, or a name too long to be a file's
          this.error(loop, 404, "Not Found");
          return;
        }
        statusCount(this.shared.statistics, 200);
        this.size = <u64>result;
        this.offset = 0;
        const writer = this.head(200, "OK", this.size, contentType(this.request.nameAddress, this.request.nameLength)).text("\r\n");
        if (this.request.method == Method.Head || this.size == 0) this.startSend(loop, writer.length);
        else this.readPiece(loop, writer.length);
        return;
      }
      case Step.Reading: {
        if (result <= 0) {   // the file cannot shrink: a failure here is the kernel's
          this.failed(loop, "file read", result);
          this.close(loop);
          return;
        }
        this.offset += <u64>result;
        this.startSend(loop, this.pending + <usize>result);
        return;
      }
      case Step.Sending: {
        if (result == -(<i64>KernelError.TimedOut)) {
          tcpSend(loop, this, this.socket, this.sendBuffer + this.sent, this.pending - this.sent);
          return;
        }
        if (result < 0) {
          this.failed(loop, "send", result);
          this.close(loop);
          return;
        }
        this.sent += <usize>result;
        if (this.sent < this.pending) {
          tcpSend(loop, this, this.socket, this.sendBuffer + this.sent, this.pending - this.sent);
          return;
        }
        if (this.request.method == Method.Get && this.offset < this.size) this.readPiece(loop, 0);
        else this.answered(loop);
        return;
      }
    }
  }
}

/** The Content-Type of a file by its name's extension. */
function contentType(name: usize, length: usize): string {
  if (endsWith(name, length, ".html")) return "text/html; charset=utf-8";
  if (endsWith(name, length, ".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

function endsWith(name: usize, length: usize, suffix: string): bool {
  const count = <usize>suffix.length;
  return length >= count && equalsExactly(name + length - count, count, suffix);
}
