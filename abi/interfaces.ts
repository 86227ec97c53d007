// The capability interfaces: every kernel object is of exactly one, and a ring CALL names a
// method of it. Values are ABI (docs/abi/ring.md, docs/abi/interfaces/): add at the end, never
// renumber. The grant mask of the boot manifest uses bit (1 << value).

export enum Interface {
  /** Not an interface: no capability has it. */
  None = 0,
  /** Writes text to the serial console (docs/abi/interfaces/console.md). */
  Console = 1,
  /** Monotonic time and sleep (docs/abi/interfaces/timer.md). */
  Timer = 2,
  /** Pages for the caller's linear memory against a quota (docs/abi/interfaces/memory.md). */
  Memory = 3,
  /** Starts programs from the boot package (docs/abi/interfaces/process-spawner.md). */
  ProcessSpawner = 4,
  /** One spawned process: wait for its exit code, kill it (docs/abi/interfaces/process-handle.md). */
  ProcessHandle = 5,
  /** An IPC endpoint, the owner's side: RECV and RETURN, and clients made from it
   * (docs/abi/interfaces/endpoint.md). */
  Endpoint = 6,
  /** An IPC endpoint, a client's side: CALL only (docs/abi/interfaces/endpoint-client.md). */
  EndpointClient = 7,
  /** Starts threads in its own process (docs/abi/interfaces/thread-spawner.md). */
  ThreadSpawner = 8,
  /** One thread: join it (docs/abi/interfaces/thread-handle.md). */
  ThreadHandle = 9,
  /** The calling thread itself: exit, TLS base (docs/abi/interfaces/thread-control.md). */
  ThreadControl = 10,
  /** Park and unpark on 32-bit words of its process's memory (docs/abi/interfaces/park-space.md). */
  ParkSpace = 11,
  /** Random bytes from the kernel's generator (docs/abi/interfaces/random.md). */
  Random = 12,
  /** Pages several address spaces map as the same frames (docs/abi/interfaces/shared-memory.md). */
  SharedMemory = 13,
  /** A network grant: the local ports and the peers its sockets may use
   * (docs/abi/interfaces/network.md). */
  Network = 14,
  /** A bound UDP port: send to and receive from the peers its grant allows
   * (docs/abi/interfaces/udp-socket.md). */
  UdpSocket = 15,
  /** A TCP port listening for connections: accept them (docs/abi/interfaces/tcp-listener.md). */
  TcpListener = 16,
  /** One TCP connection: send, receive, shut down, wait (docs/abi/interfaces/tcp-socket.md). */
  TcpSocket = 17,
  /** Read-only files of the boot package: the programs and the data files beside them
   * (docs/abi/interfaces/boot-files.md). */
  BootFiles = 18,
  /** One end of a pipe, a one-way byte stream (docs/abi/interfaces/pipe.md). */
  Pipe = 19,
  /** A file system subtree a process's paths resolve in (docs/abi/interfaces/namespace.md). */
  Namespace = 20,
  /** An open file or directory of a namespace (docs/abi/interfaces/file.md). */
  File = 21,
  /** A 64-bit event counter, a Linux eventfd (docs/abi/interfaces/event-counter.md). */
  EventCounter = 22,
  /** A readiness set over other capabilities, a Linux epoll instance (docs/abi/interfaces/event-poll.md). */
  EventPoll = 23,
  /** One end of a connected pair of local sockets (docs/abi/interfaces/unix-socket.md). */
  UnixSocket = 24,
  /** A Linux AF_INET socket over the network grant it was made from (docs/abi/interfaces/inet-socket.md). */
  InetSocket = 25,
  /** A Linux AF_UNIX socket before it is connected: bound to a name, listening (docs/abi/interfaces/unix-endpoint.md). */
  UnixEndpoint = 26,
}

/** How many interface values exist (for per-interface counters). */
export const INTERFACE_COUNT: i32 = 27;

/** A short lowercase name for log lines and the manifest. */
export function interfaceName(value: Interface): string {
  switch (value) {
    case Interface.Console: return "console";
    case Interface.Timer: return "timer";
    case Interface.Memory: return "memory";
    case Interface.ProcessSpawner: return "process-spawner";
    case Interface.ProcessHandle: return "process-handle";
    case Interface.Endpoint: return "endpoint";
    case Interface.EndpointClient: return "endpoint-client";
    case Interface.ThreadSpawner: return "thread-spawner";
    case Interface.ThreadHandle: return "thread-handle";
    case Interface.ThreadControl: return "thread-control";
    case Interface.ParkSpace: return "park-space";
    case Interface.Random: return "random";
    case Interface.SharedMemory: return "shared-memory";
    case Interface.Network: return "network";
    case Interface.UdpSocket: return "udp-socket";
    case Interface.TcpListener: return "tcp-listener";
    case Interface.TcpSocket: return "tcp-socket";
    case Interface.BootFiles: return "boot-files";
    case Interface.Pipe: return "pipe";
    case Interface.Namespace: return "namespace";
    case Interface.File: return "file";
    case Interface.EventCounter: return "event-counter";
    case Interface.EventPoll: return "event-poll";
    case Interface.UnixSocket: return "unix-socket";
    case Interface.InetSocket: return "inet-socket";
    case Interface.UnixEndpoint: return "unix-endpoint";
  }
  return "none";
}
