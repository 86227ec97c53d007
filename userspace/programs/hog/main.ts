// hog: maps as many pages as its start argument says and makes CAPABILITIES endpoint clients,
// then tells its spawner by a call on the endpoint client it was granted (label 0, or the
// KernelError that stopped it as label) and waits there for an answer that never comes: the
// spawner kills it (teardown's subject: the kernel frees its frames and releases its
// capabilities a bounded step at a time).

import { Console, Endpoint, EndpointClient, grant, lastResultOfCall, Memory, startArgument } from "../../rt/index";
import { Interface } from "../../../abi/interfaces";

const CAPABILITIES = 4000;

export function main(): i32 {
  const console = Console.granted();
  const memory = Memory.granted();
  const clientHandle = grant(Interface.EndpointClient);
  if (console === null || memory === null || clientHandle == 0) return 1;
  const pages = <u64>startArgument();
  let result = memory.grow(pages);
  console.line("hog: grew " + pages.toString() + " pages: " + (result < 0 ? "error " + (-result).toString() : "ok"));
  const endpoint = Endpoint.create(memory.handle);
  if (endpoint === null) result = lastResultOfCall();
  for (let i = 0; result >= 0 && i < CAPABILITIES; i++) {
    if (endpoint!.client() == 0) result = lastResultOfCall();
  }
  console.line("hog: made " + CAPABILITIES.toString() + " capabilities: " + (result < 0 ? "error " + (-result).toString() : "ok"));
  const client = new EndpointClient(clientHandle);
  client.call(result < 0 ? <u32>(-result) : 0, 0, 0, 0, 0);
  return 2;   // reached only if the spawner answered
}
