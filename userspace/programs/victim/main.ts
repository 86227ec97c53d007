// victim: answers every call on the endpoint it was granted with the same bytes, forever (until
// killed). exhaust checks that it keeps answering while hostile holds everything it could get.

import { Console, Endpoint, grant, MESSAGE_MAXIMUM, Received, RECEIVED_HEADER_SIZE } from "../../rt/index";
import { Interface } from "../../../abi/interfaces";

const buffer = memory.data(<i32>(RECEIVED_HEADER_SIZE + MESSAGE_MAXIMUM), 16);

export function main(): i32 {
  const console = Console.granted();
  const handle = grant(Interface.Endpoint);
  if (console === null || handle == 0) return 1;
  const endpoint = new Endpoint(handle);
  const received = new Received();
  let result = endpoint.receive(buffer, received);
  while (result == 0) {
    result = endpoint.replyAndReceive(received.callId, received.data, received.length, 0, buffer, received);
  }
  console.line("victim: receive gave " + result.toString());
  return 2;
}
