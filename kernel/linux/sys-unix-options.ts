// setsockopt and getsockopt's SOL_SOCKET options of AF_UNIX sockets (docs/linux.md, "Sockets"),
// kept in the socket's UnixOptions (objects/unix-options.ts), as Linux's sock_setsockopt and
// sock_getsockopt keep and report them: SO_RCVTIMEO and SO_SNDTIMEO bound the blocking calls
// (socket-timeout.ts); SO_SNDBUF and SO_RCVBUF are doubled and bounded as Linux's; SO_REUSEADDR,
// SO_KEEPALIVE, SO_BROADCAST, SO_OOBINLINE, SO_DONTROUTE, SO_PRIORITY and SO_LINGER are kept and
// reported, and change nothing, as on Linux's AF_UNIX. SO_PASSCRED is refused (ENOPROTOOPT):
// there is no SCM_CREDENTIALS to turn on.

import { KernelError } from "../../abi/errors";
import { UnixOptions } from "../objects/unix-options";
import { Thread } from "../sched/thread";
import { copyIn } from "../vm/user-memory";
import { Errno } from "./errno";
import { timeoutOfTimeval, timevalStore } from "./socket-timeout";

const SOL_SOCKET: u64 = 1;
const SO_REUSEADDR: u64 = 2, SO_DONTROUTE: u64 = 5, SO_BROADCAST: u64 = 6, SO_SNDBUF: u64 = 7, SO_RCVBUF: u64 = 8, SO_KEEPALIVE: u64 = 9,
  SO_OOBINLINE: u64 = 10, SO_PRIORITY: u64 = 12, SO_LINGER: u64 = 13, SO_PASSCRED: u64 = 16, SO_RCVTIMEO: u64 = 20, SO_SNDTIMEO: u64 = 21,
  SO_SNDBUFFORCE: u64 = 32, SO_RCVBUFFORCE: u64 = 33;
/** Linux's net.core.wmem_max and rmem_max, and its smallest buffers (SOCK_MIN_SNDBUF, SOCK_MIN_RCVBUF). */
const BUFFER_MAXIMUM: u32 = 212_992, SEND_MINIMUM: u32 = 4608, RECEIVE_MINIMUM: u32 = 2304;

class UnixOptionsState {
  readonly buffer: usize = memory.data(16, 16);
}
const state = new UnixOptionsState();

/** The options kept as one bit each. */
@inline function isFlag(name: u64): bool {
  return name == SO_REUSEADDR || name == SO_DONTROUTE || name == SO_BROADCAST || name == SO_KEEPALIVE || name == SO_OOBINLINE;
}

/** setsockopt(fd, level, name, value, length) of an AF_UNIX socket: 0; EOPNOTSUPP for another
 * level (AF_UNIX has no options of its own, as Linux's); ENOPROTOOPT for an option it does not take; EINVAL for a value shorter than the option's (an int, a
 * struct linger, a struct timeval); EDOM for a timeval's microseconds out of range; EFAULT. */
export function unixSetsockopt(thread: Thread, options: UnixOptions, level: u64, name: u64, value: u64, length: u64): i64 {
  level &= 0xffff_ffff;
  name &= 0xffff_ffff;
  length &= 0xffff_ffff;
  const timeval = name == SO_RCVTIMEO || name == SO_SNDTIMEO;
  const known = isFlag(name) || timeval || name == SO_SNDBUF || name == SO_RCVBUF || name == SO_SNDBUFFORCE || name == SO_RCVBUFFORCE
    || name == SO_PRIORITY || name == SO_LINGER;
  if (level != SOL_SOCKET) return -(<i64>Errno.EOPNOTSUPP);
  if (!known) return -(<i64>Errno.ENOPROTOOPT);
  const need: u64 = timeval ? 16 : name == SO_LINGER ? 8 : 4;
  if (<i32>length < 0 || length < need) return -(<i64>Errno.EINVAL);
  const b = state.buffer;
  if (copyIn(thread.process.space, b, 16, value, need) != KernelError.None) return -(<i64>Errno.EFAULT);
  if (timeval) {
    const nanos = timeoutOfTimeval(load<i64>(b), load<i64>(b, 8));
    if (nanos < 0) return nanos;
    if (name == SO_RCVTIMEO) options.receiveTimeout = <u64>nanos;
    else options.sendTimeout = <u64>nanos;
    return 0;
  }
  const number = load<i32>(b);
  if (isFlag(name)) {
    if (number != 0) options.flags |= <u64>1 << name;
    else options.flags &= ~(<u64>1 << name);
  } else if (name == SO_PRIORITY) {
    options.priority = number;   // every process is root: any priority, as CAP_NET_ADMIN allows
  } else if (name == SO_LINGER) {
    options.lingerOn = number != 0;
    if (options.lingerOn) options.lingerSeconds = load<i32>(b, 4);
  } else {
    // Linux's sock_setsockopt: the request (as unsigned, so a negative one is the most) within
    // the maximum (not for the FORCE forms, which root may use past it), doubled for the
    // kernel's overhead, at least the minimum.
    const forced = name == SO_SNDBUFFORCE || name == SO_RCVBUFFORCE;
    const asked = forced ? (number < 0 ? 0 : <u32>number) : min(<u32>number, BUFFER_MAXIMUM);
    const doubled = <u32>min(<u64>asked * 2, <u64>(i32.MAX_VALUE - 1));
    if (name == SO_SNDBUF || name == SO_SNDBUFFORCE) options.sendBuffer = max(doubled, SEND_MINIMUM);
    else options.receiveBuffer = max(doubled, RECEIVE_MINIMUM);
  }
  return 0;
}

/** An option setsockopt keeps, for getsockopt: its value stored at `at` (an int, a struct linger
 * or a struct timeval) and its size, or 0 when it is none of them. SO_PASSCRED reads 0. */
export function unixOptionOut(options: UnixOptions, name: u64, at: usize): u64 {
  if (name == SO_RCVTIMEO || name == SO_SNDTIMEO) {
    timevalStore(at, name == SO_RCVTIMEO ? options.receiveTimeout : options.sendTimeout);
    return 16;
  }
  if (name == SO_LINGER) {
    store<i32>(at, options.lingerOn ? 1 : 0);
    store<i32>(at, options.lingerSeconds, 4);
    return 8;
  }
  let answer: i32;
  if (isFlag(name)) answer = (options.flags & (<u64>1 << name)) != 0 ? 1 : 0;
  else if (name == SO_SNDBUF) answer = <i32>options.sendBuffer;
  else if (name == SO_RCVBUF) answer = <i32>options.receiveBuffer;
  else if (name == SO_PRIORITY) answer = options.priority;
  else if (name == SO_PASSCRED) answer = 0;
  else return 0;
  store<i32>(at, answer);
  return 4;
}
