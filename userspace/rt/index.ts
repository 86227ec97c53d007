// The user runtime (userspace/rt): what an AssemblyScript program imports. A program exports
// `main(): i32`, whose result is its exit code; see README.md, "Writing a user program".

export { Console } from "./console";
export { carry, Endpoint, EndpointClient, Received } from "./endpoint";
export { Memory, SharedMemory } from "./memory";
export { ExitStatus, ProcessHandle, ProcessSpawner } from "./process";
export { grant, lastResultOfCall, processId, releaseHandle, startArgument, startText } from "./ring";
export { atomicAdd32, atomicCompareExchange32, atomicLoad32, atomicStore32, exit, readTsc } from "./syscalls";
export { Random } from "./random";
export { Steps } from "./steps";
export { Timer } from "./timer";
export { ExitKind, MemoryAccess, MESSAGE_MAXIMUM, RECEIVED_HEADER_SIZE, Transfer } from "../../abi/methods";
export { userAbort } from "./panic";
export { park, PARK_CHANGED, PARK_TIMED_OUT, PARK_WOKEN, unpark, unparkThenPark } from "./park";
export { conditionBroadcast, conditionSignal, conditionWait, mutexLock, mutexParks, mutexUnlock } from "./sync";
export { forkProcess, spawnThread, ThreadHandle, threadExit } from "./thread";
export { ipv4Parse, ipv4Text, Network, NetworkInfo, UdpSocket } from "./network";
export { TcpListener, TcpSocket } from "./tcp";
export { ringPush, ringPop, ringFree, ringReady, userAddress, Completion } from "./ring";
export { BootFiles, bootFilesNameAndOffset } from "./boot-files";
