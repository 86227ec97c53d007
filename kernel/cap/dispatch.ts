// CALL dispatch: the one switch on the object's interface, and so the one place where what a
// capability allows is decided. Decode checks the method and its arguments and has no side
// effect; invoke performs it and cannot fail (it completes now, or later from the slot reserved).

import { KernelError } from "../error";
import { Process } from "../proc/process";
import { Thread } from "../proc/thread";
import { Interface } from "./interface";
import { KernelObject } from "./kernel-object";
import { consoleDecode, consoleInvoke } from "./objects/console";
import {
  clientCallDecode, clientCallInvoke, EndpointClientObject, endpointDecode, endpointInvoke, EndpointObject,
} from "./objects/endpoint";
import { memoryDecode, memoryInvoke, MemoryObject } from "./objects/memory";
import { processHandleDecode, processHandleInvoke, ProcessHandleObject } from "./objects/process-handle";
import { processSpawnerDecode, processSpawnerInvoke } from "./objects/process-spawner";
import { timerDecode, timerInvoke } from "./objects/timer";
import { SQE_METHOD } from "./ring-layout";

export function callDecode(process: Process, object: KernelObject, entry: usize): KernelError {
  const method = load<u32>(entry + SQE_METHOD);
  switch (object.iface) {
    case Interface.Console: return consoleDecode(process, method, entry);
    case Interface.Timer: return timerDecode(method, entry);
    case Interface.Memory: return memoryDecode(changetype<MemoryObject>(object), process, method, entry);
    case Interface.ProcessSpawner: return processSpawnerDecode(process, method, entry);
    case Interface.ProcessHandle: return processHandleDecode(method);
    case Interface.Endpoint: return endpointDecode(process, method);
    case Interface.EndpointClient: return clientCallDecode(changetype<EndpointClientObject>(object), process, entry);
  }
  return KernelError.WrongInterface;
}

export function callInvoke(thread: Thread, object: KernelObject, entry: usize, userData: u64): void {
  const method = load<u32>(entry + SQE_METHOD);
  switch (object.iface) {
    case Interface.Console: consoleInvoke(thread, entry, userData); return;
    case Interface.Timer: timerInvoke(thread, method, entry, userData); return;
    case Interface.Memory: memoryInvoke(changetype<MemoryObject>(object), thread, method, entry, userData); return;
    case Interface.ProcessSpawner: processSpawnerInvoke(thread, userData); return;
    case Interface.ProcessHandle: processHandleInvoke(changetype<ProcessHandleObject>(object), thread, method, userData); return;
    case Interface.Endpoint: endpointInvoke(changetype<EndpointObject>(object), thread, userData); return;
    case Interface.EndpointClient: clientCallInvoke(changetype<EndpointClientObject>(object), thread, entry, userData); return;
  }
}
