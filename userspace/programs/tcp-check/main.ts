// tcp-check: the TCP capabilities against the grant, from inside the guest (tests/qemu/tcp.test.ts).
// Its grant (userspace/manifest.json) allows local ports 2000-2999 and the peer 10.0.2.1 on ports
// 8000-8999 and 32768-60999 (Linux's ephemeral ports: a listener admits a client only when a rule
// allows its address and port) only. With args=grant it checks, each a PASS or FAIL line from its own comparison:
// a listen outside the local ports and a connect outside the peer rules are NotPermitted; a
// second listen on a port is AddressInUse; a connect to an allowed port where nothing listens is
// refused; a connect to 10.0.2.1:8000, where the test listens, completes, carries a line each
// way and closes. With args=echo it listens on 2007 and echoes each connection, one at a time,
// until the peer shuts down; it prints one line per connection (bytes echoed).

import { Console, Network, startText, TcpListener, TcpSocket } from "../../rt/index";
import { KernelError } from "../../../abi/errors";

const HOST: u32 = 0x0a000201;
let failures = 0;

function check(console: Console, what: string, ok: bool): void {
  console.line("tcp-check: " + (ok ? "PASS " : "FAIL ") + what);
  if (!ok) failures++;
}

function checkGrant(console: Console, network: Network): void {
  const error = new StaticArray<i64>(1);
  check(console, "listen on port 80, outside the grant's ports: NotPermitted",
    TcpListener.listen(network.handle, 80, 4, error) === null && error[0] == -(<i64>KernelError.NotPermitted));
  check(console, "connect to 10.0.2.1:22, outside the peer ports: NotPermitted",
    TcpSocket.connect(network.handle, HOST, 22, 0, 5_000_000_000, error) === null && error[0] == -(<i64>KernelError.NotPermitted));
  check(console, "connect to 10.0.2.3:8000, outside the peer addresses: NotPermitted",
    TcpSocket.connect(network.handle, 0x0a000203, 8000, 0, 5_000_000_000, error) === null && error[0] == -(<i64>KernelError.NotPermitted));
  const listener = TcpListener.listen(network.handle, 2100, 4, error);
  check(console, "listen on port 2100", listener !== null);
  check(console, "a second listen on 2100: AddressInUse",
    TcpListener.listen(network.handle, 2100, 4, error) === null && error[0] == -(<i64>KernelError.AddressInUse));
  check(console, "connect to 10.0.2.1:8999, where nothing listens: ConnectionRefused",
    TcpSocket.connect(network.handle, HOST, 8999, 0, 10_000_000_000, error) === null && error[0] == -(<i64>KernelError.ConnectionRefused));
  const socket = TcpSocket.connect(network.handle, HOST, 8000, 0, 10_000_000_000, error);
  check(console, "connect to 10.0.2.1:8000", socket !== null);
  if (socket === null) return;
  check(console, "send a line", socket.sendText("hello from capsid\n") == 18);
  const buffer = memory.data(256, 16);
  let got: i64 = 0;
  while (got < 256) {
    const n = socket.receive(buffer + <usize>got, 256 - <usize>got, 10_000_000_000);
    if (n <= 0) break;
    got += n;
  }
  const text = String.UTF8.decodeUnsafe(buffer, <usize>got, false);
  check(console, "received the peer's line and its end of stream: " + text.trim(), text == "hello from the host\n");
  check(console, "shutdown", socket.shutdown() == 0);
  check(console, "send after shutdown: ShutDown", socket.sendText("x") == -(<i64>KernelError.ShutDown));
  socket.close();
  if (listener !== null) listener.close();
}

function echo(console: Console, network: Network): i32 {
  const error = new StaticArray<i64>(1);
  const listener = TcpListener.listen(network.handle, 2007, 8, error);
  if (listener === null) {
    console.line("tcp-check: cannot listen on 2007: error " + (-error[0]).toString());
    return 3;
  }
  console.line("tcp-check: echo listening on port 2007");
  const buffer = memory.data(65536, 16);
  for (;;) {
    const socket = listener.accept();
    if (socket === null) return 4;
    let total: i64 = 0;
    for (;;) {
      const n = socket.receive(buffer, 65536);
      if (n <= 0) {
        if (n < 0) console.line("tcp-check: receive failed: error " + (-n).toString());
        break;
      }
      if (socket.send(buffer, <usize>n) < 0) break;
      total += n;
    }
    socket.close();
    console.line("tcp-check: echoed " + total.toString() + " bytes");
  }
  return 0;   // not reached
}

export function main(): i32 {
  const console = Console.granted();
  if (console === null) return 1;
  const network = Network.granted();
  if (network === null) {
    console.line("tcp-check: no network grant");
    return 2;
  }
  if (startText() == "echo") return echo(console, network);
  checkGrant(console, network);
  console.line("tcp-check: " + (failures == 0 ? "all passed" : failures.toString() + " failed"));
  return failures == 0 ? 0 : 1;
}
