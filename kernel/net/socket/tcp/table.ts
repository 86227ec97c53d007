// The TCP core's connection table (net/socket/tcp/): connections found by their 4-tuple for
// arriving segments, and listed for the timers. A map from (remote address, remote port, local
// port) to a chain of connections that differ only in local address, and a doubly linked list
// of them all. Owned by the stack's context (context.ts); entries go in when a connection opens
// (connect, a SYN to a listener) and out when it reaches CLOSED.

import { TcpConnection } from "./connection";

@inline function key(remoteAddress: u32, remotePort: u32, localPort: u32): u64 {
  return (<u64>remoteAddress << 32) | (<u64>(remotePort & 0xffff) << 16) | <u64>(localPort & 0xffff);
}

export class TcpTable {
  private readonly buckets: Map<u64, TcpConnection> = new Map<u64, TcpConnection>();
  /** The first of all connections. */
  first: TcpConnection | null = null;
  count: i32 = 0;

  find(localAddress: u32, localPort: u32, remoteAddress: u32, remotePort: u32): TcpConnection | null {
    const k = key(remoteAddress, remotePort, localPort);
    if (!this.buckets.has(k)) return null;
    for (let connection: TcpConnection | null = this.buckets.get(k); connection !== null; connection = connection.nextInBucket) {
      if (connection.localAddress == localAddress) return connection;
    }
    return null;
  }

  /** Adds `connection` (its 4-tuple not in the table: the caller looked). */
  insert(connection: TcpConnection): void {
    if (connection.inTable) abort("TcpTable.insert: already in the table");
    const k = key(connection.remoteAddress, connection.remotePort, connection.localPort);
    connection.nextInBucket = this.buckets.has(k) ? this.buckets.get(k) : null;
    this.buckets.set(k, connection);
    connection.previous = null;
    connection.next = this.first;
    const first = this.first;
    if (first !== null) first.previous = connection;
    this.first = connection;
    connection.inTable = true;
    this.count++;
  }

  remove(connection: TcpConnection): void {
    if (!connection.inTable) return;
    const k = key(connection.remoteAddress, connection.remotePort, connection.localPort);
    const head = this.buckets.get(k);
    if (head === connection) {
      const rest = connection.nextInBucket;
      if (rest === null) this.buckets.delete(k);
      else this.buckets.set(k, rest);
    } else {
      let before = head;
      while (before.nextInBucket !== connection) before = changetype<TcpConnection>(before.nextInBucket);
      before.nextInBucket = connection.nextInBucket;
    }
    connection.nextInBucket = null;
    const previous = connection.previous, next = connection.next;
    if (previous !== null) previous.next = next;
    else this.first = next;
    if (next !== null) next.previous = previous;
    connection.previous = null;
    connection.next = null;
    connection.inTable = false;
    this.count--;
  }

  /** Whether some connection uses local port `localPort` on `localAddress` (any peer). */
  localPortUsed(localAddress: u32, localPort: u32): bool {
    let connection = this.first;
    while (connection !== null) {
      if (connection.localPort == localPort && connection.localAddress == localAddress) return true;
      connection = connection.next;
    }
    return false;
  }
}
