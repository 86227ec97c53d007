// Method numbers of every capability interface: ABI, shared by the kernel objects (kernel/cap/
// objects/) and the user runtime (userspace/rt/), described per interface in docs/abi/interfaces/.
// No imports, so user programs can include it. Add at the end, never renumber.

export enum ConsoleMethod {
  /** write(arg0 = address, arg1 = length <= CONSOLE_WRITE_MAXIMUM) -> bytes written. */
  Write = 0,
}
export const CONSOLE_WRITE_MAXIMUM: u64 = 4096;

export enum TimerMethod {
  /** now() -> monotonic nanoseconds since boot. */
  Now = 0,
  /** sleep(arg0 = nanoseconds) -> 0, completed no earlier than arg0 ns after the call. */
  Sleep = 1,
  /** realtime() -> nanoseconds since 1970-01-01 00:00:00 UTC (the wall clock); NotFound when the
   * machine gave the kernel no wall clock. */
  Realtime = 2,
}

export enum MemoryMethod {
  /** grow(arg0 = pages, 1..GROW_PAGES_MAXIMUM) -> the previous end of linear memory (bytes); maps
   * arg0 zeroed 4 KiB pages after it in the caller's linear memory, charged to this capability's
   * quota. */
  Grow = 0,
  /** info() -> pages in use against the quota; value = the quota in pages. */
  Info = 1,
  /** split(arg0 = pages) -> a handle, in the caller's table, to a new Memory object whose quota is
   * `pages` carved out of this one (charged here until the new object is gone): attenuation is
   * a narrower object. */
  Split = 2,
  /** endpoint() -> a handle, in the caller's table, to a new Endpoint (owner side), charging
   * ENDPOINT_PAGES pages to this quota while it exists. */
  Endpoint = 3,
  /** kernel() -> kernel heap bytes charged to this quota (their pages count in info's figure);
   * value = kernel heap bytes every quota may still reserve in all (the heap budget left). */
  Kernel = 4,
  /** map(arg0 = address, arg1 = pages, arg2 = MemoryAccess, arg3 = pages it may grow down) -> 0:
   * a new region of `pages` pages at user address `address` (page-aligned), zero-filled on first
   * touch, each page charged to this quota when touched (a touch past the quota ends the
   * process). Nothing is mapped yet. With arg3, a touch below the region within arg3 pages of its
   * start (a page clear of any region below) extends it down to that page: a stack. */
  Map = 5,
  /** unmap(arg0 = address, arg1 = pages, 1..CHANGE_PAGES_MAXIMUM) -> 0: takes the regions made by
   * map in the range out; their pages are freed and their charges returned at once. */
  Unmap = 6,
  /** protect(arg0 = address, arg1 = pages, 1..CHANGE_PAGES_MAXIMUM, arg2 = MemoryAccess) -> 0:
   * the new access for the range, which regions must cover, from the next instruction on. */
  Protect = 7,
  /** share(arg0 = pages, 1..SHARED_PAGES_MAXIMUM) -> a handle, in the caller's table, to a new
   * SharedMemory object of `pages` zeroed pages, charged to this quota while the object or any
   * mapping of it lives. */
  Share = 8,
}

export enum SharedMemoryMethod {
  /** map(arg0 = address, arg1 = MemoryAccess) -> 0: maps every page of the object at user
   * address `address` (page-aligned) in the caller's own space, present at once: a region that
   * Memory.unmap and Memory.protect change like map's. */
  Map = 0,
  /** info() -> the object's pages. */
  Info = 1,
}
/** Pages a SharedMemory object has at most (mapping it maps them all in one entry). */
export const SHARED_PAGES_MAXIMUM: u64 = 512;
/** What a mapped page allows (read is always allowed). */
export enum MemoryAccess {
  Read = 0,
  ReadWrite = 1,
  ReadExecute = 2,
}
/** Pages one unmap or protect covers at most (a page table's worth: the work of an entry stays
 * bounded); a larger range is several calls. */
export const CHANGE_PAGES_MAXIMUM: u64 = 512;
/** Pages one grow maps at most: the kernel's work per entry stays bounded (interrupts are masked
 * while it runs); a larger growth is several calls (userspace/rt does that). */
export const GROW_PAGES_MAXIMUM: u64 = 64;
/** What an endpoint costs a Memory quota: its bounded queue and call records. */
export const ENDPOINT_PAGES: u64 = 4;

