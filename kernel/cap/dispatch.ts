// CALL dispatch: the one switch on the object's interface, and so the one place where what a
// capability allows is decided. Decode checks the method and its arguments and has no side
// effect; invoke performs it and cannot fail (it completes now, or later from the slot reserved).

import { KernelError } from "../../abi/errors";
import { Thread } from "../sched/thread";
import { Interface } from "../../abi/interfaces";
import { KernelObject } from "./kernel-object";
import { consoleDecode, consoleInvoke } from "../objects/console";
import {
  clientCallDecode, clientCallInvoke, EndpointClientObject, endpointDecode, endpointInvoke, EndpointObject,
} from "../objects/endpoint";
import { memoryDecode, memoryInvoke, MemoryObject } from "../objects/memory";
import { processHandleDecode, processHandleInvoke, ProcessHandleObject } from "../objects/process-handle";
import { processSpawnerDecode, processSpawnerInvoke } from "../objects/process-spawner";
import { timerDecode, timerInvoke } from "../objects/timer";
import { SQE_METHOD } from "../../abi/ring";
import { parkSpaceDecode, parkSpaceInvoke, ParkSpaceObject } from "../objects/park-space";
import { threadControlDecode, threadControlInvoke, ThreadControlObject } from "../objects/thread-control";
import { threadHandleDecode, threadHandleInvoke, ThreadHandleObject } from "../objects/thread-handle";
import { threadSpawnerDecode, threadSpawnerInvoke, ThreadSpawnerObject } from "../objects/thread-spawner";

export function callDecode(caller: Thread, object: KernelObject, entry: usize): KernelError {
  const process = caller.process;
  const method = load<u32>(entry + SQE_METHOD);
  switch (object.iface) {
    case Interface.Console: return consoleDecode(process, method, entry);
    case Interface.Timer: return timerDecode(method, entry);
    case Interface.Memory: return memoryDecode(changetype<MemoryObject>(object), process, method, entry);
    case Interface.ProcessSpawner: return processSpawnerDecode(process, method, entry);
    case Interface.ProcessHandle: return processHandleDecode(method);
    case Interface.Endpoint: return endpointDecode(process, method);
    case Interface.EndpointClient: return clientCallDecode(changetype<EndpointClientObject>(object), process, entry);
    case Interface.ThreadSpawner: return threadSpawnerDecode(changetype<ThreadSpawnerObject>(object), process, method, entry);
    case Interface.ThreadHandle: return threadHandleDecode(changetype<ThreadHandleObject>(object), caller, method);
    case Interface.ThreadControl: return threadControlDecode(changetype<ThreadControlObject>(object), caller, method, entry);
    case Interface.ParkSpace: return parkSpaceDecode(changetype<ParkSpaceObject>(object), process, method, entry);
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
    case Interface.ThreadSpawner: threadSpawnerInvoke(thread, entry, userData); return;
    case Interface.ThreadHandle: threadHandleInvoke(changetype<ThreadHandleObject>(object), thread, userData); return;
    case Interface.ThreadControl: threadControlInvoke(thread, method, entry, userData); return;
    case Interface.ParkSpace: parkSpaceInvoke(changetype<ParkSpaceObject>(object), thread, method, entry, userData); return;
  }
}