export enum EndpointMethod {
  /** client() -> a handle, in the caller's table, to a new client facet of this endpoint. */
  Client = 0,
}
/** Pending calls an endpoint holds (queued plus received and not returned). */
export const ENDPOINT_QUEUE_MAXIMUM: i32 = 64;
/** Bytes a request or a reply may carry. */
export const MESSAGE_MAXIMUM: u64 = 256;
/** How a capability travels with CALL or RETURN: an argument handle | mode << TRANSFER_MODE_SHIFT
 * names it (a handle is below 2^56, abi/ring.ts). */
export enum Transfer {
  None = 0,
  Copy = 1,
  Move = 2,
}
export const TRANSFER_MODE_SHIFT: u64 = 56;
/** The header RECV writes before the request bytes: u64 handle (0: none), u32 call id, u32 label,
 * u32 length, u32 reserved (0). */
export const RECEIVED_HEADER_SIZE: u64 = 24;
export const RECEIVED_HANDLE: u32 = 0;
export const RECEIVED_CALL_ID: u32 = 8;
export const RECEIVED_LABEL: u32 = 12;
export const RECEIVED_LENGTH: u32 = 16;

export enum ProcessSpawnerMethod {
  /** spawn(arg0 = name address, arg1 = name length, arg2 = address of u64 handles,
   * arg3 = handle count (low 32 bits) | argument << 32) -> a ProcessHandle handle in the caller's
   * table; value = the new process id. The argument reaches the child in its startup block. */
  Spawn = 0,
}
export const SPAWN_GRANTS_MAXIMUM: u64 = 16;

export enum ProcessHandleMethod {
  /** wait() -> 0, completed when the process ends; value = the exit code (low 32 bits, as u32)
   * | how it ended (ExitKind) << 32. */
  Wait = 0,
  /** kill() -> 0; the process ends with ExitKind.Killed (no effect if it has ended). */
  Kill = 1,
}

/** How a process ended (ProcessHandle.wait's value). */
export enum ExitKind {
  Exited = 0,
  Killed = 1,
  Faulted = 2,
}

export enum ThreadSpawnerMethod {
  /** spawn(arg0 = entry address (native code of the program), arg1 = argument) -> a ThreadHandle
   * handle; value = the thread's index. The thread starts at the entry with rdi = argument and
   * rsi = the linear address of its own ring. */
  Spawn = 0,
  /** fork(arg0 = entry address (native code of the program), arg1 = argument, arg2 = address of
   * handles (u64 each), arg3 = count, 0..SPAWN_GRANTS_MAXIMUM) -> a ProcessHandle handle; value =
   * the new process's id. A new process whose address space is a copy-on-write copy of the
   * caller's (its rings left out), holding exactly the listed capabilities, its own
   * ThreadSpawner and ParkSpace, and one thread started as spawn starts one (on thread index
   * 0's ring and stack slot). Charged to the caller's account. */
  Fork = 1,
}
/** Threads a process can have at once, its first included (their rings sit at linear pages
 * 1..THREADS_MAXIMUM). */
export const THREADS_MAXIMUM: u32 = 15;
/** Capabilities a process can hold at once: its table grows to this many slots on demand,
 * charged to its quota. */
export const CAPABILITY_SLOTS_MAXIMUM: u32 = 16384;

export enum ThreadHandleMethod {
  /** join() -> 0 once the thread has ended; value = its exit value. */
  Join = 0,
}

export enum ThreadControlMethod {
  /** exit(arg0 = value) -> never completes: the calling thread ends (the process with its last
   * thread, exit code = value). Only on the caller's own ThreadControl. */
  Exit = 0,
  /** setTlsBase(arg0 = address) -> 0; the thread's FS base from its next return to user mode. */
  SetTlsBase = 1,
}

export enum ParkSpaceMethod {
  /** park(arg0 = address, arg1 = expected, arg2 = timeout ns, CAP_ENTER_NO_TIMEOUT for none) ->
   * 0 when unparked; 1 at once when the u32 at address does not hold expected; -TimedOut. */
  Park = 0,
  /** unpark(arg0 = address, arg1 = count) -> how many parked threads it woke (at most count). */
  Unpark = 1,
}

export enum RandomMethod {
  /** read(arg0 = address, arg1 = length <= RANDOM_READ_MAXIMUM) -> length; fills the buffer with
   * bytes of the kernel's ChaCha20 generator. */
  Read = 0,
}
export const RANDOM_READ_MAXIMUM: u64 = 4096;

export enum NetworkMethod {
  /** udp(arg0 = local port, 0 for any free port in the grant's range) -> a handle, in the
   * caller's table, to a new UdpSocket bound to that port; value = the port. NotPermitted outside
   * the grant's local ports, AddressInUse when bound already, Unreachable while the interface has
   * no address. The socket's buffers are charged to the caller's account. */
  Udp = 0,
  /** restrict(arg0 = local port low | high << 16, arg1 = peer address, arg2 = peer prefix length
   * (0..32), arg3 = peer port low | high << 16) -> a handle to a new Network grant allowing only
   * those local ports and that one peer rule; NotPermitted unless every port and peer it allows
   * this grant allows too (attenuation: a grant is only ever narrowed). */
  Restrict = 1,
  /** info(arg0 = address of NETWORK_INFO_SIZE bytes) -> 0; writes the interface's configuration:
   * u32 address, u32 prefix length, u32 gateway, u32 DNS server (each 0 when not known),
   * addresses as numbers (10.0.2.15 is 0x0a00020f). */
  Info = 2,
  /** tcpListen(arg0 = local port, 0 for any free port in the grant's range, arg1 = backlog
   * 1..TCP_BACKLOG_MAXIMUM, arg2 = buffer bytes, 0 for TCP_BUFFER_DEFAULT) -> a handle to a new TcpListener on every address of the interface;
   * value = the port. Only peers the grant allows get through its handshake (the others are
   * answered with a reset). InvalidArgument, Unreachable (no address yet), NotPermitted (port
   * outside the grant), AddressInUse, QuotaExceeded (the listener is charged its backlog's
   * buffers). */
  TcpListen = 3,
  /** tcpConnect(arg0 = peer address, arg1 = peer port, arg2 = local port, 0 for any free port in
   * the grant's range, arg3 = buffer bytes, 0 for TCP_BUFFER_DEFAULT) -> a handle to a new TcpSocket whose SYN is sent; value = the local port.
   * The handshake goes on without the caller: TcpSocket.wait(TCP_READY_CONNECTED) waits for it,
   * and a send or receive waits for it too. NotPermitted for a peer or local port outside the
   * grant, Unreachable with no route, AddressInUse, QuotaExceeded. */
  TcpConnect = 4,
}
/** Peer rules a Network grant holds at most (the manifest's and restrict's). */
export const NETWORK_PEER_RULES_MAXIMUM: i32 = 4;
export const NETWORK_INFO_SIZE: u64 = 16;

export enum UdpSocketMethod {
  /** send(arg0 = address, arg1 = length <= UDP_PAYLOAD_MAXIMUM, arg2 = peer address, arg3 = peer
   * port) -> length once the datagram is handed to the device (or held for the peer's ARP reply);
   * NotPermitted for a peer the grant does not allow, Unreachable with no route, QueueFull when
   * the device's transmit ring is full (try again). */
  Send = 0,
  /** receive(arg0 = address, arg1 = capacity, arg2 = timeout ns, CAP_ENTER_NO_TIMEOUT for none) ->
   * the bytes copied (the datagram cut to the capacity), completed when a datagram arrives or
   * with -TimedOut; value = peer address | peer port << 32 | the datagram's whole length << 48. */
  Receive = 1,
  /** info() -> the local port. */
  Info = 2,
}
/** Payload bytes one datagram carries at most (sent fragmented above 1472). */
export const UDP_PAYLOAD_MAXIMUM: u64 = 8192;
/** Bytes of received datagrams a socket holds before it drops new ones (each datagram also takes
 * UDP_RECORD_OVERHEAD of it). */
export const UDP_RECEIVE_BUFFER: u64 = 32768;
export const UDP_RECORD_OVERHEAD: u64 = 12;

export enum TcpListenerMethod {
  /** accept(arg0 = timeout ns, CAP_ENTER_NO_TIMEOUT for none, 0 not to wait) -> a handle to a
   * TcpSocket for the oldest connection that completed its handshake; value = peer address |
   * peer port << 32. TimedOut, QuotaExceeded (the socket's buffers are charged to the caller),
   * TableFull, PeerEnded (the listener's last handle was released while it waited). */
  Accept = 0,
  /** info() -> the local port; value = connections waiting to be accepted. */
  Info = 1,
}
/** The longest accept queue a listener may ask for. */
export const TCP_BACKLOG_MAXIMUM: u64 = 64;

export enum TcpSocketMethod {
  /** send(arg0 = address, arg1 = length, arg2 = timeout ns) -> the bytes queued, at least 1 when
   * length > 0: copied from the caller's memory straight into the send buffer, as many as it has
   * room for; waits while it has none. ShutDown, ConnectionRefused, ConnectionReset,
   * ConnectionLost, BadAddress, TimedOut. */
  Send = 0,
  /** receive(arg0 = address, arg1 = capacity, arg2 = timeout ns) -> the bytes copied from the
   * receive buffer straight into the caller's memory, 0 at the end of the stream (the peer shut
   * down its side and every byte before was read); waits while there is nothing. */
  Receive = 1,
  /** shutdown() -> 0: no more sending; a FIN follows the bytes queued (a half-close: receiving
   * goes on). */
  Shutdown = 2,
  /** wait(arg0 = TCP_READY_* mask, arg1 = timeout ns) -> the readiness mask now, completed as soon
   * as any asked-for bit is set (at once when one is). TimedOut. */
  Wait = 3,
  /** info() -> local port | peer port << 16 | state (RFC 9293's, CLOSED 0 .. TIME-WAIT 10) << 32;
   * value = peer address | local address << 32. */
  Info = 4,
  /** configure(arg0 = TcpOption, arg1 = value) -> 0. */
  Configure = 5,
  /** abort() -> 0: a reset to the peer, the connection ends at once, unsent data is dropped. */
  Abort = 6,
}

/** TcpSocket.configure's options. */
export enum TcpOption {
  /** value 1: small segments go out at once (Nagle's algorithm off, TCP_NODELAY); 0: on. */
  NoDelay = 0,
  /** value: seconds of idleness before keep-alive probes (RFC 1122 4.2.3.6); 0 turns them off. */
  KeepAlive = 1,
}

/** TcpSocket.wait's readiness bits. */
/** Bytes to receive, the end of the stream, or a failure (receive returns at once). */
export const TCP_READY_READABLE: u64 = 1;
/** Room in the send buffer, or a failure (send returns at once). */
export const TCP_READY_WRITABLE: u64 = 2;
/** The handshake completed (the bit stays set afterwards). */
export const TCP_READY_CONNECTED: u64 = 4;
/** The peer sent its FIN. */
export const TCP_READY_PEER_CLOSED: u64 = 8;
/** The connection failed: refused, reset or lost (send and receive say which). */
export const TCP_READY_FAILED: u64 = 16;
/** The connection is over: both sides closed, or it failed. */
export const TCP_READY_CLOSED: u64 = 32;

/** A TCP socket's send buffer and receive buffer are each this many bytes unless its maker asks
 * for another size (tcpListen's and tcpConnect's buffer argument, as SO_SNDBUF and SO_RCVBUF),
 * within TCP_BUFFER_MINIMUM..TCP_BUFFER_MAXIMUM; both are charged to the owner. The receive
 * buffer is the most the window opens: a larger one keeps more bytes in flight. */
export const TCP_BUFFER_DEFAULT: u64 = 65536;
export const TCP_BUFFER_MINIMUM: u64 = 4096;
export const TCP_BUFFER_MAXIMUM: u64 = 1 << 20;
/** The most one send or receive copies (a bounded kernel entry). */
export const TCP_COPY_MAXIMUM: u64 = 65536;

export enum BootFilesMethod {
  /** size(arg0 = name address, arg1 = name length) -> the file's size in bytes. NotFound. */
  Size = 0,
  /** read(arg0 = name address, arg1 = name length | offset << 16, arg2 = buffer address,
   * arg3 = capacity) -> bytes copied from the file at offset: min(capacity, BOOT_FILE_READ_MAXIMUM,
   * the bytes left), 0 at or past its end. NotFound,
   * BadAddress, InvalidArgument (a name longer than BOOT_FILE_NAME_MAXIMUM, an offset of 2^48 or
   * more). */
  Read = 1,
}
export const BOOT_FILE_NAME_MAXIMUM: u64 = 255;

export enum NamespaceMethod {
  /** info() -> the nodes of its file system; value: 1 when writable through it, else 0. */
  Info = 0,
}

export enum FileMethod {
  /** info() -> the file's size in bytes; value: the open file's offset. */
  Info = 0,
}

export enum PipeMethod {
  /** info() -> the bytes the pipe holds; value: 0 for the read end, 1 for the write end. */
  Info = 0,
}

export enum EventCounterMethod {
  /** info() -> the counter; value: 1 in semaphore mode, 2 for a timer's counter, else 0. */
  Info = 0,
}

export enum EventPollMethod {
  /** info() -> how many capabilities the set watches. */
  Info = 0,
}

export enum UnixSocketMethod {
  /** info() -> the bytes waiting to be read at this end. */
  Info = 0,
}

export enum UnixEndpointMethod {
  /** info() -> connections waiting to be accepted; value: 1 when listening, else 0. */
  Info = 0,
}

export enum InetSocketMethod {
  /** info() -> the local port (0: not bound yet) | the kind (1 stream, 2 datagram) << 16; value:
   * the peer's address | its port << 32 (0: none). */
  Info = 0,
}
/** Bytes one read copies at most (a longer copy would keep interrupts masked too long). */
export const BOOT_FILE_READ_MAXIMUM: u64 = 65536;
